//! Jupyter directory rules, as jupyter_core 5.9.1 applies them (with platformdirs 4.14.7
//! behind `JUPYTER_PLATFORM_DIRS`), for Linux (and other non-macOS Unix), macOS and Windows.
//!
//! Everything except [`PathEnv::from_process`] is a pure function of a [`PathEnv`], so every
//! platform can be tested on any host. Paths are built as strings with the target platform's
//! separator (`\` and `;` for Windows), and are compared as strings, exactly like Python's
//! `list.__contains__`: use [`contains_path`], not `PathBuf ==` (which ignores `//` and a
//! trailing `/`).
//!
//! Provenance: the unit tests' "verified" values come from jupyter_core 5.9.1 itself (Linux
//! natively; macOS and Windows by running its code with the platform patched). `sys.prefix`,
//! the venv/conda ownership rule and the user base are decided in [`PathEnv::from_process`].
//!
//! Paths and environment values are strings as Python holds them: bytes that are not UTF-8 are
//! kept as escapes (`crate::py::text`) and turned back into the same bytes for the file system.
//!
//! Known, documented approximations (all outside normal use):
//! * `JUPYTER_NO_CONFIG`: the reference searches a fresh, empty `mkdtemp` directory for config;
//!   [`jupyter_config_path`] returns an empty list instead (same effect, nothing to plant files
//!   into), and [`jupyter_config_dir`] returns `<temp>/jupyter-clean-cfg` without the random
//!   suffix (only reachable through the Windows data-dir fallback when `APPDATA` is empty).
//! * Windows: `%APPDATA%\jupyter` is normalised lexically; Python also resolves symlinks or
//!   junctions and makes a relative value absolute. platformdirs asks the shell for the known
//!   folders; we read `LOCALAPPDATA` (else `<home>\AppData\Local`) and `PROGRAMDATA` (else
//!   `ALLUSERSPROFILE`, else `C:\ProgramData`) after the `WIN_PD_OVERRIDE_*` overrides.
//! * platformdirs with a relative or unset `HOME` uses the passwd home; we use [`PathEnv::home`].
//! * macOS Homebrew site dir: platformdirs derives `<brew prefix>/share/jupyter` from
//!   `sys.base_prefix`; we add `/opt/homebrew/share/jupyter` when [`PathEnv::homebrew_prefix`].
//! * `~/.ipython/kernels` is never listed (we cannot know whether IPython is importable).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::py::ntpath;

/// Which platform's rules apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    /// Linux and every other non-macOS Unix (jupyter_core's XDG branch).
    Linux,
    MacOs,
    Windows,
}

impl Platform {
    /// The platform this binary was compiled for.
    pub fn current() -> Platform {
        if cfg!(windows) {
            Platform::Windows
        } else if cfg!(target_os = "macos") {
            Platform::MacOs
        } else {
            Platform::Linux
        }
    }

    fn is_windows(self) -> bool {
        self == Platform::Windows
    }

    /// `os.sep`.
    fn sep(self) -> char {
        if self.is_windows() {
            '\\'
        } else {
            '/'
        }
    }

    /// `os.pathsep`.
    fn pathsep(self) -> char {
        if self.is_windows() {
            ';'
        } else {
            ':'
        }
    }
}

/// Everything the path rules depend on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathEnv {
    pub platform: Platform,
    /// The environment. On Windows the names must be upper-case, as in Python's `os.environ`
    /// ([`PathEnv::from_process`] does this).
    pub vars: BTreeMap<String, String>,
    /// `Path("~").expanduser().resolve()`.
    pub home: PathBuf,
    /// The `sys.prefix` of the Python environment we act for.
    pub sys_prefix: PathBuf,
    /// `sys.prefix` is a virtualenv, or a non-base conda env, owned by the current user
    /// (jupyter_core's default for `JUPYTER_PREFER_ENV_PATH`).
    pub in_venv_owned: bool,
    /// `site.getuserbase()` when `site.ENABLE_USER_SITE` is true, else `None`.
    pub user_base: Option<PathBuf>,
    /// `sys.prefix` starts with `/opt/homebrew` (macOS: application name `jupyter`, not `Jupyter`).
    pub homebrew_prefix: bool,
    /// `sys_prefix` is a Python environment's: the binary's own (`pyvenv.cfg`, `conda-meta/`)
    /// or the active one (`VIRTUAL_ENV`, `CONDA_PREFIX`), rather than our guess from where the
    /// binary is.
    pub sys_prefix_is_env: bool,
}

/// Where `install` puts a kernelspec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// `--user`
    User,
    /// `--prefix` / `--sys-prefix`
    Prefix(PathBuf),
    /// neither
    System,
}

/// jupyter_core's `envset` applied to a variable's value (`None`: the variable is absent).
/// Present and not one of `no`, `n`, `false`, `off`, `0`, `0.0` (any case); empty is true.
pub fn envset(value: Option<&str>) -> bool {
    value.is_some_and(|v| !matches!(v.to_lowercase().as_str(), "no" | "n" | "false" | "off" | "0" | "0.0"))
}

/// `jupyter_data_dir()`: the user-level data directory (`--user` installs below it).
pub fn jupyter_data_dir(e: &PathEnv) -> PathBuf {
    to_path(&data_dir(e))
}

/// `jupyter_config_dir()`: the user-level config directory.
/// With `JUPYTER_NO_CONFIG` see the module notes.
pub fn jupyter_config_dir(e: &PathEnv) -> PathBuf {
    to_path(&config_dir(e))
}

/// `SYSTEM_JUPYTER_PATH`; its first entry is the default install target.
pub fn system_jupyter_path(e: &PathEnv) -> Vec<PathBuf> {
    to_paths(system_data(e))
}

/// `ENV_JUPYTER_PATH`: `[<sys.prefix>/share/jupyter]`.
pub fn env_jupyter_path(e: &PathEnv) -> Vec<PathBuf> {
    to_paths(env_data(e))
}

/// `jupyter_path(subdir)`: the data search path, highest priority first.
pub fn jupyter_path(e: &PathEnv, subdir: Option<&str>) -> Vec<PathBuf> {
    let pf = e.platform;
    let mut paths = split_list(e, "JUPYTER_PATH");
    let mut user = vec![data_dir(e)];
    push_user_base(e, &mut user, "share");
    let env = env_minus_system(env_data(e), &system_data(e));
    order_env_user(e, &mut paths, env, user);
    for s in system_data(e) {
        if !paths.contains(&s) {
            paths.push(s);
        }
    }
    if let Some(sub) = subdir {
        paths = paths.iter().map(|p| join(pf, p, sub)).collect();
    }
    to_paths(paths)
}

/// `jupyter_config_path()`: the config search path, highest priority first.
/// Empty under `JUPYTER_NO_CONFIG` (the reference searches only a fresh empty directory).
pub fn jupyter_config_path(e: &PathEnv) -> Vec<PathBuf> {
    if no_config(e) {
        return Vec::new();
    }
    let mut paths = split_list(e, "JUPYTER_CONFIG_PATH");
    let mut user = vec![config_dir(e)];
    push_user_base(e, &mut user, "etc");
    let env_cfg = vec![pure_path(e.platform, &lossy(&e.sys_prefix), &["etc", "jupyter"])];
    let system = system_config(e, &env_cfg);
    let same = env_cfg == system;
    order_env_user(e, &mut paths, env_minus_system(env_cfg, &system), user);
    // Unlike jupyter_path, system entries are appended without de-duplication.
    if !same {
        paths.extend(system);
    }
    to_paths(paths)
}

/// The kernel search directories used for the "which is not in" warning: `jupyter_path("kernels")`.
/// jupyter_client also appends `~/.ipython/kernels` when IPython is importable; we cannot know, so
/// it is left out.
pub fn kernel_dirs(e: &PathEnv) -> Vec<PathBuf> {
    jupyter_path(e, Some("kernels"))
}

/// The kernel directories as Jupyter sees them, for the "not in" warning of an install and the
/// names `preview` looks up: [`kernel_dirs`], except that when the prefix is only our guess
/// ([`PathEnv::sys_prefix_is_env`] false: the binary is in no Python environment and none is
/// active), Jupyter's own Python has another prefix, so `<sys_prefix>/share/jupyter` is on its
/// path only if it is a system directory.
pub fn searched_kernel_dirs(e: &PathEnv) -> Vec<PathBuf> {
    let dirs = kernel_dirs(e);
    if e.sys_prefix_is_env {
        return dirs;
    }
    let kernels =
        |data: Vec<String>| -> Vec<PathBuf> { data.iter().map(|d| to_path(&join(e.platform, d, "kernels"))).collect() };
    let env = kernels(env_data(e));
    let system = kernels(system_data(e));
    dirs.into_iter().filter(|d| !contains_path(&env, d) || contains_path(&system, d)).collect()
}

/// The `kernels` directory an install goes to (the kernelspec is `<this>/<name>`):
/// `<data dir>/kernels`, `<abspath(prefix)>/share/jupyter/kernels` or
/// `<first system path>/kernels`. The prefix is made absolute against `cwd` lexically, like
/// `os.path.abspath` (symlinks are not resolved). An empty prefix is falsy in the reference and
/// selects the system location.
pub fn kernels_dir(e: &PathEnv, loc: &Location, cwd: &Path) -> PathBuf {
    let pf = e.platform;
    let base = match loc {
        Location::User => data_dir(e),
        Location::Prefix(p) if !p.as_os_str().is_empty() => {
            let abs = abspath(pf, &lossy(p), &lossy(cwd));
            join_all(pf, &abs, &["share", "jupyter"])
        }
        Location::Prefix(_) | Location::System => {
            let system = system_data(e);
            system.into_iter().next().unwrap_or_default()
        }
    };
    to_path(&join(pf, &base, "kernels"))
}

/// Python's `path in list` for paths: exact string comparison.
pub fn contains_path(list: &[PathBuf], path: &Path) -> bool {
    list.iter().any(|p| p.as_os_str() == path.as_os_str())
}

/// Python's `repr()` of a list of path strings, e.g. `['/a', "/it's"]`.
pub fn python_list_repr(paths: &[PathBuf]) -> String {
    let items: Vec<String> = paths.iter().map(|p| crate::py::repr::code_points_repr(&python_code_points(p))).collect();
    format!("[{}]", items.join(", "))
}

// ---------------------------------------------------------------------------------------------
// jupyter_core rules over strings

impl PathEnv {
    fn var(&self, name: &str) -> Option<&str> {
        self.vars.get(name).map(String::as_str)
    }

    /// `os.environ.get(name)` is truthy.
    fn nonempty(&self, name: &str) -> Option<&str> {
        self.var(name).filter(|v| !v.is_empty())
    }
}

