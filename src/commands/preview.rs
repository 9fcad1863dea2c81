//! `jupyter-k8s-spec preview KERNELSPEC_DIR [--env NAME=VALUE ...] [--validate]` (an extension of
//! ours): the command line, help and output of the simulated launch of `launch::simulate`.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::cli::clap_model::{parse_ours, wants_help, UsageError};
use crate::cli::help::command_help;
use crate::cli::options::Cmd;
use crate::commands::errors::PreviewFailure;
use crate::commands::exit_codes::ExitCode;
use crate::commands::output::print;
use crate::launch::simulate::{render_dir, validate};
use crate::py::repr::str_repr;
use crate::py::value::Value;
use crate::settings::paths::{self, PathEnv};

/// The parsed command line.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Request {
    pub dir: PathBuf,
    pub env: Vec<(String, String)>,
    pub validate: bool,
}

#[derive(Debug, PartialEq)]
pub enum PreviewCommand {
    Help,
    Preview(Request),
}

/// Parses the words after `preview` (its entries in the option table, through clap).
pub fn parse(args: &[String]) -> Result<PreviewCommand, UsageError> {
    if wants_help(args) {
        return Ok(PreviewCommand::Help);
    }
    let m = parse_ours(Cmd::Preview, args)?;
    let env = m.get_many::<String>("env").into_iter().flatten().map(|v| env_assignment(v)).collect::<Result<_, _>>()?;
    let dir = m.get_one::<String>("KERNELSPEC").map(PathBuf::from).unwrap_or_default();
    Ok(PreviewCommand::Preview(Request { dir, env, validate: m.get_flag("validate") }))
}

fn env_assignment(text: &str) -> Result<(String, String), UsageError> {
    let bad = || UsageError::Invalid(format!("invalid --env {}: expected NAME=VALUE", str_repr(text)));
    let (name, value) = text.split_once('=').ok_or_else(bad)?;
    let ok_name = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !ok_name {
        return Err(bad());
    }
    Ok((name.to_string(), value.to_string()))
}

/// Runs `preview`.
pub fn run(args: &[String]) -> ExitCode {
    let req = match parse(args) {
        Ok(PreviewCommand::Help) => return print(command_help(Cmd::Preview), ExitCode::Success),
        Ok(PreviewCommand::Preview(r)) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(&e);
        }
    };
    let getenv = |k: &str| std::env::var(k).ok();
    let dir = match locate(&req.dir) {
        Ok(dir) => dir,
        Err(e) => return fail(&e),
    };
    let preview = match render_dir(&dir, &req.env, &getenv) {
        Ok(p) => p,
        Err(e) => return fail(&PreviewFailure::from(e)),
    };
    let status = print(&preview.text, ExitCode::Success);
    if status != ExitCode::Success || !req.validate {
        return status;
    }
    let problems = validate(&preview.objects);
    let what = preview.objects.first().and_then(|o| o.get("kind")).and_then(Value::as_str).unwrap_or("object");
    let mut err = std::io::stderr().lock();
    if problems.is_empty() {
        let n = preview.objects.len();
        let _ = writeln!(
            err,
            "the {what} validates: {n} object{} checked against the Kubernetes schema shipped with this tool",
            if n == 1 { "" } else { "s" }
        );
        return status;
    }
    for p in &problems {
        let _ = writeln!(err, "{p}");
    }
    drop(err);
    fail(&PreviewFailure::Invalid { what: what.to_string(), count: problems.len() })
}

/// The directory of the kernelspec `KERNELSPEC` names: a path (one with a `/`, or `.` or `..`)
/// is that directory; a name is looked up on the Jupyter path as jupyter_client's
/// `KernelSpecManager` looks it up (the kernels directories in order, names compared in lower
/// case, a directory with a kernel.json), and is a directory of that name when no kernels
/// directory has it.
fn locate(word: &Path) -> Result<PathBuf, PreviewFailure> {
    let text = word.to_string_lossy();
    if text.contains(std::path::MAIN_SEPARATOR) || text.contains('/') || text == "." || text == ".." {
        return Ok(word.to_path_buf());
    }
    let env = PathEnv::from_process();
    let dirs = paths::searched_kernel_dirs(&env);
    let wanted = text.to_lowercase();
    for dir in &dirs {
        let Ok(entries) = std::fs::read_dir(dir) else { continue };
        let mut names: Vec<std::ffi::OsString> = entries.flatten().map(|e| e.file_name()).collect();
        names.sort();
        for name in names {
            let path = dir.join(&name);
            if name.to_string_lossy().to_lowercase() == wanted && path.join("kernel.json").is_file() {
                return Ok(path);
            }
        }
    }
    if word.is_dir() {
        return Ok(word.to_path_buf());
    }
    Err(PreviewFailure::NotFound { name: text.into_owned(), searched: paths::python_list_repr(&dirs) })
}

/// Reports a failure on one line, whatever a message quotes.
fn fail(e: &PreviewFailure) -> ExitCode {
    eprintln!("error: {}", e.to_string().replace(['\n', '\r'], " "));
    ExitCode::from(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &[&str]) -> Vec<String> {
        s.iter().map(|w| w.to_string()).collect()
    }

    #[test]
    fn command_line() {
        let p = parse(&words(&["dir", "--env", "KERNEL_A=1", "--env=B=x=y", "--validate"])).unwrap();
        assert_eq!(
            p,
            PreviewCommand::Preview(Request {
                dir: "dir".into(),
                env: vec![("KERNEL_A".into(), "1".into()), ("B".into(), "x=y".into())],
                validate: true
            })
        );
        assert_eq!(parse(&words(&["--bogus", "-h"])), Ok(PreviewCommand::Help));
        assert_eq!(
            parse(&words(&[])).unwrap_err().to_string(),
            "the kernelspec (its name, or its directory) is required: jupyter-k8s-spec preview KERNELSPEC"
        );
        assert_eq!(
            parse(&words(&["d", "--env", "X"])).unwrap_err().to_string(),
            "invalid --env 'X': expected NAME=VALUE"
        );
        assert_eq!(
            parse(&words(&["d", "--env", "1X=a"])).unwrap_err().to_string(),
            "invalid --env '1X=a': expected NAME=VALUE"
        );
        assert_eq!(parse(&words(&["d", "--env"])).unwrap_err().to_string(), "option --env needs a value (NAME=VALUE)");
        assert_eq!(parse(&words(&["d", "e"])).unwrap_err().to_string(), "unexpected argument 'e'");
        assert_eq!(parse(&words(&["d", "--x"])).unwrap_err().to_string(), "unrecognized option '--x'");
    }
}
