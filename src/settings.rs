//! Resolves what the installer was asked to do: trait defaults < environment defaults <
//! configuration files < command line < flags, with traitlets' rule that a value set on a more
//! derived class wins, its conversions and its error messages.

use std::collections::BTreeSet;

use crate::cli::{CliValue, InstallArgs};
use crate::config_file::{ConfigEntry, ConfigValue};
use crate::options::{find_trait, Flag, Kind, CLASSES, INSTALLER, LOG_LEVEL_CHOICES, TRAITS};
use crate::pyrepr::{list_repr, str_repr};

/// The resolved, validated settings of one `install` run.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub spark: bool,
    pub crd: bool,
    pub user: bool,
    pub replace: bool,
    pub prefix: String,
    pub kernel_name: String,
    pub display_name: String,
    /// As entered (validated case-insensitively); messages quote it as typed.
    pub language: String,
    pub authorized_users: BTreeSet<String>,
    pub unauthorized_users: BTreeSet<String>,
    /// What `unauthorized_users` is when nothing sets it (from `GP_UNAUTHORIZED_USERS`).
    pub unauthorized_users_default: BTreeSet<String>,
    pub port_range: Option<String>,
    pub launch_timeout: i64,
    pub ipykernel_subclass_name: String,
    pub spark_home: String,
    /// Lower-cased.
    pub spark_init_mode: String,
    pub extra_spark_opts: String,
    pub image_name: Option<String>,
    pub executor_image_name: Option<String>,
    pub log_level: u8,
    pub log_format: Option<String>,
    pub log_datefmt: Option<String>,
    /// `--config`: an explicit configuration file.
    pub config_file: String,
}

pub const DEFAULT_KERNEL_CLASS: &str = "ipykernel.ipkernel.IPythonKernel";

/// Where the process environment and the interpreter prefix come from (injected for tests).
pub struct Inputs<'a> {
    pub env: &'a dyn Fn(&str) -> Option<String>,
    /// The value `--sys-prefix` stands for.
    pub sys_prefix: &'a str,
    /// The home directory, for `~` expansion.
    pub home: Option<&'a str>,
}

/// A resolved trait value before it is given its Rust type.
#[derive(Debug, Clone, PartialEq)]
enum Value {
    Str(String),
    Null,
    Int(i64),
    Bool(bool),
    Set(Vec<String>),
    LogLevel(u8),
    Ignored,
}

/// Messages traitlets would print while taking the configuration in.
#[derive(Debug, Default, PartialEq)]
pub struct Notes {
    /// `Unrecognized alias: ...` lines.
    pub unrecognized_aliases: Vec<String>,
    /// `Config option ... not recognized ...` lines (the reference prints each of them four
    /// times, once per configuration pass).
    pub unknown_traits: Vec<String>,
}

/// A "Bad config encountered during initialization" failure.
#[derive(Debug, PartialEq)]
pub struct BadConfig(pub String);

enum Given<'a> {
    Cli(&'a CliValue),
    File(&'a ConfigValue),
    Flag(Value),
}

struct Store<'a> {
    /// `(class, trait, value)`, later entries overriding earlier ones for the same key.
    entries: Vec<(String, String, Given<'a>)>,
}

impl<'a> Store<'a> {
    fn set(&mut self, class: &str, name: &str, given: Given<'a>) {
        self.entries.retain(|(c, n, _)| !(c == class && n == name));
        self.entries.push((class.to_string(), name.to_string(), given));
    }

    /// The value for a trait: the most derived class that sets it wins.
    fn get(&self, name: &str) -> Option<&Given<'a>> {
        CLASSES
            .iter()
            .find_map(|class| self.entries.iter().find(|(c, n, _)| c == class && n == name).map(|(_, _, g)| g))
    }
}

