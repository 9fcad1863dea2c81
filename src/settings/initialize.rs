//! `JupyterApp.initialize` of the installer, step by step as the reference runs it: the command
//! line becomes config and is loaded; then `jupyter_config` and the application's own config
//! files (`jupyter_k8s_spec_config`, or `--JupyterApp.config_file_name`, or `--config`) are
//! found, read and loaded, each time with the command line merged over them; and the command
//! line is loaded once more. Every load logs what it finds with the logging set up at that
//! moment (the log level, format and handlers take effect after each load), which decides which
//! lines appear.

use crate::cli::argparse::InstallArgs;
use crate::py::value::Value;
use crate::settings::config_file::{self, ConfigError, Context, Interpreter, LogLine, Search};
use crate::settings::log::{LogSettings, Logger};
use crate::settings::traitlets::app::{level_number, Env, Installer};
use crate::settings::traitlets::config::Config;
use crate::settings::traitlets::traits::TraitError;

/// What `initialize` needs from the process.
pub struct Setup<'a> {
    pub env: Env<'a>,
    /// `os.getcwd()`.
    pub cwd: &'a str,
    /// The value `--sys-prefix` stands for.
    pub sys_prefix: &'a str,
    /// The config search path, highest priority first.
    pub config_path: &'a [String],
    pub python: &'a Interpreter,
    /// Run Python config files in full even where not needed (to show all they set).
    pub full: bool,
}

/// The loaded application.
pub struct Initialized {
    pub app: Installer,
    /// `_loaded_config_files`.
    pub loaded_files: Vec<String>,
    /// Some config file had statements that were not run.
    pub skipped: bool,
}

/// Why initialization failed. When `initialize` returns it, it has been written to the log,
/// with the logging configured at that moment (as the reference logs it).
#[derive(Debug, thiserror::Error)]
pub enum InitError {
    #[error("Bad config encountered during initialization: {0}")]
    BadConfig(TraitError),
    #[error(transparent)]
    ConfigFile(ConfigError),
}

const BASE_CONFIG: &str = "jupyter_config";

/// `catch_config_error`: the "Bad config" line, the config at the time, and the exit.
fn bad_config(log: &Logger, e: TraitError, config: &Config) -> InitError {
    let e = InitError::BadConfig(e);
    log.fatal_critical(&e.to_string());
    log.debug(&format!("Config at the time: {}", config.repr()));
    log_exit(log);
    e
}

/// `Application.exit(1)`: its debug line.
pub fn log_exit(log: &Logger) {
    log.debug("Exiting application: jupyter-k8s-spec");
}

fn file_error(log: &Logger, e: ConfigError) -> InitError {
    log.fatal(&e.to_string());
    InitError::ConfigFile(e)
}

/// The logging traits as they stand.
fn log_settings(app: &Installer, env: &Env) -> (u8, String, String, Value) {
    let text = |name: &str| match app.value(name, env) {
        Value::Str(s) => s,
        _ => String::new(),
    };
    (
        level_number(&app.value("log_level", env)).unwrap_or(20),
        text("log_format"),
        text("log_datefmt"),
        app.value("logging_config", env),
    )
}

/// After a load: the observer of the logging traits reconfigures logging when they changed.
fn reconfigure(
    log: &mut Logger,
    app: &Installer,
    env: &Env,
    applied: &mut (u8, String, String, Value),
) -> Result<(), InitError> {
    let now = log_settings(app, env);
    let same = now.0 == applied.0 && now.1 == applied.1 && now.2 == applied.2 && now.3.py_eq(&applied.3);
    if same {
        return Ok(());
    }
    let settings = LogSettings { level: now.0, format: &now.1, datefmt: &now.2, logging_config: &now.3 };
    log.configure(&settings).map_err(|e| bad_config(log, TraitError(e.0), &app.config))?;
    *applied = now;
    Ok(())
}