/// A path as Python's string of it (see `crate::py::text`; a path holding one of the code
/// points reserved there cannot occur: it would have been refused on the way in).
fn lossy(p: &Path) -> String {
    crate::py::text::from_path(p).unwrap_or_else(|_| p.to_string_lossy().into_owned())
}

fn to_path(s: &str) -> PathBuf {
    crate::py::text::to_path(s)
}

fn to_paths(v: Vec<String>) -> Vec<PathBuf> {
    v.iter().map(|s| to_path(s)).collect()
}

/// The environment variables Python could hold but we cannot: names or values containing the
/// code points `crate::py::text` reserves for undecodable bytes.
pub fn unrepresentable_env_vars() -> Vec<String> {
    std::env::vars_os()
        .filter(|(k, v)| crate::py::text::from_os(k).is_err() || crate::py::text::from_os(v).is_err())
        .map(|(k, _)| k.to_string_lossy().into_owned())
        .collect()
}

fn use_platform_dirs(e: &PathEnv) -> bool {
    envset(e.var("JUPYTER_PLATFORM_DIRS"))
}

fn use_programdata(e: &PathEnv) -> bool {
    envset(e.var("JUPYTER_USE_PROGRAMDATA"))
}

fn no_config(e: &PathEnv) -> bool {
    e.nonempty("JUPYTER_NO_CONFIG").is_some()
}

/// jupyter_core's `APPNAME`.
fn app_name(e: &PathEnv) -> &'static str {
    match e.platform {
        Platform::Windows => "Jupyter",
        Platform::MacOs if !e.homebrew_prefix => "Jupyter",
        _ => "jupyter",
    }
}

/// `%PROGRAMDATA%` when Windows' legacy rules trust it (opt-in since jupyter_core 5.8).
fn win_programdata(e: &PathEnv) -> Option<&str> {
    if e.platform.is_windows() && use_programdata(e) {
        e.nonempty("PROGRAMDATA")
    } else {
        None
    }
}

fn config_dir(e: &PathEnv) -> String {
    if no_config(e) {
        return join(e.platform, &temp_dir(e), "jupyter-clean-cfg");
    }
    if let Some(d) = e.nonempty("JUPYTER_CONFIG_DIR") {
        return d.to_string();
    }
    if use_platform_dirs(e) {
        return pd_user_config_dir(e);
    }
    join(e.platform, &lossy(&e.home), ".jupyter")
}

fn data_dir(e: &PathEnv) -> String {
    let pf = e.platform;
    if let Some(d) = e.nonempty("JUPYTER_DATA_DIR") {
        return d.to_string();
    }
    if use_platform_dirs(e) {
        return pd_user_data_dir(e);
    }
    let home = lossy(&e.home);
    match pf {
        Platform::MacOs => pure_path(pf, &home, &["Library", "Jupyter"]),
        Platform::Windows => match e.nonempty("APPDATA") {
            Some(appdata) => ntpath::normpath(&pure_path(pf, appdata, &["jupyter"])),
            None => join(pf, &config_dir(e), "data"),
        },
        Platform::Linux => {
            let xdg = match e.nonempty("XDG_DATA_HOME") {
                Some(x) => x.to_string(),
                None => join_all(pf, &home, &[".local", "share"]),
            };
            join(pf, &xdg, "jupyter")
        }
    }
}

fn env_data(e: &PathEnv) -> Vec<String> {
    vec![pure_path(e.platform, &lossy(&e.sys_prefix), &["share", "jupyter"])]
}

fn system_data(e: &PathEnv) -> Vec<String> {
    let pf = e.platform;
    if use_platform_dirs(e) {
        if pf.is_windows() && !use_programdata(e) {
            env_data(e)
        } else {
            pd_site_data_dirs(e)
        }
    } else if pf.is_windows() {
        match win_programdata(e) {
            Some(pd) => vec![join(pf, pd, "jupyter")],
            None => env_data(e),
        }
    } else {
        vec!["/usr/local/share/jupyter".into(), "/usr/share/jupyter".into()]
    }
}

fn system_config(e: &PathEnv, env_cfg: &[String]) -> Vec<String> {
    let pf = e.platform;
    if use_platform_dirs(e) {
        if pf.is_windows() && !use_programdata(e) {
            env_cfg.to_vec()
        } else {
            pd_site_config_dirs(e)
        }
    } else if pf.is_windows() {
        match win_programdata(e) {
            Some(pd) => vec![pure_path(pf, pd, &["jupyter"])],
            None => env_cfg.to_vec(),
        }
    } else {
        vec!["/usr/local/etc/jupyter".into(), "/etc/jupyter".into()]
    }
}

/// `JUPYTER_PATH`-style list: split on `os.pathsep`, `rstrip(os.sep)` each entry; empty entries kept.
fn split_list(e: &PathEnv, name: &str) -> Vec<String> {
    let pf = e.platform;
    match e.nonempty(name) {
        Some(v) => v.split(pf.pathsep()).map(|p| p.trim_end_matches(pf.sep()).to_string()).collect(),
        None => Vec::new(),
    }
}

/// Adds `<user base>/<sub>/jupyter` to the user list unless already there.
fn push_user_base(e: &PathEnv, user: &mut Vec<String>, sub: &str) {
    if let Some(ub) = &e.user_base {
        let dir = pure_path(e.platform, &lossy(ub), &[sub, "jupyter"]);
        if !user.contains(&dir) {
            user.push(dir);
        }
    }
}

/// Windows usually has env == system; then env is kept so that it can still be preferred.
fn env_minus_system(env: Vec<String>, system: &[String]) -> Vec<String> {
    if env == system {
        env
    } else {
        env.into_iter().filter(|p| !system.contains(p)).collect()
    }
}

fn order_env_user(e: &PathEnv, paths: &mut Vec<String>, env: Vec<String>, user: Vec<String>) {
    if prefer_env(e) {
        paths.extend(env);
        paths.extend(user);
    } else {
        paths.extend(user);
        paths.extend(env);
    }
}

/// `prefer_environment_over_user()`: an explicit `JUPYTER_PREFER_ENV_PATH` wins.
fn prefer_env(e: &PathEnv) -> bool {
    match e.var("JUPYTER_PREFER_ENV_PATH") {
        Some(v) => envset(Some(v)),
        None => e.in_venv_owned,
    }
}

/// Stand-in for `tempfile.gettempdir()` (first of TMPDIR, TEMP, TMP, then the platform default).
fn temp_dir(e: &PathEnv) -> String {
    for name in ["TMPDIR", "TEMP", "TMP"] {
        if let Some(t) = e.nonempty(name) {
            return t.to_string();
        }
    }
    match e.platform {
        Platform::Windows => join_all(e.platform, &lossy(&e.home), &["AppData", "Local", "Temp"]),
        _ => "/tmp".into(),
    }
}

// ---------------------------------------------------------------------------------------------
// platformdirs 4.14.7 (appauthor=False, multipath=True), used under JUPYTER_PLATFORM_DIRS

/// platformdirs' `expand_user("~/<rest>")` on Unix: an absolute `HOME`, else the passwd home.
fn pd_expand_user(e: &PathEnv, rest: &str) -> String {
    let home = match e.var("HOME") {
        Some(h) if h.starts_with('/') => h.to_string(),
        _ => lossy(&e.home),
    };
    format!("{}/{}", home.trim_end_matches('/'), rest)
}

/// An XDG variable counts only when it holds an absolute path.
fn xdg_dir<'a>(e: &'a PathEnv, name: &str) -> Option<&'a str> {
    e.var(name).filter(|v| v.starts_with('/'))
}

fn xdg_dir_list(e: &PathEnv, name: &str) -> Vec<String> {
    let app = app_name(e);
    e.var(name).unwrap_or("").split(':').filter(|p| p.starts_with('/')).map(|p| join(e.platform, p, app)).collect()
}

/// A `CSIDL_*` known folder: a fully qualified `WIN_PD_OVERRIDE_*` value, else (our stand-in for
/// the shell API) the usual environment variable.
fn win_folder(e: &PathEnv, local_appdata: bool) -> String {
    let key = if local_appdata { "WIN_PD_OVERRIDE_LOCAL_APPDATA" } else { "WIN_PD_OVERRIDE_COMMON_APPDATA" };
    let over = e.var(key).unwrap_or("").trim();
    if nt_fully_qualified(over) {
        return over.to_string();
    }
    if local_appdata {
        match e.nonempty("LOCALAPPDATA") {
            Some(v) => v.to_string(),
            None => join_all(Platform::Windows, &lossy(&e.home), &["AppData", "Local"]),
        }
    } else {
        let v = e.nonempty("PROGRAMDATA").or(e.nonempty("ALLUSERSPROFILE"));
        v.unwrap_or("C:\\ProgramData").to_string()
    }
}

fn pd_user_data_dir(e: &PathEnv) -> String {
    let (pf, app) = (e.platform, app_name(e));
    match pf {
        Platform::Windows => join(pf, &ntpath::normpath(&win_folder(e, true)), app),
        _ => match xdg_dir(e, "XDG_DATA_HOME") {
            Some(x) => join(pf, x, app),
            None if pf == Platform::MacOs => join(pf, &pd_expand_user(e, "Library/Application Support"), app),
            None => join(pf, &pd_expand_user(e, ".local/share"), app),
        },
    }
}

fn pd_user_config_dir(e: &PathEnv) -> String {
    let (pf, app) = (e.platform, app_name(e));
    match pf {
        Platform::Windows => pd_user_data_dir(e),
        _ => match xdg_dir(e, "XDG_CONFIG_HOME") {
            Some(x) => join(pf, x, app),
            None if pf == Platform::MacOs => join(pf, &pd_expand_user(e, "Library/Application Support"), app),
            None => join(pf, &pd_expand_user(e, ".config"), app),
        },
    }
}

fn macos_site_dirs(e: &PathEnv) -> Vec<String> {
    let app = app_name(e);
    let mut v = Vec::new();
    if e.homebrew_prefix {
        v.push(format!("/opt/homebrew/share/{app}"));
    }
    v.push(format!("/Library/Application Support/{app}"));
    v
}

fn pd_site_data_dirs(e: &PathEnv) -> Vec<String> {
    let app = app_name(e);
    match e.platform {
        Platform::Windows => vec![join(e.platform, &ntpath::normpath(&win_folder(e, false)), app)],
        pf => {
            let xdg = xdg_dir_list(e, "XDG_DATA_DIRS");
            if !xdg.is_empty() {
                xdg
            } else if pf == Platform::MacOs {
                macos_site_dirs(e)
            } else {
                vec![format!("/usr/local/share/{app}"), format!("/usr/share/{app}")]
            }
        }
    }
}

