//! Putting a kernelspec in place atomically: the new directory is built next to its
//! destination under a name Jupyter never lists, then renamed into place; an existing
//! kernelspec is exchanged with it in one step, so at no instant is the kernelspec missing or
//! partial, and a failure at any point leaves the old one untouched.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::assets::File;

/// Marks our temporary directories. `~` is outside the characters Jupyter accepts in kernel
/// names, so `jupyter kernelspec list` never shows them.
const TEMP_MARK: &str = ".~k8s-spec-";

/// Checks a kernel name the way jupyter_client does, minus its quirks: ASCII letters, digits,
/// `-`, `.`, `_`, and neither `.` nor `..` (which would install over the kernels directory or
/// its parent).
pub fn check_kernel_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("Invalid kernel name '': the kernel name cannot be empty.".into());
    }
    if name == "." || name == ".." {
        return Err(format!(
            "Invalid kernel name {}: '.' and '..' name directories, not kernels.",
            crate::pyrepr::str_repr(name)
        ));
    }
    if !name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_')) {
        return Err(format!(
            "Invalid kernel name {}.  Kernel names can only contain ASCII letters and numbers and these separators: - . _ (hyphen, period, and underscore).",
            crate::pyrepr::str_repr(name)
        ));
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
}

/// What `install` did, for the log.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    Created,
    /// An existing directory at the destination was replaced.
    Replaced,
}

/// A test hook: `K8S_SPEC_TEST_KILL_AT=<step>` kills the process with SIGKILL at that step, so
/// tests can show that an interrupted install leaves the old kernelspec or the new one.
fn checkpoint(step: &str) {
    if std::env::var("K8S_SPEC_TEST_KILL_AT").is_ok_and(|s| s == step) {
        #[cfg(unix)]
        // SAFETY: sending a signal to ourselves has no memory-safety implications.
        unsafe {
            libc::kill(libc::getpid(), libc::SIGKILL);
        }
    }
}

/// Installs `files` plus `kernel_json` as the directory `dest`, replacing an existing
/// directory there. `on_replace` is called just before an existing directory is swapped out.
pub fn install(dest: &Path, files: &[File], kernel_json: &str, on_replace: &dyn Fn()) -> Result<Outcome, InstallError> {
    let parent = dest.parent().expect("a kernelspec destination has a parent");
    let name = dest.file_name().expect("a kernelspec destination has a name").to_string_lossy().into_owned();
    let io_err = |source: io::Error| InstallError::Io { dir: parent.to_path_buf(), source };

    match fs::symlink_metadata(dest) {
        Ok(m) if !m.is_dir() => return Err(InstallError::NotADirectory(dest.to_path_buf())),
        _ => {}
    }
    let created = create_parents(parent).map_err(io_err)?;
    remove_stale_temporaries(parent);

    let staging = parent.join(format!("{TEMP_MARK}new-{}-{name}", std::process::id()));
    let result = build(&staging, files, kernel_json).and_then(|()| {
        checkpoint("staged");
        put_in_place(&staging, dest, on_replace)
    });
    match result {
        Ok(outcome) => Ok(outcome),
        Err(e) => {
            let _ = fs::remove_dir_all(&staging);
            for dir in created.iter().rev() {
                let _ = fs::remove_dir(dir);
            }
            Err(io_err(e))
        }
    }
}

/// Checks what `install` would run into, without creating, changing or removing anything: the
/// destination must not be a non-directory, and the nearest existing ancestor of its parent
/// must be a directory this process may create entries in. Returns the outcome an install
/// would have; the errors are the ones it would report.
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
            Ok(_) => return Err(io_err(raw_os_error(libc::ENOTDIR))),
            Err(_) => return Err(io_err(raw_os_error(libc::EEXIST))),
        }
    }
    Ok(if existing.is_ok() { Outcome::Replaced } else { Outcome::Created })
}

fn raw_os_error(code: i32) -> io::Error {
    io::Error::from_raw_os_error(code)
}