/// Runs the installer's initialization; `Err` when it failed (already logged).
pub fn initialize(args: &InstallArgs, setup: &Setup, log: &mut Logger) -> Result<Initialized, InitError> {
    let env = &setup.env;
    let mut app = Installer::new();
    let mut applied = log_settings(&app, env);
    let mut loaded_files: Vec<String> = Vec::new();
    let mut skipped = false;

    // parse_command_line: the command line as config, loaded.
    let cli = {
        let log_ref = &*log;
        crate::settings::traitlets::argv::cli_config(args, setup.sys_prefix, &env.home, &mut |w| log_ref.warn(&w))
            .map_err(|e| bad_config(log, e, &app.config))?
    };
    update(&mut app, &cli, env, log)?;
    reconfigure(log, &app, env, &mut applied)?;
    // `cl_config = deepcopy(self.config)`
    app.config.check_copy().map_err(|e| bad_config(log, TraitError(e.0), &app.config))?;
    let cl_config = app.config.clone();
    if matches!(app.value("generate_config", env), Value::Bool(true)) {
        return Ok(Initialized { app, loaded_files, skipped });
    }

    // load_config_file: jupyter_config, then the application's own.
    if log.enabled(crate::settings::log::Level::Debug) {
        let paths = Value::list(setup.config_path.iter().map(Value::str).collect());
        log.debug(&format!("Searching {} for config files", paths.repr()));
    }
    let ctx = Context {
        cwd: setup.cwd,
        python: setup.python,
        full: setup.full,
        var: env.var,
        home: env.home.home,
        user_home: env.home.user_home,
    };
    let load = |log: &mut Logger,
                app: &mut Installer,
                applied: &mut (u8, String, String, Value),
                loaded_files: &mut Vec<String>,
                skipped: &mut bool,
                name: &str,
                search: Search|
     -> Result<usize, InitError> {
        let loaded = config_file::load_config_file(name, search, &ctx).map_err(|e| file_error(log, e))?;
        for line in &loaded.log {
            match line {
                LogLine::Debug(m) => log.debug(m),
                LogLine::Warning(m) => log.warn(m),
            }
        }
        *skipped |= loaded.skipped;
        let mut new_config = Config::new();
        for (file, config) in &loaded.files {
            new_config.merge(config);
            if !loaded_files.contains(file) {
                loaded_files.push(file.clone());
            }
        }
        new_config.merge(&cli);
        update(app, &new_config, env, log)?;
        reconfigure(log, app, env, applied)?;
        Ok(loaded.found)
    };
    load(log, &mut app, &mut applied, &mut loaded_files, &mut skipped, BASE_CONFIG, Search::Path(setup.config_path))?;

    let config_file = match app.value("config_file", env) {
        Value::Str(s) => s,
        _ => String::new(),
    };
    if !config_file.is_empty() {
        let (dir, name) = crate::py::posixpath::split(&config_file);
        let found = load(log, &mut app, &mut applied, &mut loaded_files, &mut skipped, name, Search::Dir(dir))?;
        // Deliberately stricter than the reference: an explicit file that loads nothing is an error.
        if found == 0 {
            let file = crate::py::text::to_path(&config_file);
            let exists = std::path::Path::new(&crate::py::text::to_path(setup.cwd)).join(&file).exists();
            let e = if exists { ConfigError::Unsupported { file } } else { ConfigError::Missing { file } };
            return Err(file_error(log, e));
        }
    } else {
        let name = match app.value("config_file_name", env) {
            Value::Str(s) => s,
            _ => String::new(),
        };
        if !name.is_empty() && name != BASE_CONFIG {
            load(log, &mut app, &mut applied, &mut loaded_files, &mut skipped, &name, Search::Path(setup.config_path))?;
        }
    }

    // The command line wins over the files.
    update(&mut app, &cl_config, env, log)?;
    reconfigure(log, &app, env, &mut applied)?;
    Ok(Initialized { app, loaded_files, skipped })
}

fn update(app: &mut Installer, cfg: &Config, env: &Env, log: &Logger) -> Result<(), InitError> {
    let before = app.config.clone();
    app.update_config(cfg, env, &mut |w| log.warn(&w)).map_err(|e| bad_config(log, e, &before))
}
