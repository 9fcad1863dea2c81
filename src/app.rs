//! The command, top to bottom: parse the command line -> resolve settings (defaults,
//! environment, config files, command line) -> choose the kernel variant -> render kernel.json
//! -> install atomically. Returns the exit status.

use std::path::{Path, PathBuf};

use crate::cli::{self, Command, InstallArgs, UsageError};
use crate::log::Logger;
use crate::output::print;
use crate::paths::{self, Location, PathEnv};
use crate::settings::{self, BadConfig, Inputs, Settings};
use crate::{
    assets, clap_model, config_file, extensions, help, install, kernel_json, pod_options, preview, rbac_cli, report,
    variant,
};

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
        Ok(Command::InstallExtensionsHelp) => print(extensions::HELP, 0),
        Ok(Command::ExtensionUsageError { message }) => {
            eprintln!("error: {message}");
            2
        }
        Ok(Command::Rbac { args }) => rbac_cli::run(&args),
        Ok(Command::Preview { args }) => crate::preview::run(&args),
        Ok(Command::Completions { shell }) => match clap_model::shell(&shell) {
            Some(s) => print(clap_model::completions(s), 0),
            None => {
                let known: Vec<&str> = clap_model::SHELLS.iter().map(|(name, _)| *name).collect();
                eprintln!("error: unknown shell '{shell}' (expected one of: {})", known.join(", "));
                2
            }
        },
        Ok(Command::Man) => print(clap_model::man_page(), 0),
        Ok(Command::Install(args)) => match install_command(&args) {
            Ok(()) => 0,
            Err(code) => code,
        },
    }
}

fn usage_error(e: &UsageError) -> i32 {
    // argparse wraps its usage block to COLUMNS, else the terminal's width, else 80.
    let columns = help::columns_from_env(std::env::var("COLUMNS").ok().as_deref()).or_else(crate::sys::stdout_columns);
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

/// Runs `install`; on failure the error has been reported and the exit status is returned.
fn install_command(args: &InstallArgs) -> Result<(), i32> {
    let env = PathEnv::from_process();
    let getter = |k: &str| env.vars.get(k).cloned();
    let sys_prefix = env.sys_prefix.to_string_lossy().into_owned();
    let home = env.vars.get("HOME").cloned();
    let inputs = Inputs { env: &getter, sys_prefix: &sys_prefix, home: home.as_deref() };
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));

    // The command line alone first: its errors come before any file is read, and it names
    // the explicit config file.
    let (cli_settings, notes) = resolve_or_report(args, &[], &inputs)?;
    let config_path = paths::jupyter_config_path(&env);
    let explicit = cli_config_file(&cli_settings);
    let loaded = match config_file::load(&config_path, explicit.as_deref(), &cwd) {
        Ok(l) => l,
        Err(e) => {
            Logger::new(cli_settings.log_level).fatal(&e.to_string());
            return Err(1);
        }
    };
    let (s, _) = resolve_or_report(args, &loaded.entries, &inputs)?;
    let log = Logger::new(s.log_level);

    for line in &notes.unrecognized_aliases {
        log.warn(line);
    }
    let repeat_unknown = || notes.unknown_traits.iter().for_each(|l| log.warn(l));
    repeat_unknown();
    log.debug(&format!("Searching {} for config files", paths::python_list_repr(&config_path)));
    for line in &loaded.log {
        match line {
            config_file::LogLine::Debug(m) => log.debug(m),
            config_file::LogLine::Warning(m) => log.warn(m),
        }
    }
    // The reference reports unknown options once per configuration pass: four in all.
    (0..3).for_each(|_| repeat_unknown());

    if s.user && !s.prefix.is_empty() {
        log.fatal("Can't specify both user and prefix. Please choose one or the other.");
        return Err(1);
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
        Location::Prefix(PathBuf::from(&s.prefix))
    } else {
        Location::System
    };
    let kernels = paths::kernels_dir(&env, &location, &cwd);
    let dest = kernels.join(&name);
    let shown = dest.to_string_lossy().into_owned();
    let document = kernel_json::document(&plan, &s, &shown);
    // Our pod options (an extension): checked, and the template changed, before anything is written.
    let custom = match pod_options::prepare(&args.pod_options, &plan, &name, &document, &cwd) {
        Ok(c) => c,
        Err(e) => {
            log.fatal(&e);
            return Err(1);
        }
    };
    if dest.join("kernel.json").exists() && !s.replace {
        eprintln!("A kernel specification exists at '{shown}' and '--replace' has not been specified.  Terminating.");
        return Err(1);
    }
    let text = kernel_json::to_python_json(&document);
    let files = custom.apply(assets::files(plan.variant));
    let ext = args.extensions;
    // `--validate`: what would be installed, rendered as a launch with default values renders
    // it and checked against the Kubernetes schema, before anything is written.
    if ext.validate {
        if let Err(lines) = preview::validate_install(&document, &name, &files) {
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
            kernels.display(),
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

fn resolve_or_report(
    args: &InstallArgs,
    files: &[config_file::ConfigEntry],
    inputs: &Inputs,
) -> Result<(Settings, settings::Notes), i32> {
    settings::resolve(args, files, inputs).map_err(|BadConfig(detail)| {
        Logger::new(20).critical(&format!("Bad config encountered during initialization: {detail}"));
        1
    })
}

/// The `--config` value given on the command line, if any.
fn cli_config_file(s: &Settings) -> Option<PathBuf> {
    Some(PathBuf::from(&s.config_file)).filter(|f| !f.as_os_str().is_empty())
}
