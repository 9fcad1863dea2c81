//! Putting a kernelspec in place: the new directory is written complete under a name Jupyter
//! never lists, then moved into place in one step where the file system allows it, so that an
//! observer sees the old kernelspec or the new one and never a missing or partial one, and a
//! failure at any point leaves the old one untouched. Where the file system cannot exchange two
//! directories atomically (overlayfs lower layers, NFS, old kernels) the swap is done in steps
//! that the next install finishes if this one dies (see README, "What an install does").
//!
//! Jupyter lists every subdirectory of the kernels directory `K` that holds a `kernel.json`,
//! whatever its name, so no temporary directory ever holds one directly in `K`:
//!
//! - A new kernelspec (nothing at `K/NAME`) is written without `kernel.json` into
//!   `K/.~k8s-spec-XXXXXXXXXXXX` (a fixed short name, so kernel names of any length fit),
//!   renamed to `K/NAME` unless something is there, and only then given its `kernel.json`, by a
//!   rename inside it: Jupyter does not list it before that instant and finds it complete from
//!   then on. No directory is created and removed on the way, which on some file systems
//!   (`discard`) costs more than the whole install.
//! - A replacement is written complete into `K/.~k8s-spec-work/~XXXXXXXXXXXX`, in a work
//!   directory that exists only while a replace runs (or after one was killed) and never holds
//!   a `kernel.json` itself; the exchange moves the old kernelspec there.
//! - `K/.~k8s-spec-work/NAME` is a complete new kernelspec bound for `K/NAME` during a swap in
//!   steps. If its installer is gone, the next install into `K` moves it into place (roll
//!   forward): a kernel name never contains `~`, so it cannot be taken for a staging directory.
//!
//! Installers into `K` take turns through an exclusive `flock` on `K` itself (`lock.rs`): one
//! that holds it knows that whatever temporary directories are in `K` were left by installers
//! that are gone, whatever PID namespace or container they ran in, and removes them (or
//! finishes their swap).

mod lock;
mod rename;
pub mod report;

use std::ffi::OsStr;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::variant::assets::File;

/// Starts the name of every temporary directory of ours in a kernels directory. `~` is not
/// allowed in kernel names.
const MARK: &str = ".~k8s-spec-";

/// Our work directory for replacements in the kernels directory (`MARK` + "work", shorter than
/// any staging directory's name).
const WORK_DIR: &str = ".~k8s-spec-work";

/// Starts the names of staging directories inside the work directory.
const STAGING_MARK: &str = "~";

/// Random characters in a staging directory's name.
const STAGING_RANDOM: usize = 12;

/// The name `kernel.json` is written under inside a new kernelspec before it is renamed to
/// `kernel.json`.
const KERNEL_JSON_TEMP: &str = ".~k8s-spec-kernel.json";

/// A kernel name no kernelspec can have.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    #[error("Invalid kernel name '': the kernel name cannot be empty.")]
    Empty,
    #[error("Invalid kernel name {}: '.' and '..' name directories, not kernels.", crate::py::repr::str_repr(.0))]
    Dots(String),
    #[error(
        "Invalid kernel name {}.  Kernel names can only contain ASCII letters and numbers and these separators: - . _ (hyphen, period, and underscore).",
        crate::py::repr::str_repr(.0)
    )]
    Characters(String),
}

/// Checks a kernel name the way jupyter_client does, minus its quirks: ASCII letters, digits,
/// `-`, `.`, `_`, and neither `.` nor `..` (which would install over the kernels directory or
/// its parent).
pub fn check_kernel_name(name: &str) -> Result<(), NameError> {
    if name.is_empty() {
        return Err(NameError::Empty);
    }
    if name == "." || name == ".." {
        return Err(NameError::Dots(name.to_string()));
    }
    if !name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_')) {
        return Err(NameError::Characters(name.to_string()));
    }
    Ok(())
}

/// Why an install failed.
#[derive(Debug, thiserror::Error)]
pub enum InstallError {
    #[error("Cannot install the kernelspec into {}: {source}", .dir.display())]
    Io { dir: PathBuf, source: io::Error },
    #[error("Cannot install the kernelspec at {}: it exists and is not a directory.", .0.display())]
    NotADirectory(PathBuf),
    /// Found under the lock: another installer put it there since the command's own check.
    #[error("A kernel specification exists at '{}' and '--replace' has not been specified.  Terminating.", .0.display())]
    Exists(PathBuf),
    /// A swap in steps could not be finished: the old kernelspec is (partly) gone and the new
    /// one waits, complete, for the next install into the same directory to move it into place.
    #[error(
        "Cannot install the kernelspec at {}: {source}; the new kernelspec is complete in {} and the next install into {} puts it in place.",
        .dest.display(), .ready.display(), .dest.parent().unwrap_or(Path::new("")).display()
    )]
    Unfinished { dest: PathBuf, ready: PathBuf, source: io::Error },
}

