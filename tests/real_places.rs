//! Faults the code under test cannot steer, met where users really run the tool. Here: errors
//! and output that must reach the user whatever the log level, the output device or its reader.

mod common;

use std::fs;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use common::{log_lines, stderr, stdout};

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_jupyter-k8s-spec")
}

/// The binary with a clean environment of its own (HOME in `home`).
fn cmd(home: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(bin());
    c.env_clear().env("HOME", home).env("PATH", "/usr/bin:/bin:/usr/sbin:/sbin").env("LANG", "C.UTF-8").args(args);
    c
}

fn run(home: &Path, args: &[&str]) -> Output {
    cmd(home, args).output().unwrap()
}

#[test]
fn errors_are_shown_at_every_log_level() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    fs::create_dir_all(&home).unwrap();
    let missing = tmp.path().join("missing.json");
    let config = format!("--config={}", missing.display());
    let cases: [(&[&str], String); 4] = [
        (&["--kernel-name=a/b"], "Invalid kernel name 'a/b'.  Kernel names can only contain ASCII letters and numbers and these separators: - . _ (hyphen, period, and underscore).".into()),
        (&["--crd"], "--crd requires a specifying option (e.g., --spark) to determine which CustomResourceProvisioner to configure.".into()),
        (&[&config], format!("config file not found: {}", missing.display())),
        (&["--prefix=/x"], "Can't specify both user and prefix. Please choose one or the other.".into()),
    ];
    for (args, message) in cases {
        for level in ["--log-level=CRITICAL", "--log-level=50", "--log-level=ERROR", "--debug"] {
            let mut all = vec!["install", "--user", level];
            all.extend(args);
            let out = run(&home, &all);
            assert_eq!(out.status.code(), Some(1), "{all:?}");
            let errors: Vec<String> = log_lines(&out).into_iter().filter(|l| l.starts_with("[E ")).collect();
            assert_eq!(errors, [format!("[E K8sSpecInstaller] {message}")], "{all:?}");
        }
    }
    assert!(!tmp.path().join("home/.local").exists(), "nothing installed");
}

/// The binary run with its standard output going to `stdout`.
fn run_with_stdout(home: &Path, args: &[&str], stdout: Stdio) -> Output {
    cmd(home, args).stdout(stdout).stderr(Stdio::piped()).output().unwrap()
}

/// Commands that print on standard output, and whether they install.
const PRINTING: [(&[&str], bool); 8] = [
    (&["--version"], false),
    (&["--help"], false),
    (&["install", "--help-all"], false),
    (&["install", "--user", "--dry-run", "--replace"], false),
    (&["install", "--user", "--json", "--replace"], true),
    (&["rbac", "--namespace-mode", "shared"], false),
    (&["completions", "bash"], false),
    (&["man"], false),
];

#[test]
fn output_that_cannot_be_written_is_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    fs::create_dir_all(&home).unwrap();
    for (args, installs) in PRINTING {
        let _ = fs::remove_dir_all(home.join(".local"));
        let full = fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
        let out = run_with_stdout(&home, args, Stdio::from(full));
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let last = stderr(&out).lines().last().unwrap_or_default().to_string();
        assert_eq!(last, "error: cannot write to standard output: No space left on device (os error 28)", "{args:?}");
        assert_eq!(home.join(".local/share/jupyter/kernels/k8s_python/kernel.json").exists(), installs, "{args:?}");
    }
}

#[test]
fn a_closed_pipe_ends_the_command_quietly() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    fs::create_dir_all(&home).unwrap();
    // Installed already, so that every install below logs the same lines.
    assert!(run(&home, &["install", "--user"]).status.success());
    for (args, _) in PRINTING {
        // A pipe whose reader is gone before anything is written: every write fails with EPIPE.
        let (reader, writer) = rustix::pipe::pipe().unwrap();
        drop(reader);
        let out = run_with_stdout(&home, args, Stdio::from(writer));
        // Exactly what the command says on stderr when its output is read (log lines only).
        let read = run_with_stdout(&home, args, Stdio::null());
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        assert_eq!(log_lines(&out), log_lines(&read), "{args:?}");
        assert!(!stderr(&out).contains("error"), "{args:?}: {}", stderr(&out));
    }
    // The same commands with a reader print what they printed before.
    let out = run(&home, &["--version"]);
    assert_eq!(stdout(&out), format!("{}\n", env!("CARGO_PKG_VERSION")));
}
