//! The command line of `jupyter-k8s-spec rbac` (an extension of ours): its options, its help,
//! and its one-line errors (exit status 2).

use crate::commands::rbac_manifest::{self as rbac, Mode, Request, DEFAULT_NAMESPACE, DEFAULT_SERVICE_ACCOUNT};

/// What `rbac` was asked to do.
#[derive(Debug, PartialEq)]
pub enum RbacCommand {
    Help,
    Manifest(Request),
}

/// Parses the words after `rbac`. Options take their value as `--opt=value` or `--opt value`;
/// a repeated option keeps its last value.
pub fn parse(args: &[String]) -> Result<RbacCommand, String> {
    if args.iter().any(|a| a == "-h" || a == "--help") {
        return Ok(RbacCommand::Help);
    }
    let (mut mode, mut namespace, mut account) = (None, None, None);
    let mut words = args.iter();
    while let Some(word) = words.next() {
        let (name, inline) = match word.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n, Some(v.to_string())),
            _ => (word.as_str(), None),
        };
        let slot = match name {
            "--namespace-mode" => &mut mode,
            "--namespace" => &mut namespace,
            "--service-account" => &mut account,
            _ if word.starts_with('-') => {
                return Err(format!("unrecognized option {}", crate::py::repr::str_repr(word)))
            }
            _ => return Err(format!("unexpected argument {}", crate::py::repr::str_repr(word))),
        };
        let value = match inline {
            Some(v) => v,
            None => words
                .next()
                .filter(|v| !v.starts_with("--"))
                .cloned()
                .ok_or_else(|| format!("option {name} needs a value"))?,
        };
        *slot = Some(value);
    }
    let mode_text = mode.ok_or("the option --namespace-mode is required (shared, byo or auto)")?;
    let mode = Mode::parse(&mode_text).ok_or_else(|| {
        format!(
            "invalid --namespace-mode {}: expected one of {}",
            crate::py::repr::str_repr(&mode_text),
            Mode::NAMES.join(", ")
        )
    })?;
    let namespace = namespace.as_deref().unwrap_or(DEFAULT_NAMESPACE);
    let account = account.as_deref().unwrap_or(DEFAULT_SERVICE_ACCOUNT);
    Request::new(mode, namespace, account).map(RbacCommand::Manifest)
}

/// Runs `rbac` and returns the exit status.
pub fn run(args: &[String]) -> i32 {
    let text = match parse(args) {
        Ok(RbacCommand::Help) => crate::cli::help::command_help(crate::cli::options::Cmd::Rbac),
        Ok(RbacCommand::Manifest(req)) => rbac::manifest(&req),
        Err(e) => {
            eprintln!("error: {e}");
            return 2;
        }
    };
    crate::commands::output::print(text, 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &[&str]) -> Result<RbacCommand, String> {
        parse(&s.iter().map(|w| w.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn options() {
        let want = Request::new(Mode::Byo, "jupyter", "gw").unwrap();
        assert_eq!(
            p(&["--namespace-mode", "byo", "--namespace=jupyter", "--service-account", "gw"]),
            Ok(RbacCommand::Manifest(want.clone()))
        );
        assert_eq!(
            p(&["--namespace-mode=shared", "--namespace-mode=byo", "--namespace=jupyter", "--service-account=gw"]),
            Ok(RbacCommand::Manifest(want))
        );
        assert_eq!(
            p(&["--namespace-mode=auto"]),
            Ok(RbacCommand::Manifest(Request::new(Mode::Auto, "default", "gateway-provisioners").unwrap()))
        );
        assert_eq!(p(&["--bogus", "-h"]), Ok(RbacCommand::Help));
    }

    #[test]
    fn errors() {
        let e = |s: &[&str]| p(s).unwrap_err();
        assert_eq!(e(&[]), "the option --namespace-mode is required (shared, byo or auto)");
        assert_eq!(
            e(&["--namespace-mode=Shared"]),
            "invalid --namespace-mode 'Shared': expected one of shared, byo, auto"
        );
        assert_eq!(e(&["--namespace-mode"]), "option --namespace-mode needs a value");
        assert_eq!(e(&["--namespace-mode", "--namespace=x"]), "option --namespace-mode needs a value");
        assert_eq!(e(&["--namespace-mode=auto", "--ns=x"]), "unrecognized option '--ns=x'");
        assert_eq!(e(&["--namespace-mode=auto", "extra"]), "unexpected argument 'extra'");
        assert!(e(&["--namespace-mode=auto", "--namespace="]).starts_with("invalid --namespace '': "));
    }
}
