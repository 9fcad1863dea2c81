//! The installer's log, as the reference's logging is set up: a console handler on stderr
//! with tornado's `LogFormatter` and the format `[I 2026-01-02 03:04:05.678 K8sSpecInstaller]
//! message`, its level from `log_level`, its format from `log_format` / `log_datefmt`, and more
//! handlers or other formatters from `logging_config` (`logging.config.dictConfig` over the
//! default configuration; see [`configure`] for what is supported).

use std::io::Write;

use crate::py::percent::{self, Arg};
use crate::py::repr::str_repr;
use crate::py::value::Value;

use crate::cli::options::{DEFAULT_LOG_DATEFMT as DEFAULT_DATEFMT, DEFAULT_LOG_FORMAT as DEFAULT_FORMAT};
/// `logging.Formatter.default_time_format`: `%(asctime)s` of a formatter without `datefmt`.
const LOGGING_TIME_FORMAT: &str = "%Y-%m-%d %H:%M:%S";
const LOGGER_NAME: &str = "K8sSpecInstaller";

/// A `logging_config` that `logging.config.dictConfig` (as far as we emulate it) refuses: the
/// message Python gives.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct LogConfigError(pub String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Debug = 10,
    Info = 20,
    Warning = 30,
    Error = 40,
    Critical = 50,
}

impl Level {
    fn name(self) -> &'static str {
        match self {
            Level::Debug => "DEBUG",
            Level::Info => "INFO",
            Level::Warning => "WARNING",
            Level::Error => "ERROR",
            Level::Critical => "CRITICAL",
        }
    }

    /// tornado's colours (curses' `setaf` of an xterm-like terminal).
    fn colour(self) -> &'static str {
        match self {
            Level::Debug => "\x1b[34m",
            Level::Info => "\x1b[32m",
            Level::Warning => "\x1b[33m",
            Level::Error => "\x1b[31m",
            Level::Critical => "\x1b[35m",
        }
    }
}

/// Which logging formatter class formats the lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    /// `tornado.log.LogFormatter`: colours, continuation lines indented by four spaces.
    Tornado,
    /// `logging.Formatter`.
    Plain,
    /// traitlets' `LevelFormatter`: `logging.Formatter` plus `%(highlevel)s`.
    Level,
}

#[derive(Debug, Clone)]
struct Formatter {
    style: Style,
    fmt: String,
    datefmt: Option<String>,
}

#[derive(Debug)]
enum Sink {
    Stderr,
    Stdout,
    File(std::fs::File),
    Null,
}

#[derive(Debug)]
struct Handler {
    sink: Sink,
    level: u8,
    formatter: Formatter,
}

pub struct Logger {
    /// The console handler's level (`log_level`).
    pub threshold: u8,
    pub colour: bool,
    logger_level: u8,
    handlers: Vec<Handler>,
    started: f64,
}

/// What the application's logging traits hold.
pub struct LogSettings<'a> {
    pub level: u8,
    pub format: &'a str,
    pub datefmt: &'a str,
    /// `logging_config` (a dict).
    pub logging_config: &'a Value,
}

fn now() -> f64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64())
}

impl Logger {
    /// The default set-up with the console handler at `threshold`.
    pub fn new(threshold: u8) -> Logger {
        Logger {
            threshold,
            colour: stderr_is_colour_terminal(),
            logger_level: 10,
            handlers: vec![console(threshold, DEFAULT_FORMAT, DEFAULT_DATEFMT)],
            started: now(),
        }
    }

    /// `_configure_logging()`: the default configuration with `logging_config` merged into it.
    pub fn configure(&mut self, s: &LogSettings) -> Result<(), LogConfigError> {
        let (logger_level, handlers) = configure(s).map_err(LogConfigError)?;
        self.threshold = s.level;
        self.logger_level = logger_level;
        self.handlers = handlers;
        Ok(())
    }

    pub fn enabled(&self, level: Level) -> bool {
        level as u8 >= self.logger_level && self.handlers.iter().any(|h| level as u8 >= h.level)
    }

    pub fn log(&self, level: Level, message: &str) {
        self.emit(level, message, false);
    }