/// Whether entries can be created in `dir` (write and search permission), as `access(2)` says.
#[cfg(unix)]
fn may_create_in(dir: &Path) -> io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let c = CString::new(dir.as_os_str().as_bytes())?;
    // SAFETY: `c` is a valid NUL-terminated string for the duration of the call.
    if unsafe { libc::access(c.as_ptr(), libc::W_OK | libc::X_OK) } == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
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

fn build(staging: &Path, files: &[File], kernel_json: &str) -> io::Result<()> {
    if staging.exists() {
        fs::remove_dir_all(staging)?;
    }
    make_dir(staging)?;
    for file in files {
        let path = staging.join(file.path);
        if let Some(dir) = path.parent() {
            if !dir.exists() {
                make_dir(dir)?;
            }
        }
        write_file(&path, file.bytes, file.mode)?;
        checkpoint(&format!("wrote:{}", file.path));
    }
    write_file(&staging.join("kernel.json"), kernel_json.as_bytes(), 0o644)?;
    checkpoint("wrote:kernel.json");
    Ok(())
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

fn put_in_place(staging: &Path, dest: &Path, on_replace: &dyn Fn()) -> io::Result<Outcome> {
    if fs::symlink_metadata(dest).is_err() {
        fs::rename(staging, dest)?;
        checkpoint("renamed");
        return Ok(Outcome::Created);
    }
    on_replace();
    if exchange(staging, dest)? {
        // `staging` now holds the previous kernelspec.
        checkpoint("exchanged");
        fs::remove_dir_all(staging)?;
        return Ok(Outcome::Replaced);
    }
    // No atomic exchange on this system: move the old directory aside, move the new one in,
    // and move the old one back if that fails. The kernelspec is absent between the renames.
    let old = staging.with_file_name(format!(
        "{TEMP_MARK}old-{}-{}",
        std::process::id(),
        dest.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
    ));
    fs::rename(dest, &old)?;
    if let Err(e) = fs::rename(staging, dest) {
        let _ = fs::rename(&old, dest);
        return Err(e);
    }
    fs::remove_dir_all(&old)?;
    Ok(Outcome::Replaced)
}

/// Atomically exchanges two directories (Linux `renameat2(RENAME_EXCHANGE)`). Returns false
/// where the system or file system cannot do it.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> io::Result<bool> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let ca = CString::new(a.as_os_str().as_bytes())?;
    let cb = CString::new(b.as_os_str().as_bytes())?;
    // SAFETY: both paths are valid NUL-terminated strings for the duration of the call.
    let rc = unsafe {
        libc::syscall(
            libc::SYS_renameat2,
            libc::AT_FDCWD,
            ca.as_ptr(),
            libc::AT_FDCWD,
            cb.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if rc == 0 {
        return Ok(true);
    }
    let err = io::Error::last_os_error();
    match err.raw_os_error() {
        Some(libc::EINVAL) | Some(libc::ENOSYS) | Some(libc::EOPNOTSUPP) => Ok(false),
        _ => Err(err),
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_a: &Path, _b: &Path) -> io::Result<bool> {
    Ok(false)
}

/// Removes temporaries left by installs that were killed: ours carry the process id, and a
/// directory whose process is gone is stale.
fn remove_stale_temporaries(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(rest) = name.strip_prefix(TEMP_MARK) else { continue };
        let pid = rest.split('-').nth(1).and_then(|p| p.parse::<u32>().ok());
        if pid.is_some_and(|pid| pid != std::process::id() && !process_alive(pid)) {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

#[cfg(unix)]
fn process_alive(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else { return false };
    // SAFETY: signal 0 only checks for the process's existence.
    let rc = unsafe { libc::kill(pid, 0) };
    rc == 0 || io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

#[cfg(not(unix))]
fn process_alive(_pid: u32) -> bool {
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernel_names() {
        for ok in ["k8s_python", "a-b.c_d", "-x", "...", "none", "MiXeD"] {
            assert_eq!(check_kernel_name(ok), Ok(()), "{ok}");
        }
        for bad in ["", ".", "..", "a/b", "../../x", "ké", "tab\there", "py:3", "a b", "x\n"] {
            let e = check_kernel_name(bad).unwrap_err();
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

    #[test]
    fn creates_then_replaces_whole_directories() {
        let tmp = tempfile::tempdir().unwrap();
        let dest = tmp.path().join("a/b/kernels/k");
        let files = [File { path: "bin/run.sh", bytes: b"#!/bin/sh\n", mode: 0o755 }];
        assert_eq!(install(&dest, &files, "{}\n", &|| panic!("nothing to replace")).unwrap(), Outcome::Created);
        assert_eq!(tree(&dest), vec!["bin", "bin/run.sh", "kernel.json"]);
        fs::write(dest.join("extra.txt"), "x").unwrap();
        let replaced = std::cell::Cell::new(false);
        assert_eq!(install(&dest, &[], "{\"v\": 2}\n", &|| replaced.set(true)).unwrap(), Outcome::Replaced);
        assert!(replaced.get());
        assert_eq!(tree(&dest), vec!["kernel.json"]);
        assert_eq!(fs::read_to_string(dest.join("kernel.json")).unwrap(), "{\"v\": 2}\n");
        assert_eq!(tree(dest.parent().unwrap()), vec!["k", "k/kernel.json"]);
    }

    #[cfg(unix)]
    #[test]
    fn modes_ignore_the_umask() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let dest = tmp.path().join("k");
        let files =
            [File { path: "bin/run.sh", bytes: b"x", mode: 0o755 }, File { path: "a", bytes: b"x", mode: 0o644 }];
        let old = unsafe { libc::umask(0o077) };
        let r = install(&dest, &files, "{}", &|| {});
        unsafe { libc::umask(old) };
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
        let err = install(&file.join("share/k"), &[], "{}", &|| {}).unwrap_err();
        assert!(matches!(err, InstallError::Io { .. }), "{err}");
        let err = install(&file, &[], "{}", &|| {}).unwrap_err();
        assert!(matches!(err, InstallError::NotADirectory(_)));
        assert_eq!(tree(tmp.path()), vec!["file"]);
    }

    #[test]
    fn preflight_predicts_without_touching() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("file");
        fs::write(&file, "x").unwrap();
        let stale = tmp.path().join(format!("{TEMP_MARK}new-999999999-k"));
        fs::create_dir(&stale).unwrap();
        let before = tree(tmp.path());
        assert_eq!(preflight(&tmp.path().join("a/b/k")).unwrap(), Outcome::Created);
        fs::create_dir(tmp.path().join("k")).unwrap();
        assert_eq!(preflight(&tmp.path().join("k")).unwrap(), Outcome::Replaced);
        fs::remove_dir(tmp.path().join("k")).unwrap();
        // The same errors as a real install, word for word.
        for dest in [file.join("share/k"), file.clone()] {
            let predicted = preflight(&dest).unwrap_err().to_string();
            assert_eq!(tree(tmp.path()), before, "preflight touches nothing");
            let actual = install(&dest, &[], "{}", &|| {}).unwrap_err().to_string();
            assert_eq!(predicted, actual);
        }
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(tmp.path().join("missing"), tmp.path().join("dangling")).unwrap();
            let dest = tmp.path().join("dangling/kernels/k");
            let predicted = preflight(&dest).unwrap_err().to_string();
            assert_eq!(predicted, install(&dest, &[], "{}", &|| {}).unwrap_err().to_string());
            fs::remove_file(tmp.path().join("dangling")).unwrap();
        }
        assert_eq!(tree(tmp.path()), before, "stale temporaries are left alone");
    }

    #[test]
    fn stale_temporaries_are_removed() {
        let tmp = tempfile::tempdir().unwrap();
        // A pid far above any real one: that process does not exist.
        let stale = tmp.path().join(format!("{TEMP_MARK}new-999999999-k"));
        fs::create_dir_all(stale.join("scripts")).unwrap();
        install(&tmp.path().join("k"), &[], "{}", &|| {}).unwrap();
        assert_eq!(tree(tmp.path()), vec!["k", "k/kernel.json"]);
    }
}
