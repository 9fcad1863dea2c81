//! `os.path` as Python has it on Windows (`ntpath`): drives, UNC shares, both `\\` and `/` as
//! separators. Jupyter's paths are worked out for Windows on any host (`settings::paths`), so
//! these are functions of strings.

/// `\\` or `/`.
pub fn is_sep(c: char) -> bool {
    c == '\\' || c == '/'
}

/// `ntpath.splitdrive`: `C:` or `\\server\share` (also `\\?\UNC\server\share`).
pub fn splitdrive(p: &str) -> (&str, &str) {
    let n = p.replace('/', "\\");
    if n.starts_with("\\\\") {
        let unc = n.get(..8).is_some_and(|s| s.eq_ignore_ascii_case("\\\\?\\UNC\\"));
        let start = if unc { 8 } else { 2 };
        let Some(i) = n[start..].find('\\').map(|i| i + start) else {
            return (p, "");
        };
        let Some(j) = n[i + 1..].find('\\').map(|j| j + i + 1) else {
            return (p, "");
        };
        return (&p[..j], &p[j..]);
    }
    if n.as_bytes().get(1) == Some(&b':') {
        return (&p[..2], &p[2..]);
    }
    ("", p)
}

/// `ntpath.join(a, b)`.
pub fn join(a: &str, b: &str) -> String {
    let (mut drive, rest) = splitdrive(a);
    let mut path = rest.to_string();
    let (b_drive, b_path) = splitdrive(b);
    if b_path.starts_with(is_sep) {
        if !b_drive.is_empty() || drive.is_empty() {
            drive = b_drive;
        }
        path = b_path.to_string();
    } else if !b_drive.is_empty() && b_drive != drive && b_drive.to_lowercase() != drive.to_lowercase() {
        drive = b_drive;
        path = b_path.to_string();
    } else {
        if !b_drive.is_empty() {
            drive = b_drive;
        }
        if !path.is_empty() && !path.ends_with(is_sep) {
            path.push('\\');
        }
        path.push_str(b_path);
    }
    if !path.is_empty() && !path.starts_with(is_sep) && !drive.is_empty() && !drive.ends_with(':') {
        format!("{drive}\\{path}")
    } else {
        format!("{drive}{path}")
    }
}

/// `ntpath.normpath`.
pub fn normpath(s: &str) -> String {
    let s = s.replace('/', "\\");
    let (drive, rest) = splitdrive(&s);
    let mut prefix = drive.to_string();
    let mut rest = rest;
    if rest.starts_with('\\') {
        prefix.push('\\');
        rest = rest.trim_start_matches('\\');
    }
    let mut comps: Vec<&str> = Vec::new();
    for c in rest.split('\\') {
        if c.is_empty() || c == "." {
            continue;
        }
        if c == ".." {
            match comps.last() {
                Some(&last) if last != ".." => {
                    comps.pop();
                }
                None if prefix.ends_with('\\') => {}
                _ => comps.push(c),
            }
        } else {
            comps.push(c);
        }
    }
    if prefix.is_empty() && comps.is_empty() {
        return ".".into();
    }
    format!("{prefix}{}", comps.join("\\"))
}

/// `ntpath.abspath(p)` against `cwd`, lexically, modelling `GetFullPathNameW`:
/// a rooted path without a drive takes the drive of `cwd`; a drive-relative path (`D:x`) is
/// resolved against `cwd` only when it names the same drive.
pub fn abspath(p: &str, cwd: &str) -> String {
    let (drive, rest) = splitdrive(p);
    let (cwd_drive, _) = splitdrive(cwd);
    if rest.starts_with(is_sep) || (!drive.is_empty() && !drive.ends_with(':')) {
        if drive.is_empty() {
            return normpath(&format!("{cwd_drive}{p}"));
        }
        return normpath(p);
    }
    if !drive.is_empty() && !drive.eq_ignore_ascii_case(cwd_drive) {
        return normpath(&format!("{drive}\\{rest}"));
    }
    normpath(&join(cwd, p))
}

/// `ntpath.expanduser("~" + rest)`: `USERPROFILE`, else `HOMEDRIVE` + `HOMEPATH`; unchanged
/// without either.
pub fn expanduser_home(var: &dyn Fn(&str) -> Option<String>, rest: &str) -> String {
    let home = match (var("USERPROFILE"), var("HOMEPATH")) {
        (Some(profile), _) => profile,
        (None, Some(path)) => join(var("HOMEDRIVE").as_deref().unwrap_or(""), &path),
        (None, None) => return format!("~{rest}"),
    };
    format!("{home}{rest}")
}
