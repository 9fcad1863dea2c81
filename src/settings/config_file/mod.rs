//! Configuration files of the installer, found and read as traitlets' `Application` does it
//! (`load_config_file(name, path)`): for each directory of the search path, lowest priority
//! first, `<name>.py` then `<name>.json`, each read into a traitlets `Config`, with the
//! reference's debug lines and its warning when the JSON file overrides the Python file.
//!
//! JSON files are read as Python's `json` module reads them ([`crate::py::json`]). Python files
//! are read without Python where that gives traitlets' result ([`python`]); otherwise they are
//! run by the environment's Python, as traitlets runs them ([`evaluate`]).
//!
//! Intended divergences from the reference, which logs and skips a file it cannot load:
//! * a config file that cannot be read, parsed or run is an error naming the file (and line);
//! * a JSON file whose section is not an object (`{"K8sSpecInstaller": 5}`) is an error;
//! * statements of a Python file that cannot affect the installer are not run, so one that
//!   would fail (an `import` of a module the Python lacks) does not make us ignore the file.

pub mod evaluate;
pub mod python;

use std::path::{Path, PathBuf};

use crate::py::json;
use crate::py::posixpath as pyos;
use crate::py::text;
use crate::py::value::Value;
use crate::settings::traitlets::config::{is_section_key, Config, Node};

pub use evaluate::Interpreter;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {}: {source}", show(file))]
    Io { file: PathBuf, source: std::io::Error },
    #[error("config file not found: {}", show(file))]
    Missing { file: PathBuf },
    #[error("unsupported config file {}: expected a file named *.py or *.json", show(file))]
    Unsupported { file: PathBuf },
    #[error("invalid JSON in config file {}:{line}:{column}: {msg}", show(file))]
    Json { file: PathBuf, line: usize, column: usize, msg: String },
    #[error("invalid config file {}: {msg}", show(file))]
    Content { file: PathBuf, msg: String },
    #[error("error in config file {}:{line}: {msg}", show(file))]
    Raised { file: PathBuf, line: usize, msg: String },
    #[error(
        "config file {}:{line}: {why}; running it needs Python, and none was found (looked for {looked})",
        show(file)
    )]
    NeedsPython { file: PathBuf, line: usize, why: String, looked: String },
    #[error("cannot evaluate config file {}: {msg}", show(file))]
    Evaluator { file: PathBuf, msg: String },
}

/// A path as Python would print it (undecodable bytes as `\udcff`).
fn show(p: &Path) -> String {
    text::backslashreplace(&text::from_path(p).unwrap_or_else(|_| p.to_string_lossy().into_owned())).into_owned()
}

/// A message for the installer's log, in the order the reference emits it.
#[derive(Debug, Clone, PartialEq)]
pub enum LogLine {
    Debug(String),
    /// May span several lines; the log formatter indents continuation lines.
    Warning(String),
}

/// What one `load_config_file` call read.
#[derive(Debug, Default)]
pub struct Loaded {
    /// Each file read (absolute, as Python names it) with its config, lowest priority first.
    pub files: Vec<(String, Config)>,
    /// The debug and warning lines, interleaved as the reference logs them.
    pub log: Vec<LogLine>,
    /// Whether some file had statements we skipped without running them.
    pub skipped: bool,
    /// How many files were found and read (`files` leaves out empty ones, as traitlets does).
    pub found: usize,
}

/// Where files are looked for and how Python files are run.
pub struct Context<'a> {
    /// `os.getcwd()`.
    pub cwd: &'a str,
    pub python: &'a Interpreter,
    /// Run every Python file that has statements we would skip (to show its whole config).
    pub full: bool,
    /// The environment (for `$VAR` in search directories).
    pub var: &'a dyn Fn(&str) -> Option<String>,
    /// `~` in search directories.
    pub home: Option<&'a str>,
    pub user_home: &'a dyn Fn(&str) -> Option<String>,
}