fn pd_site_config_dirs(e: &PathEnv) -> Vec<String> {
    match e.platform {
        Platform::Windows => pd_site_data_dirs(e),
        pf => {
            let xdg = xdg_dir_list(e, "XDG_CONFIG_DIRS");
            if !xdg.is_empty() {
                xdg
            } else if pf == Platform::MacOs {
                macos_site_dirs(e)
            } else {
                vec![format!("/etc/xdg/{}", app_name(e))]
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Python's path string operations (posixpath / ntpath / pathlib of CPython 3.11)

/// `os.path.join(a, b)` of the platform.
fn join(pf: Platform, a: &str, b: &str) -> String {
    if pf.is_windows() {
        ntpath::join(a, b)
    } else {
        crate::py::posixpath::join(a, b)
    }
}

/// `os.path.abspath(p)` of the platform against `cwd`, lexically.
fn abspath(pf: Platform, p: &str, cwd: &str) -> String {
    if pf.is_windows() {
        ntpath::abspath(p, cwd)
    } else {
        crate::py::posixpath::abspath(p, cwd)
    }
}

fn join_all(pf: Platform, a: &str, parts: &[&str]) -> String {
    parts.iter().fold(a.to_string(), |acc, p| join(pf, &acc, p))
}

/// `str(PurePath(base, *parts))` for plain relative `parts`: collapses `//`, drops `.`
/// components and trailing separators, keeps `..`; Windows also turns `/` into `\`.
fn pure_path(pf: Platform, base: &str, parts: &[&str]) -> String {
    let (anchor, rel, sep) = if pf.is_windows() {
        let (drv, root, rel) = pathlib_nt_splitroot(&base.replace('/', "\\"));
        (format!("{drv}{root}"), rel, '\\')
    } else {
        let stripped = base.trim_start_matches('/');
        let root = match base.len() - stripped.len() {
            0 => "",
            2 => "//",
            _ => "/",
        };
        (root.to_string(), stripped.to_string(), '/')
    };
    let comps: Vec<&str> = rel.split(sep).chain(parts.iter().copied()).filter(|c| !c.is_empty() && *c != ".").collect();
    let s = format!("{anchor}{}", comps.join(&sep.to_string()));
    if s.is_empty() {
        ".".into()
    } else {
        s
    }
}

/// pathlib's Windows `splitroot` (input already uses `\`): (drive, root, rest).
fn pathlib_nt_splitroot(s: &str) -> (String, &'static str, String) {
    let (prefix, part) = match s.strip_prefix("\\\\?\\") {
        Some(rest) => match rest.strip_prefix("UNC\\") {
            Some(unc) => ("\\\\?\\UNC".to_string(), format!("\\\\{unc}")),
            None => ("\\\\?\\".to_string(), rest.to_string()),
        },
        None => (String::new(), s.to_string()),
    };
    if part.starts_with("\\\\") && !part[2..].starts_with('\\') {
        if let Some(i) = part[2..].find('\\').map(|i| i + 2) {
            let j = part[i + 1..].find('\\').map(|j| j + i + 1);
            if j != Some(i + 1) {
                let j = j.unwrap_or(part.len());
                let drive = if prefix.is_empty() { part[..j].to_string() } else { format!("{prefix}{}", &part[1..j]) };
                return (drive, "\\", part.get(j + 1..).unwrap_or("").to_string());
            }
        }
    }
    let b = part.as_bytes();
    let (drv, rest) = if b.len() >= 2 && b[1] == b':' && b[0].is_ascii_alphabetic() {
        (&part[..2], &part[2..])
    } else {
        ("", part.as_str())
    };
    let (root, rest) = match rest.strip_prefix('\\') {
        Some(_) => ("\\", rest.trim_start_matches('\\')),
        None => ("", rest),
    };
    (format!("{prefix}{drv}"), root, rest.to_string())
}

/// platformdirs' `_is_fully_qualified`: a drive with a root, or a complete UNC share.
fn nt_fully_qualified(p: &str) -> bool {
    let p = p.replace('/', "\\");
    let (drive, tail) = ntpath::splitdrive(&p);
    if (drive.starts_with("\\\\?\\") || drive.starts_with("\\\\.\\")) && drive.as_bytes().get(5) == Some(&b':') {
        return tail.starts_with('\\');
    }
    if !drive.starts_with('\\') {
        return !drive.is_empty() && tail.starts_with('\\');
    }
    let unc = drive.get(..8).is_some_and(|s| s.eq_ignore_ascii_case("\\\\?\\UNC\\"));
    let server_share = if unc { &drive[8..] } else { &drive[2..] };
    match server_share.split_once('\\') {
        Some((server, share)) => !server.is_empty() && !share.is_empty(),
        None => false,
    }
}

// ---------------------------------------------------------------------------------------------
// Python `repr(str)`

/// The code points Python sees for a path: on Unix undecodable bytes become lone surrogates
/// U+DC80..U+DCFF (`surrogateescape`); on Windows unpaired UTF-16 surrogates are kept.
fn python_code_points(p: &Path) -> Vec<u32> {
    #[cfg(unix)]
    {
        lossy(p).chars().map(crate::py::text::code_point).collect()
    }
    #[cfg(windows)]
    {
        use std::os::windows::ffi::OsStrExt;
        char::decode_utf16(p.as_os_str().encode_wide())
            .map(|r| r.map_or_else(|e| u32::from(e.unpaired_surrogate()), u32::from))
            .collect()
    }
    #[cfg(not(any(unix, windows)))]
    {
        p.to_string_lossy().chars().map(u32::from).collect()
    }
}

// ---------------------------------------------------------------------------------------------
// The real process environment (the only impure part)

impl PathEnv {
    /// Reads the real environment.
    ///
    /// `sys_prefix` (Python's `sys.prefix` has no Rust equivalent) is decided as follows:
    /// 1. Take the executable (`current_exe`, symlinks resolved: Linux reports it resolved anyway,
    ///    and a pipx/`uv tool` link in `~/.local/bin` then leads to the tool's venv, which is what
    ///    the Python console script's shebang would give) and its grandparent
    ///    (`<prefix>/bin/jupyter-k8s-spec`, `<prefix>\Scripts\jupyter-k8s-spec.exe`).
    /// 2. If that directory is a Python environment (`pyvenv.cfg` or `conda-meta/`), our binary
    ///    was installed into it (e.g. from a wheel), and the reference would report it: use it.
    ///    When `VIRTUAL_ENV` or `CONDA_PREFIX` names the same directory, keep that spelling
    ///    (Python keeps the unresolved spelling from the shebang).
    /// 3. Otherwise (a binary from cargo or a tarball) use the active environment: non-empty
    ///    `VIRTUAL_ENV`, else non-empty `CONDA_PREFIX`.
    /// 4. Otherwise the executable's grandparent (`/usr/local` for `/usr/local/bin`), else
    ///    `/usr/local` (`C:\` on Windows) if even that is unknown.
    ///
    /// Known mismatch: Debian's system pip puts scripts in `/usr/local/bin` while `sys.prefix`
    /// is `/usr`; both give the same search path (the env dir is a system dir) and differ only
    /// for `--sys-prefix`.
    ///
    /// `in_venv_owned`: `sys_prefix` has a `pyvenv.cfg` (or came from `VIRTUAL_ENV`), or
    /// `CONDA_PREFIX` is set, `sys_prefix` starts with it and `CONDA_DEFAULT_ENV` is not `base`
    /// (unset counts as `base`); and the current user owns it, checked like jupyter_core
    /// (login name against owner name, else uid against euid; Windows: writable).
    ///
    /// `user_base`: `None` when `PYTHONNOUSERSITE` is non-empty, when uid/gid differ from
    /// euid/egid, or in a venv whose `pyvenv.cfg` does not say
    /// `include-system-site-packages = true`; else non-empty `PYTHONUSERBASE`, else
    /// `~/.local` (Linux, unresolved `HOME`), `%APPDATA%\Python` (Windows). On macOS it is `None`
    /// unless `PYTHONUSERBASE` is set: framework builds use `~/Library/Python/X.Y` and we
    /// cannot know X.Y.
    pub fn from_process() -> PathEnv {
        let platform = Platform::current();
        let vars: BTreeMap<String, String> = std::env::vars_os()
            .map(|(k, v)| {
                let k = crate::py::text::from_os(&k).unwrap_or_else(|_| k.to_string_lossy().into_owned());
                let k = if platform.is_windows() { k.to_uppercase() } else { k };
                (k, crate::py::text::from_os(&v).unwrap_or_else(|_| v.to_string_lossy().into_owned()))
            })
            .collect();
        let home = resolve(&to_path(&expanduser(platform, &vars, "")));
        let exe_prefix = std::env::current_exe()
            .ok()
            .map(|p| p.canonicalize().map(strip_verbatim).unwrap_or(p))
            .and_then(|p| Some(p.parent()?.parent()?.to_path_buf()));
        let sys_prefix_is_env = prefix_is_env(exe_prefix.as_deref(), &vars);
        let (sys_prefix, from_virtual_env) = choose_sys_prefix(platform, exe_prefix, &vars);
        let pyvenv_cfg = std::fs::read_to_string(sys_prefix.join("pyvenv.cfg")).ok();
        let is_venv = pyvenv_cfg.is_some() || from_virtual_env;
        let prefix_str = lossy(&sys_prefix);
        let conda = vars.get("CONDA_PREFIX").is_some_and(|c| prefix_str.starts_with(c.as_str()))
            && vars.get("CONDA_DEFAULT_ENV").map_or("base", String::as_str) != "base";
        let in_venv_owned = (is_venv || conda) && do_i_own(&sys_prefix);
        let user_site = user_site_enabled(&vars, pyvenv_cfg.as_deref(), from_virtual_env);
        let user_base = if user_site { python_user_base(platform, &vars) } else { None };
        PathEnv {
            platform,
            homebrew_prefix: prefix_str.starts_with("/opt/homebrew"),
            vars,
            home,
            sys_prefix,
            in_venv_owned,
            user_base,
            sys_prefix_is_env,
        }
    }
}

fn nonempty_var<'a>(vars: &'a BTreeMap<String, String>, name: &str) -> Option<&'a str> {
    vars.get(name).map(String::as_str).filter(|v| !v.is_empty())
}

/// Whether [`choose_sys_prefix`] finds a Python environment rather than falling back to the
/// directory above the binary's.
fn prefix_is_env(exe_prefix: Option<&Path>, vars: &BTreeMap<String, String>) -> bool {
    let exe_env = exe_prefix.is_some_and(|exe| exe.join("pyvenv.cfg").is_file() || exe.join("conda-meta").is_dir());
    exe_env || nonempty_var(vars, "VIRTUAL_ENV").is_some() || nonempty_var(vars, "CONDA_PREFIX").is_some()
}

/// See [`PathEnv::from_process`]; returns the prefix and whether it came from `VIRTUAL_ENV`.
fn choose_sys_prefix(pf: Platform, exe_prefix: Option<PathBuf>, vars: &BTreeMap<String, String>) -> (PathBuf, bool) {
    let trim = |v: &str| {
        let t = v.trim_end_matches(|c| c == '/' || (pf.is_windows() && c == '\\'));
        to_path(if t.is_empty() || t.ends_with(':') { v } else { t })
    };
    let active: Vec<(PathBuf, bool)> = [("VIRTUAL_ENV", true), ("CONDA_PREFIX", false)]
        .iter()
        .filter_map(|&(name, is_venv)| Some((trim(nonempty_var(vars, name)?), is_venv)))
        .collect();
    if let Some(exe) = &exe_prefix {
        if exe.join("pyvenv.cfg").is_file() || exe.join("conda-meta").is_dir() {
            let same = |p: &PathBuf| p.canonicalize().map(strip_verbatim).ok().as_ref() == Some(exe);
            return match active.into_iter().find(|(p, _)| same(p)) {
                Some(found) => found,
                None => (exe.clone(), false),
            };
        }
    }
    if let Some(found) = active.into_iter().next() {
        return found;
    }
    let fallback = if pf.is_windows() { "C:\\" } else { "/usr/local" };
    (exe_prefix.unwrap_or_else(|| PathBuf::from(fallback)), false)
}

/// `os.path.expanduser("~" + rest)` (unresolved): POSIX takes `HOME`, else the user database.
fn expanduser(pf: Platform, vars: &BTreeMap<String, String>, rest: &str) -> String {
    if pf.is_windows() {
        return ntpath::expanduser_home(&|k| vars.get(k).cloned(), rest);
    }
    let home = vars.get("HOME").cloned().or_else(passwd_home);
    crate::py::posixpath::expanduser(&format!("~{rest}"), home.as_deref(), &|_| None)
}

/// `site.getuserbase()` (see [`PathEnv::from_process`]).
fn python_user_base(pf: Platform, vars: &BTreeMap<String, String>) -> Option<PathBuf> {
    if let Some(b) = nonempty_var(vars, "PYTHONUSERBASE") {
        return Some(to_path(b));
    }
    match pf {
        Platform::Linux => Some(to_path(&expanduser(pf, vars, "/.local"))),
        Platform::MacOs => None,
        Platform::Windows => Some(PathBuf::from(match nonempty_var(vars, "APPDATA") {
            Some(appdata) if !appdata.starts_with('~') => ntpath::join(appdata, "Python"),
            _ => expanduser(pf, vars, "\\Python"),
        })),
    }
}

/// `site.ENABLE_USER_SITE` (see [`PathEnv::from_process`]).
fn user_site_enabled(vars: &BTreeMap<String, String>, pyvenv_cfg: Option<&str>, from_virtual_env: bool) -> bool {
    if nonempty_var(vars, "PYTHONNOUSERSITE").is_some() || !same_real_and_effective_ids() {
        return false;
    }
    match pyvenv_cfg {
        Some(cfg) => venv_includes_system_site(cfg),
        None => !from_virtual_env,
    }
}

/// `site.venv()`: the last `include-system-site-packages` value, default `true`.
fn venv_includes_system_site(cfg: &str) -> bool {
    let mut value = "true".to_string();
    for line in cfg.lines() {
        if let Some((k, v)) = line.split_once('=') {
            if k.trim().to_lowercase() == "include-system-site-packages" {
                value = v.trim().to_lowercase();
            }
        }
    }
    value == "true"
}

/// `Path.resolve()` (non-strict): absolute, symlinks resolved as far as the path exists.
fn resolve(p: &Path) -> PathBuf {
    let abs = if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir().map(|d| d.join(p)).unwrap_or_else(|_| p.to_path_buf())
    };
    let mut lexical = PathBuf::new();
    for c in abs.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                lexical.pop();
            }
            other => lexical.push(other),
        }
    }
    let mut head = lexical.clone();
    let mut tail = Vec::new();
    loop {
        if let Ok(real) = head.canonicalize() {
            let mut out = strip_verbatim(real);
            out.extend(tail.iter().rev());
            return out;
        }
        match (head.file_name().map(|n| n.to_os_string()), head.parent()) {
            (Some(name), Some(parent)) => {
                tail.push(name);
                head = parent.to_path_buf();
            }
            _ => return lexical,
        }
    }
}

