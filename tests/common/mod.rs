//! What the CLI test files share: a sandbox that runs the binary in an isolated environment
//! (its own HOME, TMPDIR, VIRTUAL_ENV and working directory, nothing inherited), and readers of
//! its output and of the trees it leaves.
#![allow(dead_code)] // each test file uses its own part

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;

pub struct Sandbox {
    dir: tempfile::TempDir,
}

impl Sandbox {
    pub fn new() -> Sandbox {
        let dir = tempfile::tempdir().expect("temp dir");
        for d in ["home", "venv", "tmp", "work"] {
            fs::create_dir_all(dir.path().join(d)).unwrap();
        }
        Sandbox { dir }
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::cargo_bin("jupyter-k8s-spec").unwrap();
        c.env_clear()
            .env("HOME", self.path("home"))
            .env("PATH", "/usr/bin:/bin")
            .env("TMPDIR", self.path("tmp"))
            .env("VIRTUAL_ENV", self.path("venv"))
            .current_dir(self.path("work"))
            .args(args);
        c
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd(args).output().unwrap()
    }

    pub fn run_env(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut c = self.cmd(args);
        for (k, v) in env {
            c.env(k, v);
        }
        c.output().unwrap()
    }

    /// The `--user` kernels directory.
    pub fn kernels(&self) -> PathBuf {
        self.path("home/.local/share/jupyter/kernels")
    }

    /// A kernelspec installed with `--user`.
    pub fn spec(&self, name: &str) -> PathBuf {
        self.kernels().join(name)
    }

    pub fn read(&self, spec: &str, file: &str) -> String {
        fs::read_to_string(self.spec(spec).join(file)).unwrap()
    }

    /// Every path below `dir` with its mode and, for files, their content.
    pub fn snapshot_of(&self, dir: &Path) -> Vec<String> {
        let mut out = Vec::new();
        if dir.exists() {
            walk(dir, dir, &mut out);
        }
        out.sort();
        out
    }

    /// The same for the whole sandbox, for before/after comparisons.
    pub fn snapshot(&self) -> Vec<String> {
        self.snapshot_of(self.dir.path())
    }
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
    use std::os::unix::fs::PermissionsExt;
    for e in fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        let m = fs::symlink_metadata(&p).unwrap();
        let rel = p.strip_prefix(root).unwrap().display().to_string();
        let content =
            if m.is_file() { String::from_utf8_lossy(&fs::read(&p).unwrap()).into_owned() } else { String::new() };
        out.push(format!("{rel} {:o} {content}", m.permissions().mode()));
        if m.is_dir() {
            walk(root, &p, out);
        }
    }
}

/// The files of an installed kernelspec as `(path, mode, bytes)`, sorted by path.
pub fn installed_files(dest: &Path) -> Vec<(String, String, u64)> {
    fn rec(root: &Path, dir: &Path, out: &mut Vec<(String, String, u64)>) {
        use std::os::unix::fs::PermissionsExt;
        for e in fs::read_dir(dir).unwrap().flatten() {
            let m = fs::symlink_metadata(e.path()).unwrap();
            if m.is_dir() {
                rec(root, &e.path(), out);
            } else {
                let rel = e.path().strip_prefix(root).unwrap().display().to_string();
                out.push((rel, format!("{:04o}", m.permissions().mode() & 0o7777), m.len()));
            }
        }
    }
    let mut out = Vec::new();
    rec(dest, dest, &mut out);
    out.sort();
    out
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Log lines without their timestamps: `[I K8sSpecInstaller] message`.
pub fn log_lines(o: &Output) -> Vec<String> {
    stderr(o)
        .lines()
        .map(|l| {
            let bytes = l.as_bytes();
            // "[X YYYY-MM-DD HH:MM:SS.mmm K8sSpecInstaller] ..."
            if l.starts_with('[') && l.len() > 27 && bytes[3].is_ascii_digit() && &l[26..27] == " " {
                format!("[{}{}", &l[1..2], &l[26..])
            } else {
                l.to_string()
            }
        })
        .collect()
}

/// Whether a program a test needs (`available`: it could be run) may be used. Where it is missing
/// the test skips, with a line written past libtest's output capture so that the run shows it
/// (`SKIPPED: <test>: ...`; scripts/test.sh counts these lines); with the environment variable CI
/// set it fails instead, since the suite installs what it needs (scripts/setup/test-tools.sh).
pub fn require_tool(name: &str, available: bool) -> bool {
    use std::io::Write;
    if available {
        return true;
    }
    let test = std::thread::current().name().unwrap_or("?").to_string();
    if std::env::var_os("CI").is_some_and(|v| !v.is_empty()) {
        panic!("{test}: {name} is not installed, and with CI set a test may not skip (scripts/setup/test-tools.sh installs it)");
    }
    let line = format!("SKIPPED: {test}: {name} is not installed (scripts/setup/test-tools.sh installs it)\n");
    // Not eprintln!: libtest would capture it, and a passing test's output is never shown.
    let _ = std::io::stderr().write_all(line.as_bytes());
    false
}
