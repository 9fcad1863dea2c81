//! A launch, simulated: the Kubernetes object a kernel of a kernelspec would be launched as,
//! rendered from the kernelspec's own template exactly as its launcher renders it (for
//! `preview`, `install --validate` and the check of `install --kernel-pod-template`).
//!
//! What happens at a launch, simulated in order (launchers.md sections 2-6):
//! 1. gateway-provisioners builds the launch environment: the client's variables (`--env`), the
//!    kernelspec's `env` stanza (`${NAME}` substituted), `KERNEL_ID`, `KERNEL_LANGUAGE`,
//!    `KERNEL_USERNAME`, `KERNEL_IMAGE`, `KERNEL_EXECUTOR_IMAGE`, `KERNEL_UID`, `KERNEL_GID`,
//!    `KERNEL_POD_NAME`, `KERNEL_SERVICE_ACCOUNT_NAME`, `KERNEL_NAMESPACE` (and for the Spark
//!    operator `KERNEL_RESOURCE_NAME`, `KERNEL_CRD_*`), with its checks (authorised users,
//!    prohibited UID/GID); it fills the argv placeholders.
//! 2. The launcher (`scripts/launch_kubernetes.py`, also for Spark kernelspecs, whose pod template
//!    its `--pod-template` mode renders; or `scripts/launch_custom_resource.py`) adds its own
//!    variables, makes every `KERNEL_*` variable a YAML-typed template variable, renders the
//!    template (`kernel_template`), parses it and extends the kernel container's env list.
//!
//! Deterministic placeholders stand in for what only a real launch has: the kernel id, the
//! user name, the response address and public key.

use std::path::Path;

use crate::launch::schema as k8s_schema;
use crate::launch::template::{self as kernel_template, RenderError};
use crate::launch::yaml as pyyaml;
use crate::py::value::Value;

/// Why a kernelspec cannot be rendered as its launch would render it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LaunchError {
    /// What the provisioner or the launcher refuses (or cannot read), in its words.
    #[error("{0}")]
    Refused(String),
    /// A rendered template that is not YAML (`what` names it).
    #[error("the rendered {what} is not valid YAML: {error}")]
    NotYaml { what: String, error: crate::launch::yaml::YamlError },
    /// What the caller's check of the documents (`Kernelspec::inspect`) found.
    #[error("{0}")]
    Inspected(String),
}

impl From<String> for LaunchError {
    fn from(message: String) -> LaunchError {
        LaunchError::Refused(message)
    }
}

impl From<&str> for LaunchError {
    fn from(message: &str) -> LaunchError {
        LaunchError::Refused(message.to_string())
    }
}

/// The kernel id used unless `--env KERNEL_ID=...` gives one.
pub const DEFAULT_KERNEL_ID: &str = "00000000-0000-0000-0000-000000000000";
/// The user name used unless `--env KERNEL_USERNAME=...` gives one (the provisioner would use
/// the OS user running the server; `jovyan` is that user in Jupyter's images).
pub const DEFAULT_USERNAME: &str = "jovyan";
/// Stand-ins for the provisioner's response socket and public key.
pub const RESPONSE_ADDRESS: &str = "127.0.0.1:8877";
pub const PUBLIC_KEY: &str = "PUBLIC-KEY-PLACEHOLDER";

/// Schema problems of the rendered objects, one line each (`path: message`); objects after
/// the first are named by kind and name.
pub fn validate(objects: &[Value]) -> Vec<String> {
    let mut out = Vec::new();
    for (i, obj) in objects.iter().enumerate() {
        let prefix = if i == 0 {
            String::new()
        } else {
            let kind = obj.get("kind").and_then(Value::as_str).unwrap_or("?");
            let name = obj.get("metadata").and_then(|m| m.get("name")).and_then(Value::as_str).unwrap_or("?");
            format!("{kind}/{name} ")
        };
        for p in k8s_schema::validate(obj) {
            out.push(format!("{prefix}{p}"));
        }
    }
    out
}

/// What `preview` prints, and the objects it printed.
#[derive(Debug)]
pub struct Preview {
    pub text: String,
    pub objects: Vec<Value>,
}

/// The launch environment: ordered, a later assignment replaces the value in place.
#[derive(Debug, Default, Clone)]
pub struct Env(pub Vec<(String, String)>);