/// Windows `canonicalize` answers `\\?\C:\x`; Python shows `C:\x`.
fn strip_verbatim(p: PathBuf) -> PathBuf {
    let s = lossy(&p);
    if let Some(rest) = s.strip_prefix("\\\\?\\UNC\\") {
        PathBuf::from(format!("\\\\{rest}"))
    } else if let Some(rest) = s.strip_prefix("\\\\?\\") {
        PathBuf::from(rest)
    } else {
        p
    }
}

/// jupyter_core's `_do_i_own`, on the first existing ancestor of the resolved path.
fn do_i_own(path: &Path) -> bool {
    let mut p = resolve(path);
    while !p.exists() {
        match p.parent() {
            Some(parent) => p = parent.to_path_buf(),
            None => break,
        }
    }
    owns(&p)
}

#[cfg(unix)]
fn owns(p: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    let Ok(meta) = p.metadata() else {
        return access_writable(p);
    };
    // Python first compares the owner's name with os.getlogin() when both are available.
    if let (Some(owner), Some(login)) =
        (crate::settings::passwd::user_name(meta.uid()), crate::settings::passwd::login_name())
    {
        return owner == login;
    }
    meta.uid() == rustix::process::geteuid().as_raw()
}

#[cfg(unix)]
fn access_writable(p: &Path) -> bool {
    rustix::fs::access(p, rustix::fs::Access::WRITE_OK).is_ok()
}

/// Windows has no owner check in jupyter_core: `os.access(W_OK)` (directories always pass).
#[cfg(not(unix))]
fn owns(p: &Path) -> bool {
    p.metadata().is_ok_and(|m| m.is_dir() || !m.permissions().readonly())
}

#[cfg(unix)]
fn same_real_and_effective_ids() -> bool {
    use rustix::process::{getegid, geteuid, getgid, getuid};
    getuid() == geteuid() && getgid() == getegid()
}

#[cfg(not(unix))]
fn same_real_and_effective_ids() -> bool {
    true
}

#[cfg(unix)]
pub fn passwd_home() -> Option<String> {
    crate::settings::passwd::user_home(rustix::process::getuid().as_raw())
}

#[cfg(not(unix))]
pub fn passwd_home() -> Option<String> {
    None
}

#[cfg(test)]
mod tests {
    //! Expected values marked "verified" were produced by jupyter_core 5.9.1 / platformdirs
    //! 4.14.7 on CPython 3.11: Linux natively; macOS and Windows by running the same library code
    //! with `sys.platform` (and for Windows `os.name`, `os.path = ntpath`, platformdirs' env-var
    //! folder lookup) patched. Values marked "model" follow our documented approximations.
    use super::*;

    const W: &[(&str, &str)] = &[
        ("USERPROFILE", "C:\\Users\\u"),
        ("APPDATA", "C:\\Users\\u\\AppData\\Roaming"),
        ("LOCALAPPDATA", "C:\\Users\\u\\AppData\\Local"),
        ("PROGRAMDATA", "C:\\ProgramData"),
        ("ALLUSERSPROFILE", "C:\\ProgramData"),
    ];

    fn mk(
        platform: Platform,
        (home, prefix): (&str, &str),
        owned: bool,
        user_base: Option<&str>,
        base_vars: &[(&str, &str)],
        vars: &[(&str, &str)],
    ) -> PathEnv {
        let vars = base_vars.iter().chain(vars).map(|(k, v)| (k.to_string(), v.to_string()));
        PathEnv {
            platform,
            vars: vars.collect(),
            home: PathBuf::from(home),
            sys_prefix: PathBuf::from(prefix),
            in_venv_owned: owned,
            user_base: user_base.map(PathBuf::from),
            homebrew_prefix: prefix.starts_with("/opt/homebrew"),
            sys_prefix_is_env: true,
        }
    }

    /// /tmp/refvenv (a venv owned by the user; no user site).
    fn lin(vars: &[(&str, &str)]) -> PathEnv {
        let home = ("/root", "/tmp/refvenv");
        mk(Platform::Linux, home, true, None, &[("HOME", "/root")], vars)
    }

    /// The base interpreter: not a venv, user site enabled.
    fn lin_base(vars: &[(&str, &str)]) -> PathEnv {
        let hp = ("/root", "/root/.pyenv/versions/3.11.7");
        mk(Platform::Linux, hp, false, Some("/root/.local"), &[("HOME", "/root")], vars)
    }

    fn mac(vars: &[(&str, &str)]) -> PathEnv {
        let hp = ("/Users/u", "/Users/u/venv");
        mk(Platform::MacOs, hp, true, None, &[("HOME", "/Users/u")], vars)
    }

    fn mac_brew(vars: &[(&str, &str)]) -> PathEnv {
        let prefix = "/opt/homebrew/opt/python@3.12/Frameworks/Python.framework/Versions/3.12";
        mk(Platform::MacOs, ("/Users/u", prefix), false, None, &[("HOME", "/Users/u")], vars)
    }

    const WIN_UB: Option<&str> = Some("C:\\Users\\u\\AppData\\Roaming\\Python");

    fn win(vars: &[(&str, &str)]) -> PathEnv {
        mk(Platform::Windows, ("C:\\Users\\u", "C:\\Py\\envs\\e"), true, WIN_UB, W, vars)
    }

    fn win_base(vars: &[(&str, &str)]) -> PathEnv {
        mk(Platform::Windows, ("C:\\Users\\u", "C:\\Py"), false, WIN_UB, W, vars)
    }

    fn strs(v: Vec<PathBuf>) -> Vec<String> {
        v.into_iter().map(|p| p.to_string_lossy().into_owned()).collect()
    }

    fn check_one(name: &str, f: fn(&PathEnv) -> PathBuf, cases: &[(PathEnv, &str)]) {
        for (i, (e, want)) in cases.iter().enumerate() {
            assert_eq!(f(e), PathBuf::from(want), "{name} case {i}: {e:?}");
        }
    }

    fn check_list(name: &str, f: fn(&PathEnv) -> Vec<PathBuf>, cases: &[(PathEnv, &[&str])]) {
        for (i, (e, want)) in cases.iter().enumerate() {
            assert_eq!(strs(f(e)), *want, "{name} case {i}: {e:?}");
        }
    }

    #[test]
    fn envset_rule() {
        let cases = [
            (None, false),
            (Some(""), true),
            (Some("0"), false),
            (Some("no"), false),
            (Some("NO"), false),
            (Some("nO"), false),
            (Some("n"), false),
            (Some("N"), false),
            (Some("false"), false),
            (Some("False"), false),
            (Some("off"), false),
            (Some("OFF"), false),
            (Some("0.0"), false),
            (Some("1"), true),
            (Some("yes"), true),
            (Some(" 0"), true),
            (Some("00"), true),
            (Some("0.00"), true),
            (Some("nope"), true),
        ];
        for (v, want) in cases {
            assert_eq!(envset(v), want, "{v:?}");
        }
    }

