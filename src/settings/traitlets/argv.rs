//! The command line as config (traitlets' `KVArgParseConfigLoader._convert_to_config`): each
//! `--Class.trait` value is put into a `Config` at its dotted path, converted at once when the
//! command line knows the trait, kept as text otherwise; flags are applied last.

use crate::cli::argparse::{CliValue, InstallArgs};
use crate::cli::options::{class_has_trait, find_trait, Flag, CLI_CLASSES, INSTALLER};
use crate::py::repr::{list_repr, str_repr};
use crate::py::value::Value;

use super::config::{Config, Deferred, Node};
use super::traits::{deferred_value, Home, TraitError};

/// The trait the command line knows for `Class.trait` (traitlets' `argparse_traits`).
fn known_trait(lhs: &str) -> Option<&'static crate::cli::options::Trait> {
    let (class, name) = lhs.split_once('.')?;
    if name.contains('.') || !CLI_CLASSES.contains(&class) || !class_has_trait(class, name) {
        return None;
    }
    find_trait(name)
}

/// Builds the command-line config. `warn` receives the "Unrecognized alias" warnings as they
/// occur; an `Err` is the "Bad config" message.
pub fn cli_config(
    args: &InstallArgs,
    sys_prefix: &str,
    home: &Home,
    warn: &mut dyn FnMut(String),
) -> Result<Config, TraitError> {
    let mut config = Config::new();
    for (lhs, value) in &args.settings {
        if !lhs.contains('.') {
            warn(format!("Unrecognized alias: '{lhs}', it will have no effect."));
        }
        let rhs = match value {
            CliValue::One(s) => Deferred::Str(s.clone()),
            CliValue::Many(items) => Deferred::List(items.clone()),
        };
        let shown = match &rhs {
            Deferred::Str(s) => str_repr(s),
            Deferred::List(items) => list_repr(items),
        };
        exec_config_str(&mut config, lhs, rhs, home)
            .map_err(|e| TraitError(format!("Error loading argument {lhs}={shown}, {e}")))?;
    }
    // Flags update the installer's section directly (traitlets promotes every flag's section to
    // the installer, its only subclass).
    for flag in &args.flags {
        let (name, value) = match flag {
            Flag::Spark => ("spark", Value::Bool(true)),
            Flag::Crd => ("crd", Value::Bool(true)),
            Flag::Tensorflow => ("tensorflow", Value::Bool(true)),
            Flag::User => ("user", Value::Bool(true)),
            Flag::Replace => ("replace", Value::Bool(true)),
            Flag::SysPrefix => ("prefix", Value::str(sys_prefix)),
            Flag::Debug => ("log_level", Value::int(10)),
        };
        match config.entry(INSTALLER) {
            Ok(Node::Section(section)) => section.insert(name, Node::Value(value)),
            _ => return Err(TraitError(format!("cannot apply the --{name} flag"))),
        }
    }
    Ok(config)
}

/// `_exec_config_str`: `config.<lhs> = <rhs>`, with Python's errors for paths that do not lead
/// to a section.
fn exec_config_str(config: &mut Config, lhs: &str, rhs: Deferred, home: &Home) -> Result<(), String> {
    let node = match known_trait(lhs) {
        Some(t) => Node::Value(deferred_value(t, &rhs, home).map_err(|e| e.0)?),
        None => match rhs {
            Deferred::List(items) if items.len() == 1 => Node::Deferred(Deferred::Str(home_expand(&items[0], home))),
            other => Node::Deferred(other),
        },
    };
    let parts: Vec<&str> = lhs.split('.').collect();
    let (key, path) = parts.split_last().expect("split yields at least one part");
    // `section = section[part]` for each part: only a Config can be subscripted.
    let mut section = config;
    for (i, part) in path.iter().enumerate() {
        let node = section.entry(part).map_err(|e| e.0)?;
        if let Node::Section(c) = node {
            section = c;
            continue;
        }
        let name = object_name(node);
        return Err(if i + 1 < path.len() {
            format!("{name} is not subscriptable")
        } else {
            format!("{name} does not support item assignment")
        });
    }
    section.set(key, node).map_err(|e| e.0)
}