    /// Writes a record through the handlers. `forced` ignores the logger's and handlers' levels,
    /// and falls back to the default console line when no handler writes to stderr: the error
    /// that makes the command fail must reach the user whatever the configuration says.
    fn emit(&self, level: Level, message: &str, forced: bool) {
        if !forced && (level as u8) < self.logger_level {
            return;
        }
        let created = now();
        let mut on_stderr = false;
        for h in &self.handlers {
            if !forced && (level as u8) < h.level {
                continue;
            }
            on_stderr |= matches!(h.sink, Sink::Stderr);
            self.write_to(h, level, message, created);
        }
        if forced && !on_stderr {
            self.write_to(&console(0, DEFAULT_FORMAT, DEFAULT_DATEFMT), level, message, created);
        }
    }

    fn write_to(&self, h: &Handler, level: Level, message: &str, created: f64) {
        let text = match format_record(&h.formatter, level, message, created, self.started, self.colour) {
            Ok(line) => format!(
                "{line}
"
            ),
            Err(e) => logging_error(&e, message),
        };
        // A closed stream must not turn into a panic; logging ignores such errors too.
        let _ = match &h.sink {
            Sink::Stderr => std::io::stderr().lock().write_all(text.as_bytes()),
            Sink::Stdout => std::io::stdout().lock().write_all(text.as_bytes()),
            Sink::File(f) => (&*f).write_all(text.as_bytes()),
            Sink::Null => Ok(()),
        };
    }

    pub fn debug(&self, m: &str) {
        self.log(Level::Debug, m)
    }
    pub fn info(&self, m: &str) {
        self.log(Level::Info, m)
    }
    pub fn warn(&self, m: &str) {
        self.log(Level::Warning, m)
    }
    pub fn error(&self, m: &str) {
        self.log(Level::Error, m)
    }
    pub fn critical(&self, m: &str) {
        self.log(Level::Critical, m)
    }
    /// The error that makes the command fail: an ERROR line shown whatever the log level, since
    /// a command that exits non-zero must say why (the reference is silent above ERROR).
    pub fn fatal(&self, m: &str) {
        self.emit(Level::Error, m, true)
    }
    /// As [`Logger::fatal`], at CRITICAL (traitlets' "Bad config" line).
    pub fn fatal_critical(&self, m: &str) {
        self.emit(Level::Critical, m, true)
    }
}

fn console(level: u8, fmt: &str, datefmt: &str) -> Handler {
    Handler {
        sink: Sink::Stderr,
        level,
        formatter: Formatter { style: Style::Tornado, fmt: fmt.into(), datefmt: Some(datefmt.into()) },
    }
}

/// What logging prints on stderr when a record cannot be formatted (without the traceback
/// frames, which name Python's own files).
fn logging_error(e: &percent::Error, message: &str) -> String {
    format!("--- Logging error ---\n{e}\nCall stack:\nMessage: {}\nArguments: ()\n", str_repr(message))
}

/// Formats one record as the handler's formatter does (without the line end).
fn format_record(
    f: &Formatter,
    level: Level,
    message: &str,
    created: f64,
    started: f64,
    colour: bool,
) -> Result<String, percent::Error> {
    // Text of undecodable bytes shows as Python's stderr shows it (`\udcff`).
    let message = crate::py::text::backslashreplace(message).into_owned();
    let msecs = ((created - created.floor()) * 1000.0).floor();
    let asctime = match (&f.datefmt, f.style) {
        (Some(d), _) if !d.is_empty() => crate::py::time::strftime_local(d, created),
        _ => format!("{},{:03}", crate::py::time::strftime_local(LOGGING_TIME_FORMAT, created), msecs as u32),
    };
    let (color, end_color) = if colour && f.style == Style::Tornado { (level.colour(), "\x1b[0m") } else { ("", "") };
    let highlevel = if level >= Level::Warning { format!(" {} |", level.name()) } else { String::new() };
    let lookup = |key: &str| -> Option<Arg> {
        Some(match key {
            "name" => Arg::Str(LOGGER_NAME.into()),
            "levelname" => Arg::Str(level.name().into()),
            "levelno" => Arg::Int(level as i64),
            "message" | "msg" => Arg::Str(message.clone()),
            "args" => Arg::Str("()".into()),
            "asctime" => Arg::Str(asctime.clone()),
            "msecs" => Arg::Float(msecs),
            "created" => Arg::Float(created),
            "relativeCreated" => Arg::Float((created - started) * 1000.0),
            "process" => Arg::Int(i64::from(std::process::id())),
            "processName" => Arg::Str("MainProcess".into()),
            "thread" => Arg::Int(i64::from(std::process::id())),
            "threadName" => Arg::Str("MainThread".into()),
            "taskName" => Arg::Str("None".into()),
            // Where in the reference's Python code the call was made has no equivalent here.
            "pathname" | "filename" | "module" | "funcName" => Arg::Str("jupyter-k8s-spec".into()),
            "lineno" => Arg::Int(0),
            "exc_info" | "exc_text" | "stack_info" => Arg::Str("None".into()),
            "color" if f.style == Style::Tornado => Arg::Str(color.into()),
            "end_color" if f.style == Style::Tornado => Arg::Str(end_color.into()),
            "highlevel" if f.style == Style::Level => Arg::Str(highlevel.clone()),
            _ => return None,
        })
    };
    let text = percent::format(&f.fmt, &lookup)?;
    Ok(if f.style == Style::Tornado { text.replace('\n', "\n    ") } else { text })
}