    #[test]
    fn data_dir() {
        let pd = ("JUPYTER_PLATFORM_DIRS", "1");
        let real_home =
            |home: &str, vars: &[(&str, &str)]| mk(Platform::Linux, (home, "/tmp/refvenv"), true, None, &[], vars);
        let brew_pd = mac_brew(&[pd]);
        let cases = [
            // Linux, verified
            (lin(&[]), "/root/.local/share/jupyter"),
            (lin(&[("JUPYTER_DATA_DIR", "/d/")]), "/d/"),
            (lin(&[("JUPYTER_DATA_DIR", ""), ("XDG_DATA_HOME", "/xdg")]), "/xdg/jupyter"),
            (lin(&[("XDG_DATA_HOME", "rel")]), "rel/jupyter"),
            (lin(&[("XDG_DATA_HOME", "/x//")]), "/x//jupyter"),
            (lin(&[("XDG_DATA_HOME", "")]), "/root/.local/share/jupyter"),
            (lin(&[("XDG_DATA_HOME", "~/x")]), "~/x/jupyter"),
            (lin(&[("XDG_DATA_HOME", "/a:b")]), "/a:b/jupyter"),
            (lin(&[pd, ("XDG_DATA_HOME", "/xd/")]), "/xd/jupyter"),
            (lin(&[pd, ("XDG_DATA_HOME", "rel")]), "/root/.local/share/jupyter"),
            (lin(&[("JUPYTER_PLATFORM_DIRS", ""), ("XDG_DATA_HOME", "rel")]), "/root/.local/share/jupyter"),
            (lin(&[("JUPYTER_PLATFORM_DIRS", "0"), ("XDG_DATA_HOME", "rel")]), "rel/jupyter"),
            (real_home("/", &[("HOME", "")]), "/.local/share/jupyter"),
            (real_home("/tmp/h-home/real", &[("HOME", "/tmp/h-home/link/")]), "/tmp/h-home/real/.local/share/jupyter"),
            // platformdirs expands the unresolved HOME
            (
                real_home("/tmp/h-home/real", &[pd, ("HOME", "/tmp/h-home/link//")]),
                "/tmp/h-home/link/.local/share/jupyter",
            ),
            // macOS, verified
            (mac(&[]), "/Users/u/Library/Jupyter"),
            (mac(&[("HOME", "/Users/u//")]), "/Users/u/Library/Jupyter"),
            (mac(&[("XDG_DATA_HOME", "/x")]), "/Users/u/Library/Jupyter"),
            (mac(&[("JUPYTER_DATA_DIR", "/d")]), "/d"),
            (mac(&[pd]), "/Users/u/Library/Application Support/Jupyter"),
            (mac(&[pd, ("XDG_DATA_HOME", "/x")]), "/x/Jupyter"),
            (brew_pd, "/Users/u/Library/Application Support/jupyter"),
            // Windows, verified
            (win(&[]), "C:\\Users\\u\\AppData\\Roaming\\jupyter"),
            (win(&[("APPDATA", "C:/Users/u/AppData//Roaming/./x/..")]), "C:\\Users\\u\\AppData\\Roaming\\jupyter"),
            (win(&[("APPDATA", "\\\\srv\\share")]), "\\\\srv\\share\\jupyter"),
            (win(&[("APPDATA", "")]), "C:\\Users\\u\\.jupyter\\data"),
            (win(&[("APPDATA", ""), ("JUPYTER_CONFIG_DIR", "E:\\cfg")]), "E:\\cfg\\data"),
            (win(&[pd]), "C:\\Users\\u\\AppData\\Local\\Jupyter"),
            (win(&[pd, ("WIN_PD_OVERRIDE_LOCAL_APPDATA", "  F:/LA/ ")]), "F:\\LA\\Jupyter"),
            (win(&[pd, ("WIN_PD_OVERRIDE_LOCAL_APPDATA", "rel\\x")]), "C:\\Users\\u\\AppData\\Local\\Jupyter"),
            (win(&[pd, ("JUPYTER_DATA_DIR", "Z:\\d")]), "Z:\\d"),
            (win(&[pd, ("LOCALAPPDATA", "D:\\LA")]), "D:\\LA\\Jupyter"),
            // Windows, model (the shell API would answer; we fall back to the profile)
            (win(&[pd, ("LOCALAPPDATA", "")]), "C:\\Users\\u\\AppData\\Local\\Jupyter"),
            // model: JUPYTER_NO_CONFIG marker directory (the reference: a fresh mkdtemp)
            (win(&[("APPDATA", ""), ("JUPYTER_NO_CONFIG", "1"), ("TEMP", "C:\\T")]), "C:\\T\\jupyter-clean-cfg\\data"),
        ];
        check_one("jupyter_data_dir", jupyter_data_dir, &cases);
    }

    #[test]
    fn config_dir() {
        let pd = ("JUPYTER_PLATFORM_DIRS", "1");
        let link_home = mk(
            Platform::Linux,
            ("/tmp/h-home/real", "/tmp/refvenv"),
            true,
            None,
            &[pd, ("HOME", "/tmp/h-home/link//")],
            &[],
        );
        let mut cases = vec![
            // Linux, verified
            (lin(&[]), "/root/.jupyter"),
            (lin(&[("JUPYTER_CONFIG_DIR", "/cfg/")]), "/cfg/"),
            (lin(&[("JUPYTER_CONFIG_DIR", "")]), "/root/.jupyter"),
            (lin(&[("JUPYTER_PLATFORM_DIRS", "")]), "/root/.config/jupyter"),
            (lin(&[pd]), "/root/.config/jupyter"),
            (lin(&[pd, ("XDG_CONFIG_HOME", "/xc")]), "/xc/jupyter"),
            (lin(&[pd, ("XDG_CONFIG_HOME", "")]), "/root/.config/jupyter"),
            (lin(&[pd, ("XDG_CONFIG_HOME", "rel")]), "/root/.config/jupyter"),
            (link_home, "/tmp/h-home/link/.config/jupyter"),
            (lin(&[("JUPYTER_NO_CONFIG", "")]), "/root/.jupyter"),
            // model: marker instead of mkdtemp's jupyter-clean-cfg-XXXXXXXX
            (lin(&[("JUPYTER_NO_CONFIG", "0")]), "/tmp/jupyter-clean-cfg"),
            (lin(&[("JUPYTER_NO_CONFIG", "1"), ("TMPDIR", "/var/t")]), "/var/t/jupyter-clean-cfg"),
            // macOS, verified
            (mac(&[]), "/Users/u/.jupyter"),
            (mac(&[("JUPYTER_CONFIG_DIR", "/c")]), "/c"),
            (mac(&[pd]), "/Users/u/Library/Application Support/Jupyter"),
            (mac(&[pd, ("XDG_CONFIG_HOME", "/xc")]), "/xc/Jupyter"),
            // Windows, verified
            (win(&[]), "C:\\Users\\u\\.jupyter"),
            (win(&[("JUPYTER_CONFIG_DIR", "C:\\cfg\\")]), "C:\\cfg\\"),
            (win(&[pd]), "C:\\Users\\u\\AppData\\Local\\Jupyter"),
        ];
        // JUPYTER_PLATFORM_DIRS values that count as false (verified)
        for v in ["0", "NO", "0.0", "n", "False", "nO", "off"] {
            cases.push((lin(&[("JUPYTER_PLATFORM_DIRS", v)]), "/root/.jupyter"));
        }
        check_one("jupyter_config_dir", jupyter_config_dir, &cases);
    }

    #[test]
    fn system_path() {
        let pd = ("JUPYTER_PLATFORM_DIRS", "1");
        let upd = ("JUPYTER_USE_PROGRAMDATA", "1");
        let lin_default: &[&str] = &["/usr/local/share/jupyter", "/usr/share/jupyter"];
        let env_e: &[&str] = &["C:\\Py\\envs\\e\\share\\jupyter"];
        let win_prefix = |p: &str| mk(Platform::Windows, ("C:\\Users\\u", p), true, None, W, &[]);
        let cases: Vec<(PathEnv, &[&str])> = vec![
            // Linux, verified
            (lin(&[]), lin_default),
            (lin(&[("XDG_DATA_DIRS", "/s1:/s2")]), lin_default),
            (lin(&[pd, ("XDG_DATA_DIRS", "/s1:rel:/s2/::")]), &["/s1/jupyter", "/s2/jupyter"]),
            (lin(&[pd, ("XDG_DATA_DIRS", "rel:")]), lin_default),
            (lin(&[pd, ("XDG_DATA_DIRS", "/tmp/refvenv/share")]), &["/tmp/refvenv/share/jupyter"]),
            (lin(&[upd, ("PROGRAMDATA", "/pd")]), lin_default),
            // macOS, verified
            (mac(&[]), lin_default),
            (mac(&[pd]), &["/Library/Application Support/Jupyter"]),
            (mac(&[pd, ("XDG_DATA_DIRS", "/s1:/s2")]), &["/s1/Jupyter", "/s2/Jupyter"]),
            (mac_brew(&[]), lin_default),
            (mac_brew(&[pd]), &["/opt/homebrew/share/jupyter", "/Library/Application Support/jupyter"]),
            // Windows, verified
            (win(&[]), env_e),
            (win_base(&[]), &["C:\\Py\\share\\jupyter"]),
            (win(&[upd]), &["C:\\ProgramData\\jupyter"]),
            (win(&[upd, ("PROGRAMDATA", "")]), env_e),
            (win(&[("JUPYTER_USE_PROGRAMDATA", "off")]), env_e),
            (win(&[("JUPYTER_USE_PROGRAMDATA", ""), ("PROGRAMDATA", "D:/PD/")]), &["D:/PD/jupyter"]),
            (win(&[pd]), env_e),
            (win(&[pd, upd, ("PROGRAMDATA", "E:\\PD"), ("ALLUSERSPROFILE", "E:\\PD")]), &["E:\\PD\\Jupyter"]),
            (
                win(&[pd, ("JUPYTER_USE_PROGRAMDATA", "y"), ("WIN_PD_OVERRIDE_COMMON_APPDATA", "\\\\srv\\sh\\")]),
                &["\\\\srv\\sh\\Jupyter"],
            ),
            (win_prefix("C:\\Py\\envs\\e\\"), env_e),
            (win_prefix("C:/Py//envs/e"), env_e),
            // Windows, model: no PROGRAMDATA/ALLUSERSPROFILE at all
            (win(&[pd, upd, ("PROGRAMDATA", ""), ("ALLUSERSPROFILE", "")]), &["C:\\ProgramData\\Jupyter"]),
        ];
        check_list("system_jupyter_path", system_jupyter_path, &cases);
    }

