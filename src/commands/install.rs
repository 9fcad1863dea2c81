//! `jupyter-k8s-spec install`, top to bottom: the command line (already parsed by the
//! reference's parser) -> settings (defaults, environment, config files, command line;
//! `settings::initialize`, `settings::resolve`) -> the variant (`variant::decision`) -> the
//! files (`render`) -> the atomic install (`install`). Every failure is one typed error,
//! reported on the log (or, for the reference's own words, on stderr) in the order the
//! reference reports it.

use std::path::{Path, PathBuf};

use crate::cli::argparse::InstallArgs;
use crate::commands::errors::InstallFailure;
use crate::commands::exit_codes::ExitCode;
use crate::commands::output::{self, print};
use crate::install::{self, report};
use crate::py::value::Value;
use crate::render::kernel_json;
use crate::render::pod_template;
use crate::render::validate::validate_install;
use crate::settings::config_file;
use crate::settings::initialize;
use crate::settings::jupyter_app;
use crate::settings::log::Logger;
use crate::settings::paths::{self, Location, PathEnv};
use crate::settings::resolve;
use crate::settings::traitlets::app::{Env, Installer};
use crate::settings::traitlets::traits::Home;
use crate::variant::assets;
use crate::variant::decision as variant;

/// Runs `install`.
pub fn run(args: &InstallArgs) -> ExitCode {
    let mut log = Logger::new(20);
    match install_command(args, &mut log) {
        Ok(status) => status,
        Err(e) => {
            e.report(&log);
            ExitCode::from(&e)
        }
    }
}

/// A path as Python holds it (undecodable bytes kept as escapes; see `py::text`).
fn py_path(p: &Path) -> Result<String, InstallFailure> {
    crate::py::text::from_path(p).map_err(|reserved| InstallFailure::Path { path: p.to_path_buf(), reserved })
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

fn install_command(args: &InstallArgs, log: &mut Logger) -> Result<ExitCode, InstallFailure> {
    let env = PathEnv::from_process();
    if let Some(var) = paths::unrepresentable_env_vars().first() {
        return Err(InstallFailure::Environment(var.clone()));
    }
    let cwd_path = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let cwd = py_path(&cwd_path)?;
    let sys_prefix = py_path(&env.sys_prefix)?;
    let config_path: Vec<String> =
        paths::jupyter_config_path(&env).iter().map(|p| py_path(p)).collect::<Result<_, _>>()?;
    let getter = |k: &str| env.vars.get(k).cloned();
    // `os.path.expanduser` takes HOME, else the user database.
    let home = env.vars.get("HOME").cloned().or_else(paths::passwd_home);
    let user_home = |u: &str| crate::settings::passwd::home_of_user(u);
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
    let init = initialize::initialize(args, &setup, log)?;
    let app = &init.app;
    let is_true = |name: &str| matches!(app.value(name, &tenv), Value::Bool(true));

    // start(): show_config replaces it; generate_config runs instead of installing.
    if is_true("show_config") || is_true("show_config_json") {
        let text = if is_true("show_config_json") {
            jupyter_app::show_config_json(&app.config)
        } else {
            jupyter_app::show_config(&app.config, &init.loaded_files)
        };
        output::write(text.as_bytes())?;
        return Ok(ExitCode::Success);
    }
    if is_true("generate_config") {
        let text = |name: &str| match app.value(name, &tenv) {
            Value::Str(s) => s,
            _ => String::new(),
        };
        let file = match text("config_file") {
            f if !f.is_empty() => f,
            _ => {
                let dir = py_path(&paths::jupyter_config_dir(&env))?;
                crate::py::posixpath::join(&dir, &format!("{}.py", text("config_file_name")))
            }
        };
        let stdin = std::io::stdin();
        let mut input = stdin.lock();
        jupyter_app::write_default_config(
            &file,
            is_true("answer_yes"),
            &text("spark_home"),
            &mut input,
            &mut output::Stdout,
        )?;
        return Ok(ExitCode::Success);
    }

    let s = resolve::resolve(app, &tenv)?;
    if s.user && !s.prefix.is_empty() {
        return Err(InstallFailure::UserAndPrefix);
    }
    let plan = variant::plan(&s)?;
    for w in &plan.warnings {
        log.warn(w);
    }

    let name = plan.kernel_name.to_lowercase();
    install::check_kernel_name(&name)?;
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
    let shown = py_path(&dest)?;
    let document = kernel_json::document(&plan, &s, &shown);
    // Our pod options (an extension): checked, and the template changed, before anything is written.
    let custom = pod_template::prepare(&args.pod_options, &plan, &name, &document, &cwd_path)?;
    if dest.join("kernel.json").exists() && !s.replace {
        return Err(InstallFailure::Exists(crate::py::text::backslashreplace(&shown).into_owned()));
    }
    let text = kernel_json::to_python_json(&document);
    let files = custom.apply(assets::files(plan.variant));
    let ext = args.extensions;
    // `--validate`: what would be installed, rendered as a launch with default values renders
    // it and checked against the Kubernetes schema, before anything is written.
    if ext.validate {
        validate_install(&document, &name, &files)?;
    }

    log.info(&format!("Installing kernel specification for '{}'", plan.display_name));
    log.debug(&format!("Installing kernelspec in {shown}"));
    let search = paths::searched_kernel_dirs(&env);
    if !search.iter().any(|d| same_dir(d, &kernels)) {
        log.warn(&format!(
            "Installing to {}, which is not in {}. The kernelspec may not be found.",
            py_path(&kernels)?,
            paths::python_list_repr(&search)
        ));
    }
    let on_event = |event: install::Event| log_install_event(log, &shown, event);
    // A dry run checks what the install would run into and touches nothing (not even a lock).
    let outcome = if ext.dry_run {
        install::preflight(&dest)?
    } else {
        install::install(&dest, &files, &text, s.replace, &on_event)?
    };
    if !ext.dry_run {
        log.info(&format!("Installed kernelspec {name} in {shown}"));
    }
    log.debug(&format!("Finalizing kernel json file for kernel: '{}'", plan.display_name));
    if ext.dry_run || ext.json {
        let replaced = outcome == install::Outcome::Replaced;
        let r = report::Report::new(&name, &plan, &shown, &files, &text, replaced, ext.dry_run);
        return Ok(print(if ext.json { r.to_json() } else { r.to_text() }, ExitCode::Success));
    }
    Ok(ExitCode::Success)
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
