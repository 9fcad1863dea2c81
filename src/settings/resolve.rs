//! What the installer was asked to do, taken from the traits once the configuration is loaded
//! ([`crate::settings::initialize`]): the values as set, else the reference's defaults (some from the
//! environment), and the checks we add where the reference would write a kernelspec that
//! cannot work.

use std::collections::BTreeSet;

use crate::py::int::Int;
use crate::py::repr::str_repr;
use crate::py::value::Value;
use crate::settings::traitlets::app::{default, level_number, Env, Installer};

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
    /// Any size Python allows that fits kernel.json readers (up to 2**64 - 1).
    pub launch_timeout: Int,
    pub ipykernel_subclass_name: String,
    pub spark_home: String,
    /// Lower-cased.
    pub spark_init_mode: String,
    pub extra_spark_opts: String,
    pub image_name: Option<String>,
    pub executor_image_name: Option<String>,
    pub log_level: u8,
    /// `--config`: an explicit configuration file.
    pub config_file: String,
}

/// A setting we refuse: the message of the "Bad config" line.
#[derive(Debug, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct BadConfig(pub String);

const INSTALLER: &str = crate::cli::options::INSTALLER;

/// The settings from the loaded traits.
pub fn resolve(app: &Installer, env: &Env) -> Result<Settings, BadConfig> {
    let var = |k: &str| (env.var)(k);
    let value = |name: &str| app.value(name, env);
    let bool_of = |name: &str| matches!(value(name), Value::Bool(true));
    let str_of = |name: &str| match value(name) {
        Value::Str(s) => s,
        _ => String::new(),
    };
    let opt_str_of = |name: &str| match value(name) {
        Value::Str(s) => Some(s),
        _ => None,
    };

    // The defaults as the option table gives them (`GP_UNAUTHORIZED_USERS`, else root).
    let strings = |v: Value| -> BTreeSet<String> {
        let Value::Set(items) = v else { return BTreeSet::new() };
        items.into_iter().filter_map(|i| if let Value::Str(s) = i { Some(s) } else { None }).collect()
    };
    let unauthorized_users_default = strings(default("unauthorized_users", env));
    // An empty GP_AUTHORIZED_USERS means "no restriction" (the reference writes [""], which
    // refuses everyone).
    let mut authorized_default = strings(default("authorized_users", env));
    if authorized_default.len() == 1 && authorized_default.contains("") {
        authorized_default.clear();
    }
    let users = |name: &str, default: BTreeSet<String>| -> Result<BTreeSet<String>, BadConfig> {
        let Some(Value::Set(items)) = app.get(name) else { return Ok(default) };
        items
            .iter()
            .map(|item| match item {
                Value::Str(s) => Ok(s.clone()),
                // Written as is, a non-string user name matches no user: every launch fails.
                other => Err(BadConfig(format!(
                    "The '{name}' trait of a {INSTALLER} instance must be a set of str, but a value of {} was specified.",
                    other.describe()
                ))),
            })
            .collect()
    };

    let launch_timeout = match app.get("launch_timeout") {
        Some(Value::Int(n)) => n.clone(),
        // Python's bool is an int, so traitlets lets it through and the reference writes
        // `"launch_timeout": true`; a timeout of `true` is a mistake, so we refuse it.
        Some(v @ Value::Bool(_)) => {
            return Err(BadConfig(format!(
                "The 'launch_timeout' trait of a {INSTALLER} instance expected an int, not the {}.",
                v.describe()
            )))
        }
        _ => launch_timeout_from_env(&var)?,
    };
    if launch_timeout.is_negative() {
        return Err(BadConfig(format!(
            "Invalid launch timeout {launch_timeout}: the number of seconds to wait for a kernel to start cannot be negative"
        )));
    }
    if launch_timeout.to_u64().is_none() {
        return Err(BadConfig(format!(
            "Invalid launch timeout {launch_timeout}: the largest number of seconds kernel.json can hold is {}",
            u64::MAX
        )));
    }

    let port_range = opt_str_of("port_range");
    if let Some(range) = &port_range {
        let min = var("GP_MIN_PORT_RANGE_SIZE")
            .and_then(|v| crate::py::int::parse(&v))
            .and_then(|i| i.to_i64())
            .unwrap_or(1000);
        check_port_range(range, min)?;
    }

    Ok(Settings {
        spark: bool_of("spark"),
        crd: bool_of("crd"),
        user: bool_of("user"),
        replace: bool_of("replace"),
        prefix: str_of("prefix"),
        kernel_name: str_of("kernel_name"),
        display_name: str_of("display_name"),
        language: str_of("language"),
        authorized_users: users("authorized_users", authorized_default)?,
        unauthorized_users: users("unauthorized_users", unauthorized_users_default.clone())?,
        unauthorized_users_default,
        port_range,
        launch_timeout,
        ipykernel_subclass_name: str_of("ipykernel_subclass_name"),
        spark_home: str_of("spark_home"),
        spark_init_mode: str_of("spark_init_mode").to_lowercase(),
        extra_spark_opts: str_of("extra_spark_opts"),
        image_name: opt_str_of("image_name"),
        executor_image_name: opt_str_of("executor_image_name"),
        log_level: level_number(&value("log_level")).unwrap_or(20),
        config_file: str_of("config_file"),
    })
}