    #[test]
    fn env_path() {
        let lin_prefix = |p: &str| mk(Platform::Linux, ("/root", p), true, None, &[], &[]);
        let win_prefix = |p: &str| mk(Platform::Windows, ("C:\\", p), true, None, &[], &[]);
        // str(Path(prefix, "share", "jupyter")), checked with CPython 3.11 pathlib
        let cases: Vec<(PathEnv, &[&str])> = vec![
            (lin(&[]), &["/tmp/refvenv/share/jupyter"]),
            (lin_prefix("/x//y/./z/"), &["/x/y/z/share/jupyter"]),
            (lin_prefix("/a/./b/../c/"), &["/a/b/../c/share/jupyter"]),
            (lin_prefix("//net/p"), &["//net/p/share/jupyter"]),
            (lin_prefix("///x"), &["/x/share/jupyter"]),
            (lin_prefix(""), &["share/jupyter"]),
            (win_prefix("C:\\Py\\envs\\e\\"), &["C:\\Py\\envs\\e\\share\\jupyter"]),
            (win_prefix("C:/Py//envs/e"), &["C:\\Py\\envs\\e\\share\\jupyter"]),
            (win_prefix("C:"), &["C:share\\jupyter"]),
            (win_prefix("\\\\srv\\share"), &["\\\\srv\\share\\share\\jupyter"]),
            (win_prefix("//srv/share/x"), &["\\\\srv\\share\\x\\share\\jupyter"]),
            (win_prefix("\\\\?\\C:\\x"), &["\\\\?\\C:\\x\\share\\jupyter"]),
            (win_prefix("\\\\?\\UNC\\srv\\sh\\y"), &["\\\\?\\UNC\\srv\\sh\\y\\share\\jupyter"]),
            (win_prefix("\\\\\\a"), &["\\a\\share\\jupyter"]),
        ];
        check_list("env_jupyter_path", env_jupyter_path, &cases);
    }

    #[test]
    fn kernel_search_path() {
        let upd = ("JUPYTER_USE_PROGRAMDATA", "1");
        let pd = ("JUPYTER_PLATFORM_DIRS", "1");
        let ub = |ub: &str| {
            let hp = ("/root", "/root/.pyenv/versions/3.11.7");
            mk(Platform::Linux, hp, false, Some(ub), &[("HOME", "/root")], &[])
        };
        let mut base_conda = lin_base(&[]);
        base_conda.in_venv_owned = true; // CONDA_PREFIX=sys.prefix, CONDA_DEFAULT_ENV=x
        let mut mac_ub = mac(&[]);
        mac_ub.user_base = Some(PathBuf::from("/ub"));
        const VENV_K: &str = "/tmp/refvenv/share/jupyter/kernels";
        const USER_K: &str = "/root/.local/share/jupyter/kernels";
        const BASE_K: &str = "/root/.pyenv/versions/3.11.7/share/jupyter/kernels";
        const USR_LOCAL: &str = "/usr/local/share/jupyter/kernels";
        const USR: &str = "/usr/share/jupyter/kernels";
        const WENV: &str = "C:\\Py\\envs\\e\\share\\jupyter\\kernels";
        const WUSER: &str = "C:\\Users\\u\\AppData\\Roaming\\jupyter\\kernels";
        const WUB: &str = "C:\\Users\\u\\AppData\\Roaming\\Python\\share\\jupyter\\kernels";
        let venv_order: &[&str] = &[VENV_K, USER_K, USR_LOCAL, USR];
        let user_order: &[&str] = &[USER_K, VENV_K, USR_LOCAL, USR];
        let base_order: &[&str] = &[USER_K, BASE_K, USR_LOCAL, USR];
        let base_env_first: &[&str] = &[BASE_K, USER_K, USR_LOCAL, USR];
        let cases: Vec<(PathEnv, &[&str])> = vec![
            // Linux, verified
            (lin(&[]), venv_order),
            (lin(&[("JUPYTER_PREFER_ENV_PATH", "0")]), user_order),
            (lin(&[("JUPYTER_PREFER_ENV_PATH", "FALSE")]), user_order),
            (lin_base(&[]), base_order),
            (lin_base(&[("JUPYTER_PREFER_ENV_PATH", "")]), base_env_first),
            (lin_base(&[("JUPYTER_PREFER_ENV_PATH", "yes")]), base_env_first),
            (lin_base(&[("JUPYTER_PREFER_ENV_PATH", " 0")]), base_env_first),
            (lin_base(&[("JUPYTER_PREFER_ENV_PATH", "Off")]), base_order),
            (base_conda, base_env_first),
            (lin(&[("JUPYTER_PATH", "")]), venv_order),
            (
                lin(&[("JUPYTER_PATH", "/a::/b/:/c//:/usr/share/jupyter")]),
                &["/a/kernels", "kernels", "/b/kernels", "/c/kernels", USR, VENV_K, USER_K, USR_LOCAL],
            ),
            (lin(&[("JUPYTER_PATH", "/")]), &["kernels", VENV_K, USER_K, USR_LOCAL, USR]),
            (
                lin_base(&[("JUPYTER_PATH", "/root/.local/share/jupyter:/usr/local/share/jupyter")]),
                &[USER_K, USR_LOCAL, USER_K, BASE_K, USR],
            ),
            (lin(&[("JUPYTER_PATH", "/tmp/refvenv/share/jupyter/")]), &[VENV_K, VENV_K, USER_K, USR_LOCAL, USR]),
            (ub("/ub//"), &[USER_K, "/ub/share/jupyter/kernels", BASE_K, USR_LOCAL, USR]),
            (ub("ub/./x"), &[USER_K, "ub/x/share/jupyter/kernels", BASE_K, USR_LOCAL, USR]),
            (ub("/root/.local"), base_order),
            (
                lin(&[pd, ("XDG_DATA_HOME", "/xd/"), ("XDG_DATA_DIRS", "/s1:rel:/s2/::")]),
                &[VENV_K, "/xd/jupyter/kernels", "/s1/jupyter/kernels", "/s2/jupyter/kernels"],
            ),
            // env == system: the env entry is dropped, then re-added as a system entry
            (lin(&[pd, ("XDG_DATA_DIRS", "/tmp/refvenv/share")]), &[VENV_K, USER_K]),
            // macOS, verified
            (mac(&[]), &["/Users/u/venv/share/jupyter/kernels", "/Users/u/Library/Jupyter/kernels", USR_LOCAL, USR]),
            (
                mac_ub,
                &[
                    "/Users/u/venv/share/jupyter/kernels",
                    "/Users/u/Library/Jupyter/kernels",
                    "/ub/share/jupyter/kernels",
                    USR_LOCAL,
                    USR,
                ],
            ),
            (
                mac(&[("JUPYTER_DATA_DIR", "/d"), ("JUPYTER_PATH", "/p1:/p2/")]),
                &["/p1/kernels", "/p2/kernels", "/Users/u/venv/share/jupyter/kernels", "/d/kernels", USR_LOCAL, USR],
            ),
            (
                mac(&[pd]),
                &[
                    "/Users/u/venv/share/jupyter/kernels",
                    "/Users/u/Library/Application Support/Jupyter/kernels",
                    "/Library/Application Support/Jupyter/kernels",
                ],
            ),
            (
                mac_brew(&[pd]),
                &[
                    "/Users/u/Library/Application Support/jupyter/kernels",
                    "/opt/homebrew/opt/python@3.12/Frameworks/Python.framework/Versions/3.12/share/jupyter/kernels",
                    "/opt/homebrew/share/jupyter/kernels",
                    "/Library/Application Support/jupyter/kernels",
                ],
            ),
            // Windows, verified (env == system: the env dir is kept and can still come first)
            (win(&[]), &[WENV, WUSER, WUB]),
            (win(&[("JUPYTER_PREFER_ENV_PATH", "0")]), &[WUSER, WUB, WENV]),
            (win_base(&[]), &[WUSER, WUB, "C:\\Py\\share\\jupyter\\kernels"]),
            (win(&[upd]), &[WENV, WUSER, WUB, "C:\\ProgramData\\jupyter\\kernels"]),
            (
                win(&[("JUPYTER_USE_PROGRAMDATA", ""), ("PROGRAMDATA", "D:/PD/")]),
                &[WENV, WUSER, WUB, "D:/PD/jupyter\\kernels"],
            ),
            (
                win(&[("JUPYTER_PATH", "C:\\a\\;;C:/b/;\\\\srv\\s\\")]),
                &["C:\\a\\kernels", "kernels", "C:/b/kernels", "\\\\srv\\s\\kernels", WENV, WUSER, WUB],
            ),
            (win(&[("JUPYTER_PATH", "C:\\Py\\envs\\e\\share\\jupyter")]), &[WENV, WENV, WUSER, WUB]),
            (win(&[("APPDATA", "")]), &[WENV, "C:\\Users\\u\\.jupyter\\data\\kernels", WUB]),
        ];
        check_list("kernel_dirs", kernel_dirs, &cases);
        // no subdir (verified)
        assert_eq!(
            strs(jupyter_path(&lin(&[]), None)),
            [
                "/tmp/refvenv/share/jupyter",
                "/root/.local/share/jupyter",
                "/usr/local/share/jupyter",
                "/usr/share/jupyter",
            ]
        );
    }

