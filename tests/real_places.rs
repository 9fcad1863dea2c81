//! Installs where users really run them, and faults the code under test cannot steer: a later
//! image layer replacing a kernelspec of an earlier one (overlayfs), a volume shared by
//! installers in separate PID namespaces, many installers at once, an installer killed before
//! any one of its system calls (strace), a reader watching the kernelspec through thousands of
//! replaces, a full disk, an immutable file, output that cannot be written, and system calls
//! that fail, wait or are missing (strace's fault injection: no renameat2, a rename or mkdir
//! that fails, another installer taking the name between the check and the rename).
//!
//! Most of these need root (mounts, namespaces, chattr) and strace, util-linux and e2fsprogs,
//! as CI has them (`scripts/setup/real-places.sh`, run by `scripts/test.sh`, installs the
//! tools). Where they are missing the test says so and passes without running, except in CI
//! (`CI` set), where a missing tool or privilege fails it.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;

use common::{log_lines, stderr, stdout};

/// Our work directory in a kernels directory (see `src/install.rs`).
const WORK_DIR: &str = ".~k8s-spec-work";

/// Files every kernelspec of these tests holds, old or new.
const COMMON_FILES: [&str; 4] =
    ["kernel.json", "logo-64x64.png", "scripts/kernel-pod.yaml.j2", "scripts/launch_kubernetes.py"];

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

/// Whether this test can run here: as root, with `tools` installed. Outside CI a missing one
/// skips the test with a note; in CI it fails it.
fn can_run(test: &str, tools: &[&str]) -> bool {
    let mut missing = Vec::new();
    if !rustix::process::geteuid().is_root() {
        missing.push("root".to_string());
    }
    for tool in tools {
        if !["/usr/bin", "/bin", "/usr/sbin", "/sbin"].iter().any(|d| Path::new(d).join(tool).exists()) {
            missing.push(tool.to_string());
        }
    }
    if missing.is_empty() {
        return true;
    }
    let msg = format!("{test} needs {}", missing.join(", "));
    assert!(
        std::env::var_os("CI").is_none_or(|v| v.is_empty()),
        "{msg}: scripts/setup/real-places.sh installs the tools, and CI runs as root"
    );
    eprintln!("{msg}: not run (outside CI)");
    false
}

fn sh(program: &str, args: &[&str]) {
    let out = Command::new(program).args(args).output().unwrap();
    assert!(out.status.success(), "{program} {args:?}: {}", stderr(&out));
}

/// A mount that is undone when dropped, whether the test passed or not.
struct Mounted(PathBuf);

impl Mounted {
    fn new(args: &[&str], target: &Path) -> Mounted {
        let mut all = args.to_vec();
        all.push(target.to_str().unwrap());
        sh("mount", &all);
        Mounted(target.to_path_buf())
    }
}

impl Drop for Mounted {
    fn drop(&mut self) {
        let target = self.0.to_str().unwrap();
        let ok = Command::new("umount").arg(target).status().is_ok_and(|s| s.success());
        if !ok {
            let _ = Command::new("umount").args(["-l", target]).status();
        }
    }
}

/// A kernelspec directory as `path -> (mode, bytes)`, directories included; `None` if absent.
type Tree = BTreeMap<String, (u32, Vec<u8>)>;

fn read_tree(dir: &Path) -> Option<Tree> {
    fn walk(root: &Path, dir: &Path, out: &mut Tree) {
        let Ok(entries) = fs::read_dir(dir) else { return };
        for e in entries.flatten() {
            let p = e.path();
            let Ok(m) = fs::symlink_metadata(&p) else { continue };
            let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
            let bytes = if m.is_file() { fs::read(&p).unwrap_or_default() } else { Vec::new() };
            out.insert(rel, (m.permissions().mode(), bytes));
            if m.is_dir() {
                walk(root, &p, out);
            }
        }
    }
    fs::symlink_metadata(dir).ok()?;
    let mut out = Tree::new();
    walk(dir, dir, &mut out);
    Some(out)
}

/// Writes a kernelspec as an install does, `kernel.json` after the other files, then what was
/// added later (`old-only.txt`): so that `kernel.json` is not the first entry removed whether a
/// directory lists its entries in the order they were made or the reverse (tmpfs does one or
/// the other, depending on the kernel).
fn write_tree(dir: &Path, tree: &Tree) {
    fs::create_dir_all(dir).unwrap();
    fs::set_permissions(dir, fs::Permissions::from_mode(0o755)).unwrap();
    let mut entries: Vec<_> = tree.iter().collect();
    entries.sort_by_key(|(rel, _)| match rel.as_str() {
        "kernel.json" => 1,
        "old-only.txt" => 2,
        _ => 0,
    });
    for (rel, (mode, bytes)) in entries {
        let p = dir.join(rel);
        if mode & 0o170000 == 0o040000 {
            fs::create_dir_all(&p).unwrap();
        } else {
            fs::write(&p, bytes).unwrap();
        }
        fs::set_permissions(&p, fs::Permissions::from_mode(mode & 0o7777)).unwrap();
    }
}

/// What a Jupyter server would find at a kernelspec's place at one instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum State {
    Old,
    New,
    /// No directory, or one without `kernel.json` (Jupyter lists only directories that hold
    /// one): a missing kernelspec.
    Missing,
    /// Anything else: a listed kernelspec that is neither the old one nor the new one.
    Partial,
}

fn state(dest: &Path, old: &Tree, new: &Tree) -> State {
    match read_tree(dest) {
        None => State::Missing,
        Some(t) if &t == old => State::Old,
        Some(t) if &t == new => State::New,
        Some(t) if !t.contains_key("kernel.json") => State::Missing,
        Some(_) => State::Partial,
    }
}

/// Names in a kernels directory, sorted.
fn names(kernels: &Path) -> Vec<String> {
    let mut v: Vec<String> = match fs::read_dir(kernels) {
        Ok(entries) => entries.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect(),
        Err(_) => Vec::new(),
    };
    v.sort();
    v
}

