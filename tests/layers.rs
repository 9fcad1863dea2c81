//! The layers of `src/` point one way (ARCHITECTURE.md, "Layers"): every `crate::` path in a
//! module of one layer names that layer or one it may use, and the modules of the crate form no
//! cycle. The compiler accepts any direction; this test is what keeps the direction.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// Each layer and the layers it may use besides itself, in the order of ARCHITECTURE.md.
const LAYERS: &[(&str, &[&str])] = &[
    ("py", &[]),
    ("launch", &["py"]),
    ("cli", &["py"]),
    ("settings", &["cli", "py"]),
    ("variant", &["settings", "cli", "py"]),
    ("render", &["variant", "settings", "cli", "launch", "py"]),
    ("install", &["render", "variant", "settings", "cli", "launch", "py"]),
    ("commands", &["install", "render", "variant", "settings", "cli", "launch", "py"]),
];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// A file's module path below the crate root: `src/settings/traitlets/app.rs` is
/// `["settings", "traitlets", "app"]`, `src/install/mod.rs` is `["install"]`.
fn module_of(file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src()).unwrap();
    let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    let last = parts.pop().unwrap();
    let stem = last.trim_end_matches(".rs");
    if stem != "mod" {
        parts.push(stem.to_string());
    }
    parts
}

/// The code of a file without its comments and string literals (a doc comment may name any
/// path), line numbers kept.
fn code_only(text: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut in_block = 0usize;
    for line in text.lines() {
        let mut out = String::new();
        let mut chars = line.chars().peekable();
        let mut in_str = false;
        while let Some(c) = chars.next() {
            if in_block > 0 {
                if c == '*' && chars.peek() == Some(&'/') {
                    chars.next();
                    in_block -= 1;
                } else if c == '/' && chars.peek() == Some(&'*') {
                    chars.next();
                    in_block += 1;
                }
                continue;
            }
            if in_str {
                if c == '\\' {
                    chars.next();
                } else if c == '"' {
                    in_str = false;
                }
                continue;
            }
            match c {
                '/' if chars.peek() == Some(&'/') => break,
                '/' if chars.peek() == Some(&'*') => {
                    chars.next();
                    in_block += 1;
                }
                '"' => in_str = true,
                _ => out.push(c),
            }
        }
        lines.push(out);
    }
    lines
}

/// The first two segments of every path that starts with `crate::`, groups expanded
/// (`use crate::{a::{b, c}, d}` names `a::b`, `a::c` and `d`).
fn crate_paths(line: &str) -> Vec<Vec<String>> {
    let mut found = Vec::new();
    let mut rest = line;
    while let Some(i) = rest.find("crate::") {
        let before = rest[..i].chars().last();
        rest = &rest[i + "crate::".len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$') {
            continue;
        }
        expand(rest, Vec::new(), &mut found);
    }
    found
}

/// Reads the path or group at the start of `text` below `prefix`, keeping two segments.
fn expand(text: &str, prefix: Vec<String>, out: &mut Vec<Vec<String>>) {
    let text = text.trim_start();
    if let Some(group) = text.strip_prefix('{') {
        let mut depth = 1;
        let mut start = 0;
        for (i, c) in group.char_indices() {
            match c {
                '{' => depth += 1,
                '}' | ',' if depth == 1 => {
                    let item = group[start..i].trim();
                    if item == "self" {
                        out.push(prefix.clone());
                    } else if !item.is_empty() {
                        expand(item, prefix.clone(), out);
                    }
                    start = i + 1;
                    if c == '}' {
                        return;
                    }
                }
                '}' => depth -= 1,
                _ => {}
            }
        }
        return;
    }
    let end = text.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(text.len());
    if end == 0 {
        return;
    }
    let mut path = prefix;
    path.push(text[..end].to_string());
    match text[end..].strip_prefix("::") {
        Some(next) if path.len() < 2 => expand(next, path, out),
        _ => out.push(path),
    }
}