    #[test]
    fn config_search_path() {
        let pd = ("JUPYTER_PLATFORM_DIRS", "1");
        let upd = ("JUPYTER_USE_PROGRAMDATA", "1");
        const VENV: &str = "/tmp/refvenv/etc/jupyter";
        const HOME_CFG: &str = "/root/.jupyter";
        const UL: &str = "/usr/local/etc/jupyter";
        const ETC: &str = "/etc/jupyter";
        const BASE: &str = "/root/.pyenv/versions/3.11.7/etc/jupyter";
        const WENV: &str = "C:\\Py\\envs\\e\\etc\\jupyter";
        const WHOME: &str = "C:\\Users\\u\\.jupyter";
        const WUB: &str = "C:\\Users\\u\\AppData\\Roaming\\Python\\etc\\jupyter";
        let mut lin_ub = lin_base(&[]);
        lin_ub.user_base = Some(PathBuf::from("/ub//"));
        let cases: Vec<(PathEnv, &[&str])> = vec![
            // Linux, verified
            (lin(&[]), &[VENV, HOME_CFG, UL, ETC]),
            (lin(&[("JUPYTER_PREFER_ENV_PATH", "0")]), &[HOME_CFG, VENV, UL, ETC]),
            (lin_base(&[]), &[HOME_CFG, "/root/.local/etc/jupyter", BASE, UL, ETC]),
            (lin_ub, &[HOME_CFG, "/ub/etc/jupyter", BASE, UL, ETC]),
            (
                lin_base(&[("JUPYTER_CONFIG_PATH", "/p1")]),
                &["/p1", HOME_CFG, "/root/.local/etc/jupyter", BASE, UL, ETC],
            ),
            (
                lin(&[("JUPYTER_CONFIG_DIR", "/cfg/"), ("JUPYTER_CONFIG_PATH", "/p1/:/p2::")]),
                &["/p1", "/p2", "", "", VENV, "/cfg/", UL, ETC],
            ),
            (lin(&[("JUPYTER_CONFIG_DIR", ""), ("JUPYTER_CONFIG_PATH", "")]), &[VENV, HOME_CFG, UL, ETC]),
            (
                lin(&[pd, ("XDG_CONFIG_HOME", "/xc"), ("XDG_CONFIG_DIRS", "/c1:/c2")]),
                &[VENV, "/xc/jupyter", "/c1/jupyter", "/c2/jupyter"],
            ),
            (
                lin(&[pd, ("XDG_CONFIG_HOME", ""), ("XDG_CONFIG_DIRS", "")]),
                &[VENV, "/root/.config/jupyter", "/etc/xdg/jupyter"],
            ),
            (lin(&[pd, ("XDG_CONFIG_DIRS", "/tmp/refvenv/etc")]), &[VENV, "/root/.config/jupyter"]),
            (lin(&[("JUPYTER_NO_CONFIG", "")]), &[VENV, HOME_CFG, UL, ETC]),
            // model: the reference searches only a fresh, empty temporary directory
            (lin(&[("JUPYTER_NO_CONFIG", "0")]), &[]),
            (lin(&[("JUPYTER_NO_CONFIG", "1"), ("JUPYTER_CONFIG_PATH", "/p")]), &[]),
            // macOS, verified
            (mac(&[]), &["/Users/u/venv/etc/jupyter", "/Users/u/.jupyter", UL, ETC]),
            (mac(&[("JUPYTER_CONFIG_DIR", "/c")]), &["/Users/u/venv/etc/jupyter", "/c", UL, ETC]),
            (
                mac(&[pd]),
                &[
                    "/Users/u/venv/etc/jupyter",
                    "/Users/u/Library/Application Support/Jupyter",
                    "/Library/Application Support/Jupyter",
                ],
            ),
            (
                mac(&[pd, ("XDG_CONFIG_HOME", "/xc"), ("XDG_CONFIG_DIRS", "/c1")]),
                &["/Users/u/venv/etc/jupyter", "/xc/Jupyter", "/c1/Jupyter"],
            ),
            (
                mac_brew(&[pd]),
                &[
                    "/Users/u/Library/Application Support/jupyter",
                    "/opt/homebrew/opt/python@3.12/Frameworks/Python.framework/Versions/3.12/etc/jupyter",
                    "/opt/homebrew/share/jupyter",
                    "/Library/Application Support/jupyter",
                ],
            ),
            // Windows, verified
            (win(&[]), &[WENV, WHOME, WUB]),
            (win(&[("JUPYTER_PREFER_ENV_PATH", "0")]), &[WHOME, WUB, WENV]),
            (win_base(&[]), &[WHOME, WUB, "C:\\Py\\etc\\jupyter"]),
            (win(&[upd]), &[WENV, WHOME, WUB, "C:\\ProgramData\\jupyter"]),
            (
                win(&[("JUPYTER_USE_PROGRAMDATA", ""), ("PROGRAMDATA", "D:/PD/")]),
                &[WENV, WHOME, WUB, "D:\\PD\\jupyter"],
            ),
            (
                win(&[("JUPYTER_CONFIG_PATH", "C:\\c1\\;D:\\c2"), ("JUPYTER_CONFIG_DIR", "C:\\cfg\\")]),
                &["C:\\c1", "D:\\c2", WENV, "C:\\cfg\\", WUB],
            ),
            (win(&[pd]), &[WENV, "C:\\Users\\u\\AppData\\Local\\Jupyter", WUB]),
            (
                win(&[pd, upd, ("PROGRAMDATA", "E:\\PD"), ("ALLUSERSPROFILE", "E:\\PD")]),
                &[WENV, "C:\\Users\\u\\AppData\\Local\\Jupyter", WUB, "E:\\PD\\Jupyter"],
            ),
        ];
        check_list("jupyter_config_path", jupyter_config_path, &cases);
    }

    #[test]
    fn install_kernels_dir() {
        let cwd = Path::new("/tmp/h-cwd/sub");
        let k = |e: &PathEnv, loc: Location| kernels_dir(e, &loc, cwd).to_string_lossy().into_owned();
        let prefix = |p: &str| Location::Prefix(PathBuf::from(p));
        // Linux, verified (jupyter_client's _get_destination_dir without the name)
        let e = lin(&[]);
        assert_eq!(k(&e, Location::User), "/root/.local/share/jupyter/kernels");
        assert_eq!(k(&e, Location::System), "/usr/local/share/jupyter/kernels");
        let linux_prefixes = [
            ("rel", "/tmp/h-cwd/sub/rel/share/jupyter/kernels"),
            ("./a/../b", "/tmp/h-cwd/sub/b/share/jupyter/kernels"),
            ("/abs//x/", "/abs/x/share/jupyter/kernels"),
            ("/x/./y/..", "/x/share/jupyter/kernels"),
            ("", "/usr/local/share/jupyter/kernels"),
            ("//net/x", "//net/x/share/jupyter/kernels"),
            ("///z", "/z/share/jupyter/kernels"),
            ("../../..", "/share/jupyter/kernels"),
        ];
        for (p, want) in linux_prefixes {
            assert_eq!(k(&e, prefix(p)), want, "prefix {p:?}");
        }
        let e = lin(&[("JUPYTER_DATA_DIR", "/d/")]);
        assert_eq!(k(&e, Location::User), "/d/kernels");
        let e = lin(&[("JUPYTER_PLATFORM_DIRS", "1"), ("XDG_DATA_DIRS", "/s1:/s2")]);
        assert_eq!(k(&e, Location::System), "/s1/jupyter/kernels");
        // JUPYTER_PATH never changes the destination
        let e = lin(&[("JUPYTER_PATH", "/elsewhere")]);
        assert_eq!(k(&e, Location::System), "/usr/local/share/jupyter/kernels");
        // macOS, verified
        let e = mac(&[]);
        assert_eq!(k(&e, Location::User), "/Users/u/Library/Jupyter/kernels");
        assert_eq!(k(&e, Location::System), "/usr/local/share/jupyter/kernels");
        // Windows, verified except where marked
        let wcwd = Path::new("C:\\work\\dir");
        let wk = |e: &PathEnv, loc: Location| kernels_dir(e, &loc, wcwd).to_string_lossy().into_owned();
        let e = win(&[]);
        assert_eq!(wk(&e, Location::User), "C:\\Users\\u\\AppData\\Roaming\\jupyter\\kernels");
        assert_eq!(wk(&e, Location::System), "C:\\Py\\envs\\e\\share\\jupyter\\kernels");
        let e2 = win(&[("JUPYTER_USE_PROGRAMDATA", ""), ("PROGRAMDATA", "D:/PD/")]);
        assert_eq!(wk(&e2, Location::System), "D:/PD/jupyter\\kernels");
        let windows_prefixes = [
            ("rel", "C:\\work\\dir\\rel\\share\\jupyter\\kernels"),
            ("..\\up", "C:\\work\\up\\share\\jupyter\\kernels"),
            ("D:\\k", "D:\\k\\share\\jupyter\\kernels"),
            ("C:/mixed/./x/", "C:\\mixed\\x\\share\\jupyter\\kernels"),
            ("\\\\srv\\share\\p", "\\\\srv\\share\\p\\share\\jupyter\\kernels"),
            ("C:crel", "C:\\work\\dir\\crel\\share\\jupyter\\kernels"),
            ("c:crel2", "c:\\work\\dir\\crel2\\share\\jupyter\\kernels"),
            // model of GetFullPathNameW (Python on Linux cannot run it)
            ("\\rooted", "C:\\rooted\\share\\jupyter\\kernels"),
            ("d:drel", "d:\\drel\\share\\jupyter\\kernels"),
        ];
        for (p, want) in windows_prefixes {
            assert_eq!(wk(&e, prefix(p)), want, "prefix {p:?}");
        }
    }

    #[test]
    fn exact_membership() {
        let list = vec![PathBuf::from("/a/kernels"), PathBuf::from("C:\\x\\kernels")];
        assert!(contains_path(&list, Path::new("/a/kernels")));
        assert!(contains_path(&list, Path::new("C:\\x\\kernels")));
        assert!(!contains_path(&list, Path::new("/a//kernels")));
        assert!(!contains_path(&list, Path::new("/a/kernels/")));
        assert!(!contains_path(&list, Path::new("/a/./kernels")));
        // the "not in" warning of a --prefix install outside the search path (verified shape)
        let e = lin(&[]);
        let dir = kernels_dir(&e, &Location::Prefix("/tmp/x".into()), Path::new("/"));
        assert!(!contains_path(&kernel_dirs(&e), &dir));
        let e = lin(&[("JUPYTER_PATH", "/tmp/x/share/jupyter")]);
        assert!(contains_path(&kernel_dirs(&e), &dir));
        assert!(contains_path(&kernel_dirs(&e), &kernels_dir(&e, &Location::System, Path::new("/"))));
    }

    #[test]
    fn list_repr() {
        let r = |v: &[&str]| python_list_repr(&v.iter().map(PathBuf::from).collect::<Vec<_>>());
        // all verified with CPython 3.11 repr()
        assert_eq!(r(&[]), "[]");
        assert_eq!(
            r(&["/tmp/refvenv/share/jupyter/kernels", "/root/.local/share/jupyter/kernels"]),
            "['/tmp/refvenv/share/jupyter/kernels', '/root/.local/share/jupyter/kernels']"
        );
        assert_eq!(r(&["/it's/kernels", "", "/x"]), "[\"/it's/kernels\", '', '/x']");
        assert_eq!(r(&["a\"b"]), "['a\"b']");
        assert_eq!(r(&["both'\""]), "['both\\'\"']");
        assert_eq!(r(&["\\\\srv\\x"]), "['\\\\\\\\srv\\\\x']");
        assert_eq!(
            r(&["C:\\it's\\x\\kernels", "C:\\tab\t\\kernels"]),
            "[\"C:\\\\it's\\\\x\\\\kernels\", 'C:\\\\tab\\t\\\\kernels']"
        );
        assert_eq!(
            r(&["\x7f\u{85}\u{a0}\u{ad}\u{200b}\u{1f600}\u{e0001}\n\r\t\0"]),
            "['\\x7f\\x85\\xa0\\xad\\u200b\u{1f600}\\U000e0001\\n\\r\\t\\x00']"
        );
        assert_eq!(r(&["é\u{2028}", "/unié\u{a0}"]), "['é\\u2028', '/unié\\xa0']");
        assert_eq!(r(&["\u{fdd0}\u{ffff}\u{10ff7f}\u{e000}"]), "['\\ufdd0\\uffff\\U0010ff7f\\ue000']");
    }