/// The settings from the command line alone, with no environment (for tests of the layers
/// above).
#[cfg(test)]
pub fn from_command_line(args: &crate::cli::argparse::InstallArgs) -> Result<Settings, BadConfig> {
    let no_env = |_: &str| None;
    let env = Env {
        var: &no_env,
        home: crate::settings::traitlets::traits::Home { home: Some("/home/u"), user_home: &|_| None },
    };
    let cfg = crate::settings::traitlets::argv::cli_config(args, "/usr/local", &env.home, &mut |_| {})
        .map_err(|e| BadConfig(e.0))?;
    let mut app = Installer::new();
    app.update_config(&cfg, &env, &mut |_| {}).map_err(|e| BadConfig(e.0))?;
    resolve(&app, &env)
}

fn launch_timeout_from_env(env: &dyn Fn(&str) -> Option<String>) -> Result<Int, BadConfig> {
    let variables = crate::cli::options::find_trait("launch_timeout").map_or(&[][..], |t| t.env);
    for &var in variables {
        if let Some(text) = env(var) {
            return crate::py::int::parse(&text).ok_or_else(|| {
                BadConfig(format!("Invalid {var} value {}: expected a whole number of seconds", str_repr(&text)))
            });
        }
    }
    // The default is the option table's; it is an int there (tests::defaults holds it at 30).
    let Some(crate::cli::options::Initial::Int(n)) =
        crate::cli::options::find_trait("launch_timeout").map(|t| t.initial)
    else {
        unreachable!("the option table gives launch_timeout an int default")
    };
    Ok(Int::from_i64(n))
}