/// `logging.getLevelName`-style level: a number or a level name.
fn level_of(v: &Value, what: &str) -> Result<u8, String> {
    match v {
        Value::Int(i) => {
            i.to_i64().and_then(|n| u8::try_from(n).ok()).ok_or_else(|| format!("{what}: Unknown level: {}", v.repr()))
        }
        Value::Bool(b) => Ok(u8::from(*b)),
        Value::Str(s) => match s.as_str() {
            "NOTSET" => Ok(0),
            "DEBUG" => Ok(10),
            "INFO" => Ok(20),
            "WARN" | "WARNING" => Ok(30),
            "ERROR" => Ok(40),
            "CRITICAL" | "FATAL" => Ok(50),
            _ => Err(format!("{what}: Unknown level: {}", v.repr())),
        },
        _ => Err(format!("{what}: Unknown level: {}", v.repr())),
    }
}

/// `nested_update(base, update)` of traitlets: dicts are merged key by key, anything else
/// replaced.
fn nested_update(base: &mut Vec<(Value, Value)>, update: &[(Value, Value)]) {
    for (k, v) in update {
        let slot = base.iter_mut().find(|(bk, _)| bk.py_eq(k));
        match (slot, v) {
            (Some((_, Value::Dict(inner))), Value::Dict(more)) => nested_update(std::sync::Arc::make_mut(inner), more),
            _ => Value::dict_insert(base, k.clone(), v.clone()),
        }
    }
}

fn dict(v: Option<&Value>) -> &[(Value, Value)] {
    match v {
        Some(Value::Dict(items)) => items,
        _ => &[],
    }
}

/// `d[key]` of a dict's items, for string keys.
fn member<'a>(items: &'a [(Value, Value)], key: &str) -> Option<&'a Value> {
    items.iter().find(|(k, _)| matches!(k, Value::Str(n) if n == key)).map(|(_, v)| v)
}

fn text(v: Option<&Value>) -> Option<&str> {
    match v {
        Some(Value::Str(s)) => Some(s),
        _ => None,
    }
}