fn home_expand(s: &str, home: &Home) -> String {
    crate::py::posixpath::expanduser(s, home.home, home.user_home)
}

/// How Python names the object in its `TypeError`s.
fn object_name(node: &Node) -> String {
    let ty = match node {
        Node::Lazy(_) => "LazyConfigValue",
        Node::Deferred(Deferred::Str(_)) => "DeferredConfigString",
        Node::Deferred(Deferred::List(_)) => "DeferredConfigList",
        Node::Value(v) => return format!("'{}' object", v.type_name()),
        Node::Section(_) => "Config",
    };
    format!("'{ty}' object")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::argparse::{parse, Command};

    fn run(args: &[&str]) -> (Result<String, String>, Vec<String>) {
        let mut words = vec!["install".to_string()];
        words.extend(args.iter().map(|s| s.to_string()));
        let Ok(Command::Install(cli)) = parse(&words) else { panic!("not an install") };
        let home = Home { home: Some("/home/u"), user_home: &|_| None };
        let mut warnings = Vec::new();
        let r = cli_config(&cli, "/venv", &home, &mut |w| warnings.push(w)).map(|c| c.repr()).map_err(|e| e.0);
        (r, warnings)
    }

    /// The "Bad config" messages of the reference for keys that are not `Class.trait`.
    #[test]
    fn malformed_keys_as_the_reference_reports_them() {
        let cases = [
            ("--k8sspecinstaller.spark=True", "Error loading argument k8sspecinstaller.spark=['True'], 'LazyConfigValue' object does not support item assignment"),
            ("--foo.bar=1", "Error loading argument foo.bar=['1'], 'LazyConfigValue' object does not support item assignment"),
            ("--a.b.c=1", "Error loading argument a.b.c=['1'], 'LazyConfigValue' object is not subscriptable"),
            ("--K8sSpecInstaller.Spark=True", "Error loading argument K8sSpecInstaller.Spark=['True'], values whose keys begin with an uppercase char must be Config instances: 'Spark', DeferredConfigString('True')"),
        ];
        for (arg, want) in cases {
            assert_eq!(run(&[arg]).0, Err(want.to_string()), "{arg}");
        }
    }

    #[test]
    fn values_known_traits_and_flags() {
        let (r, w) = run(&[
            "--launch-timeout=\u{664}\u{660}",
            "--Foo.bar=~/x",
            "--kernel_name=x",
            "--user",
            "--Application.log_level=DEBUG",
        ]);
        assert_eq!(
            r.unwrap(),
            "{'K8sSpecInstaller': {'launch_timeout': 40, 'user': True}, 'Foo': {'bar': DeferredConfigString('/home/u/x')}, 'kernel_name': DeferredConfigString('x'), 'Application': {'log_level': 'DEBUG'}}"
        );
        assert_eq!(w, vec!["Unrecognized alias: 'kernel_name', it will have no effect.".to_string()]);
        assert_eq!(
            run(&["--kernel-name=a", "--kernel-name=b"]).0,
            Err("Error loading argument K8sSpecInstaller.kernel_name=['a', 'b'], kernel_name only accepts one value, got 2: ['a', 'b']".into())
        );
        // Not a trait the command line knows: kept as text, several values as a list.
        let (r, _) = run(&[
            "--Configurable.kernel_name=a",
            "--Configurable.kernel_name=b",
            "--K8sProvisionerApp.K8sSpecInstaller.image_name=n",
        ]);
        assert_eq!(
            r.unwrap(),
            "{'Configurable': {'kernel_name': DeferredConfigList(['a', 'b'])}, 'K8sProvisionerApp': {'K8sSpecInstaller': {'image_name': DeferredConfigString('n')}}}"
        );
        let (r, _) = run(&["--sys-prefix", "--debug", "--launch-timeout=abc"]);
        assert_eq!(r.unwrap(), "{'K8sSpecInstaller': {'launch_timeout': 'abc', 'prefix': '/venv', 'log_level': 10}}");
    }
}
