//! The installer's log lines on standard error, in the reference's format:
//! `[I 2026-01-02 03:04:05.678 K8sSpecInstaller] message`, continuation lines indented.

use std::io::Write;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Debug = 10,
    Info = 20,
    Warning = 30,
    Error = 40,
    Critical = 50,
}

impl Level {
    fn letter(self) -> char {
        match self {
            Level::Debug => 'D',
            Level::Info => 'I',
            Level::Warning => 'W',
            Level::Error => 'E',
            Level::Critical => 'C',
        }
    }

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

pub struct Logger {
    /// Messages below this numeric level are not shown.
    pub threshold: u8,
    pub colour: bool,
}

impl Logger {
    pub fn new(threshold: u8) -> Logger {
        Logger { threshold, colour: crate::sys::stderr_is_colour_terminal() }
    }

    pub fn enabled(&self, level: Level) -> bool {
        level as u8 >= self.threshold
    }

    pub fn log(&self, level: Level, message: &str) {
        if self.enabled(level) {
            self.write(level, message);
        }
    }

    fn write(&self, level: Level, message: &str) {
        let line = format_line(level, &now(), message, self.colour);
        // A closed stderr must not turn into a panic.
        let _ = std::io::stderr().lock().write_all(line.as_bytes());
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
        self.write(Level::Error, m)
    }
}

/// Local time with milliseconds, as the reference's formatter prints it.
fn now() -> String {
    chrono::Local::now().format("%Y-%m-%d %H:%M:%S%.3f").to_string()
}

pub fn format_line(level: Level, time: &str, message: &str, colour: bool) -> String {
    let prefix = format!("[{} {time} K8sSpecInstaller]", level.letter());
    let prefix = if colour { format!("{}{prefix}\x1b[0m", level.colour()) } else { prefix };
    let body = message.replace('\n', "\n    ");
    format!("{prefix} {body}\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_format() {
        assert_eq!(
            format_line(Level::Info, "2026-01-02 03:04:05.678", "Installing kernel specification for 'x'", false),
            "[I 2026-01-02 03:04:05.678 K8sSpecInstaller] Installing kernel specification for 'x'\n"
        );
        assert_eq!(format_line(Level::Warning, "T", "a\nb", false), "[W T K8sSpecInstaller] a\n    b\n");
        assert_eq!(format_line(Level::Error, "T", "m", true), "\x1b[31m[E T K8sSpecInstaller]\x1b[0m m\n");
        assert!(now().len() == 23);
    }
}
