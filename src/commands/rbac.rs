//! The command line of `jupyter-k8s-spec rbac` (an extension of ours): its options, its help,
//! and its one-line errors (exit status 2).

use crate::cli::clap_model::{parse_ours, wants_help};
use crate::cli::help::command_help;
use crate::cli::options::Cmd;
use crate::commands::errors::RbacUsage;
use crate::commands::exit_codes::ExitCode;
use crate::commands::output::print;
use crate::commands::rbac_manifest::{self as rbac, Mode, Request, DEFAULT_NAMESPACE, DEFAULT_SERVICE_ACCOUNT};

/// What `rbac` was asked to do.
#[derive(Debug, PartialEq)]
pub enum RbacCommand {
    Help,
    Manifest(Request),
}

/// Parses the words after `rbac` (its entries in the option table, through clap). Options take
/// their value as `--opt=value` or `--opt value`; a repeated option keeps its last value.
pub fn parse(args: &[String]) -> Result<RbacCommand, RbacUsage> {
    if wants_help(args) {
        return Ok(RbacCommand::Help);
    }
    let m = parse_ours(Cmd::Rbac, args)?;
    let text = |id: &str| m.get_one::<String>(id).map(String::as_str);
    // clap has checked that it is there and one of the modes.
    let mode = text("namespace-mode").and_then(Mode::parse).unwrap_or(Mode::Shared);
    let namespace = text("namespace").unwrap_or(DEFAULT_NAMESPACE);
    let account = text("service-account").unwrap_or(DEFAULT_SERVICE_ACCOUNT);
    Ok(RbacCommand::Manifest(Request::new(mode, namespace, account)?))
}

/// Runs `rbac`.
pub fn run(args: &[String]) -> ExitCode {
    match parse(args) {
        Ok(RbacCommand::Help) => print(command_help(Cmd::Rbac), ExitCode::Success),
        Ok(RbacCommand::Manifest(req)) => print(rbac::manifest(&req), ExitCode::Success),
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(&e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &[&str]) -> Result<RbacCommand, String> {
        parse(&s.iter().map(|w| w.to_string()).collect::<Vec<_>>()).map_err(|e| e.to_string())
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