impl Env {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
    pub fn set(&mut self, name: &str, value: &str) {
        match self.0.iter_mut().find(|(k, _)| k == name) {
            Some(slot) => slot.1 = value.to_string(),
            None => self.0.push((name.to_string(), value.to_string())),
        }
    }
    pub fn remove(&mut self, name: &str) {
        self.0.retain(|(k, _)| k != name);
    }
}

/// Which launcher the kernelspec's argv runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Launcher {
    Pod,
    CustomResource,
}

/// The kernelspec's kernel.json, as far as a launch reads it.
struct Spec {
    argv: Vec<String>,
    env: Vec<(String, String)>,
    language: String,
    display_name: String,
    provisioner: String,
    config: serde_json::Map<String, serde_json::Value>,
}

fn read_spec(dir: &Path) -> Result<(serde_json::Value, String), String> {
    let shown = dir.display();
    if !dir.is_dir() {
        return Err(format!("'{shown}' is not a directory"));
    }
    let path = dir.join("kernel.json");
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("'{shown}' is not a kernelspec directory: cannot read kernel.json: {e}"))?;
    let doc: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("{}: not valid JSON: {e}", path.display()))?;
    Ok((doc, path.display().to_string()))
}

/// The launch-relevant parts of a parsed kernel.json; `path` names it in errors.
fn parse_spec(doc: &serde_json::Value, path: &str) -> Result<Spec, String> {
    let strings = |v: Option<&serde_json::Value>| -> Vec<String> {
        v.and_then(|a| a.as_array())
            .map(|a| a.iter().filter_map(|s| s.as_str().map(String::from)).collect())
            .unwrap_or_default()
    };
    let argv = strings(doc.get("argv"));
    if argv.is_empty() {
        return Err(format!("{path}: no argv"));
    }
    let env = doc
        .get("env")
        .and_then(|e| e.as_object())
        .map(|o| {
            o.iter().map(|(k, v)| (k.clone(), v.as_str().map(String::from).unwrap_or_else(|| v.to_string()))).collect()
        })
        .unwrap_or_default();
    let provisioner = doc.pointer("/metadata/kernel_provisioner");
    let config = provisioner.and_then(|p| p.get("config")).and_then(|c| c.as_object()).cloned().unwrap_or_default();
    Ok(Spec {
        argv,
        env,
        language: doc.get("language").and_then(|l| l.as_str()).unwrap_or("").to_string(),
        display_name: doc.get("display_name").and_then(|l| l.as_str()).unwrap_or("").to_string(),
        provisioner: provisioner
            .and_then(|p| p.get("provisioner_name"))
            .and_then(|n| n.as_str())
            .unwrap_or("")
            .to_string(),
        config,
    })
}

/// Python's `string.Template(text).safe_substitute(env)`.
pub fn safe_substitute(text: &str, env: &Env) -> String {
    let chars: Vec<char> = text.chars().collect();
    let ident_start = |c: char| c == '_' || c.is_ascii_alphabetic();
    let ident = |c: char| c == '_' || c.is_ascii_alphanumeric();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != '$' {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        if chars.get(i + 1) == Some(&'$') {
            out.push('$');
            i += 2;
            continue;
        }
        let (start, braced) = if chars.get(i + 1) == Some(&'{') { (i + 2, true) } else { (i + 1, false) };
        let mut j = start;
        if chars.get(j).is_some_and(|c| ident_start(*c)) {
            while chars.get(j).is_some_and(|c| ident(*c)) {
                j += 1;
            }
        }
        let name: String = chars[start..j].iter().collect();
        let closed = !braced || chars.get(j) == Some(&'}');
        match env.get(&name) {
            Some(v) if !name.is_empty() && closed => {
                out.push_str(v);
                i = if braced { j + 1 } else { j };
            }
            _ => {
                out.push('$');
                i += 1;
            }
        }
    }
    out
}

/// The provisioner's pod name rule: lower-cased, runs of other characters than `[0-9a-z]`
/// become `-`, no leading or trailing `-`.
pub fn pod_name(raw: &str) -> String {
    let lower = raw.to_lowercase();
    let mut out = String::with_capacity(lower.len());
    let mut dash = false;
    for c in lower.chars() {
        if c.is_ascii_digit() || c.is_ascii_lowercase() {
            out.push(c);
            dash = false;
        } else if !dash {
            out.push('-');
            dash = true;
        }
    }
    out.trim_matches('-').to_string()
}