struct Use {
    file: PathBuf,
    line: usize,
    from: Vec<String>,
    to: Vec<String>,
}

fn uses() -> Vec<Use> {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let mut out = Vec::new();
    for file in files {
        let text = fs::read_to_string(&file).unwrap();
        let from = module_of(&file);
        for (n, line) in code_only(&text).iter().enumerate() {
            for to in crate_paths(line) {
                out.push(Use { file: file.clone(), line: n + 1, from: from.clone(), to });
            }
        }
    }
    out
}

fn allowed(from: &str) -> Option<&'static [&'static str]> {
    LAYERS.iter().find(|(l, _)| *l == from).map(|(_, a)| *a)
}

#[test]
fn every_module_is_in_a_layer() {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let stray: Vec<String> = files
        .iter()
        .map(|f| module_of(f))
        .filter(|m| !(m.len() == 1 && (m[0] == "main" || m[0] == "lib")) && allowed(&m[0]).is_none())
        .map(|m| m.join("::"))
        .collect();
    assert!(stray.is_empty(), "modules outside every layer of ARCHITECTURE.md: {stray:?}");
}

#[test]
fn layers_point_one_way() {
    let mut wrong = Vec::new();
    for u in uses() {
        let (Some(from), Some(to)) = (u.from.first(), u.to.first()) else { continue };
        let Some(may) = allowed(from) else { continue };
        if to != from && !may.contains(&to.as_str()) {
            wrong.push(format!(
                "{}:{}: crate::{} in layer {from}, which may use only {may:?}",
                u.file.strip_prefix(src()).unwrap().display(),
                u.line,
                u.to.join("::")
            ));
        }
    }
    assert!(wrong.is_empty(), "a layer uses one it must not (see ARCHITECTURE.md):\n{}", wrong.join("\n"));
}

/// No two modules (a layer's direct children, e.g. `settings::paths`) use each other, directly
/// or through others.
#[test]
fn modules_form_no_cycle() {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for u in uses() {
        if u.from.len() < 2 || u.to.len() < 2 {
            continue;
        }
        let from = u.from[..2].join("::");
        let to = u.to[..2].join("::");
        if from != to {
            graph.entry(from).or_default().insert(to);
        }
    }
    let mut cycles = Vec::new();
    for start in graph.keys() {
        // Depth-first from `start`, looking for a way back to it.
        let mut stack = vec![(start.clone(), vec![start.clone()])];
        let mut seen = BTreeSet::new();
        while let Some((node, path)) = stack.pop() {
            for next in graph.get(&node).into_iter().flatten() {
                if next == start {
                    let mut cycle = path.clone();
                    cycle.push(start.clone());
                    cycles.push(cycle.join(" -> "));
                } else if seen.insert(next.clone()) {
                    let mut p = path.clone();
                    p.push(next.clone());
                    stack.push((next.clone(), p));
                }
            }
        }
    }
    cycles.sort();
    cycles.dedup();
    assert!(cycles.is_empty(), "modules that use each other:\n{}", cycles.join("\n"));
}

#[test]
fn the_scanner_reads_paths_as_rust_does() {
    let p = |s: &str| crate_paths(s).into_iter().map(|v| v.join("::")).collect::<Vec<_>>();
    assert_eq!(p("use crate::cli::options::{Kind, TRAITS};"), ["cli::options"]);
    assert_eq!(p("use crate::{cli::{a, b}, py};"), ["cli::a", "cli::b", "py"]);
    assert_eq!(p("let x = crate::py::repr::str_repr(s) + crate::launch::yaml::f();"), ["py::repr", "launch::yaml"]);
    assert_eq!(p("use my_crate::x;"), Vec::<String>::new());
    assert_eq!(code_only("let a = \"crate::x\"; // crate::y\ncrate::z /* crate::w */")[1], "crate::z ");
    assert_eq!(module_of(&src().join("install/mod.rs")), ["install"]);
    assert_eq!(module_of(&src().join("settings/traitlets/app.rs")), ["settings", "traitlets", "app"]);
}
