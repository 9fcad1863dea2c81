//! The command, top to bottom: parse the command line -> resolve settings (defaults,
//! environment, config files, command line) -> choose the kernel variant -> render kernel.json
//! -> install atomically. Returns the exit status.

pub mod completions;
pub mod man;
pub mod output;
pub mod preview;
pub mod rbac;
pub mod rbac_manifest;

use std::path::{Path, PathBuf};

use crate::cli::argparse::{self as cli, Command, InstallArgs, UsageError};
use crate::cli::help;
use crate::commands::output::print;
use crate::install::{self, report};

use crate::py::value::Value;
use crate::render::{kernel_json, pod_template as pod_options};
use crate::settings::log::Logger;
use crate::settings::paths::{self, Location, PathEnv};
use crate::settings::resolve::{self as settings, BadConfig};
use crate::settings::traitlets::app::{Env, Installer};
use crate::settings::traitlets::traits::Home;
use crate::settings::{config_file, initialize, jupyter_app};
use crate::variant::{assets, decision as variant};
use rbac as rbac_cli;

pub fn run(args: &[String]) -> i32 {
    match cli::parse(args) {
        Err(e) => usage_error(&e),
        Ok(Command::DispatcherHelp { all }) => {
            print(&if all { help::dispatcher_help_all() } else { help::dispatcher_help() }, 0)
        }
        Ok(Command::Version) => print(format!("{}\n", env!("CARGO_PKG_VERSION")), 0),
        Ok(Command::NoSubcommand { warnings }) => {
            for w in warnings {
                eprintln!("[K8sProvisionerApp] WARNING | {w}");
            }
            print(help::no_subcommand(), 1)
        }
        Ok(Command::InstallHelp { all }) => {
            let ctx = help_context(&PathEnv::from_process());
            print(&if all { help::install_help_all(&ctx) } else { help::install_help(&ctx) }, 0)
        }
        Ok(Command::InstallExtensionsHelp) => print(help::install_extensions(), 0),
        Ok(Command::ExtensionUsageError { message }) => {
            eprintln!("error: {message}");
            2
        }
        Ok(Command::Rbac { args }) => rbac_cli::run(&args),
        Ok(Command::Preview { args }) => preview::run(&args),
        Ok(Command::Completions { shell }) => match completions::shell(&shell) {
            Some(s) => print(completions::completions(s), 0),
            None => {
                let known: Vec<&str> = completions::SHELLS.iter().map(|(name, _)| *name).collect();
                eprintln!("error: unknown shell '{shell}' (expected one of: {})", known.join(", "));
                2
            }
        },
        Ok(Command::Man) => print(man::man_page(), 0),
        Ok(Command::Install(args)) => match install_command(&args) {
            Ok(()) => 0,
            Err(code) => code,
        },
    }
}

fn usage_error(e: &UsageError) -> i32 {
    // argparse wraps its usage block to COLUMNS, else the terminal's width, else 80.
    let columns =
        help::columns_from_env(std::env::var("COLUMNS").ok().as_deref()).or_else(crate::settings::sys::stdout_columns);
    let usage = if e.install { help::usage(columns) } else { help::dispatcher_usage(columns) };
    eprintln!("{usage}jupyter-k8s-spec: error: {}", e.message);
    2
}

fn help_context(env: &PathEnv) -> help::HelpContext {
    help::HelpContext {
        sys_prefix: env.sys_prefix.to_string_lossy().into_owned(),
        spark_home: env.vars.get("SPARK_HOME").cloned(),
    }
}

/// A path as Python holds it (undecodable bytes kept as escapes; see `py::text`).
fn py_path(p: &Path) -> Result<String, String> {
    crate::py::text::from_path(p).map_err(|e| format!("{}: {e}", p.display()))
}

/// Whether the command line alone asks for `show_config` (then Python config files are run in
/// full, so that what they set for other applications is shown too).
fn wants_show_config(args: &InstallArgs, env: &Env, sys_prefix: &str) -> bool {
    let Ok(cli) = crate::settings::traitlets::argv::cli_config(args, sys_prefix, &env.home, &mut |_| {}) else {
        return false;
    };
    let mut app = Installer::new();
    if app.update_config(&cli, env, &mut |_| {}).is_err() {
        return false;
    }
    ["show_config", "show_config_json"].iter().any(|n| matches!(app.get(n), Some(Value::Bool(true))))
}