fn config_str(spec: &Spec, key: &str) -> Option<String> {
    spec.config.get(key).and_then(|v| v.as_str()).map(String::from).filter(|s| !s.is_empty())
}

fn user_set(
    spec: &Spec,
    key: &str,
    env_name: &str,
    default: &[&str],
    getenv: &dyn Fn(&str) -> Option<String>,
) -> Vec<String> {
    if let Some(list) = spec.config.get(key).and_then(|v| v.as_array()) {
        return list.iter().filter_map(|s| s.as_str().map(String::from)).collect();
    }
    match getenv(env_name) {
        Some(v) => v.split(',').map(String::from).collect(),
        None => default.iter().map(|s| s.to_string()).collect(),
    }
}

/// gateway-provisioners' pre_launch: the launch environment and the substituted argv.
fn provisioner_env(
    spec: &Spec,
    given: &[(String, String)],
    getenv: &dyn Fn(&str) -> Option<String>,
) -> Result<(Env, Vec<String>), String> {
    let mut env = Env::default();
    for (k, v) in given {
        env.set(k, v);
    }
    let kernel_id = env.get("KERNEL_ID").unwrap_or(DEFAULT_KERNEL_ID).to_string();
    let port_range =
        config_str(spec, "port_range").or_else(|| getenv("GP_PORT_RANGE")).unwrap_or_else(|| "0..0".into());
    // argv placeholders (RemoteProvisionerBase.pre_launch).
    let argv: Vec<String> = spec
        .argv
        .iter()
        .map(|a| {
            let mut s = a.clone();
            for (name, value) in [
                ("kernel_id", kernel_id.as_str()),
                ("port_range", port_range.as_str()),
                ("response_address", RESPONSE_ADDRESS),
                ("public_key", PUBLIC_KEY),
                ("transport_encryption", ""),
            ] {
                s = s.replace(&format!("{{{name}}}"), value);
            }
            s
        })
        .collect();
    // jupyter_client: the kernelspec's env stanza, substituted from the launch environment.
    let stanza: Vec<(String, String)> = spec.env.iter().map(|(k, v)| (k.clone(), safe_substitute(v, &env))).collect();
    for (k, v) in stanza {
        env.set(&k, &v);
    }
    // _finalize_env
    env.set("KERNEL_ID", &kernel_id);
    if env.get("KERNEL_LANGUAGE").is_none() {
        let lang =
            if spec.language.is_empty() { "unknown-kernel-language".into() } else { spec.language.to_lowercase() };
        env.set("KERNEL_LANGUAGE", &lang);
    }
    env.remove("GP_REMOTE_PWD");
    env.remove("LS_COLORS");
    // The user and authorization.
    let user = env.get("KERNEL_USERNAME").unwrap_or(DEFAULT_USERNAME).to_string();
    env.set("KERNEL_USERNAME", &user);
    let unauthorized = user_set(spec, "unauthorized_users", "GP_UNAUTHORIZED_USERS", &["root"], getenv);
    let authorized = user_set(spec, "authorized_users", "GP_AUTHORIZED_USERS", &[], getenv);
    let tail = "Ensure KERNEL_USERNAME is set to an appropriate value and retry the request.";
    if unauthorized.contains(&user) {
        return Err(format!("User '{user}' is not authorized to start kernel '{}'. {tail}", spec.display_name));
    }
    if !authorized.is_empty() && !authorized.contains(&user) {
        return Err(format!(
            "User '{user}' is not in the set of users authorized to start kernel '{}'. {tail}",
            spec.display_name
        ));
    }
    // The container step.
    let image = config_str(spec, "image_name").or_else(|| getenv("GP_IMAGE_NAME")).ok_or(
        "kernel.json names no image (metadata.kernel_provisioner.config.image_name) and GP_IMAGE_NAME is not set",
    )?;
    let executor =
        config_str(spec, "executor_image_name").or_else(|| getenv("GP_EXECUTOR_IMAGE_NAME")).unwrap_or(image.clone());
    env.set("KERNEL_IMAGE", &image);
    env.set("KERNEL_EXECUTOR_IMAGE", &executor);
    if getenv("GP_MIRROR_WORKING_DIRS").is_none_or(|v| v.to_lowercase() != "true") {
        env.remove("KERNEL_WORKING_DIR");
    }
    let uid = env.get("KERNEL_UID").unwrap_or("1000").to_string();
    let gid = env.get("KERNEL_GID").unwrap_or("100").to_string();
    let prohibited =
        |name: &str| getenv(name).unwrap_or_else(|| "0".into()).split(',').map(String::from).collect::<Vec<_>>();
    if prohibited("GP_PROHIBITED_UIDS").contains(&uid) {
        return Err(format!("Kernel's UID value of '{uid}' has been denied via GP_PROHIBITED_UIDS!"));
    }
    if prohibited("GP_PROHIBITED_GIDS").contains(&gid) {
        return Err(format!("Kernel's GID value of '{gid}' has been denied via GP_PROHIBITED_GIDS!"));
    }
    env.set("KERNEL_UID", &uid);
    env.set("KERNEL_GID", &gid);
    // The Kubernetes step.
    let pod = pod_name(env.get("KERNEL_POD_NAME").map(String::from).unwrap_or(format!("{user}-{kernel_id}")).as_str());
    env.set("KERNEL_POD_NAME", &pod);
    let account = env
        .get("KERNEL_SERVICE_ACCOUNT_NAME")
        .map(String::from)
        .or_else(|| getenv("GP_DEFAULT_KERNEL_SERVICE_ACCOUNT_NAME"))
        .unwrap_or_else(|| "default".into());
    env.set("KERNEL_SERVICE_ACCOUNT_NAME", &account);
    if env.get("KERNEL_NAMESPACE").is_none() {
        let shared = getenv("GP_SHARED_NAMESPACE").is_none_or(|v| v.to_lowercase() == "true");
        // Automatic mode creates a namespace named like the pod.
        let ns = if shared { getenv("GP_NAMESPACE").unwrap_or_else(|| "default".into()) } else { pod.clone() };
        env.set("KERNEL_NAMESPACE", &ns);
    }
    if spec.provisioner == "spark-operator-provisioner" {
        env.set("KERNEL_RESOURCE_NAME", &pod);
        env.set("KERNEL_CRD_GROUP", "sparkoperator.k8s.io");
        env.set("KERNEL_CRD_VERSION", "v1beta2");
        env.set("KERNEL_CRD_PLURAL", "sparkapplications");
    }
    Ok((env, argv))
}