fn install_args(prefix: &Path, display: &str, replace: bool) -> Vec<String> {
    let mut v = vec![
        "install".to_string(),
        format!("--prefix={}", prefix.display()),
        "--kernel-name=k".into(),
        format!("--display-name={display}"),
    ];
    if replace {
        v.push("--replace".into());
    }
    v
}

fn refs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

/// Where a crash test installs: a plain directory, or an overlay whose old kernelspec lives in
/// the lower layer, as in `FROM base` + `RUN jupyter-k8s-spec install --replace`.
trait Place {
    fn prefix(&self) -> PathBuf;
    /// Puts `old` (or nothing) at the kernelspec's place and removes everything else.
    fn reset(&mut self, old: Option<&Tree>);
    /// Whether the old kernelspec can be swapped atomically here.
    fn atomic(&self) -> bool;
}

struct PlainDir(PathBuf);

impl Place for PlainDir {
    fn prefix(&self) -> PathBuf {
        self.0.clone()
    }
    fn reset(&mut self, old: Option<&Tree>) {
        let _ = fs::remove_dir_all(&self.0);
        fs::create_dir_all(self.0.join("share/jupyter/kernels")).unwrap();
        if let Some(old) = old {
            write_tree(&self.0.join("share/jupyter/kernels/k"), old);
        }
    }
    fn atomic(&self) -> bool {
        true
    }
}

/// `lower/`, `upper/`, `work/` and the overlay mounted on `merged/`, all on a tmpfs of their
/// own (whose listing order `write_tree` knows).
struct Overlay {
    dir: PathBuf,
    // Dropped in this order: the overlay, then the tmpfs under it.
    mount: Option<Mounted>,
    _tmpfs: Mounted,
}

impl Overlay {
    fn new(dir: &Path) -> Overlay {
        fs::create_dir_all(dir).unwrap();
        let tmpfs = Mounted::new(&["-t", "tmpfs", "-o", "size=64m", "tmpfs"], dir);
        let mut o = Overlay { dir: dir.to_path_buf(), mount: None, _tmpfs: tmpfs };
        o.reset(None);
        o
    }
    fn merged(&self) -> PathBuf {
        self.dir.join("merged")
    }
}

impl Place for Overlay {
    fn prefix(&self) -> PathBuf {
        self.merged()
    }
    fn reset(&mut self, old: Option<&Tree>) {
        self.mount = None;
        for d in ["lower", "upper", "work"] {
            let _ = fs::remove_dir_all(self.dir.join(d));
            fs::create_dir_all(self.dir.join(d)).unwrap();
        }
        fs::create_dir_all(self.merged()).unwrap();
        fs::create_dir_all(self.dir.join("lower/share/jupyter/kernels")).unwrap();
        if let Some(old) = old {
            write_tree(&self.dir.join("lower/share/jupyter/kernels/k"), old);
        }
        let d = |s: &str| self.dir.join(s).display().to_string();
        let opts = format!("lowerdir={},upperdir={},workdir={}", d("lower"), d("upper"), d("work"));
        self.mount = Some(Mounted::new(&["-t", "overlay", "overlay", "-o", &opts], &self.merged()));
    }
    fn atomic(&self) -> bool {
        false
    }
}

/// The old kernelspec (display name Old, plus a file only it has) and the new one (New), as
/// installed at the place's own path.
fn old_and_new(place: &mut dyn Place, home: &Path) -> (Tree, Tree) {
    place.reset(None);
    let prefix = place.prefix();
    let dest = prefix.join("share/jupyter/kernels/k");
    assert!(run(home, &refs(&install_args(&prefix, "Old", false))).status.success());
    fs::write(dest.join("old-only.txt"), "old").unwrap();
    let old = read_tree(&dest).unwrap();
    let out = run(home, &refs(&install_args(&prefix, "New", true)));
    assert!(out.status.success(), "{}", stderr(&out));
    let new = read_tree(&dest).unwrap();
    assert_ne!(old, new);
    (old, new)
}

/// The binary under `strace -f` with `strace_args`, in a clean environment of its own.
fn traced(home: &Path, strace_args: &[&str], args: &[&str]) -> Command {
    let mut c = Command::new("strace");
    c.arg("-f").args(strace_args).arg(bin()).args(args).env_clear().env("HOME", home).env("PATH", "/usr/bin:/bin");
    c
}

/// The system calls one run of `args` makes, with how often each, as `strace -c` counts them.
fn syscall_counts(home: &Path, args: &[&str], work: &Path) -> BTreeMap<String, usize> {
    let summary = work.join("strace-c.txt");
    let out = traced(home, &["-c", "-o", summary.to_str().unwrap()], args).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = fs::read_to_string(&summary).unwrap();
    let mut counts = BTreeMap::new();
    // "% time  seconds  usecs/call  calls  errors syscall" rows between two dashed lines.
    for line in text.lines().skip_while(|l| !l.starts_with("---")).skip(1).take_while(|l| !l.starts_with("---")) {
        let cols: Vec<&str> = line.split_whitespace().collect();
        let calls: usize = cols[3].parse().unwrap();
        counts.insert(cols.last().unwrap().to_string(), calls);
    }
    counts
}

