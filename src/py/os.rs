//! `os.path` functions the reference applies to user input: `expanduser` and `expandvars`.

/// `os.path.expanduser` (POSIX): `~` is `home` (the `HOME` variable, else the user database),
/// `~name` is that user's home directory from `user_home`; anything else is returned unchanged.
pub fn expanduser(s: &str, home: Option<&str>, user_home: &dyn Fn(&str) -> Option<String>) -> String {
    let Some(rest) = s.strip_prefix('~') else { return s.to_string() };
    let end = rest.find('/').unwrap_or(rest.len());
    let (user, tail) = rest.split_at(end);
    let dir = if user.is_empty() {
        match home {
            Some(h) => h.to_string(),
            None => return s.to_string(),
        }
    } else {
        match user_home(user) {
            Some(h) => h,
            None => return s.to_string(),
        }
    };
    let joined = format!("{}{}", dir.trim_end_matches('/'), tail);
    if joined.is_empty() {
        "/".into()
    } else {
        joined
    }
}

/// `os.path.expandvars` (POSIX): `$name` and `${name}` with `name` of ASCII letters, digits and
/// `_` are replaced by the variable's value; unknown variables are left as written.
pub fn expandvars(s: &str, var: &dyn Fn(&str) -> Option<String>) -> String {
    if !s.contains('$') {
        return s.to_string();
    }
    let is_name = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let (name, consumed) = if let Some(braced) = after.strip_prefix('{') {
            match braced.find('}') {
                Some(j) if j > 0 => (&braced[..j], j + 2),
                _ => ("", 0),
            }
        } else {
            let n = after.find(|c: char| !is_name(c)).unwrap_or(after.len());
            (&after[..n], n)
        };
        match (name.is_empty(), var(name)) {
            (false, Some(value)) => {
                out.push_str(&value);
                rest = &after[consumed..];
            }
            _ => {
                // Left as written; the search resumes after the `$` and the name.
                out.push('$');
                out.push_str(&after[..consumed]);
                rest = &after[consumed..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expanduser_as_posixpath_does() {
        let users = |u: &str| (u == "bob").then(|| "/home/bob/".to_string());
        assert_eq!(expanduser("~/x", Some("/h/"), &users), "/h/x");
        assert_eq!(expanduser("~", Some("/"), &users), "/");
        assert_eq!(expanduser("~bob/y", None, &users), "/home/bob/y");
        assert_eq!(expanduser("~nobody/y", Some("/h"), &users), "~nobody/y");
        assert_eq!(expanduser("~/x", None, &users), "~/x");
        assert_eq!(expanduser("a/~", Some("/h"), &users), "a/~");
    }

    #[test]
    fn expandvars_as_posixpath_does() {
        let vars = |n: &str| match n {
            "A" => Some("1".to_string()),
            "B_2" => Some("two".to_string()),
            _ => None,
        };
        // Results of CPython's posixpath.expandvars with the same variables.
        assert_eq!(expandvars("$A/${B_2}/$C/${}/$/x$A$A", &vars), "1/two/$C/${}/$/x11");
        assert_eq!(expandvars("${A", &vars), "${A");
        assert_eq!(expandvars("plain", &vars), "plain");
    }
}