/// `dictConfig` of the reference's default logging configuration with `logging_config` merged
/// into it, for what applies to the installer's logger: its level and handlers. Supported:
/// handlers of class `logging.StreamHandler` (`ext://sys.stderr`, `ext://sys.stdout`),
/// `logging.FileHandler` (`filename`, `mode`) and `logging.NullHandler`, with `level` and
/// `formatter`; formatters of class `tornado.log.LogFormatter`, `logging.Formatter` and
/// `traitlets.config.application.LevelFormatter` with `format` and `datefmt`. Anything else
/// that would change the installer's log is an error naming it.
fn configure(s: &LogSettings) -> Result<(u8, Vec<Handler>), String> {
    let sv = |x: &str| Value::str(x);
    let level_name = match s.level {
        0 => "NOTSET",
        10 => "DEBUG",
        20 => "INFO",
        30 => "WARNING",
        40 => "ERROR",
        50 => "CRITICAL",
        _ => "",
    };
    let mut config = vec![
        (sv("version"), Value::int(1)),
        (
            sv("handlers"),
            Value::dict(vec![(
                sv("console"),
                Value::dict(vec![
                    (sv("class"), sv("logging.StreamHandler")),
                    (sv("formatter"), sv("console")),
                    (sv("level"), if level_name.is_empty() { Value::int(i64::from(s.level)) } else { sv(level_name) }),
                    (sv("stream"), sv("ext://sys.stderr")),
                ]),
            )]),
        ),
        (
            sv("formatters"),
            Value::dict(vec![(
                sv("console"),
                Value::dict(vec![
                    (sv("class"), sv("tornado.log.LogFormatter")),
                    (sv("format"), sv(s.format)),
                    (sv("datefmt"), sv(s.datefmt)),
                ]),
            )]),
        ),
        (
            sv("loggers"),
            Value::dict(vec![(
                sv(LOGGER_NAME),
                Value::dict(vec![(sv("level"), sv("DEBUG")), (sv("handlers"), Value::list(vec![sv("console")]))]),
            )]),
        ),
        (sv("disable_existing_loggers"), Value::Bool(false)),
    ];
    if let Value::Dict(update) = s.logging_config {
        nested_update(&mut config, update);
    }
    let config = Value::dict(config);

    let formatter = |name: &str| -> Result<Formatter, String> {
        let spec = member(dict(config.get("formatters")), name)
            .ok_or_else(|| format!("logging_config: Unable to configure formatter {}", str_repr(name)))?;
        let spec = dict(Some(spec));
        let get = |key: &str| member(spec, key);
        let style = match text(get("class")).unwrap_or("logging.Formatter") {
            "tornado.log.LogFormatter" => Style::Tornado,
            "logging.Formatter" => Style::Plain,
            "traitlets.config.application.LevelFormatter" => Style::Level,
            other => return Err(format!("logging_config: formatter class {} is not supported", str_repr(other))),
        };
        if get("style").is_some_and(|v| !matches!(v, Value::Str(st) if st == "%")) || get("()").is_some() {
            return Err(format!("logging_config: formatter {}: only '%'-style formats are supported", str_repr(name)));
        }
        let fmt = match (text(get("format")), style) {
            (Some(f), _) => f.to_string(),
            (None, Style::Tornado) => {
                "%(color)s[%(levelname)1.1s %(asctime)s %(module)s:%(lineno)d]%(end_color)s %(message)s".into()
            }
            (None, _) => "%(message)s".into(),
        };
        let datefmt = match (text(get("datefmt")), style) {
            (Some(d), _) => Some(d.to_string()),
            (None, Style::Tornado) => Some("%y%m%d %H:%M:%S".into()),
            (None, _) => None,
        };
        Ok(Formatter { style, fmt, datefmt })
    };

    let ours = dict(member(dict(config.get("loggers")), LOGGER_NAME));
    let get = |key: &str| member(ours, key);
    let logger_level = match get("level") {
        Some(v) => level_of(v, "logging_config: logger level")?,
        None => 0,
    };
    let names: Vec<String> = match get("handlers") {
        Some(Value::List(items)) => items.iter().filter_map(|v| text(Some(v)).map(String::from)).collect(),
        Some(Value::Tuple(items)) => items.iter().filter_map(|v| text(Some(v)).map(String::from)).collect(),
        _ => Vec::new(),
    };
    let handler_specs = dict(config.get("handlers"));
    let mut handlers = Vec::new();
    for name in names {
        let spec = member(handler_specs, &name)
            .map(|v| dict(Some(v)))
            .ok_or_else(|| format!("logging_config: Unable to configure handler {}", str_repr(&name)))?;
        let get = |key: &str| member(spec, key);
        let level = match get("level") {
            Some(v) => level_of(v, "logging_config: handler level")?,
            None => 0,
        };
        let fmt = match text(get("formatter")) {
            Some(f) => formatter(f)?,
            None => Formatter { style: Style::Plain, fmt: "%(message)s".into(), datefmt: None },
        };
        let sink = match text(get("class")).unwrap_or("") {
            "logging.StreamHandler" => match text(get("stream")).unwrap_or("ext://sys.stderr") {
                "ext://sys.stderr" => Sink::Stderr,
                "ext://sys.stdout" => Sink::Stdout,
                other => return Err(format!("logging_config: handler stream {} is not supported", str_repr(other))),
            },
            "logging.FileHandler" => {
                let file = text(get("filename"))
                    .ok_or_else(|| format!("logging_config: handler {} needs a filename", str_repr(&name)))?;
                let mode = text(get("mode")).unwrap_or("a");
                let mut opts = std::fs::OpenOptions::new();
                match mode {
                    "a" => opts.append(true).create(true),
                    "w" => opts.write(true).create(true).truncate(true),
                    _ => return Err(format!("logging_config: file mode {} is not supported", str_repr(mode))),
                };
                let path = crate::py::text::to_path(file);
                let f = opts.open(&path).map_err(|e| format!("logging_config: cannot open log file {file}: {e}"))?;
                Sink::File(f)
            }
            "logging.NullHandler" => Sink::Null,
            other => return Err(format!("logging_config: handler class {} is not supported", str_repr(other))),
        };
        handlers.push(Handler { sink, level, formatter: fmt });
    }
    Ok((logger_level, handlers))
}

