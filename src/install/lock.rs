//! Installers into one kernels directory take turns: an exclusive `flock` on the directory
//! itself. A lock belongs to the open file description, so it works between processes in
//! different PID namespaces and containers that share a local file system, it is released by
//! the kernel when its holder dies however it dies, and it leaves no file behind.

use std::path::Path;

/// Held while an install runs; dropping it (or dying) releases the lock.
pub(super) struct DirLock {
    #[cfg(unix)]
    _fd: std::os::fd::OwnedFd,
}

/// Takes the exclusive lock on `dir`, calling `on_wait` once if another installer holds it.
/// `None` where no such lock is available (a directory we may not open, a file system that
/// refuses `flock`): the install then runs uncoordinated, as the reference always does, and
/// leaves others' leftovers alone. (On NFS Linux grants `flock` on a directory locally, so it
/// coordinates the installers of one client only; the README says so.)
#[cfg(unix)]
pub(super) fn exclusive(dir: &Path, on_wait: impl FnOnce()) -> Option<DirLock> {
    use rustix::fs::{flock, open, FlockOperation, Mode, OFlags};
    use rustix::io::Errno;

    let fd = open(dir, OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC, Mode::empty()).ok()?;
    match flock(&fd, FlockOperation::NonBlockingLockExclusive) {
        Ok(()) => return Some(DirLock { _fd: fd }),
        Err(Errno::WOULDBLOCK) => {}
        Err(_) => return None,
    }
    on_wait();
    loop {
        match flock(&fd, FlockOperation::LockExclusive) {
            Ok(()) => return Some(DirLock { _fd: fd }),
            Err(Errno::INTR) => continue,
            Err(_) => return None,
        }
    }
}

#[cfg(not(unix))]
pub(super) fn exclusive(_dir: &Path, _on_wait: impl FnOnce()) -> Option<DirLock> {
    None
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn one_holder_at_a_time_and_released_on_drop() {
        let tmp = tempfile::tempdir().unwrap();
        let first = exclusive(tmp.path(), || panic!("free")).expect("flock on a local directory");
        // A second open file description is refused while the first holds the lock.
        let fd = rustix::fs::open(tmp.path(), rustix::fs::OFlags::RDONLY, rustix::fs::Mode::empty()).unwrap();
        let try_lock = || rustix::fs::flock(&fd, rustix::fs::FlockOperation::NonBlockingLockExclusive);
        assert_eq!(try_lock(), Err(rustix::io::Errno::WOULDBLOCK));
        drop(first);
        assert_eq!(try_lock(), Ok(()));
        // Now someone else holds it: the next taker is told it waits, and gets it once freed.
        let waited = std::cell::Cell::new(false);
        let releaser = std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(50));
            drop(fd);
        });
        assert!(exclusive(tmp.path(), || waited.set(true)).is_some());
        assert!(waited.get());
        releaser.join().unwrap();
    }
}