/// Resolves settings from the parsed command line and the configuration-file entries
/// (in application order).
pub fn resolve(cli: &InstallArgs, files: &[ConfigEntry], inputs: &Inputs) -> Result<(Settings, Notes), BadConfig> {
    let mut notes = Notes::default();
    let mut store = Store { entries: Vec::new() };

    for entry in files {
        if CLASSES.contains(&entry.class.as_str()) {
            store.set(&entry.class, &entry.name, Given::File(&entry.value));
        }
    }
    // Command-line values, first checked the way traitlets loads them: a bare word is a
    // mistyped alias, a repeated single-valued trait is an error.
    for (lhs, value) in &cli.settings {
        let Some((class, name)) = lhs.rsplit_once('.') else {
            notes.unrecognized_aliases.push(format!("Unrecognized alias: '{lhs}', it will have no effect."));
            continue;
        };
        if !CLASSES.contains(&class) {
            continue;
        }
        if let (Some(t), CliValue::Many(items)) = (find_trait(name), value) {
            if t.kind != Kind::Set && t.kind != Kind::Dict && items.len() > 1 {
                let list = list_repr(items);
                return Err(BadConfig(format!(
                    "Error loading argument {lhs}={list}, {name} only accepts one value, got {}: {list}",
                    items.len()
                )));
            }
        }
        store.set(class, name, Given::Cli(value));
    }
    for flag in &cli.flags {
        let (name, value) = match flag {
            Flag::Spark => ("spark", Value::Bool(true)),
            Flag::Crd => ("crd", Value::Bool(true)),
            Flag::Tensorflow => ("tensorflow", Value::Bool(true)),
            Flag::User => ("user", Value::Bool(true)),
            Flag::Replace => ("replace", Value::Bool(true)),
            Flag::SysPrefix => ("prefix", Value::Str(inputs.sys_prefix.to_string())),
            Flag::Debug => ("log_level", Value::LogLevel(10)),
        };
        store.set(INSTALLER, name, Given::Flag(value));
    }

    // Unknown traits of known classes are reported, in the order they were set.
    for (class, name, _) in &store.entries {
        if find_trait(name).is_none() && CLASSES.contains(&class.as_str()) {
            let line = unknown_trait_message(name);
            if !notes.unknown_traits.contains(&line) {
                notes.unknown_traits.push(line);
            }
        }
    }

    // Convert every set value (in the order set), so the first bad one is reported.
    let mut values: Vec<(&'static str, Value)> = Vec::new();
    for (_, name, _) in &store.entries {
        let Some(t) = find_trait(name) else { continue };
        if values.iter().any(|(n, _)| n == &t.name) {
            continue;
        }
        let given = store.get(t.name).expect("an entry for this trait exists");
        let v = convert(t.name, t.kind, given, inputs)?;
        values.push((t.name, v));
    }
    let get = |name: &str| values.iter().find(|(n, _)| *n == name).map(|(_, v)| v.clone());
    let env = |k: &str| (inputs.env)(k);

    let bool_of = |name: &str| matches!(get(name), Some(Value::Bool(true)));
    let str_of = |name: &str, default: &str| match get(name) {
        Some(Value::Str(s)) => s,
        _ => default.to_string(),
    };
    let opt_str_of = |name: &str, env_name: &str| match get(name) {
        Some(Value::Str(s)) => Some(s),
        Some(Value::Null) => None,
        _ => env(env_name),
    };

    let language = str_of("language", "Python");
    if !["python", "scala", "r"].contains(&language.to_lowercase().as_str()) {
        return Err(BadConfig(format!("Invalid language value {language}, not in ['python', 'scala', 'r']")));
    }
    let spark_init_mode = str_of("spark_init_mode", "lazy");
    if !["lazy", "eager", "none"].contains(&spark_init_mode.to_lowercase().as_str()) {
        return Err(BadConfig(format!(
            "Invalid Spark initialization mode value '{spark_init_mode}', not in ['lazy', 'eager', 'none']"
        )));
    }

    let unauthorized_users_default: BTreeSet<String> =
        env("GP_UNAUTHORIZED_USERS").unwrap_or_else(|| "root".into()).split(',').map(String::from).collect();
    let set_of = |name: &str, default: BTreeSet<String>| match get(name) {
        Some(Value::Set(items)) => items.into_iter().collect(),
        _ => default,
    };
    // An empty GP_AUTHORIZED_USERS means "no restriction" (the reference writes [""], which
    // refuses everyone).
    let authorized_default: BTreeSet<String> = match env("GP_AUTHORIZED_USERS") {
        Some(v) if !v.is_empty() => v.split(',').map(String::from).collect(),
        _ => BTreeSet::new(),
    };

    let launch_timeout = match get("launch_timeout") {
        Some(Value::Int(n)) => n,
        _ => launch_timeout_from_env(&env)?,
    };
    if launch_timeout < 0 {
        return Err(BadConfig(format!(
            "Invalid launch timeout {launch_timeout}: the number of seconds to wait for a kernel to start cannot be negative"
        )));
    }

    let port_range = match get("port_range") {
        Some(Value::Str(s)) => Some(s),
        Some(Value::Null) => None,
        _ => Some(env("GP_PORT_RANGE").unwrap_or_else(|| "0..0".into())),
    };
    if let Some(range) = &port_range {
        let min = env("GP_MIN_PORT_RANGE_SIZE").and_then(|v| v.trim().parse::<i64>().ok()).unwrap_or(1000);
        check_port_range(range, min)?;
    }

    let settings = Settings {
        spark: bool_of("spark"),
        crd: bool_of("crd"),
        user: bool_of("user"),
        replace: bool_of("replace"),
        prefix: str_of("prefix", ""),
        kernel_name: str_of("kernel_name", "k8s_python"),
        display_name: str_of("display_name", "Kubernetes Python"),
        language,
        authorized_users: set_of("authorized_users", authorized_default),
        unauthorized_users: set_of("unauthorized_users", unauthorized_users_default.clone()),
        unauthorized_users_default,
        port_range,
        launch_timeout,
        ipykernel_subclass_name: str_of("ipykernel_subclass_name", DEFAULT_KERNEL_CLASS),
        spark_home: str_of("spark_home", &env("SPARK_HOME").unwrap_or_else(|| "/opt/spark".into())),
        spark_init_mode: spark_init_mode.to_lowercase(),
        extra_spark_opts: str_of("extra_spark_opts", ""),
        image_name: opt_str_of("image_name", "GP_IMAGE_NAME"),
        executor_image_name: opt_str_of("executor_image_name", "GP_EXECUTOR_IMAGE_NAME"),
        log_level: match get("log_level") {
            Some(Value::LogLevel(l)) => l,
            _ => 20,
        },
        log_format: match get("log_format") {
            Some(Value::Str(s)) => Some(s),
            _ => None,
        },
        log_datefmt: match get("log_datefmt") {
            Some(Value::Str(s)) => Some(s),
            _ => None,
        },
        config_file: str_of("config_file", ""),
    };
    Ok((settings, notes))
}

fn launch_timeout_from_env(env: &dyn Fn(&str) -> Option<String>) -> Result<i64, BadConfig> {
    for var in ["GP_LAUNCH_TIMEOUT", "KERNEL_LAUNCH_TIMEOUT"] {
        if let Some(text) = env(var) {
            return parse_py_int(&text).ok_or_else(|| {
                BadConfig(format!("Invalid {var} value {}: expected a whole number of seconds", str_repr(&text)))
            });
        }
    }
    Ok(30)
}

/// The checks the provisioner applies when it is constructed for a launch, applied now so
/// that a bad value fails the install instead of every later launch.
fn check_port_range(range: &str, min_size: i64) -> Result<(), BadConfig> {
    let bad = |why: &str| BadConfig(format!("Invalid port range {}: {why}", str_repr(range)));
    if range.is_empty() {
        return Ok(());
    }
    let parts: Vec<&str> = range.split("..").collect();
    let [lower, upper] = parts[..] else {
        return Err(bad("expected LOWER..UPPER, e.g. 40000..41000, or 0..0 to disable it"));
    };
    let (Some(lower), Some(upper)) = (parse_py_int(lower), parse_py_int(upper)) else {
        return Err(bad("the bounds must be whole numbers, e.g. 40000..41000, or 0..0 to disable it"));
    };
    let size = upper - lower;
    if size == 0 {
        return Ok(());
    }
    if size < 0 {
        return Err(bad("the upper port is below the lower port"));
    }
    if size < min_size {
        return Err(bad(&format!("the range must span at least {min_size} ports (GP_MIN_PORT_RANGE_SIZE)")));
    }
    if !(1024..=65535).contains(&lower) || !(1024..=65535).contains(&upper) {
        return Err(bad("ports must lie between 1024 and 65535"));
    }
    Ok(())
}

fn unknown_trait_message(name: &str) -> String {
    let names: Vec<&str> = TRAITS.iter().map(|t| t.name).collect();
    let mut matches = crate::similar::close_matches(name, &names, 3, 0.6);
    let mut msg = format!("Config option `{name}` not recognized by `{INSTALLER}`.");
    if matches.len() == 1 {
        msg.push_str(&format!("  Did you mean `{}`?", matches[0]));
    } else if !matches.is_empty() {
        matches.sort();
        msg.push_str(&format!("  Did you mean one of: `{}`?", matches.join(", ")));
    }
    msg
}

/// Python's `int(text)` for base 10: surrounding whitespace, a sign, digits with single
/// underscores between them.
pub fn parse_py_int(text: &str) -> Option<i64> {
    let t = text.trim();
    let (neg, digits) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    if digits.is_empty()
        || digits.starts_with('_')
        || digits.ends_with('_')
        || digits.contains("__")
        || !digits.chars().all(|c| c.is_ascii_digit() || c == '_')
    {
        return None;
    }
    let n: i64 = digits.replace('_', "").parse().ok()?;
    Some(if neg { -n } else { n })
}

/// Python's `os.path.expanduser`.
pub fn expand_user(s: &str, home: Option<&str>) -> String {
    let Some(rest) = s.strip_prefix('~') else { return s.to_string() };
    let end = rest.find('/').unwrap_or(rest.len());
    let (user, tail) = rest.split_at(end);
    let dir = if user.is_empty() {
        match home {
            Some(h) => h.to_string(),
            None => return s.to_string(),
        }
    } else {
        match crate::sys::home_of_user(user) {
            Some(h) => h,
            None => return s.to_string(),
        }
    };
    let joined = format!("{}{}", dir.trim_end_matches('/'), tail);
    if joined.is_empty() {
        "/".into()
    } else {
        joined
    }
}

/// traitlets' `Unicode.from_string`.
fn str_from_cli(s: &str, nullable: bool, home: Option<&str>) -> Value {
    if nullable && s == "None" {
        return Value::Null;
    }
    let s = expand_user(s, home);
    let b = s.as_bytes();
    if b.len() >= 2 && (b[0] == b'"' || b[0] == b'\'') && b[0] == b[b.len() - 1] {
        return Value::Str(s[1..s.len() - 1].to_string());
    }
    Value::Str(s)
}

fn type_error(name: &str, expected: &str, found: &str) -> BadConfig {
    BadConfig(format!("The '{name}' trait of a {INSTALLER} instance expected {expected}, not the {found}."))
}

fn convert(name: &str, kind: Kind, given: &Given, inputs: &Inputs) -> Result<Value, BadConfig> {
    match given {
        Given::Flag(v) => Ok(v.clone()),
        Given::Cli(value) => convert_cli(name, kind, value, inputs),
        Given::File(value) => convert_file(name, kind, value),
    }
}

fn convert_cli(name: &str, kind: Kind, value: &CliValue, inputs: &Inputs) -> Result<Value, BadConfig> {
    let items: Vec<String> = match value {
        CliValue::One(s) => vec![s.clone()],
        CliValue::Many(v) => v.clone(),
    };
    let first = items.first().cloned().unwrap_or_default();
    let found_str = |s: &str| format!("str {}", str_repr(s));
    match kind {
        Kind::Str => Ok(str_from_cli(&first, false, inputs.home)),
        Kind::NullableStr => Ok(str_from_cli(&first, true, inputs.home)),
        Kind::Int => match parse_py_int(&first) {
            Some(n) => Ok(Value::Int(n)),
            None => Err(type_error(name, "an int", &found_str(&first))),
        },
        Kind::Bool => match first.to_lowercase().as_str() {
            "true" | "1" => Ok(Value::Bool(true)),
            "false" | "0" => Ok(Value::Bool(false)),
            _ => Err(type_error(name, "a boolean", &found_str(&first))),
        },
        Kind::LogLevel => log_level_from_text(name, &first),
        Kind::Dict => Err(type_error(name, "a dict", &format!("list {}", list_repr(&items)))),
        Kind::Set => {
            // A single bracketed value is read as a Python literal (traitlets' legacy form).
            if items.len() == 1 {
                let r = &items[0];
                let bracketed = [('[', ']'), ('(', ')'), ('{', '}')]
                    .iter()
                    .any(|(a, b)| r.len() >= 2 && r.starts_with(*a) && r.ends_with(*b));
                if bracketed {
                    let literal = crate::config_file::parse_python_literal(r).map_err(|e| {
                        BadConfig(format!("Error loading argument {INSTALLER}.{name}={}, {e}", list_repr(&items)))
                    })?;
                    return convert_file(name, kind, &literal);
                }
            }
            Ok(Value::Set(items))
        }
    }
}

fn log_level_from_text(name: &str, text: &str) -> Result<Value, BadConfig> {
    let levels = [("DEBUG", 10), ("INFO", 20), ("WARN", 30), ("ERROR", 40), ("CRITICAL", 50)];
    if let Some(n) = parse_py_int(text) {
        return match n {
            0 | 10 | 20 | 30 | 40 | 50 => Ok(Value::LogLevel(n as u8)),
            _ => Err(type_error(name, &format!("any of {LOG_LEVEL_CHOICES}"), &format!("int {n}"))),
        };
    }
    match levels.iter().find(|(l, _)| *l == text) {
        Some((_, n)) => Ok(Value::LogLevel(*n)),
        None => Err(type_error(name, &format!("any of {LOG_LEVEL_CHOICES}"), &format!("str {}", str_repr(text)))),
    }
}

/// The Python type name and repr of a configuration-file value, for error messages.
pub fn describe(v: &ConfigValue) -> String {
    let (ty, repr) = match v {
        ConfigValue::Str(s) => ("str", str_repr(s)),
        ConfigValue::Bool(b) => ("bool", if *b { "True".into() } else { "False".into() }),
        ConfigValue::Int(i) => ("int", i.clone()),
        ConfigValue::Float(f) => ("float", format!("{f:?}")),
        ConfigValue::None => ("NoneType", "None".into()),
        ConfigValue::List(_) => ("list", py_repr(v)),
        ConfigValue::Set(_) => ("set", py_repr(v)),
        ConfigValue::Dict(_) => ("dict", py_repr(v)),
    };
    format!("{ty} {repr}")
}

fn py_repr(v: &ConfigValue) -> String {
    match v {
        ConfigValue::Str(s) => str_repr(s),
        ConfigValue::Bool(b) => (if *b { "True" } else { "False" }).into(),
        ConfigValue::Int(i) => i.clone(),
        ConfigValue::Float(f) => format!("{f:?}"),
        ConfigValue::None => "None".into(),
        ConfigValue::List(items) => format!("[{}]", items.iter().map(py_repr).collect::<Vec<_>>().join(", ")),
        ConfigValue::Set(items) if items.is_empty() => "set()".into(),
        ConfigValue::Set(items) => format!("{{{}}}", items.iter().map(py_repr).collect::<Vec<_>>().join(", ")),
        ConfigValue::Dict(items) => format!(
            "{{{}}}",
            items.iter().map(|(k, v)| format!("{}: {}", str_repr(k), py_repr(v))).collect::<Vec<_>>().join(", ")
        ),
    }
}

fn convert_file(name: &str, kind: Kind, value: &ConfigValue) -> Result<Value, BadConfig> {
    let mismatch = |expected: &str| Err(type_error(name, expected, &describe(value)));
    match (kind, value) {
        (Kind::Str | Kind::NullableStr, ConfigValue::Str(s)) => Ok(Value::Str(s.clone())),
        (Kind::NullableStr, ConfigValue::None) => Ok(Value::Null),
        (Kind::Str | Kind::NullableStr, _) => mismatch("a unicode string"),
        (Kind::Int, ConfigValue::Int(i)) => match parse_py_int(i) {
            Some(n) => Ok(Value::Int(n)),
            None => Err(BadConfig(format!("The '{name}' value {i} is too large"))),
        },
        // traitlets lets a bool through (Python's bool is an int) and the reference then writes
        // `"launch_timeout": true`; a timeout of `true` is a mistake, so we refuse it.
        (Kind::Int, _) => mismatch("an int"),
        (Kind::Bool, ConfigValue::Bool(b)) => Ok(Value::Bool(*b)),
        (Kind::Bool, _) => mismatch("a boolean"),
        (Kind::LogLevel, ConfigValue::Str(s)) => log_level_from_text(name, s),
        (Kind::LogLevel, ConfigValue::Int(i)) => log_level_from_text(name, i),
        (Kind::LogLevel, _) => mismatch(&format!("any of {LOG_LEVEL_CHOICES}")),
        (Kind::Set, ConfigValue::List(items) | ConfigValue::Set(items)) => {
            let mut out = Vec::new();
            for item in items {
                match item {
                    ConfigValue::Str(s) => out.push(s.clone()),
                    _ => {
                        return Err(BadConfig(format!(
                            "The '{name}' trait of a {INSTALLER} instance must be a set of str, but a value of {} was specified.",
                            describe(item)
                        )))
                    }
                }
            }
            Ok(Value::Set(out))
        }
        (Kind::Set, _) => mismatch("a set"),
        (Kind::Dict, ConfigValue::Dict(_)) => Ok(Value::Ignored),
        (Kind::Dict, _) => mismatch("a dict"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::{parse, Command};
    use std::path::PathBuf;

    fn run_env(args: &[&str], env: &[(&str, &str)]) -> Result<(Settings, Notes), BadConfig> {
        let mut words = vec!["install".to_string()];
        words.extend(args.iter().map(|s| s.to_string()));
        let Ok(Command::Install(cli)) = parse(&words) else { panic!("not an install") };
        let owned: Vec<(String, String)> = env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let getter = move |k: &str| owned.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        let inputs = Inputs { env: &getter, sys_prefix: "/venv", home: Some("/home/u") };
        resolve(&cli, &[], &inputs)
    }

    fn run(args: &[&str]) -> Settings {
        run_env(args, &[]).expect("valid").0
    }

    fn bad(args: &[&str], env: &[(&str, &str)]) -> String {
        run_env(args, env).expect_err("should be rejected").0
    }

    #[test]
    fn defaults() {
        let s = run(&[]);
        assert_eq!(s.kernel_name, "k8s_python");
        assert_eq!(s.display_name, "Kubernetes Python");
        assert_eq!(s.language, "Python");
        assert_eq!(s.launch_timeout, 30);
        assert_eq!(s.port_range.as_deref(), Some("0..0"));
        assert_eq!(s.unauthorized_users, BTreeSet::from(["root".to_string()]));
        assert!(s.authorized_users.is_empty());
        assert_eq!(s.image_name, None);
        assert_eq!(s.spark_home, "/opt/spark");
        assert_eq!(s.log_level, 20);
    }

    #[test]
    fn precedence_between_classes_and_flags() {
        assert_eq!(run(&["--BaseSpecApp.kernel_name=a", "--K8sSpecInstaller.kernel_name=b"]).kernel_name, "b");
        assert_eq!(run(&["--K8sSpecInstaller.kernel_name=b", "--BaseSpecApp.kernel_name=a"]).kernel_name, "b");
        assert_eq!(run(&["--kernel-name=a", "--BaseSpecApp.kernel_name=b"]).kernel_name, "a");
        assert!(run(&["--K8sSpecInstaller.spark=False", "--spark"]).spark);
        assert!(run(&["--spark", "--K8sSpecInstaller.spark=False"]).spark);
        assert_eq!(run(&["--prefix=/p", "--sys-prefix"]).prefix, "/venv");
        assert_eq!(run(&["--sys-prefix", "--prefix=/p"]).prefix, "/venv");
        assert_eq!(run(&["--debug", "--log-level=ERROR"]).log_level, 10);
        assert_eq!(run(&["--Application.kernel_name=zz"]).kernel_name, "zz");
    }

    #[test]
    fn string_conversions() {
        assert_eq!(run(&["--display-name=~/x"]).display_name, "/home/u/x");
        assert_eq!(run(&["--display-name='\"abc\"'"]).display_name, "\"abc\"");
        assert_eq!(run(&["--display-name=\"abc\""]).display_name, "abc");
        assert_eq!(run(&["--kernel-name=None"]).kernel_name, "None");
        assert_eq!(run(&["--image-name=None"]).image_name, None);
        assert_eq!(run_env(&["--image-name=None"], &[("GP_IMAGE_NAME", "e")]).unwrap().0.image_name, None);
        assert_eq!(run(&["--image-name="]).image_name.as_deref(), Some(""));
        assert_eq!(run(&["--port-range=None"]).port_range, None);
        assert_eq!(run(&["--launch-timeout= 1_000 "]).launch_timeout, 1000);
        assert_eq!(run(&["--spark-init-mode=EAGER"]).spark_init_mode, "eager");
    }

    #[test]
    fn sets() {
        let s = run(&["--authorized-users=b", "--authorized-users=a,c", "--authorized-users=~/x"]);
        assert_eq!(s.authorized_users, BTreeSet::from(["a,c".into(), "b".into(), "~/x".into()]));
        let s = run(&["--unauthorized-users=bob"]);
        assert_eq!(s.unauthorized_users, BTreeSet::from(["bob".into()]));
        let s = run_env(&[], &[("GP_AUTHORIZED_USERS", "alice,bob"), ("GP_UNAUTHORIZED_USERS", "x,y")]).unwrap().0;
        assert_eq!(s.authorized_users, BTreeSet::from(["alice".into(), "bob".into()]));
        assert_eq!(s.unauthorized_users, s.unauthorized_users_default);
        let s = run_env(&[], &[("GP_AUTHORIZED_USERS", "")]).unwrap().0;
        assert!(s.authorized_users.is_empty());
    }

    #[test]
    fn environment_defaults() {
        let s = run_env(&[], &[("GP_LAUNCH_TIMEOUT", "45"), ("KERNEL_LAUNCH_TIMEOUT", "75")]).unwrap().0;
        assert_eq!(s.launch_timeout, 45);
        let s = run_env(&[], &[("KERNEL_LAUNCH_TIMEOUT", "75")]).unwrap().0;
        assert_eq!(s.launch_timeout, 75);
        let s = run_env(&["--launch-timeout=5"], &[("GP_LAUNCH_TIMEOUT", "abc")]).unwrap().0;
        assert_eq!(s.launch_timeout, 5);
        let s = run_env(&[], &[("SPARK_HOME", "/env/spark"), ("GP_PORT_RANGE", "30000..31000")]).unwrap().0;
        assert_eq!(s.spark_home, "/env/spark");
        assert_eq!(s.port_range.as_deref(), Some("30000..31000"));
    }

    #[test]
    fn bad_values() {
        let cases: &[(&[&str], &str)] = &[
            (&["--launch-timeout=abc"], "The 'launch_timeout' trait of a K8sSpecInstaller instance expected an int, not the str 'abc'."),
            (&["--language=foo"], "Invalid language value foo, not in ['python', 'scala', 'r']"),
            (&["--language="], "Invalid language value , not in ['python', 'scala', 'r']"),
            (&["--spark-init-mode=bad"], "Invalid Spark initialization mode value 'bad', not in ['lazy', 'eager', 'none']"),
            (&["--log-level=foo"], "The 'log_level' trait of a K8sSpecInstaller instance expected any of [0, 10, 20, 30, 40, 50, 'DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL'], not the str 'foo'."),
            (&["--log-level=15"], "The 'log_level' trait of a K8sSpecInstaller instance expected any of [0, 10, 20, 30, 40, 50, 'DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL'], not the int 15."),
            (&["--K8sSpecInstaller.spark=yes"], "The 'spark' trait of a K8sSpecInstaller instance expected a boolean, not the str 'yes'."),
            (&["--kernel-name=a", "--kernel-name=b"], "Error loading argument K8sSpecInstaller.kernel_name=['a', 'b'], kernel_name only accepts one value, got 2: ['a', 'b']"),
            (&["--K8sSpecInstaller.logging_config=x"], "The 'logging_config' trait of a K8sSpecInstaller instance expected a dict, not the list ['x']."),
        ];
        for (args, want) in cases {
            assert_eq!(bad(args, &[]), *want, "{args:?}");
        }
        assert!(bad(&["--launch-timeout=-5"], &[]).contains("-5"));
        assert!(bad(&[], &[("GP_LAUNCH_TIMEOUT", "abc")]).contains("GP_LAUNCH_TIMEOUT"));
        assert!(bad(&[], &[("GP_LAUNCH_TIMEOUT", "")]).contains("GP_LAUNCH_TIMEOUT"));
        for range in ["abc", "5..1", "5000", "1..2", "100..2000", "50000..40000", "1..2..3"] {
            let msg = bad(&[&format!("--port-range={range}")], &[]);
            assert!(msg.contains("port range") && msg.contains(range), "{msg}");
        }
        for ok in ["0..0", "5..5", "40000..41000", ""] {
            run(&[&format!("--port-range={ok}")]);
        }
    }

    #[test]
    fn notes_for_unknown_names() {
        let (_, notes) = run_env(&["--kernel_name=x", "--K8sSpecInstaller.kernel_nam=x", "--Foo.bar=1"], &[]).unwrap();
        assert_eq!(
            notes.unrecognized_aliases,
            vec!["Unrecognized alias: 'kernel_name', it will have no effect.".to_string()]
        );
        assert_eq!(
            notes.unknown_traits,
            vec!["Config option `kernel_nam` not recognized by `K8sSpecInstaller`.  Did you mean one of: `ipykernel_subclass_name, kernel_name`?".to_string()]
        );
        let (_, notes) = run_env(&["--K8sSpecInstaller.nosuch=1"], &[]).unwrap();
        assert_eq!(
            notes.unknown_traits,
            vec!["Config option `nosuch` not recognized by `K8sSpecInstaller`.".to_string()]
        );
    }

    #[test]
    fn file_values_lose_to_the_command_line_and_derived_classes() {
        let entry = |class: &str, name: &str, value: ConfigValue| ConfigEntry {
            class: class.into(),
            name: name.into(),
            value,
            file: PathBuf::from("/c.json"),
            line: None,
        };
        let files = vec![
            entry("K8sSpecInstaller", "display_name", ConfigValue::Str("file".into())),
            entry("BaseSpecApp", "launch_timeout", ConfigValue::Int("5".into())),
            entry("BaseSpecApp", "user", ConfigValue::Bool(true)),
        ];
        let Ok(Command::Install(cli)) = parse(&["install".into(), "--display-name=cli".into()]) else { panic!() };
        let getter = |_: &str| None;
        let inputs = Inputs { env: &getter, sys_prefix: "/venv", home: None };
        let (s, _) = resolve(&cli, &files, &inputs).unwrap();
        assert_eq!((s.display_name.as_str(), s.launch_timeout, s.user), ("cli", 5, true));
        let files = vec![entry("K8sSpecInstaller", "launch_timeout", ConfigValue::Str("abc".into()))];
        assert_eq!(
            resolve(&cli, &files, &inputs).unwrap_err().0,
            "The 'launch_timeout' trait of a K8sSpecInstaller instance expected an int, not the str 'abc'."
        );
        let files = vec![entry("BaseSpecApp", "launch_timeout", ConfigValue::Bool(true))];
        assert_eq!(
            resolve(&cli, &files, &inputs).unwrap_err().0,
            "The 'launch_timeout' trait of a K8sSpecInstaller instance expected an int, not the bool True."
        );
    }
}