/// The launchers' options (all `nargs="?"`), parsed as argparse does for the argv at hand.
fn launcher_args(args: &[String], launcher: Launcher) -> Result<Vec<(&'static str, Option<String>)>, String> {
    let mut names = vec![
        "--kernel-id",
        "--port-range",
        "--response-address",
        "--public-key",
        "--spark-context-initialization-mode",
        "--kernel-class-name",
        "--transport-encryption",
    ];
    if launcher == Launcher::Pod {
        names.extend(["--pod-template", "--spark-opts-out"]);
    }
    let mut out: Vec<(&'static str, Option<String>)> = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let word = &args[i];
        i += 1;
        if !word.starts_with("--") {
            return Err(format!("the launcher would refuse the argv: unrecognized arguments: {word}"));
        }
        let (name, inline) = match word.split_once('=') {
            Some((n, v)) => (n, Some(v.to_string())),
            None => (word.as_str(), None),
        };
        let matches: Vec<&'static str> = match names.iter().find(|n| **n == name) {
            Some(n) => vec![*n],
            None => names.iter().copied().filter(|n| n.starts_with(name)).collect(),
        };
        let [option] = matches[..] else {
            return Err(format!("the launcher would refuse the argv: unrecognized arguments: {word}"));
        };
        let value = match inline {
            Some(v) => Some(v),
            None if args.get(i).is_some_and(|a| takes_as_value(a)) => {
                i += 1;
                Some(args[i - 1].clone())
            }
            None => None,
        };
        out.retain(|(n, _)| *n != option);
        out.push((option, value));
    }
    Ok(out)
}

/// Whether argparse reads `word` as the value of a preceding option rather than as an option:
/// it does not start with `-`, or is `-`, a negative number, or contains a space.
fn takes_as_value(word: &str) -> bool {
    let Some(rest) = word.strip_prefix('-') else { return true };
    let digits = |t: &str| !t.is_empty() && t.chars().all(|c| c.is_ascii_digit());
    rest.is_empty()
        || word.contains(' ')
        || digits(rest)
        || rest.split_once('.').is_some_and(|(a, b)| a.chars().all(|c| c.is_ascii_digit()) && digits(b))
}

