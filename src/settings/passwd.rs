//! The password database, for `~name`, the passwd home and the owner checks of Jupyter's
//! paths: the C library's NSS lookups, which neither std nor rustix offers (rustix makes system
//! calls, and NSS is not one), or `/etc/passwd` in the static build.

/// One entry of the password database, as far as the installer needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswdEntry {
    pub name: String,
    pub uid: u32,
    pub dir: String,
}

/// The home directory of a named user (`~name`), from the password database.
pub fn home_of_user(name: &str) -> Option<String> {
    lookup::by_name(name).map(|e| e.dir)
}

/// The passwd name of `uid`.
pub fn user_name(uid: u32) -> Option<String> {
    lookup::by_uid(uid).map(|e| e.name)
}

/// The passwd home directory of `uid`.
pub fn user_home(uid: u32) -> Option<String> {
    lookup::by_uid(uid).map(|e| e.dir)
}

/// `os.getlogin()` (CPython calls the C library's `getlogin()`).
pub fn login_name() -> Option<String> {
    lookup::login_name()
}

/// A line of `/etc/passwd` (`name:password:uid:gid:gecos:dir:shell`); NIS `+`/`-` lines and
/// malformed ones are not entries.
pub fn parse_passwd_line(line: &str) -> Option<PasswdEntry> {
    let fields: Vec<&str> = line.split(':').collect();
    let [name, _, uid, _, _, dir, ..] = fields[..] else { return None };
    if name.is_empty() || name.starts_with(['+', '-', '#']) {
        return None;
    }
    Some(PasswdEntry { name: name.to_string(), uid: uid.parse().ok()?, dir: dir.to_string() })
}

/// The C library's password database (NSS: files, LDAP, sssd, systemd...), as Python sees it.
#[cfg(all(unix, not(target_feature = "crt-static")))]
mod lookup {
    use super::PasswdEntry;
    use std::ffi::{CStr, CString};

    fn entry(
        lookup: impl FnOnce(&mut libc::passwd, &mut [libc::c_char], &mut *mut libc::passwd) -> i32,
    ) -> Option<PasswdEntry> {
        // SAFETY: passwd is plain old data; the lookup fills it, with strings pointing into buf.
        let mut pwd: libc::passwd = unsafe { std::mem::zeroed() };
        let mut buf = vec![0 as libc::c_char; 16 * 1024];
        let mut result: *mut libc::passwd = std::ptr::null_mut();
        let rc = lookup(&mut pwd, &mut buf, &mut result);
        if rc != 0 || result.is_null() || pwd.pw_name.is_null() || pwd.pw_dir.is_null() {
            return None;
        }
        // SAFETY: the lookup succeeded, so both fields are NUL-terminated strings inside buf.
        let text = |p: *const libc::c_char| unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned();
        Some(PasswdEntry { name: text(pwd.pw_name), uid: pwd.pw_uid, dir: text(pwd.pw_dir) })
    }

    pub fn by_name(name: &str) -> Option<PasswdEntry> {
        let cname = CString::new(name).ok()?;
        // SAFETY: every pointer is valid for the call; getpwnam_r writes only into pwd and buf.
        entry(|pwd, buf, result| unsafe { libc::getpwnam_r(cname.as_ptr(), pwd, buf.as_mut_ptr(), buf.len(), result) })
    }

    pub fn by_uid(uid: u32) -> Option<PasswdEntry> {
        // SAFETY: every pointer is valid for the call; getpwuid_r writes only into pwd and buf.
        entry(|pwd, buf, result| unsafe { libc::getpwuid_r(uid, pwd, buf.as_mut_ptr(), buf.len(), result) })
    }

    pub fn login_name() -> Option<String> {
        // SAFETY: getlogin returns NULL or a NUL-terminated string in static storage, which we
        // copy at once (only single-threaded start-up code calls it).
        unsafe {
            let p = libc::getlogin();
            if p.is_null() {
                return None;
            }
            Some(CStr::from_ptr(p).to_string_lossy().into_owned())
        }
    }
}

/// A statically linked C library cannot load NSS modules safely (glibc would dlopen shared
/// `libnss_*.so` of its own version from whatever system the binary was copied to), so the
/// static build reads `/etc/passwd` itself: the same answers wherever the files backend holds
/// the user, which is where containers keep them.
#[cfg(all(unix, target_feature = "crt-static"))]
mod lookup {
    use super::{parse_passwd_line, PasswdEntry};

    fn find(matches: impl Fn(&PasswdEntry) -> bool) -> Option<PasswdEntry> {
        let text = std::fs::read_to_string("/etc/passwd").ok()?;
        text.lines().filter_map(parse_passwd_line).find(|e| matches(e))
    }

    pub fn by_name(name: &str) -> Option<PasswdEntry> {
        find(|e| e.name == name)
    }

    pub fn by_uid(uid: u32) -> Option<PasswdEntry> {
        find(|e| e.uid == uid)
    }

    /// glibc's `getlogin` as containers see it: the name of the kernel's audit login uid, none
    /// when it is unset. (glibc falls back to the utmp entry of the terminal on standard input
    /// when the kernel keeps no login uid at all; we do not, so a caller falls back to comparing
    /// uids, as Python does when `os.getlogin()` fails.)
    pub fn login_name() -> Option<String> {
        let uid: u32 = std::fs::read_to_string("/proc/self/loginuid").ok()?.trim().parse().ok()?;
        if uid == u32::MAX {
            return None;
        }
        by_uid(uid).map(|e| e.name)
    }
}

#[cfg(not(unix))]
mod lookup {
    use super::PasswdEntry;

    pub fn by_name(_name: &str) -> Option<PasswdEntry> {
        None
    }

    pub fn by_uid(_uid: u32) -> Option<PasswdEntry> {
        None
    }

    pub fn login_name() -> Option<String> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_has_a_home() {
        assert_eq!(home_of_user("root").as_deref(), Some("/root"));
        assert_eq!(home_of_user("no-such-user-here"), None);
        assert_eq!(user_name(0).as_deref(), Some("root"));
        assert_eq!(user_home(0).as_deref(), Some("/root"));
    }

    #[test]
    fn passwd_lines() {
        let e = |name: &str, uid: u32, dir: &str| Some(PasswdEntry { name: name.into(), uid, dir: dir.into() });
        assert_eq!(parse_passwd_line("root:x:0:0:root:/root:/bin/bash"), e("root", 0, "/root"));
        assert_eq!(parse_passwd_line("jovyan:x:1000:100::/home/jovyan:"), e("jovyan", 1000, "/home/jovyan"));
        assert_eq!(parse_passwd_line("nobody:x:65534:65534:nobody:/nonexistent"), e("nobody", 65534, "/nonexistent"));
        for bad in ["", "# comment", "+@netgroup::::::", "-user::::::", "a:x:notanumber:0::/h:/s", "a:x:1:1:/h"] {
            assert_eq!(parse_passwd_line(bad), None, "{bad:?}");
        }
    }
}
