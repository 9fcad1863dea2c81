//! `jupyter-k8s-spec preview KERNELSPEC_DIR [--env NAME=VALUE ...] [--validate]` (an extension of
//! ours): the command line, help and output of the simulated launch of `launch::simulate`.

use std::io::Write;
use std::path::PathBuf;

use crate::launch::simulate::{render_dir, validate};
use crate::launch::yaml::Py;

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

/// Parses the words after `preview`; errors are usage errors (exit 2).
pub fn parse(args: &[String]) -> Result<PreviewCommand, String> {
    if args.iter().take_while(|a| *a != "--").any(|a| a == "-h" || a == "--help") {
        return Ok(PreviewCommand::Help);
    }
    let mut words = args.iter();
    let mut req = Request::default();
    let mut dir: Option<PathBuf> = None;
    let mut only_positional = false;
    while let Some(word) = words.next() {
        if !only_positional && word.starts_with('-') && word.len() > 1 {
            match word.as_str() {
                "--" => only_positional = true,
                "--validate" => req.validate = true,
                "--env" => {
                    let v = words.next().ok_or("option --env needs a value (NAME=VALUE)")?;
                    req.env.push(env_assignment(v)?);
                }
                w if w.starts_with("--env=") => req.env.push(env_assignment(&w[6..])?),
                _ => return Err(format!("unrecognized option {}", crate::py::repr::str_repr(word))),
            }
            continue;
        }
        if dir.is_some() {
            return Err(format!("unexpected argument {}", crate::py::repr::str_repr(word)));
        }
        dir = Some(PathBuf::from(word));
    }
    req.dir = dir.ok_or("the kernelspec directory is required: jupyter-k8s-spec preview KERNELSPEC_DIR")?;
    Ok(PreviewCommand::Preview(req))
}

fn env_assignment(text: &str) -> Result<(String, String), String> {
    let bad = || format!("invalid --env {}: expected NAME=VALUE", crate::py::repr::str_repr(text));
    let (name, value) = text.split_once('=').ok_or_else(bad)?;
    let ok_name = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !ok_name {
        return Err(bad());
    }
    Ok((name.to_string(), value.to_string()))
}

/// Runs `preview`; returns the exit status.
pub fn run(args: &[String]) -> i32 {
    let req = match parse(args) {
        Ok(PreviewCommand::Help) => {
            return crate::commands::output::print(crate::cli::help::command_help(crate::cli::options::Cmd::Preview), 0)
        }
        Ok(PreviewCommand::Preview(r)) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return 2;
        }
    };
    let getenv = |k: &str| std::env::var(k).ok();
    let preview = match render_dir(&req.dir, &req.env, &getenv) {
        Ok(p) => p,
        Err(e) => {
            // One line, whatever a message quotes.
            eprintln!("error: {}", e.replace(['\n', '\r'], " "));
            return 1;
        }
    };
    let status = crate::commands::output::print(&preview.text, 0);
    if status != 0 || !req.validate {
        return status;
    }
    let problems = validate(&preview.objects);
    if problems.is_empty() {
        return 0;
    }
    let mut err = std::io::stderr().lock();
    for p in &problems {
        let _ = writeln!(err, "{p}");
    }
    let what = preview.objects.first().and_then(|o| o.get("kind")).and_then(Py::as_str).unwrap_or("object");
    let n = problems.len();
    let _ = writeln!(err, "error: the {what} does not validate: {n} problem{}", if n == 1 { "" } else { "s" });
    1
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
            parse(&words(&[])).unwrap_err(),
            "the kernelspec directory is required: jupyter-k8s-spec preview KERNELSPEC_DIR"
        );
        assert_eq!(parse(&words(&["d", "--env", "X"])).unwrap_err(), "invalid --env 'X': expected NAME=VALUE");
        assert_eq!(parse(&words(&["d", "--env", "1X=a"])).unwrap_err(), "invalid --env '1X=a': expected NAME=VALUE");
        assert_eq!(parse(&words(&["d", "--env"])).unwrap_err(), "option --env needs a value (NAME=VALUE)");
        assert_eq!(parse(&words(&["d", "e"])).unwrap_err(), "unexpected argument 'e'");
        assert_eq!(parse(&words(&["d", "--x"])).unwrap_err(), "unrecognized option '--x'");
    }
}