    #[cfg(unix)]
    #[test]
    fn list_repr_undecodable_bytes() {
        use std::ffi::OsStr;
        use std::os::unix::ffi::OsStrExt;
        let r = |b: &[u8]| python_list_repr(&[PathBuf::from(OsStr::from_bytes(b))]);
        // verified: repr([os.fsdecode(b)])
        assert_eq!(r(b"/a\xff\xc3"), "['/a\\udcff\\udcc3']");
        assert_eq!(r(b"/x\xe2\x82y"), "['/x\\udce2\\udc82y']");
        assert_eq!(r(b"/ok\xc3\xa9"), "['/ok\u{e9}']");
        assert_eq!(r(b"/\xed\xa0\x80"), "['/\\udced\\udca0\\udc80']");
    }

    #[test]
    fn python_path_helpers() {
        // all checked against CPython 3.11 posixpath / ntpath / pathlib
        for (s, want) in [
            ("", "."),
            ("/", "/"),
            ("//", "//"),
            ("///", "/"),
            ("//a//b/", "//a/b"),
            ("a/../..", ".."),
            ("/../a", "/a"),
            ("./", "."),
            ("a/./b/../c", "a/c"),
            ("../x/..", ".."),
        ] {
            assert_eq!(crate::py::posixpath::normpath(s), want, "posix normpath {s:?}");
        }
        for (s, want) in [
            ("C:\\a\\..\\..\\b", "C:\\b"),
            ("a\\..\\..", ".."),
            ("\\\\srv\\sh\\..\\x", "\\\\srv\\sh\\x"),
            ("C:x\\..\\..", "C:.."),
            ("", "."),
            ("C:/a//b/./", "C:\\a\\b"),
        ] {
            assert_eq!(ntpath::normpath(s), want, "nt normpath {s:?}");
        }
        for (a, b, want) in [
            ("C:", "k", "C:k"),
            ("C:\\", "k", "C:\\k"),
            ("C:/x/", "k", "C:/x/k"),
            ("\\\\srv\\share", "k", "\\\\srv\\share\\k"),
            ("", "k", "k"),
            ("C:\\x", "D:\\y", "D:\\y"),
            ("C:\\x", "\\y", "C:\\y"),
            ("C:\\x", "c:y", "c:\\x\\y"),
            ("C:\\x", "D:y", "D:y"),
            ("x", "k", "x\\k"),
        ] {
            assert_eq!(ntpath::join(a, b), want, "nt join {a:?} {b:?}");
        }
        for (s, want) in [
            ("C:\\x", ("C:", "\\x")),
            ("\\\\srv\\sh\\x", ("\\\\srv\\sh", "\\x")),
            ("\\\\srv", ("\\\\srv", "")),
            ("\\\\srv\\sh", ("\\\\srv\\sh", "")),
            ("//?/UNC/s/h/x", ("//?/UNC/s/h", "/x")),
            ("x", ("", "x")),
            ("é", ("", "é")),
        ] {
            assert_eq!(ntpath::splitdrive(s), want, "nt splitdrive {s:?}");
        }
        for (s, want) in [
            ("C:", "C:share\\jupyter"),
            ("C:/", "C:\\share\\jupyter"),
            ("c:\\x\\", "c:\\x\\share\\jupyter"),
            ("\\\\srv\\share\\", "\\\\srv\\share\\share\\jupyter"),
            ("\\x", "\\x\\share\\jupyter"),
            ("rel/./y", "rel\\y\\share\\jupyter"),
            ("", "share\\jupyter"),
        ] {
            assert_eq!(pure_path(Platform::Windows, s, &["share", "jupyter"]), want, "{s:?}");
        }
        for (s, want) in [("", "share/jupyter"), ("/", "/share/jupyter"), ("rel//x", "rel/x/share/jupyter")] {
            assert_eq!(pure_path(Platform::Linux, s, &["share", "jupyter"]), want, "{s:?}");
        }
        assert_eq!(pure_path(Platform::Linux, "", &[]), ".");
        for (s, want) in [
            ("C:\\x", true),
            ("F:/LA/", true),
            ("C:", false),
            ("C:x", false),
            ("\\x", false),
            ("rel\\x", false),
            ("\\\\srv\\sh", true),
            ("\\\\srv\\sh\\", true),
            ("\\\\srv", false),
            ("\\\\?\\C:\\x", true),
            ("", false),
        ] {
            assert_eq!(nt_fully_qualified(s), want, "fully qualified {s:?}");
        }
    }

    #[test]
    fn pyvenv_cfg_user_site() {
        let cases = [
            ("home = /usr/bin\ninclude-system-site-packages = false\n", false),
            ("home = /usr/bin\ninclude-system-site-packages = true\n", true),
            ("Include-System-Site-Packages=TRUE", true),
            ("include-system-site-packages = yes", false),
            ("home = /usr/bin\n", true),
            ("include-system-site-packages = true\ninclude-system-site-packages = false", false),
        ];
        for (cfg, want) in cases {
            assert_eq!(venv_includes_system_site(cfg), want, "{cfg:?}");
        }
    }

    fn vars(v: &[(&str, &str)]) -> BTreeMap<String, String> {
        v.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn user_base_and_expanduser() {
        // verified: site.getuserbase() / os.path.expanduser
        let lin = Platform::Linux;
        assert_eq!(expanduser(lin, &vars(&[("HOME", "/root/")]), "/.local"), "/root/.local");
        assert_eq!(expanduser(lin, &vars(&[("HOME", "")]), "/.local"), "/.local");
        assert_eq!(expanduser(lin, &vars(&[("HOME", "")]), ""), "/");
        assert_eq!(expanduser(lin, &vars(&[("HOME", "rel/")]), "/.local"), "rel/.local");
        let ub = |pf, v: &[(&str, &str)]| python_user_base(pf, &vars(v)).map(|p| lossy(&p));
        assert_eq!(ub(lin, &[("HOME", "/tmp/h-home/link/")]).as_deref(), Some("/tmp/h-home/link/.local"));
        assert_eq!(ub(lin, &[("HOME", "/root"), ("PYTHONUSERBASE", "/ub//")]).as_deref(), Some("/ub//"));
        assert_eq!(ub(lin, &[("HOME", "/root"), ("PYTHONUSERBASE", "")]).as_deref(), Some("/root/.local"));
        assert_eq!(ub(Platform::MacOs, &[("HOME", "/Users/u")]), None);
        assert_eq!(ub(Platform::MacOs, &[("PYTHONUSERBASE", "/ub")]).as_deref(), Some("/ub"));
        let w = Platform::Windows;
        assert_eq!(ub(w, W).as_deref(), Some("C:\\Users\\u\\AppData\\Roaming\\Python"));
        let no_appdata = [("APPDATA", ""), ("USERPROFILE", "C:\\Users\\u")];
        assert_eq!(ub(w, &no_appdata).as_deref(), Some("C:\\Users\\u\\Python"));
        let homepath = [("HOMEDRIVE", "D:"), ("HOMEPATH", "\\Home")];
        assert_eq!(expanduser(w, &vars(&homepath), "\\Python"), "D:\\Home\\Python");
        assert_eq!(expanduser(w, &vars(&[]), "\\Python"), "~\\Python");
        assert_eq!(expanduser(w, &vars(&[("USERPROFILE", "")]), ""), "");
    }

    #[cfg(unix)]
    #[test]
    fn sys_prefix_choice() {
        let t = tempfile::tempdir().unwrap();
        let root = t.path().canonicalize().unwrap();
        let venv = root.join("venv");
        let conda = root.join("conda");
        let plain = root.join("plain");
        std::fs::create_dir_all(&venv).unwrap();
        std::fs::write(venv.join("pyvenv.cfg"), "home = /usr/bin\n").unwrap();
        std::fs::create_dir_all(conda.join("conda-meta")).unwrap();
        std::fs::create_dir_all(&plain).unwrap();
        let link = root.join("venv-link");
        std::os::unix::fs::symlink(&venv, &link).unwrap();
        let s = |p: &Path| p.to_string_lossy().into_owned();
        let choose = |exe: &Path, v: &[(&str, &str)]| choose_sys_prefix(Platform::Linux, Some(exe.into()), &vars(v));
        let other = "/some/other/venv";
        // installed into a venv: that venv wins over an unrelated active one
        assert_eq!(choose(&venv, &[]), (venv.clone(), false));
        assert_eq!(choose(&venv, &[("VIRTUAL_ENV", other)]), (venv.clone(), false));
        // the active venv's own spelling is kept when it is the same directory
        let link_s = format!("{}/", s(&link));
        assert_eq!(choose(&venv, &[("VIRTUAL_ENV", &link_s)]), (link.clone(), true));
        assert_eq!(choose(&conda, &[("CONDA_PREFIX", &s(&conda))]), (conda.clone(), false));
        assert_eq!(choose(&conda, &[("VIRTUAL_ENV", other)]), (conda.clone(), false));
        // a binary outside any Python environment acts for the active one
        assert_eq!(choose(&plain, &[("VIRTUAL_ENV", other)]), (PathBuf::from(other), true));
        assert_eq!(choose(&plain, &[("VIRTUAL_ENV", ""), ("CONDA_PREFIX", "/c")]), (PathBuf::from("/c"), false));
        assert_eq!(choose(&plain, &[]), (plain.clone(), false));
        let none = choose_sys_prefix(Platform::Linux, None, &vars(&[]));
        assert_eq!(none, (PathBuf::from("/usr/local"), false));
    }

    #[cfg(unix)]
    #[test]
    fn resolve_and_ownership() {
        let t = tempfile::tempdir().unwrap();
        let real = t.path().canonicalize().unwrap().join("real");
        std::fs::create_dir(&real).unwrap();
        let link = t.path().join("link");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        assert_eq!(resolve(&link), real);
        assert_eq!(resolve(&link.join("missing/../x")), real.join("x"));
        assert_eq!(resolve(&link.join("a/b")), real.join("a/b"));
        // we created it, so we own it; a missing child walks up to it
        assert!(do_i_own(&real));
        assert!(do_i_own(&real.join("not/yet")));
    }

    #[test]
    fn from_process_smoke() {
        let e = PathEnv::from_process();
        assert_eq!(e.platform, Platform::current());
        assert!(e.home.is_absolute(), "{e:?}");
        assert!(!e.sys_prefix.as_os_str().is_empty());
        assert!(!kernel_dirs(&e).is_empty());
    }
}
