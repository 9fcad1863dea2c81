//! Python config files that set our configurables with more than literals (`os.environ[...]`,
//! conditionals, `load_subconfig`) are run as traitlets runs them, by the Python of the
//! environment, through a small evaluator of our own (`evaluate.py`, embedded) that executes
//! the file with a traitlets-like `c` and prints the resulting config as tagged JSON.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::py::int::Int;
use crate::py::json;
use crate::py::value::Value;
use crate::settings::traitlets::config::{Config, Lazy, Node};

const SCRIPT: &str = include_str!("evaluate.py");

/// Which Python runs config files: the environment's (`<sys.prefix>/bin/python3`), else
/// `python3` on `PATH`.
#[derive(Debug, Clone, Default)]
pub struct Interpreter {
    /// Candidates in order; the first that exists is used.
    pub candidates: Vec<PathBuf>,
}

impl Interpreter {
    /// The candidates for an environment prefix and a `PATH` value.
    pub fn for_environment(sys_prefix: &Path, path_var: Option<&std::ffi::OsStr>) -> Interpreter {
        let mut candidates = if cfg!(windows) {
            vec![sys_prefix.join("python.exe"), sys_prefix.join("Scripts").join("python.exe")]
        } else {
            vec![sys_prefix.join("bin").join("python3"), sys_prefix.join("bin").join("python")]
        };
        if let Some(path) = path_var {
            let name = if cfg!(windows) { "python.exe" } else { "python3" };
            candidates.extend(std::env::split_paths(path).filter(|d| !d.as_os_str().is_empty()).map(|d| d.join(name)));
        }
        Interpreter { candidates }
    }

    pub fn find(&self) -> Option<&Path> {
        self.candidates.iter().find(|p| is_executable(p)).map(PathBuf::as_path)
    }

    /// How the candidates are named in an error message.
    pub fn describe(&self) -> String {
        let shown: Vec<String> = self.candidates.iter().take(2).map(|p| p.display().to_string()).collect();
        let mut text = shown.join(", ");
        if self.candidates.len() > 2 {
            text.push_str(", python3 on PATH");
        }
        text
    }
}

fn is_executable(p: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    }
    #[cfg(not(unix))]
    {
        p.is_file()
    }
}

/// Why an evaluation failed.
#[derive(Debug)]
pub enum Failure {
    /// No interpreter among the candidates.
    NoPython,
    /// The interpreter could not be run or its answer not read.
    Broken(String),
    /// The config file raised: where and what (`KeyError: 'IMG'`).
    Raised { file: PathBuf, line: usize, msg: String },
}

/// Runs `file` (which `load_subconfig` resolves against `dir`) and returns its config.
pub fn evaluate(python: &Interpreter, file: &Path, dir: &Path) -> Result<Config, Failure> {
    let exe = python.find().ok_or(Failure::NoPython)?;
    let out = Command::new(exe)
        .arg("-c")
        .arg(SCRIPT)
        .arg(file)
        .arg(dir)
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| Failure::Broken(format!("cannot run {}: {e}", exe.display())))?;
    let text = crate::py::text::decode(&out.stdout).map_err(|e| Failure::Broken(e.to_string()))?;
    let answer = json::loads(&text).map_err(|_| {
        let status = out.status.code().map_or_else(|| "a signal".to_string(), |c| format!("status {c}"));
        Failure::Broken(format!("{} ended with {status} without evaluating the file", exe.display()))
    })?;
    if let Some(err) = answer.get("error") {
        let field = |k: &str| match err.get(k) {
            Some(Value::Str(s)) => s.clone(),
            _ => String::new(),
        };
        let line = match err.get("line") {
            Some(Value::Int(i)) => i.to_u64().unwrap_or(0) as usize,
            _ => 0,
        };
        let msg = match field("message") {
            m if m.is_empty() => field("type"),
            m => format!("{}: {m}", field("type")),
        };
        return Err(Failure::Raised { file: crate::py::text::to_path(&field("file")), line, msg });
    }
    match answer.get("config").map(untag) {
        Some(Ok(Tagged::Config(c))) => Ok(c),
        Some(Err(e)) => Err(Failure::Broken(format!("cannot read the evaluator's answer: {e}"))),
        _ => Err(Failure::Broken("the evaluator's answer is not a config".into())),
    }
}

enum Tagged {
    Config(Config),
    Lazy(Lazy),
    Value(Value),
}

impl Tagged {
    fn value(self) -> Result<Value, String> {
        match self {
            Tagged::Value(v) => Ok(v),
            _ => Err("a config section inside a value".into()),
        }
    }
}

fn values(v: &Value) -> Result<Vec<Value>, String> {
    match v {
        Value::List(items) => items.iter().map(|i| untag(i)?.value()).collect(),
        _ => Err(format!("expected a list, got {}", v.repr())),
    }
}

fn pairs(v: &Value) -> Result<Vec<(Value, Value)>, String> {
    match v {
        Value::List(items) => items
            .iter()
            .map(|p| match p {
                Value::List(kv) if kv.len() == 2 => Ok((untag(&kv[0])?.value()?, untag(&kv[1])?.value()?)),
                _ => Err("expected a pair".to_string()),
            })
            .collect(),
        _ => Err("expected pairs".into()),
    }
}

