//! `os.path` functions (POSIX) the reference applies to user input and config-file names:
//! `expanduser`, `expandvars`, `split`, `splitext`, `join`, `abspath`, on strings as Python
//! holds them (see [`super::text`]).

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

/// `os.path.split(p)`: `("sub", "my.json")`, `("", "my.json")`, `("/", "x")`.
pub fn split(p: &str) -> (&str, &str) {
    let i = p.rfind('/').map_or(0, |i| i + 1);
    let (head, tail) = p.split_at(i);
    let trimmed = head.trim_end_matches('/');
    (if trimmed.is_empty() { head } else { trimmed }, tail)
}

/// `os.path.splitext(p)[0]`: leading dots of the last component do not start an extension.
pub fn splitext_root(p: &str) -> &str {
    let base_start = p.rfind('/').map_or(0, |i| i + 1);
    let name = &p[base_start..];
    match name.rfind('.') {
        Some(i) if name[..i].chars().any(|c| c != '.') => &p[..base_start + i],
        _ => p,
    }
}

pub fn isabs(p: &str) -> bool {
    p.starts_with('/')
}

/// `os.path.join(a, b)`.
pub fn join(a: &str, b: &str) -> String {
    if isabs(b) || a.is_empty() {
        b.to_string()
    } else if a.ends_with('/') {
        format!("{a}{b}")
    } else {
        format!("{a}/{b}")
    }
}

/// `os.path.normpath(p)`.
pub fn normpath(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    // POSIX keeps exactly two leading slashes, and folds three or more into one.
    let lead = if p.starts_with("//") && !p.starts_with("///") {
        "//"
    } else if p.starts_with('/') {
        "/"
    } else {
        ""
    };
    let mut parts: Vec<&str> = Vec::new();
    for comp in p.split('/') {
        match comp {
            "" | "." => {}
            ".." if !parts.is_empty() && parts.last() != Some(&"..") => {
                parts.pop();
            }
            ".." if !lead.is_empty() => {}
            other => parts.push(other),
        }
    }
    let out = format!("{lead}{}", parts.join("/"));
    if out.is_empty() {
        ".".into()
    } else {
        out
    }
}

/// `os.path.abspath(p)` with `cwd` as `os.getcwd()`.
pub fn abspath(p: &str, cwd: &str) -> String {
    normpath(&join(cwd, p))
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
    fn paths_as_posixpath_does() {
        // Results of CPython's posixpath functions.
        assert_eq!(split("sub/my.json"), ("sub", "my.json"));
        assert_eq!(split("my.json"), ("", "my.json"));
        assert_eq!(split("/my.json"), ("/", "my.json"));
        assert_eq!(split("a//b"), ("a", "b"));
        assert_eq!(split("dir/"), ("dir", ""));
        assert_eq!(splitext_root("my.json"), "my");
        assert_eq!(splitext_root("my.tar.gz"), "my.tar");
        assert_eq!(splitext_root(".hidden"), ".hidden");
        assert_eq!(splitext_root("..x"), "..x");
        assert_eq!(splitext_root("a."), "a");
        assert_eq!(splitext_root("d.x/name"), "d.x/name");
        assert_eq!(join("", "a"), "a");
        assert_eq!(join("/x/", "a"), "/x/a");
        assert_eq!(join("/x", "/a"), "/a");
        assert_eq!(normpath("/a/./b/../c//d"), "/a/c/d");
        assert_eq!(normpath("/../a"), "/a");
        assert_eq!(normpath("//a/b"), "//a/b");
        assert_eq!(normpath("///a"), "/a");
        assert_eq!(normpath("a/../.."), "..");
        assert_eq!(normpath(""), ".");
        assert_eq!(abspath("sub/../x.py", "/w"), "/w/x.py");
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