/// Kills an install before each of its system calls in turn (every call of every kind
/// `strace -c` lists), then checks what is at the kernelspec's place, and what the next install
/// (of another kernel) leaves. `replace`: `install --replace` over the old kernelspec, else a
/// first install where there is none. Returns how often each state was seen right after a kill.
fn crash_at_every_system_call(
    place: &mut dyn Place,
    home: &Path,
    work: &Path,
    replace: bool,
) -> BTreeMap<State, usize> {
    let (old, new) = old_and_new(place, home);
    let prefix = place.prefix();
    let kernels = prefix.join("share/jupyter/kernels");
    let dest = kernels.join("k");
    let args = install_args(&prefix, "New", replace);
    let other = ["install".to_string(), format!("--prefix={}", prefix.display()), "--kernel-name=other".into()];
    let before = if replace { Some(&old) } else { None };

    place.reset(before);
    let counts = syscall_counts(home, &refs(&args), work);
    assert_eq!(state(&dest, &old, &new), State::New, "the traced run installed the kernelspec");

    let mut seen = BTreeMap::new();
    for (syscall, &count) in &counts {
        for when in 1..=count {
            place.reset(before);
            let at = format!("{syscall} #{when}");
            let inject = format!("inject={syscall}:signal=KILL:when={when}");
            let killed = traced(home, &["-o", "/dev/null", "-e", &inject], &refs(&args)).output().unwrap();
            let after_kill = state(&dest, &old, &new);
            match after_kill {
                State::Old if replace => {}
                State::New => {}
                // Nothing was there before a first install; in the swap in steps, only for the
                // moment between removing the old kernel.json and the rename.
                State::Missing if !replace || !place.atomic() => {}
                s => panic!("killed before {at}: the kernelspec is {s:?}\n{}", stderr(&killed)),
            }
            *seen.entry(after_kill).or_insert(0) += 1;
            // Jupyter lists every subdirectory holding a kernel.json, whatever its name.
            let listed: Vec<String> = names(&kernels)
                .into_iter()
                .filter(|n| n != "k" && kernels.join(n).join("kernel.json").is_file())
                .collect();
            assert_eq!(listed, Vec::<String>::new(), "killed before {at}: Jupyter lists these as kernels");

            let next = run(home, &refs(&other));
            assert!(next.status.success(), "after a kill before {at}: {}", stderr(&next));
            let after_next = state(&dest, &old, &new);
            let fine = match (after_kill, after_next) {
                (State::Old, State::Old) | (State::New, State::New) => true,
                // A swap in steps is finished by the next install, whoever runs it.
                (State::Missing, State::New) => replace,
                // Killed after the new kernelspec was bound to its name, before the old one was
                // touched: the next run finishes the swap.
                (State::Old, State::New) => !place.atomic(),
                // A first install that did not get as far as its kernel.json stays missing (an
                // install of this kernel replaces what it left).
                (State::Missing, State::Missing) => !replace,
                _ => false,
            };
            assert!(fine, "killed before {at}: {after_kill:?}, then after the next install {after_next:?}");
            let left = names(&kernels);
            assert!(
                left == ["k", "other"] || (!replace && left == ["other"]),
                "killed before {at}: the next install leaves no staging: {left:?}"
            );
        }
    }
    let what = if replace { "install --replace" } else { "a first install" };
    eprintln!("{} kills of {what} in {}: right after them {seen:?}", counts.values().sum::<usize>(), prefix.display());
    seen
}

#[test]
fn installs_survive_being_killed_before_any_system_call() {
    if !can_run("installs_survive_being_killed_before_any_system_call", &["strace", "mount"]) {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    fs::create_dir_all(&home).unwrap();

    let mut plain = PlainDir(tmp.path().join("plain"));
    let seen = crash_at_every_system_call(&mut plain, &home, tmp.path(), true);
    assert_eq!(seen.keys().copied().collect::<Vec<_>>(), [State::Old, State::New], "{seen:?}");
    let seen = crash_at_every_system_call(&mut plain, &home, tmp.path(), false);
    assert_eq!(seen.keys().copied().collect::<Vec<_>>(), [State::New, State::Missing], "{seen:?}");

    // overlayfs, old kernelspec in the lower layer: no atomic exchange, so the swap in steps,
    // killed at each of its steps too.
    let mut overlay = Overlay::new(&tmp.path().join("ovl"));
    let seen = crash_at_every_system_call(&mut overlay, &home, tmp.path(), true);
    assert_eq!(
        seen.keys().copied().collect::<Vec<_>>(),
        [State::Old, State::New, State::Missing],
        "the kills hit every part of the swap in steps: {seen:?}"
    );
}

#[test]
fn overlayfs_lower_layer_kernelspec_is_replaced() {
    if !can_run("overlayfs_lower_layer_kernelspec_is_replaced", &["mount"]) {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    fs::create_dir_all(&home).unwrap();
    let mut overlay = Overlay::new(&tmp.path().join("ovl"));
    let (old, new) = old_and_new(&mut overlay, &home);
    let merged = overlay.merged();
    let dest = merged.join("share/jupyter/kernels/k");

    overlay.reset(Some(&old));
    // Without --replace: the reference's refusal, nothing changed.
    let out = run(&home, &refs(&install_args(&merged, "New", false)));
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        format!(
            "A kernel specification exists at '{}' and '--replace' has not been specified.  Terminating.\n",
            dest.display()
        )
    );
    assert_eq!(state(&dest, &old, &new), State::Old);

    let out = run(&home, &refs(&install_args(&merged, "New", true)));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        log_lines(&out).contains(&format!("[I K8sSpecInstaller] Installed kernelspec k in {}", dest.display())),
        "{}",
        stderr(&out)
    );
    assert_eq!(state(&dest, &old, &new), State::New);
    assert_eq!(names(&merged.join("share/jupyter/kernels")), ["k"]);
    // And again, now that the kernelspec lives in the upper layer (an atomic exchange).
    let out = run(&home, &refs(&install_args(&merged, "New", true)));
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(state(&dest, &old, &new), State::New);
    assert_eq!(names(&merged.join("share/jupyter/kernels")), ["k"]);
}

/// What a reader of the kernelspec saw that it must never see.
fn watch(kernels: PathBuf, stop: Arc<AtomicBool>) -> thread::JoinHandle<(usize, Vec<String>)> {
    thread::spawn(move || {
        let dest = kernels.join("k");
        let (mut samples, mut bad) = (0usize, Vec::new());
        while !stop.load(Ordering::Relaxed) {
            samples += 1;
            let mut problem = None;
            match fs::read(dest.join("kernel.json")) {
                Err(e) => problem = Some(format!("kernel.json missing: {e}")),
                Ok(bytes) => match serde_json::from_slice::<serde_json::Value>(&bytes) {
                    Err(e) => problem = Some(format!("kernel.json partial: {e}")),
                    Ok(doc)
                        if !doc["display_name"]
                            .as_str()
                            .is_some_and(|d| d.starts_with("Old") || d.starts_with("New")) =>
                    {
                        problem = Some(format!("kernel.json unexpected: {doc}"))
                    }
                    Ok(_) => {}
                },
            }
            for f in &COMMON_FILES[1..] {
                if problem.is_none() && !dest.join(f).exists() {
                    problem = Some(format!("partial: {f} missing"));
                }
            }
            // Jupyter lists every subdirectory holding a kernel.json, whatever its name.
            for name in names(&kernels) {
                if problem.is_none() && name != "k" && kernels.join(&name).join("kernel.json").is_file() {
                    problem = Some(format!("{name} is listed by Jupyter as a kernel"));
                }
            }
            if let Some(p) = problem {
                if bad.len() < 5 {
                    bad.push(p);
                }
            }
        }
        (samples, bad)
    })
}