fn arg<'a>(args: &'a [(&'static str, Option<String>)], name: &str) -> Option<&'a str> {
    args.iter().find(|(n, _)| *n == name).and_then(|(_, v)| v.as_deref())
}

/// `check_ids`: KERNEL_UID / KERNEL_GID must be plain decimal integers.
fn check_ids(env: &Env) -> Result<(), String> {
    for name in ["KERNEL_UID", "KERNEL_GID"] {
        if let Some(v) = env.get(name) {
            let plain = v == "0"
                || (v.starts_with(|c: char| ('1'..='9').contains(&c)) && v.chars().all(|c| c.is_ascii_digit()));
            if !plain {
                let shown = crate::py::repr::str_repr(v);
                let shown = if shown.chars().count() <= 80 {
                    shown
                } else {
                    format!("{}...", shown.chars().take(77).collect::<String>())
                };
                return Err(format!(
                    "{name} must be a plain decimal integer, got {shown} - kernel launch terminating!"
                ));
            }
        }
    }
    Ok(())
}

/// `template_variables`: kernel_<name> for every KERNEL_<NAME>, YAML-typed.
fn template_variables(env: &Env, vars: &mut Vec<(String, Value)>) {
    for (name, value) in &env.0 {
        if name.starts_with("KERNEL_") {
            let key = name.to_lowercase();
            let typed = pyyaml::yaml_typed(value);
            match vars.iter_mut().find(|(k, _)| *k == key) {
                Some(slot) => slot.1 = typed,
                None => vars.push((key, typed)),
            }
        }
    }
}

/// `extend_env`: entries naming a launch variable take its value, then every other launch
/// variable is appended in order.
fn extend_env(entries: Option<&Value>, env: &Env) -> Value {
    let mut list: Vec<Value> = match entries {
        Some(Value::List(items)) => items.iter().cloned().collect(),
        _ => Vec::new(),
    };
    let mut handled: Vec<String> = Vec::new();
    for item in list.iter_mut() {
        let Some(name) = item.get("name").and_then(Value::as_str).map(String::from) else { continue };
        let Some(value) = env.get(&name) else { continue };
        let Value::Dict(pairs) = &*item else { continue };
        let mut pairs: Vec<(Value, Value)> = pairs.iter().cloned().collect();
        match pairs.iter_mut().find(|(k, _)| k.as_str() == Some("value")) {
            Some(slot) => slot.1 = Value::str(value),
            None => pairs.push((Value::str("value"), Value::str(value))),
        }
        *item = Value::dict(pairs);
        handled.push(name);
    }
    for (k, v) in &env.0 {
        if !handled.contains(k) {
            list.push(Value::dict(vec![(Value::str("name"), Value::str(k)), (Value::str("value"), Value::str(v))]));
        }
    }
    Value::list(list)
}

/// `value` with the mapping at `path` replaced by `f(old)`.
fn update_at(
    value: &Value,
    path: &[&str],
    f: &dyn Fn(Option<&Value>) -> Result<Value, String>,
) -> Result<Value, String> {
    let Some((first, rest)) = path.split_first() else { return f(Some(value)) };
    let Value::Dict(pairs) = value else { return Err(String::new()) };
    let mut pairs: Vec<(Value, Value)> = pairs.iter().cloned().collect();
    match pairs.iter_mut().rev().find(|(k, _)| k.as_str() == Some(first)) {
        Some(slot) => slot.1 = if rest.is_empty() { f(Some(&slot.1))? } else { update_at(&slot.1, rest, f)? },
        None if rest.is_empty() => pairs.push((Value::str(*first), f(None)?)),
        None => return Err(String::new()),
    }
    Ok(Value::dict(pairs))
}

fn container_env(pod: &Value, env: &Env) -> Result<Value, String> {
    let missing = || "the Pod in the yaml file has no spec.containers[0] - kernel launch terminating!".to_string();
    let containers = pod.get("spec").and_then(|s| s.get("containers"));
    let Some(Value::List(items)) = containers else { return Err(missing()) };
    let Some(first @ Value::Dict(_)) = items.first() else { return Err(missing()) };
    let first = update_at(first, &["env"], &|old| Ok(extend_env(old, env))).map_err(|_| missing())?;
    let mut items: Vec<Value> = items.iter().cloned().collect();
    items[0] = first;
    update_at(pod, &["spec", "containers"], &|_| Ok(Value::list(items.clone()))).map_err(|_| missing())
}

fn render_error(e: RenderError) -> String {
    match e {
        RenderError::Launch(m) | RenderError::Template(m) => m,
    }
}

/// The documents of a rendered pod template, each with its 1-based position among the YAML
/// documents; empty documents (which the launcher skips) are left out.
pub type Documents = [(usize, Value)];

/// A check of the parsed documents of a pod template (`Kernelspec::inspect`).
pub type Inspect<'a> = dyn Fn(&Documents) -> Result<(), LaunchError> + 'a;

/// A kernelspec to render as a launch would, wherever its files are: on disk (`render`) or
/// about to be installed (`install --validate`, `install --kernel-pod-template`).
pub struct Kernelspec<'a> {
    /// Its parsed kernel.json.
    pub kernel_json: &'a serde_json::Value,
    /// How errors name kernel.json.
    pub json_path: &'a str,
    /// How errors name the kernelspec (its directory).
    pub shown: &'a str,
    /// Its name (the name of its directory): the launch's KERNEL_NAME.
    pub name: &'a str,
    /// The text of `scripts/<file name>`, or an error naming the file.
    pub template: &'a dyn Fn(&str) -> Result<String, LaunchError>,
    /// Whether it has `scripts/kernel-pod.yaml.j2` (which `bin/run.sh` renders for Spark).
    pub has_pod_template: bool,
    /// Called with the parsed documents of a pod template before the launcher's checks; its
    /// error is returned as it is.
    pub inspect: Option<&'a Inspect<'a>>,
}

/// Renders the kernelspec in `dir` as a launch with the variables `given` (`--env`) would.
pub fn render_dir(
    dir: &Path,
    given: &[(String, String)],
    getenv: &dyn Fn(&str) -> Option<String>,
) -> Result<Preview, LaunchError> {
    let (doc, json_path) = read_spec(dir)?;
    let scripts = dir.join("scripts");
    let template = |name: &str| {
        let path = scripts.join(name);
        std::fs::read_to_string(&path)
            .map_err(|e| LaunchError::Refused(format!("cannot read the template {}: {e}", path.display())))
    };
    // The launch's KERNEL_NAME: the last component of `os.path.abspath(dir)`.
    let lossy = |p: &Path| crate::py::text::from_path(p).unwrap_or_else(|_| p.to_string_lossy().into_owned());
    let cwd = std::env::current_dir().map(|d| lossy(&d)).unwrap_or_default();
    let name = crate::py::posixpath::split(&crate::py::posixpath::abspath(&lossy(dir), &cwd)).1.to_string();
    let shown = dir.display().to_string();
    let spec = Kernelspec {
        kernel_json: &doc,
        json_path: &json_path,
        shown: &shown,
        name: &name,
        template: &template,
        has_pod_template: scripts.join("kernel-pod.yaml.j2").is_file(),
        inspect: None,
    };
    render_kernelspec(&spec, given, getenv)
}

/// Renders `kernelspec` as a launch with the variables `given` (`--env`) would; GP_* settings
/// of the provisioner come from `getenv`. Reads no file but through `kernelspec.template`.
pub fn render_kernelspec(
    kernelspec: &Kernelspec,
    given: &[(String, String)],
    getenv: &dyn Fn(&str) -> Option<String>,
) -> Result<Preview, LaunchError> {
    let spec = parse_spec(kernelspec.kernel_json, kernelspec.json_path)?;
    let (mut env, argv) = provisioner_env(&spec, given, getenv)?;
    let read_template = |name: &str| (kernelspec.template)(name);
    let position = |name: &str| argv.iter().position(|a| Path::new(a).file_name().is_some_and(|f| f == name));
    let (launcher, args) = if let Some(i) = position("launch_kubernetes.py") {
        (Launcher::Pod, &argv[i + 1..])
    } else if let Some(i) = position("launch_custom_resource.py") {
        (Launcher::CustomResource, &argv[i + 1..])
    } else if let Some(i) = position("run.sh").filter(|_| kernelspec.has_pod_template) {
        (Launcher::Pod, &argv[i + 1..])
    } else {
        return Err(LaunchError::from(format!(
            "the kernelspec in '{}' runs neither scripts/launch_kubernetes.py, scripts/launch_custom_resource.py \
             nor bin/run.sh with scripts/kernel-pod.yaml.j2: nothing to preview",
            kernelspec.shown
        )));
    };
    let args = launcher_args(args, launcher)?;
    let spec_name = kernelspec.name.to_string();
    let mut vars: Vec<(String, Value)> = Vec::new();
    let objects = match launcher {
        Launcher::Pod => {
            // publish_launch_env
            let mode = args
                .iter()
                .find(|(n, _)| *n == "--spark-context-initialization-mode")
                .map_or(Some("none"), |(_, v)| v.as_deref());
            for (name, value) in [
                ("PORT_RANGE", arg(&args, "--port-range")),
                ("PUBLIC_KEY", arg(&args, "--public-key")),
                ("RESPONSE_ADDRESS", arg(&args, "--response-address")),
                ("KERNEL_ID", arg(&args, "--kernel-id")),
                ("KERNEL_SPARK_CONTEXT_INIT_MODE", mode),
                ("KERNEL_CLASS_NAME", arg(&args, "--kernel-class-name")),
                ("TRANSPORT_ENCRYPTION", arg(&args, "--transport-encryption")),
            ] {
                if let Some(v) = value.filter(|v| !v.is_empty()) {
                    env.set(name, v);
                }
            }
            env.set("KERNEL_NAME", &spec_name);
            check_ids(&env)?;
            template_variables(&env, &mut vars);
            let name = "kernel-pod.yaml.j2";
            let rendered = kernel_template::render(name, &read_template(name)?, &vars).map_err(render_error)?;
            let documents =
                pyyaml::load_all(&rendered).map_err(|error| LaunchError::NotYaml { what: name.to_string(), error })?;
            let documents: Vec<(usize, Value)> = documents
                .into_iter()
                .enumerate()
                .map(|(i, d)| (i + 1, d))
                .filter(|(_, d)| !matches!(d, Value::None))
                .collect();
            if let Some(inspect) = kernelspec.inspect {
                inspect(&documents)?;
            }
            let mut objects = Vec::new();
            let mut pod_index = None;
            for (_, document) in documents {
                let kind = document.get("kind").filter(|k| k.truthy()).cloned();
                let Some(kind) = kind else {
                    let shown = pyyaml::py_repr(&document).unwrap_or_default();
                    return Err(LaunchError::from(format!(
                        "Unknown Kubernetes object '{shown}' found in yaml file - kernel launch terminating!"
                    )));
                };
                let kind_text = pyyaml::py_str(&kind).unwrap_or_default();
                match kind_text.as_str() {
                    "Pod" => {
                        pod_index = Some(objects.len());
                        objects.push(container_env(&document, &env)?);
                    }
                    "Secret" | "PersistentVolumeClaim" | "PersistentVolume" => objects.push(document),
                    other => {
                        return Err(LaunchError::from(format!(
                            "Unhandled Kubernetes object kind '{other}' found in yaml file - kernel launch terminating!"
                        )))
                    }
                }
            }
            let Some(pod_index) = pod_index else {
                return Err("no Pod found in the yaml file - kernel launch terminating!".into());
            };
            // The Pod first: it is what the launcher's --pod-template file holds.
            let pod = objects.remove(pod_index);
            objects.insert(0, pod);
            objects
        }
        Launcher::CustomResource => {
            check_ids(&env)?;
            let factory = |name: &str| arg(&args, name).map_or(Value::None, Value::str);
            vars.extend([
                ("port_range".to_string(), factory("--port-range")),
                ("public_key".into(), factory("--public-key")),
                ("response_address".into(), factory("--response-address")),
                ("kernel_id".into(), factory("--kernel-id")),
                ("kernel_name".into(), Value::str(&spec_name)),
                (
                    "spark_context_initialization_mode".into(),
                    args.iter()
                        .find(|(n, _)| *n == "--spark-context-initialization-mode")
                        .map_or(Value::str("none"), |(_, v)| v.as_deref().map_or(Value::None, Value::str)),
                ),
                ("kernel_class_name".into(), factory("--kernel-class-name")),
                ("transport_encryption".into(), Value::str(arg(&args, "--transport-encryption").unwrap_or(""))),
            ]);
            template_variables(&env, &mut vars);
            let required = |name: &str| -> Result<String, LaunchError> {
                let v = vars.iter().find(|(k, _)| k == name).map(|(_, v)| v);
                let Some(v) = v else {
                    return Err(LaunchError::from(format!(
                        "{} is not set - kernel launch terminating!",
                        name.to_uppercase()
                    )));
                };
                if matches!(v, Value::None) || v.as_str() == Some("") {
                    return Err(LaunchError::from(format!(
                        "{} is empty - kernel launch terminating!",
                        name.to_uppercase()
                    )));
                }
                pyyaml::py_str(v).map_err(|_| LaunchError::from("value too large"))
            };
            let group = required("kernel_crd_group")?;
            let version = required("kernel_crd_version")?;
            required("kernel_crd_plural")?;
            required("kernel_namespace")?;
            let part_ok = |s: &str| {
                s.starts_with(|c: char| c.is_ascii_alphanumeric())
                    && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
            };
            if !(part_ok(&group) && part_ok(&version)) {
                let shown = crate::py::repr::str_repr(&format!("{group}/{version}"));
                return Err(LaunchError::from(format!("invalid custom resource group/version {shown}")));
            }
            let name = format!("{group}-{version}.yaml.j2");
            let rendered = kernel_template::render(&name, &read_template(&name)?, &vars).map_err(render_error)?;
            let mut resource = pyyaml::load(&rendered)
                .map_err(|error| LaunchError::NotYaml { what: "custom resource".to_string(), error })?;
            if group == "sparkoperator.k8s.io" {
                for section in ["driver", "executor"] {
                    let missing = || format!("the custom resource has no spec.{section} - kernel launch terminating!");
                    if !matches!(resource.get("spec").and_then(|s| s.get(section)), Some(Value::Dict(_))) {
                        return Err(LaunchError::from(missing()));
                    }
                    resource = update_at(&resource, &["spec", section, "env"], &|old| Ok(extend_env(old, &env)))
                        .map_err(|_| missing())?;
                }
            }
            vec![resource]
        }
    };
    let mut text = String::new();
    for (i, obj) in objects.iter().enumerate() {
        if i > 0 {
            text.push_str("---\n");
        }
        text.push_str(&pyyaml::dump(obj).map_err(|e| e.0)?);
    }
    Ok(Preview { text, objects })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &[&str]) -> Vec<String> {
        s.iter().map(|w| w.to_string()).collect()
    }

    #[test]
    fn provisioner_rules() {
        assert_eq!(pod_name("Alice.Smith@Example-11111111-2222"), "alice-smith-example-11111111-2222");
        assert_eq!(pod_name("--Bob__"), "bob");
        let mut env = Env::default();
        env.set("A", "x");
        assert_eq!(safe_substitute("$A ${A} $$ ${B} $B $ ${A", &env), "x x $ ${B} $B $ ${A");
        let args = words(&[
            "--kernel-id",
            "k",
            "--port-range",
            "",
            "--kernel-class",
            "c",
            "--spark-context-initialization-mode",
        ]);
        assert_eq!(
            launcher_args(&args, Launcher::Pod).unwrap(),
            vec![
                ("--kernel-id", Some("k".into())),
                ("--port-range", Some("".into())),
                ("--kernel-class-name", Some("c".into())),
                ("--spark-context-initialization-mode", None)
            ]
        );
        assert!(launcher_args(&words(&["--p"]), Launcher::Pod).is_err()); // ambiguous
        assert!(launcher_args(&words(&["--pod-template", "x"]), Launcher::CustomResource).is_err());
    }

    #[test]
    fn env_extension() {
        let mut env = Env::default();
        env.set("A", "1");
        env.set("B", "2");
        let entries = pyyaml::load("[{name: B, value: old}, {name: C, value: c}, x]").unwrap();
        let out = extend_env(Some(&entries), &env);
        assert_eq!(
            pyyaml::py_repr(&out).unwrap(),
            "[{'name': 'B', 'value': '2'}, {'name': 'C', 'value': 'c'}, 'x', {'name': 'A', 'value': '1'}]"
        );
    }
}
