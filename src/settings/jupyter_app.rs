//! What the application does instead of installing when `Application.show_config`,
//! `Application.show_config_json` or `JupyterApp.generate_config` is set: print the loaded
//! configuration, or write the commented default config file, as traitlets and jupyter_core do.

use std::io::{BufRead, Write};

use crate::cli::options::CLASSES;
use crate::py::json;
use crate::py::pprint::pformat;
use crate::py::repr::str_repr;
use crate::py::value::Value;
use crate::settings::traitlets::config::{Config, Deferred, Node};

/// A config entry as the Python object it is (for printing).
fn to_value(node: &Node) -> Value {
    match node {
        Node::Section(c) => Value::dict(c.iter().map(|(k, v)| (Value::str(k), to_value(v))).collect()),
        Node::Value(v) => v.clone(),
        Node::Deferred(Deferred::Str(_)) => {
            Value::Object { type_name: "DeferredConfigString".into(), repr: node.repr() }
        }
        Node::Deferred(Deferred::List(_)) => {
            Value::Object { type_name: "DeferredConfigList".into(), repr: node.repr() }
        }
        Node::Lazy(_) => Value::Object { type_name: "LazyConfigValue".into(), repr: node.repr() },
    }
}

/// The config without the `show_config` settings of the installer's classes.
fn shown_config(config: &Config) -> Config {
    let mut config = config.clone();
    for class in CLASSES {
        if let Some(Node::Section(section)) = config.get(class).cloned() {
            let mut section = section;
            section.remove("show_config");
            section.remove("show_config_json");
            config.insert(class, Node::Section(section));
        }
    }
    config
}

fn sorted_keys(config: &Config) -> Vec<&str> {
    let mut keys: Vec<&str> = config.iter().map(|(k, _)| k).collect();
    keys.sort_by(|a, b| a.chars().map(crate::py::text::code_point).cmp(b.chars().map(crate::py::text::code_point)));
    keys
}

/// `start_show_config` with `show_config`: the loaded files, then each class's settings.
pub fn show_config(config: &Config, loaded_files: &[String]) -> String {
    let config = shown_config(config);
    let mut out = String::new();
    if !loaded_files.is_empty() {
        out.push_str("Loaded config files:\n");
        for f in loaded_files {
            out.push_str(&format!("  {f}\n"));
        }
        out.push('\n');
    }
    for class in sorted_keys(&config) {
        // Only sections are listed (the reference fails on a value at the top level).
        let Some(Node::Section(section)) = config.get(class) else { continue };
        if section.is_empty() {
            continue;
        }
        out.push_str(class);
        out.push('\n');
        for name in sorted_keys(section) {
            let value = to_value(section.get(name).expect("listed key"));
            out.push_str(&format!("  .{name} = {}\n", pformat(&value)));
        }
    }
    out
}

/// `start_show_config` with `show_config_json`: `json.dump(config, indent=1, sort_keys=True,
/// default=repr)` and a newline.
pub fn show_config_json(config: &Config) -> String {
    let config = shown_config(config);
    let value = json_value(&Node::Section(config));
    let opts = json::Dump { indent: Some(1), sort_keys: true, default_repr: true };
    let mut text = json::dumps(&value, opts).unwrap_or_else(|e| e.to_string());
    text.push('\n');
    text
}

/// What JSON sees: deferred command-line values are the strings and lists they subclass.
fn json_value(node: &Node) -> Value {
    match node {
        Node::Section(c) => Value::dict(c.iter().map(|(k, v)| (Value::str(k), json_value(v))).collect()),
        Node::Deferred(Deferred::Str(s)) => Value::Str(s.clone()),
        Node::Deferred(Deferred::List(items)) => Value::list(items.iter().map(Value::str).collect()),
        other => to_value(other),
    }
}

/// `generate_config_file()`: every configurable with its help and default, commented out.
pub fn generated_config(spark_home: &str) -> String {
    crate::cli::help::generated_config(spark_home)
}

/// How `write_default_config` ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Written {
    Yes,
    /// The user answered no.
    Declined,
}

/// Why the default config file was not written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GenerateError {
    /// The prompt or the message could not be written (a closed pipe is not an error: the
    /// writer the command passes ignores it, as every command's output does).
    #[error("cannot write to standard output: {message}")]
    Stdout { kind: std::io::ErrorKind, message: String },
    #[error("cannot read the answer: {0}")]
    Answer(String),
    /// Nothing came on standard input (the reference fails with `EOFError` here).
    #[error(
        "{} exists and no answer came on standard input; not overwritten (--JupyterApp.answer_yes=True overwrites it)",
        str_repr(.0)
    )]
    NoAnswer(String),
    #[error("cannot create {0}: {1}")]
    CreateDir(String, String),
    #[error("cannot write {0}: {1}")]
    Write(String, String),
}