/// Where `load_config_file` searches: the config path (highest priority first) or one
/// directory (`""` is the working directory).
pub enum Search<'a> {
    Path(&'a [String]),
    Dir(&'a str),
}

/// `Application.load_config_file(filename, path)` up to the merge: finds and reads
/// `<stem>.py` and `<stem>.json` in each directory, lowest priority first.
pub fn load_config_file(filename: &str, search: Search, ctx: &Context) -> Result<Loaded, ConfigError> {
    let base = pyos::splitext_root(filename);
    let dirs: Vec<Option<&str>> = if pyos::isabs(base) {
        vec![None]
    } else {
        match search {
            Search::Path(p) => p.iter().map(|d| Some(d.as_str())).collect(),
            Search::Dir(d) => vec![Some(d)],
        }
    };
    let mut out = Loaded::default();
    for current in dirs.into_iter().rev() {
        let shown = match current {
            Some(d) if !d.is_empty() => d,
            _ => ctx.cwd,
        };
        out.log.push(LogLine::Debug(format!("Looking for {base} in {shown}")));
        let mut earlier: Vec<(String, Config)> = Vec::new();
        for ext in [".py", ".json"] {
            let Some(full) = filefind(&format!("{base}{ext}"), current.unwrap_or(""), ctx) else { continue };
            let config = read(&full, ext == ".py", ctx, &mut out.skipped)?;
            out.log.push(LogLine::Debug(format!("Loaded config file: {full}")));
            out.found += 1;
            if config.is_empty() {
                continue;
            }
            for (prev_file, prev) in &earlier {
                let found = prev.collisions(&config);
                if found.is_empty() {
                    continue;
                }
                let dump = Value::dict(
                    found
                        .into_iter()
                        .map(|(section, items)| {
                            let items = items.into_iter().map(|(k, m)| (Value::Str(k), Value::Str(m))).collect();
                            (Value::Str(section), Value::dict(items))
                        })
                        .collect(),
                );
                let dump = json::dumps(&dump, json::Dump { indent: Some(2), ..json::Dump::default() })
                    .expect("strings always serialise");
                out.log.push(LogLine::Warning(format!(
                    "Collisions detected in {prev_file} and {full} config files. {full} has higher priority: {dump}"
                )));
            }
            earlier.push((full.clone(), config.clone()));
            out.files.push((full, config));
        }
    }
    Ok(out)
}

/// traitlets' `filefind(filename, path)` for one directory: the absolute name of the file, if
/// it exists.
fn filefind(filename: &str, dir: &str, ctx: &Context) -> Option<String> {
    let filename = filename.trim_matches('"').trim_matches('\'');
    // Relative names are relative to the working directory (`cwd` is `os.getcwd()`).
    let is_file = |p: &str| text::to_path(&pyos::join(ctx.cwd, p)).is_file();
    if pyos::isabs(filename) && is_file(filename) {
        return Some(filename.to_string());
    }
    let dir = if dir == "." { ctx.cwd } else { dir };
    let joined = pyos::join(dir, filename);
    let test = pyos::expandvars(&pyos::expanduser(&joined, ctx.home, ctx.user_home), ctx.var);
    is_file(&test).then(|| pyos::abspath(&test, ctx.cwd))
}

/// Reads one file into a `Config`.
fn read(full: &str, is_python: bool, ctx: &Context, skipped: &mut bool) -> Result<Config, ConfigError> {
    let path = text::to_path(full);
    let bytes = std::fs::read(&path).map_err(|source| ConfigError::Io { file: path.clone(), source })?;
    let source = String::from_utf8(bytes).map_err(|e| ConfigError::Io {
        file: path.clone(),
        source: std::io::Error::new(std::io::ErrorKind::InvalidData, e.utf8_error()),
    })?;
    text::check(&source).map_err(|e| ConfigError::Content { file: path.clone(), msg: e.to_string() })?;
    if is_python {
        read_python(&path, &source, ctx, skipped)
    } else {
        read_json(&path, &source)
    }
}

fn read_python(path: &Path, source: &str, ctx: &Context, skipped: &mut bool) -> Result<Config, ConfigError> {
    let fast =
        python::read(source).map_err(|(line, msg)| ConfigError::Raised { file: path.to_path_buf(), line, msg })?;
    let (line, why) = match fast {
        python::Fast::Read { config, skipped: false } => return Ok(config),
        python::Fast::Read { config, skipped: true } if !ctx.full => {
            *skipped = true;
            return Ok(config);
        }
        python::Fast::Read { config, skipped: true } => {
            // Shown in full only when a Python can run it; otherwise what we read is the answer.
            if ctx.python.find().is_none() {
                *skipped = true;
                return Ok(config);
            }
            (0, String::new())
        }
        python::Fast::NeedsPython { line, why } => (line, why),
    };
    let dir = text::to_path(pyos::split(&text::from_path(path).unwrap_or_default()).0);
    match evaluate::evaluate(ctx.python, path, &dir) {
        Ok(config) => Ok(config),
        Err(evaluate::Failure::NoPython) => {
            Err(ConfigError::NeedsPython { file: path.to_path_buf(), line, why, looked: ctx.python.describe() })
        }
        Err(evaluate::Failure::Raised { file, line, msg }) => Err(ConfigError::Raised { file, line, msg }),
        Err(evaluate::Failure::Broken(msg)) => Err(ConfigError::Evaluator { file: path.to_path_buf(), msg }),
    }
}

/// `JSONFileConfigLoader`: `Config(json.load(f))` after taking out `version` (which must be 1).
fn read_json(path: &Path, source: &str) -> Result<Config, ConfigError> {
    let file = || path.to_path_buf();
    let value = json::loads(source).map_err(|e| ConfigError::Json {
        file: file(),
        line: e.line,
        column: e.column,
        msg: e.msg,
    })?;
    let Value::Dict(items) = value else {
        return Err(ConfigError::Content { file: file(), msg: "expected an object of configuration sections".into() });
    };
    let mut config = Config::new();
    for (k, v) in std::sync::Arc::unwrap_or_clone(items) {
        let Value::Str(key) = k else { continue };
        if key == "version" {
            if !v.py_eq(&Value::int(1)) {
                return Err(ConfigError::Content {
                    file: file(),
                    msg: format!("Unknown version of JSON config file: {}", v.repr()),
                });
            }
            continue;
        }
        if is_section_key(&key) && !matches!(v, Value::Dict(_)) {
            let msg = format!("section {} must be an object of trait values, not {}", json::quote(&key), v.describe());
            return Err(ConfigError::Content { file: file(), msg });
        }
        config.insert(&key, json_node(&key, v));
    }
    Ok(config)
}

/// `Config(dict)`: dicts under section names become sections; everything else stays as it is
/// (a value under a section name is refused later, when the config is copied).
fn json_node(key: &str, v: Value) -> Node {
    match v {
        Value::Dict(items) if is_section_key(key) => {
            let mut c = Config::new();
            for (k, v) in std::sync::Arc::unwrap_or_clone(items) {
                if let Value::Str(k) = k {
                    c.insert(&k, json_node(&k, v));
                }
            }
            Node::Section(c)
        }
        other => Node::Value(other),
    }
}

#[cfg(test)]
mod tests;