/// What `install` did, for the log.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    Created,
    /// An existing directory at the destination was replaced.
    Replaced,
}

/// What happens during an install that the user may want to hear about; the command decides
/// how to log each.
#[derive(Debug)]
pub enum Event<'a> {
    /// Another installer is working in this kernels directory; this one waits for it.
    Waiting { kernels: &'a Path },
    /// An existing kernelspec is about to be replaced.
    Replacing,
    /// The file system cannot exchange the two directories in one step (`error`): the old
    /// kernelspec is removed and the new one renamed into place, recoverably.
    InSteps { error: &'a io::Error },
    /// A kernelspec that an interrupted install had left waiting was moved into place.
    Finished { dest: &'a Path },
    /// The new kernelspec is in place; the previous one, exchanged into `path`, could not be
    /// removed and is left there (Jupyter does not list it).
    OldKept { path: &'a Path, error: &'a io::Error },
    /// Something an interrupted install left could not be removed (or moved into place) and is
    /// left where it is.
    Left { path: &'a Path, error: &'a io::Error },
}

/// Installs `files` plus `kernel_json` as the directory `dest`. An existing kernelspec there
/// (a directory holding `kernel.json`) is replaced only when `replace` is set; a directory
/// without one is replaced as the reference does.
pub fn install(
    dest: &Path,
    files: &[File],
    kernel_json: &str,
    replace: bool,
    events: &dyn Fn(Event),
) -> Result<Outcome, InstallError> {
    let kernels = dest.parent().expect("a kernelspec destination has a parent");
    let name = dest.file_name().expect("a kernelspec destination has a name");
    let io_err = |source: io::Error| InstallError::Io { dir: kernels.to_path_buf(), source };

    match fs::symlink_metadata(dest) {
        Ok(m) if !m.is_dir() => return Err(InstallError::NotADirectory(dest.to_path_buf())),
        _ => {}
    }
    let created = create_parents(kernels).map_err(io_err)?;
    let result = install_locked(kernels, name, dest, files, kernel_json, replace, events);
    if result.is_err() {
        for dir in created.iter().rev() {
            let _ = fs::remove_dir(dir);
        }
    }
    result
}

fn install_locked(
    kernels: &Path,
    name: &OsStr,
    dest: &Path,
    files: &[File],
    kernel_json: &str,
    replace: bool,
    events: &dyn Fn(Event),
) -> Result<Outcome, InstallError> {
    let io_err = |source: io::Error| InstallError::Io { dir: kernels.to_path_buf(), source };
    // Dropped last: everything below happens while this installer holds the lock.
    let lock = lock::exclusive(kernels, || events(Event::Waiting { kernels }));
    if lock.is_some() {
        clean_up(kernels, name, events)?;
    }
    // Checked again under the lock: the command's own check may be out of date.
    let staging = match fs::symlink_metadata(dest) {
        Ok(m) if !m.is_dir() => return Err(InstallError::NotADirectory(dest.to_path_buf())),
        Ok(_) if !replace && dest.join("kernel.json").exists() => return Err(InstallError::Exists(dest.to_path_buf())),
        Ok(_) => None,
        Err(_) => match create(kernels, dest, files, kernel_json).map_err(io_err)? {
            None => return Ok(Outcome::Created),
            // Taken since we looked: only by an installer that could not lock, and then it is
            // an existing kernelspec like any other.
            Some(_) if !replace && dest.join("kernel.json").exists() => {
                return Err(InstallError::Exists(dest.to_path_buf()))
            }
            Some(staging) => {
                write_file(&staging.path().join("kernel.json"), kernel_json.as_bytes(), 0o644).map_err(io_err)?;
                Some(staging)
            }
        },
    };
    let work = Work::open(kernels).map_err(io_err)?;
    let staging = match staging {
        Some(s) => s,
        None => work.stage(files, kernel_json).map_err(io_err)?,
    };
    replace_with(staging, &work, name, dest, events)
}

/// Installs a kernelspec where there is none (see the module's comment). Returns the staging
/// directory, still without `kernel.json`, if something took `dest` in the meantime.
fn create(kernels: &Path, dest: &Path, files: &[File], kernel_json: &str) -> io::Result<Option<tempfile::TempDir>> {
    let staging = new_staging(kernels, MARK)?;
    write_files(staging.path(), files)?;
    // Follows the directory through the rename, wherever another installer may move it.
    let dir = DirHandle::open(staging.path())?;
    match rename::rename_no_replace(staging.path(), dest) {
        Ok(()) => {}
        Err(e) if rename::target_exists(&e) => return Ok(Some(staging)),
        Err(e) => return Err(e),
    }
    let _ = staging.keep();
    if let Err(e) = dir.place_kernel_json(kernel_json) {
        // Not listed by Jupyter (no kernel.json), and ours: nothing is left behind.
        let _ = remove_tree(dest);
        return Err(e);
    }
    Ok(None)
}

/// An open directory, to write into it wherever it is renamed to.
struct DirHandle {
    #[cfg(unix)]
    fd: std::os::fd::OwnedFd,
    #[cfg(not(unix))]
    path: PathBuf,
}

impl DirHandle {
    #[cfg(unix)]
    fn open(path: &Path) -> io::Result<DirHandle> {
        use rustix::fs::{open, Mode, OFlags};
        Ok(DirHandle { fd: open(path, OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC, Mode::empty())? })
    }

    #[cfg(not(unix))]
    fn open(path: &Path) -> io::Result<DirHandle> {
        Ok(DirHandle { path: path.to_path_buf() })
    }

    /// Writes `kernel.json` (mode 0644) under a temporary name, then renames it: it appears
    /// complete in one step.
    #[cfg(unix)]
    fn place_kernel_json(&self, text: &str) -> io::Result<()> {
        use rustix::fs::{fchmod, openat, renameat, Mode, OFlags};
        use std::io::Write;
        let mode = Mode::from_raw_mode(0o644);
        let fd = openat(
            &self.fd,
            KERNEL_JSON_TEMP,
            OFlags::WRONLY | OFlags::CREATE | OFlags::TRUNC | OFlags::CLOEXEC,
            mode,
        )?;
        fchmod(&fd, mode)?;
        fs::File::from(fd).write_all(text.as_bytes())?;
        Ok(renameat(&self.fd, KERNEL_JSON_TEMP, &self.fd, "kernel.json")?)
    }

    #[cfg(not(unix))]
    fn place_kernel_json(&self, text: &str) -> io::Result<()> {
        write_file(&self.path.join(KERNEL_JSON_TEMP), text.as_bytes(), 0o644)?;
        fs::rename(self.path.join(KERNEL_JSON_TEMP), self.path.join("kernel.json"))
    }
}

/// Replaces the directory at `dest` by the complete kernelspec in `staging`: an atomic
/// exchange, else a swap in steps.
fn replace_with(
    staging: tempfile::TempDir,
    work: &Work,
    name: &OsStr,
    dest: &Path,
    events: &dyn Fn(Event),
) -> Result<Outcome, InstallError> {
    let kernels = dest.parent().expect("a kernelspec destination has a parent");
    let io_err = |source: io::Error| InstallError::Io { dir: kernels.to_path_buf(), source };
    events(Event::Replacing);
    match rename::exchange(staging.path(), dest) {
        Ok(()) => {
            // The staging directory now holds the previous kernelspec. The new one is in place:
            // failing to remove the old one is no reason to fail the install.
            let old = staging.keep();
            if let Err(error) = remove_tree(&old) {
                events(Event::OldKept { path: &old, error: &error });
            }
            Ok(Outcome::Replaced)
        }
        Err(error) if rename::unsupported(&error) && same_file_system(kernels, dest) => {
            events(Event::InSteps { error: &error });
            let ready = work.path.join(name);
            fs::rename(staging.path(), &ready).map_err(io_err)?;
            let _ = staging.keep();
            // From here on the new kernelspec is complete and bound to its name: if this process
            // dies, the next install into this directory finishes the swap.
            finish(&ready, dest).map_err(|source| InstallError::Unfinished {
                dest: dest.to_path_buf(),
                ready,
                source,
            })?;
            Ok(Outcome::Replaced)
        }
        Err(e) => Err(io_err(e)),
    }
}

/// Deals with what installers that are gone left in the kernels directory (the caller holds
/// the lock): staging directories are removed, kernelspecs waiting for their swap are moved
/// into place. Fails only when the one waiting for this install's own name cannot be, since
/// this install would otherwise be undone by the next one.
fn clean_up(kernels: &Path, name: &OsStr, events: &dyn Fn(Event)) -> Result<(), InstallError> {
    let Ok(entries) = fs::read_dir(kernels) else { return Ok(()) };
    for entry in entries.flatten() {
        let entry_name = entry.file_name();
        if !entry_name.to_str().is_some_and(|n| n.starts_with(MARK)) {
            continue;
        }
        if entry_name == WORK_DIR {
            Work { path: entry.path() }.clean_up(kernels, name, events)?;
        } else if let Err(error) = remove_tree(&entry.path()) {
            events(Event::Left { path: &entry.path(), error: &error });
        }
    }
    Ok(())
}

/// Replaces `dest` by the complete kernelspec `ready`, in steps: first the old `kernel.json`
/// (Jupyter lists only directories that hold one, so the old kernelspec disappears at once
/// rather than file by file), then the rest of the old directory, then the rename. Between the
/// first step and the last the kernelspec is missing, never partial.
fn finish(ready: &Path, dest: &Path) -> io::Result<()> {
    match fs::remove_file(dest.join("kernel.json")) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    match remove_tree(dest) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    fs::rename(ready, dest)
}

/// Whether `dest` is on the same file system as the kernels directory. A directory mounted at
/// `dest` also makes renames fail with `EXDEV`; it must not be emptied by a swap in steps that
/// could never rename the new kernelspec onto it.
fn same_file_system(kernels: &Path, dest: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        matches!((fs::metadata(kernels), fs::symlink_metadata(dest)), (Ok(k), Ok(d)) if k.dev() == d.dev())
    }
    #[cfg(not(unix))]
    {
        let _ = (kernels, dest);
        true
    }
}

/// The work directory of a replacement. Removed when dropped if empty (it stays when something
/// in it could not be removed, or another installer uses it).
struct Work {
    path: PathBuf,
}

impl Work {
    fn open(kernels: &Path) -> io::Result<Work> {
        let path = kernels.join(WORK_DIR);
        match fs::create_dir(&path) {
            Err(e) if e.kind() != io::ErrorKind::AlreadyExists => Err(e),
            _ => Ok(Work { path }),
        }
    }

    /// Writes the kernelspec into a new staging directory, `kernel.json` last. Removed again
    /// when the returned guard is dropped, unless kept.
    fn stage(&self, files: &[File], kernel_json: &str) -> io::Result<tempfile::TempDir> {
        let mut attempts = 0;
        let staging = loop {
            match new_staging(&self.path, STAGING_MARK) {
                // Without a lock, another installer may have just removed the work directory.
                Err(e) if e.kind() == io::ErrorKind::NotFound && attempts < 3 => {
                    attempts += 1;
                    let _ = fs::create_dir(&self.path);
                }
                r => break r?,
            }
        };
        write_files(staging.path(), files)?;
        write_file(&staging.path().join("kernel.json"), kernel_json.as_bytes(), 0o644)?;
        Ok(staging)
    }

    /// Removes the staging directories of installers that are gone and moves the kernelspecs
    /// they left waiting into place (see `clean_up`), then the work directory if it is empty.
    fn clean_up(self, kernels: &Path, name: &OsStr, events: &dyn Fn(Event)) -> Result<(), InstallError> {
        let Ok(entries) = fs::read_dir(&self.path) else { return Ok(()) };
        for entry in entries.flatten() {
            let path = entry.path();
            let entry_name = entry.file_name();
            let Some(text) = entry_name.to_str() else { continue };
            if text.starts_with(STAGING_MARK) {
                if let Err(error) = remove_tree(&path) {
                    events(Event::Left { path: &path, error: &error });
                }
            } else if check_kernel_name(text).is_ok() && text == text.to_lowercase() {
                let dest = kernels.join(&entry_name);
                match finish(&path, &dest) {
                    Ok(()) => events(Event::Finished { dest: &dest }),
                    Err(source) if entry_name == name => {
                        return Err(InstallError::Unfinished { dest, ready: path, source })
                    }
                    Err(error) => events(Event::Left { path: &path, error: &error }),
                }
            }
        }
        Ok(())
    }
}

/// A new, empty staging directory (mode 0755) named `prefix` + random characters in `dir`;
/// removed when dropped unless kept.
fn new_staging(dir: &Path, prefix: &str) -> io::Result<tempfile::TempDir> {
    let staging =
        tempfile::Builder::new().prefix(prefix).rand_bytes(STAGING_RANDOM).tempdir_in(dir).map_err(without_path)?;
    set_mode(staging.path(), 0o755)?;
    Ok(staging)
}

/// tempfile reports a directory it could not create as `<system error> at path "<random name>"`
/// and keeps the system error to itself. The error line names the kernels directory already,
/// and `--dry-run`, which creates nothing, predicts the system error alone: so that it does so
/// word for word, the random name goes (the kind stays, for the callers that look at it).
fn without_path(e: io::Error) -> io::Error {
    match e.to_string().split_once(" at path \"") {
        Some((system, _)) => io::Error::new(e.kind(), system.to_string()),
        None => e,
    }
}

/// Writes `files` (not `kernel.json`) into the directory `root`.
fn write_files(root: &Path, files: &[File]) -> io::Result<()> {
    for file in files {
        let path = root.join(file.path);
        if let Some(dir) = path.parent() {
            if !dir.exists() {
                make_dir(dir)?;
            }
        }
        write_file(&path, file.bytes, file.mode)?;
    }
    Ok(())
}

impl Drop for Work {
    fn drop(&mut self) {
        let _ = fs::remove_dir(&self.path);
    }
}

/// Removes a directory tree (or a file).
fn remove_tree(path: &Path) -> io::Result<()> {
    match fs::symlink_metadata(path) {
        Ok(m) if m.is_dir() => fs::remove_dir_all(path),
        Ok(_) => fs::remove_file(path),
        Err(e) => Err(e),
    }
}

/// Checks what `install` would run into, without creating, changing or removing anything (and
/// without taking the lock): the destination must not be a non-directory, and the nearest
/// existing ancestor of its parent must be a directory this process may create entries in.
/// Returns the outcome an install would have; the errors are the ones it would report.
pub fn preflight(dest: &Path) -> Result<Outcome, InstallError> {
    let parent = dest.parent().expect("a kernelspec destination has a parent");
    let io_err = |source: io::Error| InstallError::Io { dir: parent.to_path_buf(), source };
    let existing = fs::symlink_metadata(dest);
    match &existing {
        Ok(m) if !m.is_dir() => return Err(InstallError::NotADirectory(dest.to_path_buf())),
        _ => {}
    }
    let mut cur = Some(parent);
    while let Some(d) = cur {
        if fs::symlink_metadata(d).is_err() {
            cur = d.parent();
            continue;
        }
        // `create_dir_all` follows symbolic links: a dangling one fails with EEXIST, a file
        // (or a link to one) with ENOTDIR.
        match fs::metadata(d) {
            Ok(m) if m.is_dir() => {
                may_create_in(d).map_err(io_err)?;
                break;
            }
            Ok(_) => return Err(io_err(errno(Errno::NotADirectory))),
            Err(_) => return Err(io_err(errno(Errno::Exists))),
        }
    }
    Ok(if existing.is_ok() { Outcome::Replaced } else { Outcome::Created })
}

/// The two system errors `preflight` predicts, as the real calls would report them.
enum Errno {
    NotADirectory,
    Exists,
}

#[cfg(unix)]
fn errno(e: Errno) -> io::Error {
    let code = match e {
        Errno::NotADirectory => rustix::io::Errno::NOTDIR,
        Errno::Exists => rustix::io::Errno::EXIST,
    };
    io::Error::from_raw_os_error(code.raw_os_error())
}

#[cfg(not(unix))]
fn errno(e: Errno) -> io::Error {
    match e {
        Errno::NotADirectory => io::ErrorKind::NotADirectory.into(),
        Errno::Exists => io::ErrorKind::AlreadyExists.into(),
    }
}

/// Whether entries can be created in `dir` (write and search permission), as `access(2)` says.
#[cfg(unix)]
fn may_create_in(dir: &Path) -> io::Result<()> {
    use rustix::fs::{access, Access};
    Ok(access(dir, Access::WRITE_OK | Access::EXEC_OK)?)
}

#[cfg(not(unix))]
fn may_create_in(_dir: &Path) -> io::Result<()> {
    Ok(())
}

/// Creates the missing ancestors of `dir` (with the umask's modes, as the reference does) and
/// returns the ones it created, outermost first.
fn create_parents(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut missing = Vec::new();
    let mut cur = Some(dir);
    while let Some(d) = cur {
        if fs::symlink_metadata(d).is_ok() {
            break;
        }
        missing.push(d.to_path_buf());
        cur = d.parent();
    }
    missing.reverse();
    fs::create_dir_all(dir)?;
    Ok(missing)
}

/// Directories inside a kernelspec are 0755 whatever the umask.
fn make_dir(path: &Path) -> io::Result<()> {
    fs::create_dir(path)?;
    set_mode(path, 0o755)
}

fn write_file(path: &Path, bytes: &[u8], mode: u32) -> io::Result<()> {
    fs::write(path, bytes)?;
    set_mode(path, mode)
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_mode(_path: &Path, _mode: u32) -> io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;

    #[test]
    fn kernel_names() {
        for ok in ["k8s_python", "a-b.c_d", "-x", "...", "none", "MiXeD"] {
            assert_eq!(check_kernel_name(ok), Ok(()), "{ok}");
        }
        for bad in ["", ".", "..", "a/b", "../../x", "ké", "tab\there", "py:3", "a b", "x\n"] {
            let e = check_kernel_name(bad).unwrap_err().to_string();
            assert!(e.starts_with("Invalid kernel name"), "{bad}: {e}");
        }
    }

    fn tree(dir: &Path) -> Vec<String> {
        let mut out = Vec::new();
        for e in fs::read_dir(dir).unwrap().flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            out.push(name.clone());
            if e.path().is_dir() {
                out.extend(tree(&e.path()).into_iter().map(|n| format!("{name}/{n}")));
            }
        }
        out.sort();
        out
    }

    /// An events callback that records what it was told, as short words.
    struct Recorder(RefCell<Vec<String>>);

    impl Recorder {
        fn new() -> Recorder {
            Recorder(RefCell::new(Vec::new()))
        }
        fn record(&self, e: Event) {
            let word = match e {
                Event::Waiting { .. } => "waiting".to_string(),
                Event::Replacing => "replacing".to_string(),
                Event::InSteps { .. } => "in-steps".to_string(),
                Event::Finished { dest } => format!("finished {}", dest.file_name().unwrap().to_string_lossy()),
                Event::OldKept { path, .. } => format!("old kept {}", path.file_name().unwrap().to_string_lossy()),
                Event::Left { path, .. } => format!("left {}", path.file_name().unwrap().to_string_lossy()),
            };
            self.0.borrow_mut().push(word);
        }
        fn take(&self) -> Vec<String> {
            std::mem::take(&mut self.0.borrow_mut())
        }
    }

    fn run(dest: &Path, files: &[File], json: &str, replace: bool, rec: &Recorder) -> Result<Outcome, InstallError> {
        install(dest, files, json, replace, &|e| rec.record(e))
    }

    #[test]
    fn creates_then_replaces_whole_directories() {
        let tmp = tempfile::tempdir().unwrap();
        let dest = tmp.path().join("a/b/kernels/k");
        let files = [File { path: "bin/run.sh", bytes: b"#!/bin/sh\n", mode: 0o755 }];
        let rec = Recorder::new();
        assert_eq!(run(&dest, &files, "{}\n", false, &rec).unwrap(), Outcome::Created);
        assert_eq!(rec.take(), Vec::<String>::new());
        assert_eq!(tree(&dest), vec!["bin", "bin/run.sh", "kernel.json"]);
        fs::write(dest.join("extra.txt"), "x").unwrap();
        // Without `replace` an existing kernelspec is kept, and nothing is left behind.
        let before = tree(tmp.path());
        let err = run(&dest, &[], "{}", false, &rec).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "A kernel specification exists at '{}' and '--replace' has not been specified.  Terminating.",
                dest.display()
            )
        );
        assert_eq!(tree(tmp.path()), before);
        assert_eq!(run(&dest, &[], "{\"v\": 2}\n", true, &rec).unwrap(), Outcome::Replaced);
        assert_eq!(rec.take(), vec!["replacing"]);
        assert_eq!(tree(&dest), vec!["kernel.json"]);
        assert_eq!(fs::read_to_string(dest.join("kernel.json")).unwrap(), "{\"v\": 2}\n");
        assert_eq!(tree(dest.parent().unwrap()), vec!["k", "k/kernel.json"], "no work directory left");
    }

    #[test]
    fn a_directory_without_kernel_json_is_replaced_as_the_reference_does() {
        let tmp = tempfile::tempdir().unwrap();
        let dest = tmp.path().join("k");
        fs::create_dir_all(dest.join("junk")).unwrap();
        let rec = Recorder::new();
        assert_eq!(run(&dest, &[], "{}", false, &rec).unwrap(), Outcome::Replaced);
        assert_eq!(rec.take(), vec!["replacing"]);
        assert_eq!(tree(tmp.path()), vec!["k", "k/kernel.json"]);
    }

    #[test]
    fn kernel_names_of_any_length_fit() {
        let tmp = tempfile::tempdir().unwrap();
        let name = "k".repeat(255);
        let dest = tmp.path().join(&name);
        let rec = Recorder::new();
        assert_eq!(run(&dest, &[], "{}", false, &rec).unwrap(), Outcome::Created);
        assert_eq!(run(&dest, &[], "{\"v\": 2}", true, &rec).unwrap(), Outcome::Replaced);
        assert_eq!(tree(tmp.path()), vec![name.clone(), format!("{name}/kernel.json")]);
    }

    #[cfg(unix)]
    #[test]
    fn modes_ignore_the_umask() {
        use rustix::fs::Mode;
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let dest = tmp.path().join("k");
        let files =
            [File { path: "bin/run.sh", bytes: b"x", mode: 0o755 }, File { path: "a", bytes: b"x", mode: 0o644 }];
        let old = rustix::process::umask(Mode::from_raw_mode(0o077));
        let r = run(&dest, &files, "{}", false, &Recorder::new());
        rustix::process::umask(old);
        r.unwrap();
        let mode = |p: &str| fs::metadata(dest.join(p)).unwrap().permissions().mode() & 0o777;
        assert_eq!((mode("bin"), mode("bin/run.sh"), mode("a"), mode("kernel.json")), (0o755, 0o755, 0o644, 0o644));
        assert_eq!(fs::metadata(&dest).unwrap().permissions().mode() & 0o777, 0o755);
    }

    #[test]
    fn failures_leave_nothing_behind() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("file");
        fs::write(&file, "x").unwrap();
        let rec = Recorder::new();
        let err = run(&file.join("share/k"), &[], "{}", false, &rec).unwrap_err();
        assert!(matches!(err, InstallError::Io { .. }), "{err}");
        let err = run(&file, &[], "{}", false, &rec).unwrap_err();
        assert!(matches!(err, InstallError::NotADirectory(_)));
        // A file the kernelspec needs a directory for: fails while staging.
        let bad = [File { path: "kernel.json/x", bytes: b"x", mode: 0o644 }];
        let err = run(&tmp.path().join("kernels/k"), &bad, "{}", false, &rec).unwrap_err();
        assert!(matches!(err, InstallError::Io { .. }), "{err}");
        assert_eq!(tree(tmp.path()), vec!["file"]);
    }

    #[test]
    fn preflight_predicts_without_touching() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("file");
        fs::write(&file, "x").unwrap();
        let stale = tmp.path().join(WORK_DIR).join("~000000000000");
        fs::create_dir_all(&stale).unwrap();
        let before = tree(tmp.path());
        assert_eq!(preflight(&tmp.path().join("a/b/k")).unwrap(), Outcome::Created);
        fs::create_dir(tmp.path().join("k")).unwrap();
        assert_eq!(preflight(&tmp.path().join("k")).unwrap(), Outcome::Replaced);
        fs::remove_dir(tmp.path().join("k")).unwrap();
        // The same errors as a real install, word for word.
        let rec = Recorder::new();
        for dest in [file.join("share/k"), file.clone()] {
            let predicted = preflight(&dest).unwrap_err().to_string();
            assert_eq!(tree(tmp.path()), before, "preflight touches nothing");
            let actual = run(&dest, &[], "{}", false, &rec).unwrap_err().to_string();
            assert_eq!(predicted, actual);
        }
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(tmp.path().join("missing"), tmp.path().join("dangling")).unwrap();
            let dest = tmp.path().join("dangling/kernels/k");
            let predicted = preflight(&dest).unwrap_err().to_string();
            assert_eq!(predicted, run(&dest, &[], "{}", false, &rec).unwrap_err().to_string());
            fs::remove_file(tmp.path().join("dangling")).unwrap();
        }
        assert_eq!(tree(tmp.path()), before, "leftovers are left alone");
    }

    #[test]
    fn leftovers_of_gone_installers_are_removed_or_finished() {
        let tmp = tempfile::tempdir().unwrap();
        let work = tmp.path().join(WORK_DIR);
        // A staging directory (the new kernelspec half written, or an old one on its way out).
        fs::create_dir_all(work.join("~abcdefghijkl/scripts")).unwrap();
        fs::write(work.join("~abcdefghijkl/kernel.json"), "{}").unwrap();
        // A complete kernelspec for `b` whose swap in steps was interrupted after the old
        // kernel.json was removed, and one for `c` interrupted before anything was touched.
        fs::create_dir_all(work.join("b")).unwrap();
        fs::write(work.join("b/kernel.json"), "new b").unwrap();
        fs::create_dir_all(tmp.path().join("b/scripts")).unwrap();
        fs::create_dir_all(work.join("c")).unwrap();
        fs::write(work.join("c/kernel.json"), "new c").unwrap();
        fs::create_dir_all(tmp.path().join("c")).unwrap();
        fs::write(tmp.path().join("c/kernel.json"), "old c").unwrap();
        fs::write(tmp.path().join("c/old-only"), "old c").unwrap();
        // A new kernelspec whose install was killed before its rename, and one from an older
        // version of this tool.
        fs::create_dir_all(tmp.path().join(".~k8s-spec-abcdefghijkl/scripts")).unwrap();
        fs::create_dir_all(tmp.path().join(".~k8s-spec-new-123-k")).unwrap();
        // Whatever else carries our mark goes too, a file as well as a directory.
        fs::write(tmp.path().join(".~k8s-spec-file"), "x").unwrap();
        let rec = Recorder::new();
        run(&tmp.path().join("k"), &[], "{}", false, &rec).unwrap();
        let mut events = rec.take();
        events.sort();
        assert_eq!(events, vec!["finished b", "finished c"]);
        assert_eq!(
            tree(tmp.path()),
            vec!["b", "b/kernel.json", "c", "c/kernel.json", "k", "k/kernel.json"],
            "nothing of the old ones, no work directory"
        );
        assert_eq!(fs::read_to_string(tmp.path().join("c/kernel.json")).unwrap(), "new c");
    }

    #[test]
    fn what_the_work_directory_holds_that_no_install_of_ours_leaves_is_left_alone() {
        let tmp = tempfile::tempdir().unwrap();
        let work = tmp.path().join(WORK_DIR);
        // Kernel names are installed lower-cased, and "a b" is none: neither is a kernelspec
        // waiting for its swap, so neither is moved into the kernels directory.
        for name in ["Upper", "a b"] {
            fs::create_dir_all(work.join(name)).unwrap();
            fs::write(work.join(name).join("kernel.json"), "{}").unwrap();
        }
        let rec = Recorder::new();
        assert_eq!(run(&tmp.path().join("k"), &[], "{}", false, &rec).unwrap(), Outcome::Created);
        // A replace works beside them, in the work directory that is already there.
        assert_eq!(run(&tmp.path().join("k"), &[], "{\"v\": 2}", true, &rec).unwrap(), Outcome::Replaced);
        assert_eq!(rec.take(), vec!["replacing"]);
        let left = ["", "/Upper", "/Upper/kernel.json", "/a b", "/a b/kernel.json"].map(|p| format!("{WORK_DIR}{p}"));
        let mut expected = left.to_vec();
        expected.extend(["k".to_string(), "k/kernel.json".to_string()]);
        assert_eq!(tree(tmp.path()), expected);
        assert_eq!(fs::read_to_string(tmp.path().join("k/kernel.json")).unwrap(), "{\"v\": 2}");
    }

    #[test]
    fn a_waiting_kernelspec_that_cannot_be_finished_blocks_only_its_own_name() {
        let tmp = tempfile::tempdir().unwrap();
        let work = tmp.path().join(WORK_DIR);
        fs::create_dir_all(work.join("b")).unwrap();
        fs::write(work.join("b/kernel.json"), "new b").unwrap();
        // The old `b` cannot be removed (its kernel.json is a directory; root may remove
        // anything else).
        fs::create_dir_all(tmp.path().join("b/kernel.json")).unwrap();
        let rec = Recorder::new();
        run(&tmp.path().join("k"), &[], "{}", false, &rec).unwrap();
        assert_eq!(rec.take(), vec!["left b"]);
        let waiting = vec![
            WORK_DIR.to_string(),
            format!("{WORK_DIR}/b"),
            format!("{WORK_DIR}/b/kernel.json"),
            "b".into(),
            "b/kernel.json".into(),
        ];
        let mut expected = waiting.clone();
        expected.extend(["k".to_string(), "k/kernel.json".to_string()]);
        assert_eq!(tree(tmp.path()), expected);
        // Installing `b` itself would be undone by the next install finishing the waiting one.
        let err = run(&tmp.path().join("b"), &[], "{}", true, &rec).unwrap_err();
        assert!(matches!(err, InstallError::Unfinished { .. }), "{err}");
        assert!(err.to_string().contains(&format!("{WORK_DIR}/b and the next install into")), "{err}");
        assert_eq!(tree(tmp.path()), expected);
    }
}
