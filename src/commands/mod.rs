//! The commands: `install` (the reference's), `preview`, `rbac`, `completions`, `man` (ours),
//! and the help and version of the top level. The only layer that writes to standard output
//! (`output`) and decides exit statuses (`exit_codes`).

pub mod completions;
pub mod errors;
pub mod exit_codes;
pub mod install;
pub mod man;
pub mod output;
pub mod preview;
pub mod rbac;
pub mod rbac_manifest;

use crate::cli::argparse::{self as cli, Command};
use crate::cli::help;
use crate::cli::options::Cmd;
use crate::settings::paths::PathEnv;
use exit_codes::ExitCode;
use output::print;

/// Runs the command the words after the program name ask for.
pub fn run(args: &[String]) -> ExitCode {
    match cli::parse(args) {
        Err(e) => {
            // argparse wraps its usage block to COLUMNS, else the terminal's width, else 80.
            let columns = help::columns_from_env(std::env::var("COLUMNS").ok().as_deref()).or_else(output::columns);
            let usage = if e.install { help::usage(columns) } else { help::dispatcher_usage(columns) };
            eprintln!("{usage}jupyter-k8s-spec: error: {e}");
            ExitCode::from(&e)
        }
        Ok(Command::DispatcherHelp { all: true }) => print(help::dispatcher_help_all(), ExitCode::Success),
        Ok(Command::DispatcherHelp { all: false }) => {
            print(help::with_top_pointer(help::dispatcher_help()), ExitCode::Success)
        }
        Ok(Command::TopExtensionsHelp) => print(help::top_extensions(), ExitCode::Success),
        Ok(Command::Version) => print(format!("{}\n", env!("CARGO_PKG_VERSION")), ExitCode::Success),
        Ok(Command::NoSubcommand { warnings }) => {
            for w in warnings {
                eprintln!("[K8sProvisionerApp] WARNING | {w}");
            }
            print(help::with_top_pointer(help::no_subcommand()), ExitCode::Failure)
        }
        Ok(Command::InstallHelp { all }) => {
            let ctx = help_context(&PathEnv::from_process());
            let text =
                if all { help::install_help_all(&ctx) } else { help::with_install_pointer(help::install_help(&ctx)) };
            print(text, ExitCode::Success)
        }
        Ok(Command::InstallExtensionsHelp) => print(help::install_extensions(), ExitCode::Success),
        Ok(Command::PodOptionWithoutValue(e)) => {
            eprintln!("error: {e}");
            ExitCode::from(&e)
        }
        Ok(Command::Ours { command: Cmd::Rbac, args }) => rbac::run(&args),
        Ok(Command::Ours { command: Cmd::Preview, args }) => preview::run(&args),
        Ok(Command::Ours { command: Cmd::Completions, args }) => completions::run(&args),
        Ok(Command::Ours { command: Cmd::Man, args }) => man::run(&args),
        Ok(Command::Ours { command, .. }) => unreachable!("{command:?} is not one of our commands"),
        Ok(Command::Install(args)) => install::run(&args),
    }
}

fn help_context(env: &PathEnv) -> help::HelpContext {
    help::HelpContext {
        sys_prefix: env.sys_prefix.to_string_lossy().into_owned(),
        spark_home: env.vars.get("SPARK_HOME").cloned(),
    }
}