#[test]
fn a_reader_never_sees_a_missing_or_partial_kernelspec() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let prefix = tmp.path().join("p");
    fs::create_dir_all(&home).unwrap();
    let kernels = prefix.join("share/jupyter/kernels");
    assert!(run(&home, &refs(&install_args(&prefix, "Old", false))).status.success());
    fs::write(kernels.join("k/old-only.txt"), "old").unwrap();

    let stop = Arc::new(AtomicBool::new(false));
    let observer = watch(kernels.clone(), stop.clone());
    const REPLACES: usize = 2000;
    let mut failed = Vec::new();
    for i in 0..REPLACES {
        let out = run(&home, &refs(&install_args(&prefix, if i % 2 == 0 { "New" } else { "Old" }, true)));
        if !out.status.success() {
            failed.push(stderr(&out));
        }
    }
    stop.store(true, Ordering::Relaxed);
    let (samples, bad) = observer.join().unwrap();
    assert_eq!(failed, Vec::<String>::new());
    assert_eq!(bad, Vec::<String>::new(), "seen by the reader in {samples} looks");
    assert!(samples >= REPLACES, "the reader looked {samples} times during {REPLACES} replaces");
    assert_eq!(names(&kernels), ["k"]);
}

/// Runs `n` installs at once; their outputs.
fn all_at_once(n: usize, make: impl Fn(usize) -> Command) -> Vec<Output> {
    let children: Vec<_> =
        (0..n).map(|i| make(i).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap()).collect();
    children.into_iter().map(|c| c.wait_with_output().unwrap()).collect()
}

#[test]
fn concurrent_installs_without_replace_exactly_one_wins() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    fs::create_dir_all(&home).unwrap();
    for round in 0..20 {
        let prefix = tmp.path().join(format!("round-{round}"));
        let args = install_args(&prefix, "New", false);
        let dest = prefix.join("share/jupyter/kernels/k");
        // What one install alone writes there (kernel.json names its own path).
        assert!(run(&home, &refs(&args)).status.success());
        let alone = read_tree(&dest).unwrap();
        fs::remove_dir_all(&prefix).unwrap();
        let outs = all_at_once(12, |_| cmd(&home, &refs(&args)));
        let winners = outs.iter().filter(|o| o.status.success()).count();
        assert_eq!(winners, 1, "round {round}: {:?}", outs.iter().map(stderr).collect::<Vec<_>>());
        let refusal = format!(
            "A kernel specification exists at '{}' and '--replace' has not been specified.  Terminating.\n",
            dest.display()
        );
        for o in outs.iter().filter(|o| !o.status.success()) {
            // The refusal, after the log lines of an install that had to wait for the winner.
            assert_eq!(o.status.code(), Some(1), "round {round}");
            assert!(stderr(o).ends_with(&refusal), "round {round}: {}", stderr(o));
            assert!(!stderr(o).contains("[E "), "round {round}: {}", stderr(o));
        }
        assert!(read_tree(&dest).as_ref() == Some(&alone), "round {round}: complete");
        assert_eq!(names(&prefix.join("share/jupyter/kernels")), ["k"], "round {round}");
    }
}

#[test]
fn concurrent_replaces_all_succeed_one_after_another() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    fs::create_dir_all(&home).unwrap();
    let mut place = PlainDir(tmp.path().join("p"));
    let (old, new) = old_and_new(&mut place, &home);
    let prefix = place.prefix();
    let kernels = prefix.join("share/jupyter/kernels");
    let args = install_args(&prefix, "New", true);
    for round in 0..20 {
        place.reset(Some(&old));
        let outs = all_at_once(12, |_| cmd(&home, &refs(&args)));
        for o in &outs {
            assert!(o.status.success(), "round {round}: {}", stderr(o));
        }
        assert_eq!(state(&kernels.join("k"), &old, &new), State::New, "round {round}");
        assert_eq!(names(&kernels), ["k"], "round {round}");
    }
}