/// The checks the provisioner applies when it is constructed for a launch (which reads the
/// bounds with Python's `int()`), applied now so that a bad value fails the install instead of
/// every later launch.
fn check_port_range(range: &str, min_size: i64) -> Result<(), BadConfig> {
    let bad = |why: &str| BadConfig(format!("Invalid port range {}: {why}", str_repr(range)));
    if range.is_empty() {
        return Ok(());
    }
    let parts: Vec<&str> = range.split("..").collect();
    let [lower, upper] = parts[..] else {
        return Err(bad("expected LOWER..UPPER, e.g. 40000..41000, or 0..0 to disable it"));
    };
    let int = |s: &str| crate::py::int::parse(s).and_then(|i| i.to_i64());
    let (Some(lower), Some(upper)) = (int(lower), int(upper)) else {
        return Err(bad("the bounds must be whole numbers, e.g. 40000..41000, or 0..0 to disable it"));
    };
    let size = upper - lower;
    match size.cmp(&0) {
        std::cmp::Ordering::Equal => return Ok(()),
        std::cmp::Ordering::Less => return Err(bad("the upper port is below the lower port")),
        std::cmp::Ordering::Greater => {}
    }
    if size < min_size {
        return Err(bad(&format!("the range must span at least {min_size} ports (GP_MIN_PORT_RANGE_SIZE)")));
    }
    if !(1024..=65535).contains(&lower) || !(1024..=65535).contains(&upper) {
        return Err(bad("ports must lie between 1024 and 65535"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::argparse::{parse, Command};
    use crate::settings::traitlets::traits::Home;

    fn run_env(args: &[&str], env: &[(&str, &str)]) -> Result<Settings, String> {
        let mut words = vec!["install".to_string()];
        words.extend(args.iter().map(|s| s.to_string()));
        let Ok(Command::Install(cli)) = parse(&words) else { panic!("not an install") };
        let owned: Vec<(String, String)> = env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let getter = move |k: &str| owned.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        let env = Env { var: &getter, home: Home { home: Some("/home/u"), user_home: &|_| None } };
        let cfg =
            crate::settings::traitlets::argv::cli_config(&cli, "/venv", &env.home, &mut |_| {}).map_err(|e| e.0)?;
        let mut app = Installer::new();
        app.update_config(&cfg, &env, &mut |_| {}).map_err(|e| e.0)?;
        resolve(&app, &env).map_err(|e| e.0)
    }

    fn run(args: &[&str]) -> Settings {
        run_env(args, &[]).expect("valid")
    }

    fn bad(args: &[&str], env: &[(&str, &str)]) -> String {
        run_env(args, env).expect_err("should be rejected")
    }

    #[test]
    fn defaults() {
        let s = run(&[]);
        assert_eq!(s.kernel_name, "k8s_python");
        assert_eq!(s.display_name, "Kubernetes Python");
        assert_eq!(s.language, "Python");
        assert_eq!(s.launch_timeout, Int::from_i64(30));
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
        // Application has no kernel_name: the value is kept as text and applied by the installer.
        assert_eq!(run(&["--Application.kernel_name=zz"]).kernel_name, "zz");
    }

    #[test]
    fn values_traitlets_accepts() {
        assert_eq!(run(&["--display-name=~/x"]).display_name, "/home/u/x");
        assert_eq!(run(&["--display-name='\"abc\"'"]).display_name, "\"abc\"");
        assert_eq!(run(&["--kernel-name=None"]).kernel_name, "None");
        assert_eq!(run(&["--image-name=None"]).image_name, None);
        assert_eq!(run_env(&["--image-name=None"], &[("GP_IMAGE_NAME", "e")]).unwrap().image_name, None);
        assert_eq!(run(&["--image-name="]).image_name.as_deref(), Some(""));
        assert_eq!(run(&["--port-range=None"]).port_range, None);
        assert_eq!(run(&["--launch-timeout= 1_000 "]).launch_timeout, Int::from_i64(1000));
        assert_eq!(run(&["--launch-timeout=\u{664}\u{660}"]).launch_timeout, Int::from_i64(40));
        assert_eq!(run(&["--launch-timeout=9223372036854775808"]).launch_timeout.as_str(), "9223372036854775808");
        assert_eq!(
            run(&["--port-range=\u{664}0000..\u{664}1000"]).port_range.as_deref(),
            Some("\u{664}0000..\u{664}1000")
        );
        assert_eq!(run_env(&[], &[("GP_LAUNCH_TIMEOUT", "\u{664}\u{665}")]).unwrap().launch_timeout, Int::from_i64(45));
        assert_eq!(run(&["--spark-init-mode=EAGER"]).spark_init_mode, "eager");
        let s = run(&["--authorized-users=b", "--authorized-users=a,c", "--authorized-users=~/x"]);
        assert_eq!(s.authorized_users, BTreeSet::from(["a,c".into(), "b".into(), "~/x".into()]));
        let s = run_env(&[], &[("GP_AUTHORIZED_USERS", "alice,bob"), ("GP_UNAUTHORIZED_USERS", "x,y")]).unwrap();
        assert_eq!(s.authorized_users, BTreeSet::from(["alice".into(), "bob".into()]));
        assert_eq!(s.unauthorized_users, s.unauthorized_users_default);
        assert!(run_env(&[], &[("GP_AUTHORIZED_USERS", "")]).unwrap().authorized_users.is_empty());
        let s = run_env(&["--launch-timeout=5"], &[("GP_LAUNCH_TIMEOUT", "abc")]).unwrap();
        assert_eq!(s.launch_timeout, Int::from_i64(5));
        let s = run_env(&[], &[("SPARK_HOME", "/env/spark"), ("GP_PORT_RANGE", "30000..31000")]).unwrap();
        assert_eq!((s.spark_home.as_str(), s.port_range.as_deref()), ("/env/spark", Some("30000..31000")));
    }

    #[test]
    fn bad_values() {
        let cases: &[(&[&str], &str)] = &[
            (&["--launch-timeout=abc"], "The 'launch_timeout' trait of a K8sSpecInstaller instance expected an int, not the str 'abc'."),
            (&["--language=foo"], "Invalid language value foo, not in ['python', 'scala', 'r']"),
            (&["--spark-init-mode=bad"], "Invalid Spark initialization mode value 'bad', not in ['lazy', 'eager', 'none']"),
            (&["--log-level=15"], "The 'log_level' trait of a K8sSpecInstaller instance expected any of [0, 10, 20, 30, 40, 50, 'DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL'], not the int 15."),
            (&["--K8sSpecInstaller.spark=yes"], "The 'spark' trait of a K8sSpecInstaller instance expected a boolean, not the str 'yes'."),
            (&["--kernel-name=a", "--kernel-name=b"], "Error loading argument K8sSpecInstaller.kernel_name=['a', 'b'], kernel_name only accepts one value, got 2: ['a', 'b']"),
            (&["--K8sSpecInstaller.logging_config=x"], "The 'logging_config' trait of a K8sSpecInstaller instance expected a dict, not the list ['x']."),
            (&["--authorized-users=[1]"], "The 'authorized_users' trait of a K8sSpecInstaller instance must be a set of str, but a value of int 1 was specified."),
            (&["--launch-timeout=100000000000000000000"], "Invalid launch timeout 100000000000000000000: the largest number of seconds kernel.json can hold is 18446744073709551615"),
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
        // Each check with its own message: the order of the checks decides which one a range meets.
        let exact: &[(&str, &str)] = &[
            ("5..1", "Invalid port range '5..1': the upper port is below the lower port"),
            ("50000..40000", "Invalid port range '50000..40000': the upper port is below the lower port"),
            ("1..2", "Invalid port range '1..2': the range must span at least 1000 ports (GP_MIN_PORT_RANGE_SIZE)"),
            ("100..2000", "Invalid port range '100..2000': ports must lie between 1024 and 65535"),
        ];
        for (range, want) in exact {
            assert_eq!(bad(&[&format!("--port-range={range}")], &[]), *want);
        }
        for ok in ["0..0", "5..5", "40000..41000", ""] {
            run(&[&format!("--port-range={ok}")]);
        }
    }

    /// traitlets takes `True` for an int trait (Python's bool is an int); we refuse it instead of
    /// writing `"launch_timeout": true`, and do not fall back to the environment either.
    #[test]
    fn a_boolean_launch_timeout_is_refused() {
        use crate::settings::traitlets::config::{Config, Node};
        let mut section = Config::new();
        section.insert("launch_timeout", Node::Value(Value::Bool(true)));
        let mut cfg = Config::new();
        cfg.insert("K8sSpecInstaller", Node::Section(section));
        let getter = |k: &str| (k == "GP_LAUNCH_TIMEOUT").then(|| "45".to_string());
        let env = Env { var: &getter, home: Home { home: Some("/home/u"), user_home: &|_| None } };
        let mut app = Installer::new();
        app.update_config(&cfg, &env, &mut |_| {}).expect("traitlets accepts it");
        assert_eq!(
            resolve(&app, &env).expect_err("refused").0,
            "The 'launch_timeout' trait of a K8sSpecInstaller instance expected an int, not the bool True."
        );
    }

    /// The offered value sets are exactly what the installer accepts.
    #[test]
    fn choices_match_what_settings_accept() {
        let accepts = |alias: &str, value: &str| {
            let args = match crate::cli::argparse::parse(&["install".to_string(), format!("--{alias}={value}")]) {
                Ok(crate::cli::argparse::Command::Install(a)) => a,
                other => panic!("{other:?}"),
            };
            from_command_line(&args).is_ok()
        };
        for (trait_name, values) in crate::cli::options::CHOICES {
            let alias = crate::cli::options::ALIASES.iter().find(|(_, t)| t == trait_name).map(|(a, _)| *a).unwrap();
            for v in *values {
                assert!(accepts(alias, v), "--{alias}={v} rejected");
            }
            assert!(!accepts(alias, "bogus"), "--{alias}=bogus accepted");
        }
        let listed: Vec<String> = crate::cli::options::choices("log_level")
            .unwrap()
            .iter()
            .map(|v| if v.parse::<u8>().is_ok() { v.to_string() } else { format!("'{v}'") })
            .collect();
        assert_eq!(format!("[{}]", listed.join(", ")), crate::cli::options::LOG_LEVEL_CHOICES);
    }
}