/// Runs `install`; on failure the error has been reported and the exit status is returned.
fn install_command(args: &InstallArgs) -> Result<(), i32> {
    let env = PathEnv::from_process();
    let mut log = Logger::new(20);
    let fail = |log: &Logger, msg: &str| {
        log.fatal(msg);
        1
    };
    if let Some(var) = paths::unrepresentable_env_vars().first() {
        let msg = format!(
            "environment variable {var} contains one of the characters U+10FF80..U+10FFFF, which this tool reserves for bytes that are not UTF-8"
        );
        return Err(fail(&log, &msg));
    }
    let cwd_path = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let cwd = py_path(&cwd_path).map_err(|e| fail(&log, &e))?;
    let sys_prefix = py_path(&env.sys_prefix).map_err(|e| fail(&log, &e))?;
    let config_path: Vec<String> = paths::jupyter_config_path(&env)
        .iter()
        .map(|p| py_path(p))
        .collect::<Result<_, _>>()
        .map_err(|e| fail(&log, &e))?;
    let getter = |k: &str| env.vars.get(k).cloned();
    // `os.path.expanduser` takes HOME, else the user database.
    let home = env.vars.get("HOME").cloned().or_else(paths::passwd_home);
    let user_home = |u: &str| crate::settings::sys::home_of_user(u);
    let tenv = Env { var: &getter, home: Home { home: home.as_deref(), user_home: &user_home } };
    let python = config_file::Interpreter::for_environment(&env.sys_prefix, std::env::var_os("PATH").as_deref());
    let setup = initialize::Setup {
        env: Env { var: &getter, home: Home { home: home.as_deref(), user_home: &user_home } },
        cwd: &cwd,
        sys_prefix: &sys_prefix,
        config_path: &config_path,
        python: &python,
        full: wants_show_config(args, &tenv, &sys_prefix),
    };
    let init = initialize::initialize(args, &setup, &mut log).map_err(|initialize::Exit(code)| code)?;
    let app = &init.app;
    let is_true = |name: &str| matches!(app.value(name, &tenv), Value::Bool(true));

    // start(): show_config replaces it; generate_config runs instead of installing.
    if is_true("show_config") || is_true("show_config_json") {
        let text = if is_true("show_config_json") {
            jupyter_app::show_config_json(&app.config)
        } else {
            jupyter_app::show_config(&app.config, &init.loaded_files)
        };
        return match print(text, 0) {
            0 => Ok(()),
            status => Err(status),
        };
    }
    if is_true("generate_config") {
        let text = |name: &str| match app.value(name, &tenv) {
            Value::Str(s) => s,
            _ => String::new(),
        };
        let file = match text("config_file") {
            f if !f.is_empty() => f,
            _ => {
                let dir = py_path(&paths::jupyter_config_dir(&env)).map_err(|e| fail(&log, &e))?;
                crate::py::os::join(&dir, &format!("{}.py", text("config_file_name")))
            }
        };
        let stdin = std::io::stdin();
        let mut input = stdin.lock();
        let mut out = std::io::stdout().lock();
        jupyter_app::write_default_config(&file, is_true("answer_yes"), &text("spark_home"), &mut input, &mut out)
            .map_err(|e| fail(&log, &e))?;
        return Ok(());
    }

    let s = settings::resolve(app, &tenv).map_err(|BadConfig(detail)| {
        log.fatal_critical(&format!("Bad config encountered during initialization: {detail}"));
        initialize::exiting(&log).0
    })?;

    if s.user && !s.prefix.is_empty() {
        log.fatal("Can't specify both user and prefix. Please choose one or the other.");
        return Err(initialize::exiting(&log).0);
    }
    let plan = match variant::plan(&s) {
        Ok(p) => p,
        Err(e) => {
            log.fatal(&e);
            return Err(1);
        }
    };
    for w in &plan.warnings {
        log.warn(w);
    }

    let name = plan.kernel_name.to_lowercase();
    if let Err(e) = install::check_kernel_name(&name) {
        log.fatal(&e);
        return Err(1);
    }
    let location = if s.user {
        Location::User
    } else if !s.prefix.is_empty() {
        Location::Prefix(crate::py::text::to_path(&s.prefix))
    } else {
        Location::System
    };
    let kernels = paths::kernels_dir(&env, &location, &cwd_path);
    let dest = kernels.join(crate::py::text::to_path(&name));
    // The destination as Python's string: byte for byte in kernel.json (`\udcff` for a byte that
    // is not UTF-8) and in the log.
    let shown = py_path(&dest).map_err(|e| fail(&log, &e))?;
    let document = kernel_json::document(&plan, &s, &shown);
    // Our pod options (an extension): checked, and the template changed, before anything is written.
    let custom = match pod_options::prepare(&args.pod_options, &plan, &name, &document, &cwd_path) {
        Ok(c) => c,
        Err(e) => {
            log.fatal(&e);
            return Err(1);
        }
    };
    if dest.join("kernel.json").exists() && !s.replace {
        eprintln!(
            "A kernel specification exists at '{}' and '--replace' has not been specified.  Terminating.",
            crate::py::text::backslashreplace(&shown)
        );
        return Err(1);
    }
    let text = kernel_json::to_python_json(&document);
    let files = custom.apply(assets::files(plan.variant));
    let ext = args.extensions;
    // `--validate`: what would be installed, rendered as a launch with default values renders
    // it and checked against the Kubernetes schema, before anything is written.
    if ext.validate {
        if let Err(lines) = crate::render::validate::validate_install(&document, &name, &files) {
            for line in lines {
                log.fatal(&format!("--validate: {line}"));
            }
            return Err(1);
        }
    }

    log.info(&format!("Installing kernel specification for '{}'", plan.display_name));
    log.debug(&format!("Installing kernelspec in {shown}"));
    let search = paths::kernel_dirs(&env);
    if !search.iter().any(|d| same_dir(d, &kernels)) {
        log.warn(&format!(
            "Installing to {}, which is not in {}. The kernelspec may not be found.",
            py_path(&kernels).map_err(|e| fail(&log, &e))?,
            paths::python_list_repr(&search)
        ));
    }
    let on_event = |event: install::Event| log_install_event(&log, &shown, event);
    // A dry run checks what the install would run into and touches nothing (not even a lock).
    let outcome = if ext.dry_run {
        install::preflight(&dest)
    } else {
        install::install(&dest, &files, &text, s.replace, &on_event)
    };
    let outcome = match outcome {
        Ok(o) => o,
        // Another installer got there first: the reference's words, as for the check above.
        Err(e @ install::InstallError::Exists(_)) => {
            eprintln!("{e}");
            return Err(1);
        }
        Err(e) => {
            log.fatal(&e.to_string());
            return Err(1);
        }
    };
    if !ext.dry_run {
        log.info(&format!("Installed kernelspec {name} in {shown}"));
    }
    log.debug(&format!("Finalizing kernel json file for kernel: '{}'", plan.display_name));
    if ext.dry_run || ext.json {
        let replaced = outcome == install::Outcome::Replaced;
        let r = report::Report::new(&name, &plan, &shown, &files, &text, replaced, ext.dry_run);
        match print(if ext.json { r.to_json() } else { r.to_text() }, 0) {
            0 => {}
            status => return Err(status),
        }
    }
    Ok(())
}

/// The log line of each thing an install reports on its way.
fn log_install_event(log: &Logger, shown: &str, event: install::Event) {
    use install::Event;
    match event {
        Event::Waiting { kernels } => {
            log.info(&format!("Waiting for another install into {} to finish", kernels.display()))
        }
        Event::Replacing => log.info(&format!("Removing existing kernelspec in {shown}")),
        Event::InSteps { error } => log.debug(&format!(
            "The file system cannot exchange the kernelspecs in one step ({error}): removing the old one, then renaming the new one into place"
        )),
        Event::Finished { dest } => log.warn(&format!(
            "An interrupted install had left a complete kernelspec waiting; it is now in place in {}",
            dest.display()
        )),
        Event::OldKept { path, error } => log.warn(&format!(
            "The new kernelspec is in place, but the previous one could not be removed ({error}); it is left in {}",
            path.display()
        )),
        Event::Left { path, error } => {
            log.warn(&format!("Could not remove {}, left by an interrupted install: {error}", path.display()))
        }
    }
}

/// jupyter_client compares the directories as strings.
fn same_dir(a: &Path, b: &Path) -> bool {
    a.as_os_str() == b.as_os_str()
}