/// Reads one tagged value of the evaluator's answer.
fn untag(v: &Value) -> Result<Tagged, String> {
    let Value::Dict(items) = v else {
        return match v {
            Value::None | Value::Bool(_) | Value::Str(_) => Ok(Tagged::Value(v.clone())),
            other => Err(format!("unexpected {}", other.repr())),
        };
    };
    let [(Value::Str(tag), body)] = items.as_slice() else { return Err("a tagged value".into()) };
    Ok(Tagged::Value(match tag.as_str() {
        "int" => match body {
            Value::Str(s) => Value::Int(Int::from_decimal(s).ok_or("an int")?),
            _ => return Err("an int".into()),
        },
        "float" => match body {
            Value::Str(s) => Value::Float(s.parse().map_err(|_| "a float")?),
            _ => return Err("a float".into()),
        },
        "bytes" => match body {
            Value::List(items) => Value::Bytes(
                items
                    .iter()
                    .map(|b| match b {
                        Value::Int(i) => i.to_u64().and_then(|x| u8::try_from(x).ok()).ok_or("a byte"),
                        _ => Err("a byte"),
                    })
                    .collect::<Result<_, _>>()?,
            ),
            _ => return Err("bytes".into()),
        },
        "list" => Value::list(values(body)?),
        "tuple" => Value::Tuple(values(body)?),
        "set" => Value::Set(values(body)?.into_iter().fold(Vec::new(), |mut acc, x| {
            Value::set_add(&mut acc, x);
            acc
        })),
        "dict" => Value::dict(pairs(body)?),
        "object" => match body {
            Value::List(parts) => match parts.as_slice() {
                [Value::Str(t), Value::Str(r)] => Value::Object { type_name: t.clone(), repr: r.clone() },
                _ => return Err("an object".into()),
            },
            _ => return Err("an object".into()),
        },
        "lazy" => {
            let field = |k: &str| body.get(k).cloned().unwrap_or(Value::list(Vec::new()));
            let update = match body.get("update") {
                None | Some(Value::None) => None,
                Some(u) => Some(untag(u)?.value()?),
            };
            return Ok(Tagged::Lazy(Lazy {
                extend: values(&field("extend"))?,
                prepend: values(&field("prepend"))?,
                inserts: pairs(&field("inserts"))?,
                update,
            }));
        }
        "config" => {
            let Value::List(entries) = body else { return Err("a config".into()) };
            let mut config = Config::new();
            for e in entries.iter() {
                let Value::List(kv) = e else { return Err("a config entry".into()) };
                let [Value::Str(k), v] = kv.as_slice() else { return Err("a config entry".into()) };
                let node = match untag(v)? {
                    Tagged::Config(c) => Node::Section(c),
                    Tagged::Lazy(l) => Node::Lazy(l),
                    Tagged::Value(v) => Node::Value(v),
                };
                config.insert(k, node);
            }
            return Ok(Tagged::Config(config));
        }
        other => return Err(format!("unknown tag {other}")),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn python() -> Interpreter {
        Interpreter::for_environment(Path::new("/nonexistent"), std::env::var_os("PATH").as_deref())
    }

    #[test]
    fn evaluates_a_config_file_with_python() {
        let python = python();
        assert!(python.find().is_some(), "the tests need python3 on PATH");
        let tmp = tempfile::tempdir().unwrap();
        let main = tmp.path().join("main.py");
        std::fs::write(
            &main,
            "import os\nc.ServerApp.max_buffer_size = 1024 * 1024\nc.K8sSpecInstaller.authorized_users.add('x')\n\
             c.K8sSpecInstaller.image_name = os.environ.get('K8S_SPEC_TEST_UNSET', 'dflt')\nload_subconfig('sub.py')\n\
             c.A.t = (1, 2.5, float('nan'), b'x', {1: {'s'}}, None, 10**30, '\\udcff')\nprint('to stderr')\n",
        )
        .unwrap();
        std::fs::write(tmp.path().join("sub.py"), "c.K8sSpecInstaller.display_name = 'sub'\n").unwrap();
        let config = evaluate(&python, &main, tmp.path()).unwrap();
        assert_eq!(
            config.repr(),
            "{'ServerApp': {'max_buffer_size': 1048576}, 'K8sSpecInstaller': {'authorized_users': <LazyConfigValue {'update': {'x'}}>, \
             'image_name': 'dflt', 'display_name': 'sub'}, 'A': {'t': (1, 2.5, nan, b'x', {1: {'s'}}, None, 1000000000000000000000000000000, '\\udcff')}}"
        );
        std::fs::write(&main, "c.A.b = 1\nc.K8sSpecInstaller.image_name = os.environ['IMG']\n").unwrap();
        match evaluate(&python, &main, tmp.path()) {
            Err(Failure::Raised { file, line, msg }) => {
                assert_eq!((file, line, msg.as_str()), (main.clone(), 2, "NameError: name 'os' is not defined"));
            }
            other => panic!("{other:?}"),
        }
        let none = Interpreter { candidates: vec![tmp.path().join("nope")] };
        assert!(matches!(evaluate(&none, &main, tmp.path()), Err(Failure::NoPython)));
    }
}
