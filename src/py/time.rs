//! `time.strftime(fmt, time.localtime(t))`, which the logging formatters use for `%(asctime)s`:
//! C's `strftime`, as Python calls it.

/// Formats the local time of `t` (seconds since the epoch) with C's `strftime`.
pub fn strftime_local(fmt: &str, t: f64) -> String {
    if fmt.is_empty() {
        return String::new();
    }
    let secs = t.floor() as libc::time_t;
    // SAFETY: `localtime_r` fills the zeroed `tm` we own; `strftime` writes at most `cap`
    // bytes into the buffer we own and returns how many it wrote; the format is NUL-terminated.
    unsafe {
        let mut tm: libc::tm = std::mem::zeroed();
        if libc::localtime_r(&secs, &mut tm).is_null() {
            return String::new();
        }
        let Ok(cfmt) = std::ffi::CString::new(fmt) else { return String::new() };
        // strftime returns 0 both for "no room" and for an empty result; grow and retry a few
        // times, as Python does.
        let mut cap = 256 + fmt.len() * 8;
        for _ in 0..6 {
            let mut buf = vec![0u8; cap];
            let n = libc::strftime(buf.as_mut_ptr().cast(), cap, cfmt.as_ptr(), &tm);
            if n > 0 {
                buf.truncate(n);
                return String::from_utf8_lossy(&buf).into_owned();
            }
            cap *= 4;
        }
        String::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_local_time() {
        let t = 1_764_000_000.5;
        let s = strftime_local("%Y-%m-%d %H:%M:%S", t);
        assert_eq!(s.len(), 19);
        assert_eq!(&s[..4], "2025");
        assert_eq!(strftime_local("100%% %j", 0.0).len(), "100% 001".len());
        assert_eq!(strftime_local("", t), "");
    }
}
