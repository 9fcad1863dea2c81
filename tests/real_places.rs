//! Installs where users really run them, and faults the code under test cannot steer: a later
//! image layer replacing a kernelspec of an earlier one (overlayfs), a volume shared by
//! installers in separate PID namespaces, many installers at once, an installer killed before
//! any one of its system calls (strace), a reader watching the kernelspec through thousands of
//! replaces, a full disk, an immutable file, output that cannot be written.
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

/// The system calls one run of `args` makes, with how often each, as `strace -c` counts them.
fn syscall_counts(home: &Path, args: &[&str], work: &Path) -> BTreeMap<String, usize> {
    let summary = work.join("strace-c.txt");
    let out = Command::new("strace")
        .args(["-f", "-c", "-o", summary.to_str().unwrap(), bin()])
        .args(args)
        .env_clear()
        .env("HOME", home)
        .env("PATH", "/usr/bin:/bin")
        .output()
        .unwrap();
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
            let killed = Command::new("strace")
                .args(["-f", "-o", "/dev/null", "-e", &format!("inject={syscall}:signal=KILL:when={when}"), bin()])
                .args(&args)
                .env_clear()
                .env("HOME", home)
                .env("PATH", "/usr/bin:/bin")
                .output()
                .unwrap();
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

#[test]
fn an_old_kernelspec_that_cannot_be_removed_is_no_failure() {
    if !can_run("an_old_kernelspec_that_cannot_be_removed_is_no_failure", &["chattr", "mount", "mkfs.ext4"]) {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    fs::create_dir_all(&home).unwrap();
    // chattr needs a file system that has the attribute: a small ext4 image of our own.
    let image = tmp.path().join("ext4.img");
    fs::File::create(&image).unwrap().set_len(16 << 20).unwrap();
    sh("mkfs.ext4", &["-q", "-F", image.to_str().unwrap()]);
    let mnt = tmp.path().join("mnt");
    fs::create_dir(&mnt).unwrap();
    let _mount = Mounted::new(&["-o", "loop", image.to_str().unwrap()], &mnt);
    let _mutable = Mutable(mnt.clone());
    let mut place = PlainDir(mnt.join("p"));
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
