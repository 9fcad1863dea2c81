//! The few operating-system facts the installer needs that std does not offer.

/// The home directory of a named user (`~name`), from the password database.
#[cfg(unix)]
pub fn home_of_user(name: &str) -> Option<String> {
    use std::ffi::{CStr, CString};
    let cname = CString::new(name).ok()?;
    let mut pwd: libc::passwd = unsafe { std::mem::zeroed() };
    let mut buf = vec![0 as libc::c_char; 16 * 1024];
    let mut result: *mut libc::passwd = std::ptr::null_mut();
    // SAFETY: every pointer is valid for the call; getpwnam_r writes only into pwd and buf.
    let rc = unsafe { libc::getpwnam_r(cname.as_ptr(), &mut pwd, buf.as_mut_ptr(), buf.len(), &mut result) };
    if rc != 0 || result.is_null() || pwd.pw_dir.is_null() {
        return None;
    }
    // SAFETY: pw_dir points into buf, NUL-terminated by getpwnam_r.
    let dir = unsafe { CStr::from_ptr(pwd.pw_dir) };
    Some(dir.to_string_lossy().into_owned())
}

#[cfg(not(unix))]
pub fn home_of_user(_name: &str) -> Option<String> {
    None
}

/// Whether standard error is a terminal that shows colours (the reference colours its log
/// prefixes only then).
pub fn stderr_is_colour_terminal() -> bool {
    use std::io::IsTerminal;
    std::io::stderr().is_terminal() && std::env::var("TERM").map(|t| t != "dumb").unwrap_or(false)
}

/// The width of the terminal on standard output, if it is one (Python's
/// `shutil.get_terminal_size` asks stdout).
#[cfg(unix)]
pub fn stdout_columns() -> Option<usize> {
    let mut ws: libc::winsize = unsafe { std::mem::zeroed() };
    // SAFETY: TIOCGWINSZ writes a winsize into the pointed-to struct and nothing else.
    let rc = unsafe { libc::ioctl(libc::STDOUT_FILENO, libc::TIOCGWINSZ, &mut ws) };
    (rc == 0 && ws.ws_col > 0).then_some(usize::from(ws.ws_col))
}

#[cfg(not(unix))]
pub fn stdout_columns() -> Option<usize> {
    None
}

#[cfg(test)]
mod tests {
    #[test]
    fn root_has_a_home() {
        assert_eq!(super::home_of_user("root").as_deref(), Some("/root"));
        assert_eq!(super::home_of_user("no-such-user-here"), None);
    }
}