#[test]
fn replaces_from_separate_pid_namespaces_share_a_volume() {
    if !can_run("replaces_from_separate_pid_namespaces_share_a_volume", &["unshare"]) {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    fs::create_dir_all(&home).unwrap();
    let shared = tmp.path().join("shared");
    let kernels = shared.join("share/jupyter/kernels");
    assert!(run(&home, &refs(&install_args(&shared, "Old", false))).status.success());

    let stop = Arc::new(AtomicBool::new(false));
    let observer = watch(kernels.clone(), stop.clone());
    let mut failures = Vec::new();
    for round in 0..20 {
        // Each installer is PID 1 of its own namespace: pids tell them nothing about each other.
        let outs = all_at_once(6, |i| {
            let mut c = Command::new("unshare");
            c.args(["-p", "-f", bin()])
                .args(install_args(&shared, &format!("New {round}.{i}"), true))
                .env_clear()
                .env("HOME", &home)
                .env("PATH", "/usr/bin:/bin");
            c
        });
        failures.extend(outs.iter().filter(|o| !o.status.success()).map(|o| format!("round {round}: {}", stderr(o))));
        assert_eq!(names(&kernels), ["k"], "round {round}: no staging directory left");
        let files: Vec<String> = common::installed_files(&kernels.join("k")).into_iter().map(|f| f.0).collect();
        assert_eq!(files, COMMON_FILES.iter().map(|f| f.to_string()).collect::<Vec<_>>(), "round {round}");
    }
    stop.store(true, Ordering::Relaxed);
    let (samples, bad) = observer.join().unwrap();
    assert_eq!(failures, Vec::<String>::new());
    assert_eq!(bad, Vec::<String>::new(), "seen by the reader in {samples} looks");
}

#[test]
fn kernel_names_up_to_the_file_name_limit() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    fs::create_dir_all(&home).unwrap();
    for len in [250, 255] {
        let name = "n".repeat(len);
        let kernel_name = format!("--kernel-name={name}");
        let prefix = format!("--prefix={}", tmp.path().join("p").display());
        for extra in [None, Some("--replace")] {
            let mut args = vec!["install", &prefix, &kernel_name];
            args.extend(extra);
            let out = run(&home, &args);
            assert!(out.status.success(), "{len} {extra:?}: {}", stderr(&out));
        }
        let kernels = tmp.path().join("p/share/jupyter/kernels");
        assert!(names(&kernels).contains(&name));
        assert_eq!(common::installed_files(&kernels.join(&name)).len(), COMMON_FILES.len());
        assert!(!names(&kernels).iter().any(|n| n.contains('~')));
    }
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

/// Clears the immutable attribute below a directory when dropped, so it can be removed.
struct Mutable(PathBuf);

impl Drop for Mutable {
    fn drop(&mut self) {
        let _ = Command::new("chattr").args(["-R", "-i"]).arg(&self.0).status();
    }
}

/// A small ext4 image of our own mounted on `dir/mnt`: chattr needs a file system that has the
/// immutable attribute. Cleared and unmounted when dropped.
struct Ext4 {
    mnt: PathBuf,
    // Dropped in this order: the attributes cleared, then the unmount.
    _mutable: Mutable,
    _mount: Mounted,
}

impl Ext4 {
    fn new(dir: &Path) -> Ext4 {
        let image = dir.join("ext4.img");
        fs::File::create(&image).unwrap().set_len(16 << 20).unwrap();
        sh("mkfs.ext4", &["-q", "-F", image.to_str().unwrap()]);
        let mnt = dir.join("mnt");
        fs::create_dir(&mnt).unwrap();
        let mount = Mounted::new(&["-o", "loop", image.to_str().unwrap()], &mnt);
        Ext4 { _mutable: Mutable(mnt.clone()), _mount: mount, mnt }
    }
}

#[test]
fn an_old_kernelspec_that_cannot_be_removed_is_no_failure() {
    if !can_run("an_old_kernelspec_that_cannot_be_removed_is_no_failure", &["chattr", "mount", "mkfs.ext4"]) {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    fs::create_dir_all(&home).unwrap();
    let ext4 = Ext4::new(tmp.path());
    let mut place = PlainDir(ext4.mnt.join("p"));
    let (old, new) = old_and_new(&mut place, &home);
    let prefix = place.prefix();
    let kernels = prefix.join("share/jupyter/kernels");
    place.reset(Some(&old));
    sh("chattr", &["+i", kernels.join("k/old-only.txt").to_str().unwrap()]);

    let out = run(&home, &refs(&install_args(&prefix, "New", true)));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(state(&kernels.join("k"), &old, &new), State::New);
    let lines = log_lines(&out);
    assert!(!lines.iter().any(|l| l.starts_with("[E ")), "{lines:?}");
    let left: Vec<&String> = lines.iter().filter(|l| l.contains("previous one")).collect();
    assert_eq!(left.len(), 1, "{lines:?}");
    let staging = names(&kernels.join(WORK_DIR));
    assert_eq!(staging.len(), 1);
    let kept = kernels.join(WORK_DIR).join(&staging[0]);
    assert_eq!(
        *left[0],
        format!(
            "[W K8sSpecInstaller] The new kernelspec is in place, but the previous one could not be removed (Operation not permitted (os error 1)); it is left in {}",
            kept.display()
        )
    );
    // The removal stopped at the immutable file; Jupyter lists nothing of what is left.
    assert!(names(&kept).contains(&"old-only.txt".to_string()), "{:?}", names(&kept));
    assert_eq!(names(&kernels), [WORK_DIR, "k"]);
    assert!(!kernels.join(WORK_DIR).join("kernel.json").exists());
    // Once it can be removed, the next install does.
    sh("chattr", &["-i", kept.join("old-only.txt").to_str().unwrap()]);
    assert!(run(&home, &refs(&install_args(&prefix, "New", true))).status.success());
    assert_eq!(names(&kernels), ["k"]);
}

#[test]
fn a_full_disk_loses_nothing() {
    if !can_run("a_full_disk_loses_nothing", &["mount"]) {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    fs::create_dir_all(&home).unwrap();
    let mnt = tmp.path().join("mnt");
    fs::create_dir(&mnt).unwrap();
    let _mount = Mounted::new(&["-t", "tmpfs", "-o", "size=256k", "tmpfs"], &mnt);
    let mut place = PlainDir(mnt.join("p"));
    let (old, new) = old_and_new(&mut place, &home);
    place.reset(Some(&old));
    let prefix = place.prefix();
    let kernels = prefix.join("share/jupyter/kernels");
    // Fill the file system, then free less than a kernelspec needs.
    let filler = mnt.join("filler");
    let _ = fs::write(&filler, vec![0u8; 256 << 10]);
    let len = fs::metadata(&filler).unwrap().len();
    fs::File::options().write(true).open(&filler).unwrap().set_len(len.saturating_sub(8 << 10)).unwrap();

    let out = run(&home, &refs(&install_args(&prefix, "New", true)));
    assert_eq!(out.status.code(), Some(1));
    let errors: Vec<String> = log_lines(&out).into_iter().filter(|l| l.starts_with("[E ")).collect();
    assert_eq!(
        errors,
        [format!(
            "[E K8sSpecInstaller] Cannot install the kernelspec into {}: No space left on device (os error 28)",
            kernels.display()
        )]
    );
    assert_eq!(state(&kernels.join("k"), &old, &new), State::Old);
    assert_eq!(names(&kernels), ["k"]);
    // A first install into the full file system leaves nothing either, not even its directories.
    let fresh = mnt.join("fresh");
    let out = run(&home, &["install", &format!("--prefix={}", fresh.display())]);
    assert_eq!(out.status.code(), Some(1));
    assert!(!fresh.exists());
}

// Faults injected from outside with strace (`-e inject=SYSCALL:error=...`, `delay_enter=...`):
// what a system without renameat2, a failing rename or mkdir, or an installer that could not
// take the lock does to an install, without any hook in the code under test.

/// The binary under strace with each of `injections` (`SYSCALL:error=ERRNO:when=N`, ...).
fn injected(home: &Path, args: &[&str], injections: &[&str]) -> Command {
    let options: Vec<String> = injections.iter().flat_map(|i| ["-e".to_string(), format!("inject={i}")]).collect();
    let mut strace_args = vec!["-o", "/dev/null"];
    strace_args.extend(refs(&options));
    traced(home, &strace_args, args)
}

/// The output of `c`, which must end within `secs` seconds (an install takes milliseconds): a
/// retry without bound fails the test instead of hanging it.
fn output_within(mut c: Command, secs: u64) -> Output {
    let child = c.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    wait_within(child, secs)
}

fn wait_within(mut child: std::process::Child, secs: u64) -> Output {
    let end = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > end {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!("still running after {secs} s: {}", stderr(&out));
        }
        thread::sleep(std::time::Duration::from_millis(10));
    }
    child.wait_with_output().unwrap()
}

/// Which call of `syscall` (1 for the first) in a traced run of `args` is the first whose path
/// argument satisfies `wanted`; for `when=` of an injection into the same run. The traced run
/// installs: reset the place afterwards.
fn ordinal_of_call(home: &Path, args: &[&str], work: &Path, syscall: &str, wanted: impl Fn(&str) -> bool) -> usize {
    let log = work.join("strace-calls.txt");
    let out = traced(home, &["-o", log.to_str().unwrap(), "-e", &format!("trace={syscall}")], args).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = fs::read_to_string(&log).unwrap();
    let call = format!("{syscall}(\"");
    let paths: Vec<&str> =
        text.lines().filter_map(|l| l.split_once(&call)).map(|(_, rest)| rest.split('"').next().unwrap()).collect();
    paths.iter().position(|p| wanted(p)).map(|i| i + 1).unwrap_or_else(|| panic!("no such {syscall}: {paths:?}"))
}

/// The error lines of a run.
fn errors(out: &Output) -> Vec<String> {
    log_lines(out).into_iter().filter(|l| l.starts_with("[E ")).collect()
}

/// A temporary directory with a home directory in it, if `test` can run here (see `can_run`).
fn sandbox(test: &str, tools: &[&str]) -> Option<(tempfile::TempDir, PathBuf)> {
    if !can_run(test, tools) {
        return None;
    }
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    fs::create_dir_all(&home).unwrap();
    Some((tmp, home))
}

/// A plain directory with the old and new kernelspecs of `old_and_new` (of kernel `k`).
struct Plain {
    place: PlainDir,
    old: Tree,
    new: Tree,
    prefix: PathBuf,
    kernels: PathBuf,
    dest: PathBuf,
}

impl Plain {
    fn new(dir: PathBuf, home: &Path) -> Plain {
        let mut place = PlainDir(dir);
        let (old, new) = old_and_new(&mut place, home);
        let prefix = place.prefix();
        let kernels = prefix.join("share/jupyter/kernels");
        let dest = kernels.join("k");
        Plain { place, old, new, prefix, kernels, dest }
    }
    /// Puts the old kernelspec (or nothing) back.
    fn reset(&mut self, old: bool) {
        let tree = self.old.clone();
        self.place.reset(old.then_some(&tree));
    }
    fn state(&self) -> State {
        state(&self.dest, &self.old, &self.new)
    }
    fn args(&self, replace: bool) -> Vec<String> {
        install_args(&self.prefix, "New", replace)
    }
    /// `[E ...] Cannot install the kernelspec into <kernels>: <what>`
    fn cannot(&self, what: &str) -> String {
        format!("[E K8sSpecInstaller] Cannot install the kernelspec into {}: {what}", self.kernels.display())
    }
}

#[test]
fn installs_work_where_renameat2_is_missing_or_refuses_its_flags() {
    let Some((tmp, home)) = sandbox("installs_work_where_renameat2_is_missing_or_refuses_its_flags", &["strace"])
    else {
        return;
    };
    // ENOSYS: kernels before 3.15, and container runtimes whose seccomp profile predates the call;
    // EINVAL: file systems without RENAME_NOREPLACE / RENAME_EXCHANGE (NFS, many FUSE ones).
    for errno in ["ENOSYS", "EINVAL"] {
        let mut p = Plain::new(tmp.path().join(errno), &home);
        let no_renameat2 = format!("renameat2:error={errno}");
        // A first install falls back to a plain rename, and writes what it writes anyway.
        p.reset(false);
        assert!(run(&home, &refs(&p.args(false))).status.success());
        let first = read_tree(&p.dest);
        p.reset(false);
        let out = injected(&home, &refs(&p.args(false)), &[&no_renameat2]).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{errno}: {}", stderr(&out));
        assert!(read_tree(&p.dest) == first, "{errno}: the first install is complete");
        assert_eq!(names(&p.kernels), ["k"], "{errno}");
        // A replace takes the swap in steps.
        p.reset(true);
        let out = injected(&home, &refs(&p.args(true)), &[&no_renameat2]).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{errno}: {}", stderr(&out));
        assert_eq!(p.state(), State::New, "{errno}");
        assert_eq!(names(&p.kernels), ["k"], "{errno}");
    }
}

#[test]
fn a_rename_that_fails_for_another_reason_fails_the_install() {
    let Some((tmp, home)) = sandbox("a_rename_that_fails_for_another_reason_fails_the_install", &["strace"]) else {
        return;
    };
    let mut p = Plain::new(tmp.path().join("p"), &home);
    let denied = p.cannot("Permission denied (os error 13)");
    // Neither "the name is taken" nor "cannot rename like that": reported as it is, nothing
    // left, not even the directories the install made.
    let _ = fs::remove_dir_all(&p.prefix);
    let out = injected(&home, &refs(&p.args(false)), &["renameat2:error=EACCES:when=1"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(errors(&out), std::slice::from_ref(&denied));
    assert!(!p.prefix.exists());
    // The exchange of a replace: the old kernelspec stays.
    p.reset(true);
    let out = injected(&home, &refs(&p.args(true)), &["renameat2:error=EACCES:when=1"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(errors(&out), [denied]);
    assert_eq!(p.state(), State::Old);
    assert_eq!(names(&p.kernels), ["k"]);
}

#[test]
fn an_install_that_loses_the_race_for_its_name() {
    use rustix::fs::{renameat_with, RenameFlags, CWD};
    let Some((tmp, home)) = sandbox("an_install_that_loses_the_race_for_its_name", &["strace"]) else { return };
    let mut p = Plain::new(tmp.path().join("p"), &home);
    // The test plays an installer that could not take the lock (another machine on NFS, a file
    // system that refuses flock): between the install's check that the name is free and its
    // rename, which strace holds back, the old kernelspec appears at the name in one step.
    for replace in [false, true] {
        let mut delay_ms = 500;
        let out = loop {
            p.reset(false);
            let rival = p.prefix.join("rival");
            write_tree(&rival, &p.old);
            let hold = format!("renameat2:delay_enter={}:when=1", delay_ms * 1000);
            let mut child = injected(&home, &refs(&p.args(replace)), &[&hold])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            // Its staging directory is made after the check.
            let won = loop {
                if names(&p.kernels).iter().any(|n| n.starts_with(".~k8s-spec-") && n != WORK_DIR) {
                    // Fails if the install's own rename came first.
                    break renameat_with(CWD, &rival, CWD, &p.dest, RenameFlags::NOREPLACE).is_ok();
                }
                if child.try_wait().unwrap().is_some() {
                    break false;
                }
                thread::sleep(std::time::Duration::from_millis(1));
            };
            let out = child.wait_with_output().unwrap();
            if won {
                break out;
            }
            assert!(delay_ms < 8000, "the install renamed first every time: {}", stderr(&out));
            delay_ms *= 2;
        };
        if replace {
            assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
            assert_eq!(p.state(), State::New);
        } else {
            // The reference's refusal, as when the kernelspec was there from the start.
            assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
            let refusal = format!(
                "A kernel specification exists at '{}' and '--replace' has not been specified.  Terminating.\n",
                p.dest.display()
            );
            assert!(stderr(&out).ends_with(&refusal), "{}", stderr(&out));
            assert_eq!(p.state(), State::Old);
        }
        assert_eq!(names(&p.kernels), ["k"], "replace: {replace}");
    }
}

#[test]
fn what_appears_while_an_install_waits_for_its_turn_is_seen() {
    use rustix::fs::{flock, open, FlockOperation, Mode, OFlags};
    use std::io::{BufRead, BufReader};
    use std::sync::mpsc;
    let Some((tmp, home)) = sandbox("what_appears_while_an_install_waits_for_its_turn_is_seen", &[]) else { return };
    let prefix = tmp.path().join("p");
    let kernels = prefix.join("share/jupyter/kernels");
    fs::create_dir_all(&kernels).unwrap();
    // The test holds the lock another installer would hold (CLOEXEC: a child that inherited it
    // would hold it too).
    let lock = open(&kernels, OFlags::RDONLY | OFlags::CLOEXEC, Mode::empty()).unwrap();
    flock(&lock, FlockOperation::LockExclusive).unwrap();
    let mut args = install_args(&prefix, "New", false);
    args.push("--log-level=INFO".into());
    let mut child = cmd(&home, &refs(&args)).stdout(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap();
    let (tx, rx) = mpsc::channel();
    let err = child.stderr.take().unwrap();
    let reader = thread::spawn(move || {
        for line in BufReader::new(err).lines() {
            let line = line.unwrap();
            let _ = tx.send(line.split_once("K8sSpecInstaller] ").map_or(line.as_str(), |p| p.1).to_string());
        }
    });
    let waiting = format!("Waiting for another install into {} to finish", kernels.display());
    let mut lines = Vec::new();
    while !lines.contains(&waiting) {
        match rx.recv_timeout(std::time::Duration::from_secs(30)) {
            Ok(line) => lines.push(line),
            // The install ended, or never said that it waits: let it go, and fail.
            Err(_) => {
                drop(lock);
                let _ = wait_within(child, 30);
                panic!("no {waiting:?} in {lines:?}");
            }
        }
    }
    // While it waits, something that is not a kernelspec takes the name.
    fs::write(kernels.join("k"), "not a kernelspec").unwrap();
    drop(lock);
    let status = wait_within(child, 30).status;
    reader.join().unwrap();
    lines.extend(rx.try_iter());
    assert_eq!(status.code(), Some(1), "{lines:?}");
    assert_eq!(
        lines.last().unwrap(),
        &format!("Cannot install the kernelspec at {}: it exists and is not a directory.", kernels.join("k").display())
    );
    assert_eq!(fs::read_to_string(kernels.join("k")).unwrap(), "not a kernelspec");
    assert_eq!(names(&kernels), ["k"]);
}

#[test]
fn a_kernelspec_that_is_a_mount_point_is_never_emptied() {
    let Some((tmp, home)) = sandbox("a_kernelspec_that_is_a_mount_point_is_never_emptied", &["mount", "strace"]) else {
        return;
    };
    let mut p = Plain::new(tmp.path().join("p"), &home);
    // The old kernelspec on a volume of its own, mounted at its place (a container's bind mount).
    p.reset(false);
    fs::create_dir(&p.dest).unwrap();
    let _volume = Mounted::new(&["-t", "tmpfs", "-o", "size=4m", "tmpfs"], &p.dest);
    write_tree(&p.dest, &p.old);
    let out = run(&home, &refs(&p.args(true)));
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(errors(&out), [p.cannot("Device or resource busy (os error 16)")]);
    assert_eq!(p.state(), State::Old, "the volume's kernelspec is untouched");
    assert_eq!(names(&p.kernels), ["k"]);
    // Where the exchange is missing, the swap in steps would empty the volume and still fail
    // to rename onto its mount point: the install refuses before touching it.
    let out = injected(&home, &refs(&p.args(true)), &["renameat2:error=ENOSYS"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(errors(&out), [p.cannot("Function not implemented (os error 38)")]);
    assert_eq!(p.state(), State::Old, "the volume's kernelspec is untouched");
    assert_eq!(names(&p.kernels), ["k"]);
}

#[test]
fn a_swap_in_steps_that_cannot_remove_the_old_kernelspec_is_finished_later() {
    let Some((tmp, home)) = sandbox(
        "a_swap_in_steps_that_cannot_remove_the_old_kernelspec_is_finished_later",
        &["chattr", "mount", "mkfs.ext4", "strace"],
    ) else {
        return;
    };
    let ext4 = Ext4::new(tmp.path());
    let mut p = Plain::new(ext4.mnt.join("p"), &home);
    let ready = p.kernels.join(WORK_DIR).join("k");
    p.reset(true);
    sh("chattr", &["+i", p.dest.join("old-only.txt").to_str().unwrap()]);
    // No exchange (as on overlayfs): the old kernel.json goes, the immutable file stays.
    let out = injected(&home, &refs(&p.args(true)), &["renameat2:error=EXDEV"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(
        errors(&out),
        [format!(
            "[E K8sSpecInstaller] Cannot install the kernelspec at {}: Operation not permitted (os error 1); the new kernelspec is complete in {} and the next install into {} puts it in place.",
            p.dest.display(),
            ready.display(),
            p.kernels.display()
        )]
    );
    assert_eq!(p.state(), State::Missing);
    assert!(read_tree(&ready).as_ref() == Some(&p.new), "the new kernelspec waits, complete");
    // Once the old one can be removed, the next install into the directory, of any kernel,
    // puts the new one in place.
    sh("chattr", &["-i", p.dest.join("old-only.txt").to_str().unwrap()]);
    let other = ["install".to_string(), format!("--prefix={}", p.prefix.display()), "--kernel-name=other".into()];
    let out = run(&home, &refs(&other));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let finished = format!(
        "[W K8sSpecInstaller] An interrupted install had left a complete kernelspec waiting; it is now in place in {}",
        p.dest.display()
    );
    assert!(log_lines(&out).contains(&finished), "{}", stderr(&out));
    assert_eq!(p.state(), State::New);
    assert_eq!(names(&p.kernels), ["k", "other"]);
}

#[test]
fn the_work_directory_failing_under_a_replace() {
    let Some((tmp, home)) = sandbox("the_work_directory_failing_under_a_replace", &["strace"]) else { return };
    let mut p = Plain::new(tmp.path().join("p"), &home);
    let args = p.args(true);
    let (work, staging) = (format!("/{WORK_DIR}"), format!("/{WORK_DIR}/~"));
    p.reset(true);
    let work_mkdir = ordinal_of_call(&home, &refs(&args), tmp.path(), "mkdir", |d| d.ends_with(&work));
    p.reset(true);
    let staging_mkdir = ordinal_of_call(&home, &refs(&args), tmp.path(), "mkdir", |d| d.contains(&staging));
    // Each case: the mkdir calls that fail, and the error (None: the install succeeds).
    let cases = [
        // The work directory cannot be made: the reason, the old kernelspec kept.
        (format!("mkdir:error=EDQUOT:when={work_mkdir}"), Some("Disk quota exceeded (os error 122)")),
        // It vanishes once under the staging directory (an installer that could not lock removed
        // it): made again, and the install goes on.
        (format!("mkdir:error=ENOENT:when={staging_mkdir}"), None),
        // It is never there: a few attempts, then the error, not a retry without end.
        (format!("mkdir:error=ENOENT:when={staging_mkdir}+"), Some("No such file or directory (os error 2)")),
    ];
    for (injection, error) in cases {
        p.reset(true);
        let out = output_within(injected(&home, &refs(&args), &[&injection]), 30);
        let want = error.map(|e| p.cannot(e));
        assert_eq!(
            (out.status.code(), errors(&out)),
            (Some(i32::from(want.is_some())), Vec::from_iter(want)),
            "{injection}"
        );
        assert_eq!(p.state(), if error.is_some() { State::Old } else { State::New }, "{injection}");
        assert_eq!(names(&p.kernels), ["k"], "{injection}");
    }
}

#[test]
fn a_dry_run_predicts_a_read_only_file_system() {
    let Some((tmp, home)) = sandbox("a_dry_run_predicts_a_read_only_file_system", &["mount"]) else { return };
    let mnt = tmp.path().join("ro");
    fs::create_dir(&mnt).unwrap();
    let _mount = Mounted::new(&["-t", "tmpfs", "-o", "size=1m", "tmpfs"], &mnt);
    fs::create_dir_all(mnt.join("existing/share/jupyter/kernels")).unwrap();
    sh("mount", &["-o", "remount,ro", mnt.to_str().unwrap()]);
    // As root only a read-only file system refuses: access(2) says so, and the dry run with it.
    for prefix in ["fresh", "existing"] {
        let prefix_arg = format!("--prefix={}", mnt.join(prefix).display());
        let kernels = mnt.join(prefix).join("share/jupyter/kernels");
        let want = vec![format!(
            "[E K8sSpecInstaller] Cannot install the kernelspec into {}: Read-only file system (os error 30)",
            kernels.display()
        )];
        for dry_run in [false, true] {
            let mut args = vec!["install", &prefix_arg];
            args.extend(dry_run.then_some("--dry-run"));
            let out = run(&home, &args);
            assert_eq!((out.status.code(), errors(&out)), (Some(1), want.clone()), "{args:?}: {}", stderr(&out));
        }
    }
}
