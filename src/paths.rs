//! TEMPORARY stub of jupyter_core's path rules (Linux legacy only); replaced by the real module.
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    Linux,
    MacOs,
    Windows,
}

#[derive(Debug, Clone)]
pub struct PathEnv {
    pub platform: Platform,
    pub vars: BTreeMap<String, String>,
    pub home: PathBuf,
    pub sys_prefix: PathBuf,
    pub in_venv_owned: bool,
    pub user_base: Option<PathBuf>,
    pub homebrew_prefix: bool,
}

impl PathEnv {
    pub fn from_process() -> PathEnv {
        let vars: BTreeMap<String, String> = std::env::vars().collect();
        let home = PathBuf::from(vars.get("HOME").cloned().unwrap_or_else(|| "/".into()));
        let sys_prefix = vars.get("VIRTUAL_ENV").map(PathBuf::from).unwrap_or_else(|| {
            std::env::current_exe().ok().and_then(|p| p.parent()?.parent().map(Path::to_path_buf)).unwrap_or_default()
        });
        PathEnv {
            platform: Platform::Linux,
            vars,
            home,
            sys_prefix,
            in_venv_owned: true,
            user_base: None,
            homebrew_prefix: false,
        }
    }
}

pub enum Location {
    User,
    Prefix(PathBuf),
    System,
}

pub fn jupyter_data_dir(e: &PathEnv) -> PathBuf {
    if let Some(d) = e.vars.get("JUPYTER_DATA_DIR").filter(|v| !v.is_empty()) {
        return PathBuf::from(d);
    }
    if let Some(x) = e.vars.get("XDG_DATA_HOME").filter(|v| !v.is_empty()) {
        return PathBuf::from(x).join("jupyter");
    }
    e.home.join(".local/share/jupyter")
}

pub fn jupyter_config_path(e: &PathEnv) -> Vec<PathBuf> {
    vec![
        e.sys_prefix.join("etc/jupyter"),
        e.home.join(".jupyter"),
        "/usr/local/etc/jupyter".into(),
        "/etc/jupyter".into(),
    ]
}

pub fn kernel_dirs(e: &PathEnv) -> Vec<PathBuf> {
    vec![
        e.sys_prefix.join("share/jupyter/kernels"),
        jupyter_data_dir(e).join("kernels"),
        "/usr/local/share/jupyter/kernels".into(),
        "/usr/share/jupyter/kernels".into(),
    ]
}

pub fn kernels_dir(e: &PathEnv, loc: &Location, cwd: &Path) -> PathBuf {
    match loc {
        Location::User => jupyter_data_dir(e).join("kernels"),
        Location::Prefix(p) => cwd.join(p).join("share/jupyter/kernels"),
        Location::System => PathBuf::from("/usr/local/share/jupyter/kernels"),
    }
}

pub fn python_list_repr(paths: &[PathBuf]) -> String {
    let v: Vec<String> = paths.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    crate::pyrepr::list_repr(&v)
}
