//! The two renames an install needs beyond `rename(2)`: an atomic exchange of two directories
//! and a rename that refuses to replace anything. Where the system or file system has neither,
//! the caller is told so and takes its fallback.

use std::io;
use std::path::Path;

/// Swaps `a` and `b` in one step (`renameat2(RENAME_EXCHANGE)`, macOS `RENAME_SWAP`).
#[cfg(any(target_os = "linux", target_os = "android", target_vendor = "apple"))]
pub(super) fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    use rustix::fs::{renameat_with, RenameFlags, CWD};
    Ok(renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE)?)
}

#[cfg(not(any(target_os = "linux", target_os = "android", target_vendor = "apple")))]
pub(super) fn exchange(_a: &Path, _b: &Path) -> io::Result<()> {
    Err(io::ErrorKind::Unsupported.into())
}

/// Renames `from` to `to` unless `to` exists (`EEXIST`). Where that flag is missing, a plain
/// rename: it never replaces a non-empty directory (`ENOTEMPTY`/`EEXIST`), and an empty one
/// holds no kernelspec.
#[cfg(any(target_os = "linux", target_os = "android", target_vendor = "apple"))]
pub(super) fn rename_no_replace(from: &Path, to: &Path) -> io::Result<()> {
    use rustix::fs::{renameat_with, RenameFlags, CWD};
    match renameat_with(CWD, from, CWD, to, RenameFlags::NOREPLACE) {
        Err(e) if unsupported(&e.into()) => std::fs::rename(from, to),
        r => Ok(r?),
    }
}

#[cfg(not(any(target_os = "linux", target_os = "android", target_vendor = "apple")))]
pub(super) fn rename_no_replace(from: &Path, to: &Path) -> io::Result<()> {
    std::fs::rename(from, to)
}

/// Whether a rename failed because this system or file system cannot do it (as opposed to a
/// problem with the paths): `EINVAL`/`ENOSYS`/`EOPNOTSUPP` where renameat2 or the flag is
/// missing (older kernels, NFS, FUSE), `EXDEV` where overlayfs cannot move a directory that
/// lives in a lower layer.
pub(super) fn unsupported(e: &io::Error) -> bool {
    #[cfg(unix)]
    {
        use rustix::io::Errno;
        let code = e.raw_os_error();
        let any = |errs: &[Errno]| errs.iter().any(|x| Some(x.raw_os_error()) == code);
        any(&[Errno::XDEV, Errno::INVAL, Errno::NOSYS, Errno::OPNOTSUPP, Errno::NOTSUP])
            || e.kind() == io::ErrorKind::Unsupported
    }
    #[cfg(not(unix))]
    {
        e.kind() == io::ErrorKind::Unsupported
    }
}

/// Whether a no-replace rename found its target taken.
pub(super) fn target_exists(e: &io::Error) -> bool {
    #[cfg(unix)]
    {
        let code = e.raw_os_error();
        code == Some(rustix::io::Errno::EXIST.raw_os_error())
            || code == Some(rustix::io::Errno::NOTEMPTY.raw_os_error())
    }
    #[cfg(not(unix))]
    {
        e.kind() == io::ErrorKind::AlreadyExists
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn exchange_and_no_replace() {
        let tmp = tempfile::tempdir().unwrap();
        let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
        fs::create_dir(&a).unwrap();
        fs::write(a.join("f"), "a").unwrap();
        fs::create_dir(&b).unwrap();
        fs::write(b.join("f"), "b").unwrap();
        exchange(&a, &b).unwrap();
        assert_eq!(
            (fs::read_to_string(a.join("f")).unwrap(), fs::read_to_string(b.join("f")).unwrap()),
            ("b".into(), "a".into())
        );
        let e = rename_no_replace(&a, &b).unwrap_err();
        assert!(target_exists(&e), "{e}");
        assert_eq!(fs::read_to_string(b.join("f")).unwrap(), "a", "nothing replaced");
        // An empty directory is taken too: nothing is replaced without being asked.
        let c = tmp.path().join("c");
        fs::create_dir(&c).unwrap();
        assert!(target_exists(&rename_no_replace(&a, &c).unwrap_err()));
        rename_no_replace(&a, &tmp.path().join("d")).unwrap();
        assert!(!a.exists());
        assert!(!unsupported(&e));
        assert!(unsupported(&io::Error::from_raw_os_error(rustix::io::Errno::XDEV.raw_os_error())));
    }

    /// The caller acts on these answers: a taken target is another installer's kernelspec, an
    /// unsupported rename takes the fallback, and anything else must fail the install as it is.
    #[test]
    fn what_each_rename_error_means() {
        use rustix::io::Errno;
        let err = |errno: Errno| io::Error::from_raw_os_error(errno.raw_os_error());
        // EEXIST from RENAME_NOREPLACE; ENOTEMPTY (or EEXIST) from a plain rename onto a
        // non-empty directory.
        for taken in [Errno::EXIST, Errno::NOTEMPTY] {
            assert!(target_exists(&err(taken)), "{taken:?}");
            assert!(!unsupported(&err(taken)), "{taken:?}");
        }
        for cannot in [Errno::XDEV, Errno::INVAL, Errno::NOSYS, Errno::OPNOTSUPP] {
            assert!(unsupported(&err(cannot)), "{cannot:?}");
            assert!(!target_exists(&err(cannot)), "{cannot:?}");
        }
        assert!(unsupported(&io::ErrorKind::Unsupported.into()));
        for other in [Errno::ACCESS, Errno::NOENT, Errno::ROFS, Errno::BUSY, Errno::NOSPC] {
            assert!(!unsupported(&err(other)), "{other:?}");
            assert!(!target_exists(&err(other)), "{other:?}");
        }
    }
}