/// The default console line (for tests and callers that need the text).
pub fn format_line(level: Level, time: &str, message: &str, colour: bool) -> String {
    let prefix = format!("[{} {time} {LOGGER_NAME}]", &level.name()[..1]);
    let prefix = if colour { format!("{}{prefix}\x1b[0m", level.colour()) } else { prefix };
    let body = message.replace('\n', "\n    ");
    format!("{prefix} {body}\n")
}

/// Whether standard error is a terminal that shows colours (the reference colours its log
/// prefixes only then).
pub fn stderr_is_colour_terminal() -> bool {
    use std::io::IsTerminal;
    std::io::stderr().is_terminal() && std::env::var("TERM").map(|t| t != "dumb").unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(fmt: &str, style: Style) -> Formatter {
        Formatter { style, fmt: fmt.into(), datefmt: Some("%Y".into()) }
    }

    #[test]
    fn lines_as_the_reference_formats_them() {
        let f = plain(DEFAULT_FORMAT, Style::Tornado);
        let t = 1_764_000_000.25;
        let year = crate::py::time::strftime_local("%Y", t);
        assert_eq!(
            format_record(&f, Level::Info, "a\nb", t, t, false).unwrap(),
            format!("[I {year}.250 K8sSpecInstaller] a\n    b")
        );
        let colour = format_record(&f, Level::Error, "m", t, t, true).unwrap();
        assert_eq!(colour, format!("\x1b[31m[E {year}.250 K8sSpecInstaller]\x1b[0m m"));
        let level = plain("[%(name)s]%(highlevel)s %(message)s", Style::Level);
        assert_eq!(format_record(&level, Level::Warning, "w", t, t, false).unwrap(), "[K8sSpecInstaller] WARNING | w");
        assert_eq!(format_record(&level, Level::Info, "i", t, t, false).unwrap(), "[K8sSpecInstaller] i");
        // tornado's formatter has no %(highlevel)s.
        let err = format_record(&plain("%(highlevel)s", Style::Tornado), Level::Info, "x", t, t, false).unwrap_err();
        assert_eq!(
            logging_error(&err, "x"),
            "--- Logging error ---\nKeyError: 'highlevel'\nCall stack:\nMessage: 'x'\nArguments: ()\n"
        );
        assert_eq!(format_line(Level::Warning, "T", "a\nb", false), "[W T K8sSpecInstaller] a\n    b\n");
    }

    #[test]
    fn logging_config_adds_handlers() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("log.txt");
        let cfg = crate::py::literal::literal_eval(&format!(
            "{{'handlers': {{'file': {{'class': 'logging.FileHandler', 'level': 'DEBUG', 'filename': {:?}}}}},
              'loggers': {{'K8sSpecInstaller': {{'level': 'DEBUG', 'handlers': ['console', 'file']}}}}}}",
            file.display().to_string()
        ))
        .unwrap();
        let mut log = Logger::new(20);
        log.configure(&LogSettings {
            level: 40,
            format: DEFAULT_FORMAT,
            datefmt: DEFAULT_DATEFMT,
            logging_config: &cfg,
        })
        .unwrap();
        assert_eq!(log.handlers.len(), 2);
        log.debug("to the file only");
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "to the file only\n");
        let bad =
            crate::py::literal::literal_eval("{'handlers': {'console': {'class': 'logging.handlers.SysLogHandler'}}}")
                .unwrap();
        let err = log
            .configure(&LogSettings { level: 20, format: "", datefmt: "", logging_config: &bad })
            .unwrap_err()
            .to_string();
        assert_eq!(err, "logging_config: handler class 'logging.handlers.SysLogHandler' is not supported");
    }
}