fn stdout_error(e: std::io::Error) -> GenerateError {
    GenerateError::Stdout { kind: e.kind(), message: e.to_string() }
}

/// `write_default_config`: asks before replacing an existing file (unless `answer_yes`), then
/// writes the generated config to `file`, creating its directory (mode 0700).
pub fn write_default_config(
    file: &str,
    answer_yes: bool,
    spark_home: &str,
    input: &mut dyn BufRead,
    out: &mut dyn Write,
) -> Result<Written, GenerateError> {
    let path = crate::py::text::to_path(file);
    if path.exists() && !answer_yes {
        let prompt = format!("Overwrite {} with default config? [y/N]", str_repr(file));
        let mut ask = |out: &mut dyn Write| -> Result<String, GenerateError> {
            write!(out, "{prompt}").and_then(|_| out.flush()).map_err(stdout_error)?;
            let mut line = String::new();
            let n = input.read_line(&mut line).map_err(|e| GenerateError::Answer(e.to_string()))?;
            if n == 0 {
                let _ = writeln!(out);
                return Err(GenerateError::NoAnswer(file.to_string()));
            }
            let answer = line.trim_end_matches(['\n', '\r']).to_lowercase();
            Ok(if answer.is_empty() { "n".into() } else { answer })
        };
        let mut answer = ask(out)?;
        while !answer.starts_with('y') && !answer.starts_with('n') {
            writeln!(out, "Please answer 'yes' or 'no'").map_err(stdout_error)?;
            answer = ask(out)?;
        }
        if answer.starts_with('n') {
            return Ok(Written::Declined);
        }
    }
    writeln!(out, "Writing default config to: {}", str_repr(file)).map_err(stdout_error)?;
    let _ = out.flush();
    let parent = path.parent().map(std::path::Path::to_path_buf).unwrap_or_default();
    if !parent.as_os_str().is_empty() {
        create_dir_0700(&parent).map_err(|e| GenerateError::CreateDir(parent.display().to_string(), e.to_string()))?;
    }
    std::fs::write(&path, generated_config(spark_home))
        .map_err(|e| GenerateError::Write(path.display().to_string(), e.to_string()))?;
    Ok(Written::Yes)
}

/// `Path.mkdir(parents=True, mode=0o700)`, fine if it exists as a directory.
fn create_dir_0700(dir: &std::path::Path) -> std::io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    if let Some(parent) = dir.parent() {
        if !parent.as_os_str().is_empty() && !parent.is_dir() {
            std::fs::create_dir_all(parent)?;
        }
    }
    let mut b = std::fs::DirBuilder::new();
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
    match b.create(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && dir.is_dir() => Ok(()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_config_has_every_configurable() {
        let text = generated_config("/x/it's");
        assert!(text.starts_with("# Configuration file for jupyter-k8s-spec.\n\nc = get_config()  #noqa\n"));
        assert!(text.contains("# c.BaseSpecSparkApp.spark_home = \"/x/it's\"\n"));
        assert!(text.ends_with("# c.K8sSpecInstaller.user = False\n"));
        assert_eq!(text.lines().count(), 535);
        for t in crate::cli::options::TRAITS {
            assert!(text.contains(&format!("# c.K8sSpecInstaller.{} = ", t.name)), "{}", t.name);
        }
    }

    #[test]
    fn asks_before_overwriting() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("cfg/jupyter_k8s_spec_config.py");
        let name = file.to_str().unwrap();
        let mut out = Vec::new();
        assert_eq!(write_default_config(name, false, "/opt/spark", &mut &b""[..], &mut out), Ok(Written::Yes));
        assert_eq!(String::from_utf8(out).unwrap(), format!("Writing default config to: '{name}'\n"));
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(tmp.path().join("cfg")).unwrap().permissions().mode() & 0o777, 0o700);
        std::fs::write(&file, "mine").unwrap();
        let mut out = Vec::new();
        let r = write_default_config(name, false, "/opt/spark", &mut &b"maybe\n\nq\nyes\n"[..], &mut out);
        assert_eq!(r, Ok(Written::Declined));
        let prompt = format!("Overwrite '{name}' with default config? [y/N]");
        assert_eq!(String::from_utf8(out).unwrap(), format!("{prompt}Please answer 'yes' or 'no'\n{prompt}"));
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "mine");
        let mut out = Vec::new();
        assert_eq!(write_default_config(name, false, "/opt/spark", &mut &b"Y\n"[..], &mut out), Ok(Written::Yes));
        assert!(std::fs::read_to_string(&file).unwrap().starts_with("# Configuration file"));
        let err =
            write_default_config(name, false, "/opt/spark", &mut &b""[..], &mut Vec::new()).unwrap_err().to_string();
        assert!(err.contains("answer_yes"), "{err}");
    }
}
