//! Python config files without running Python, where that gives traitlets' result: every
//! `c.Class.trait = <literal>` is read as data, and statements that cannot change our
//! configurables (imports, helper variables, arithmetic, assignments to other applications'
//! classes such as `c.ServerApp.port`) are skipped. A statement that can change them and is not
//! a literal assignment (`os.environ[...]`, a conditional, `load_subconfig`, `c` used any
//! other way) makes the whole file [`Fast::NeedsPython`].

use crate::cli::options::{CLASSES, PARENT_CLASSES};
use crate::py::literal::{parse_value, tokenize, Tok, Token, KEYWORDS};
use crate::settings::traitlets::config::{is_section_key, Config, Node};

/// The result of reading a Python config file without Python.
#[derive(Debug)]
pub enum Fast {
    /// Every statement was understood; `skipped` tells whether some were left out (they cannot
    /// affect the installer, but `show_config` would show what they set).
    Read { config: Config, skipped: bool },
    /// This statement needs Python: its line and why.
    NeedsPython { line: usize, why: String },
}

/// Names that, wherever they occur, may change our configuration or the environment its
/// defaults come from.
const RISKY_NAMES: &[&str] = &[
    "get_config",
    "load_subconfig",
    "exec",
    "eval",
    "globals",
    "locals",
    "vars",
    "setattr",
    "delattr",
    "__import__",
    "__builtins__",
    "__dict__",
    "putenv",
    "unsetenv",
];

/// `os.environ` methods that only read.
const ENVIRON_READERS: &[&str] = &["get", "copy", "keys", "values", "items", "__contains__", "__getitem__"];

/// Statements that continue a compound statement at the same indentation.
const CONTINUATIONS: &[&str] = &["else", "elif", "except", "finally"];

/// Compound statements: their body is indented.
const COMPOUNDS: &[&str] = &["if", "for", "while", "def", "class", "try", "with", "async", "match"];

/// A section whose values can reach the installer (its own classes, the dispatcher's, and
/// sections nested in those).
fn relevant(class: &str) -> bool {
    CLASSES.contains(&class) || PARENT_CLASSES.contains(&class)
}

/// Reads a Python config file. `Err` is an exception the file raises (`(line, "ValueError: ...")`).
pub fn read(text: &str) -> Result<Fast, (usize, String)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let (toks, lex_err) = tokenize(text, false);
    if let Some((line, msg)) = lex_err {
        return Ok(Fast::NeedsPython { line, why: format!("syntax error: {msg}") });
    }
    let mut config = Config::new();
    let mut skipped = false;
    for group in statements(&toks) {
        let compound =
            matches!(&group[0].tok, Tok::Name(n) if COMPOUNDS.contains(&n.as_str())) || group[0].tok == Tok::Op("@");
        let simple: Vec<&[Token]> = if compound {
            vec![group]
        } else {
            group.split(|t| t.tok == Tok::Op(";")).filter(|s| !s.is_empty()).collect()
        };
        for stmt in simple {
            match classify(text, stmt, compound, &mut config)? {
                Outcome::Done => {}
                Outcome::Skipped => skipped = true,
                Outcome::NeedsPython(line, why) => return Ok(Fast::NeedsPython { line, why }),
            }
        }
    }
    Ok(Fast::Read { config, skipped })
}

/// Top-level statements: logical lines, with the indented lines (and `else:` etc.) of a compound
/// statement kept with it, and a decorator kept with what it decorates.
fn statements(toks: &[Token]) -> Vec<&[Token]> {
    let mut groups: Vec<(usize, usize)> = Vec::new(); // token index ranges
    let mut after_decorator = false;
    let mut start = 0;
    for (i, t) in toks.iter().enumerate() {
        if !matches!(t.tok, Tok::Newline | Tok::Eof) {
            continue;
        }
        if i > start {
            let attach = match &toks[start].tok {
                Tok::Indent => true,
                Tok::Name(n) => CONTINUATIONS.contains(&n.as_str()),
                _ => false,
            } || after_decorator;
            after_decorator = toks[start].tok == Tok::Op("@");
            match (attach, groups.last_mut()) {
                (true, Some(g)) => g.1 = i,
                _ => groups.push((start, i)),
            }
        }
        start = i + 1;
    }
    groups
        .into_iter()
        .map(|(a, b)| &toks[a..b])
        .map(|g| if g[0].tok == Tok::Indent { &g[1..] } else { g })
        .filter(|g| !g.is_empty())
        .collect()
}

enum Outcome {
    Done,
    Skipped,
    NeedsPython(usize, String),
}

fn name(t: Option<&Token>) -> Option<&str> {
    match t.map(|t| &t.tok) {
        Some(Tok::Name(n)) => Some(n),
        _ => None,
    }
}

fn is_op(t: Option<&Token>, op: &str) -> bool {
    matches!(t.map(|t| &t.tok), Some(Tok::Op(o)) if *o == op)
}

/// The source of a statement on one line, shortened for messages.
pub fn excerpt(src: &str, stmt: &[Token]) -> String {
    let (Some(a), Some(b)) = (stmt.first(), stmt.last()) else {
        return String::new();
    };
    let text = src[a.start..b.end].split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() > 80 {
        format!("{}...", text.chars().take(77).collect::<String>())
    } else {
        text
    }
}

fn classify(src: &str, stmt: &[Token], compound: bool, config: &mut Config) -> Result<Outcome, (usize, String)> {
    let line = stmt[0].line;
    let needs = |why: String| Ok(Outcome::NeedsPython(line, why));
    let shown = || excerpt(src, stmt);
    if !compound {
        // Docstrings, `pass`, `c = get_config()`, imports.
        if stmt.iter().all(|t| matches!(t.tok, Tok::Str(_))) || (stmt.len() == 1 && name(stmt.first()) == Some("pass"))
        {
            return Ok(Outcome::Done);
        }
        if stmt.len() == 5
            && name(stmt.first()) == Some("c")
            && is_op(stmt.get(1), "=")
            && name(stmt.get(2)) == Some("get_config")
            && is_op(stmt.get(3), "(")
            && is_op(stmt.get(4), ")")
        {
            return Ok(Outcome::Done);
        }
        if matches!(name(stmt.first()), Some("import" | "from")) {
            return Ok(Outcome::Skipped);
        }
        if let Some((parts, rhs)) = config_assignment(stmt) {
            return assign(src, stmt, &parts, rhs, config);
        }
    }
    match risky(stmt) {
        Some(why) => needs(format!("`{}` {why}", shown())),
        None => Ok(Outcome::Skipped),
    }
}

/// `c.A.b... = <rhs>` with a single `=`: the attribute names and the value's tokens.
fn config_assignment(stmt: &[Token]) -> Option<(Vec<&str>, &[Token])> {
    if name(stmt.first()) != Some("c") {
        return None;
    }
    let mut parts = Vec::new();
    let mut i = 1;
    while is_op(stmt.get(i), ".") {
        parts.push(name(stmt.get(i + 1))?);
        i += 2;
    }
    if parts.len() < 2 || !is_op(stmt.get(i), "=") {
        return None;
    }
    let rhs = &stmt[i + 1..];
    // A chained assignment (`c.A.b = x = 1`) is Python's business.
    if rhs.iter().any(|t| t.tok == Tok::Op("=")) {
        return None;
    }
    Some((parts, rhs))
}

fn assign(
    src: &str,
    stmt: &[Token],
    parts: &[&str],
    rhs: &[Token],
    config: &mut Config,
) -> Result<Outcome, (usize, String)> {
    let line = stmt[0].line;
    let shown = excerpt(src, stmt);
    if parts.iter().any(|p| KEYWORDS.contains(p)) {
        return Ok(Outcome::NeedsPython(line, format!("`{shown}`: invalid syntax")));
    }
    let ours = relevant(parts[0]);
    let (key, path) = parts.split_last().expect("at least two parts");
    let through_sections = path.iter().all(|p| is_section_key(p));
    let value = if rhs.is_empty() { None } else { parse_value(src, rhs, rhs[rhs.len() - 1].line).ok() };
    match (value, through_sections) {
        (Some(value), true) => {
            let mut section = &mut *config;
            for p in path {
                section = match section.entry(p) {
                    Ok(Node::Section(c)) => c,
                    _ => return Ok(Outcome::NeedsPython(line, format!("`{shown}` cannot be read without Python"))),
                };
            }
            section.set(key, Node::Value(value)).map_err(|e| (line, format!("ValueError: {}", e.0)))?;
            Ok(Outcome::Done)
        }
        _ if ours => Ok(Outcome::NeedsPython(line, format!("`{shown}` is not a literal assignment"))),
        _ => match risky(rhs) {
            Some(why) => Ok(Outcome::NeedsPython(line, format!("`{shown}` {why}"))),
            None => Ok(Outcome::Skipped),
        },
    }
}

/// Why a statement (or expression) may change our configuration or its environment, if it may.
fn risky(toks: &[Token]) -> Option<String> {
    let deleting = name(toks.first()) == Some("del");
    for (i, t) in toks.iter().enumerate() {
        let Tok::Name(n) = &t.tok else { continue };
        let attribute = i > 0 && is_op(toks.get(i - 1), ".");
        match n.as_str() {
            "c" if !attribute => {
                let foreign = is_op(toks.get(i + 1), ".") && name(toks.get(i + 2)).is_some_and(|a| !relevant(a));
                if !foreign {
                    return Some("uses the config object `c`".into());
                }
            }
            "environ" => {
                let reads = if is_op(toks.get(i + 1), ".") {
                    name(toks.get(i + 2)).is_some_and(|m| ENVIRON_READERS.contains(&m))
                } else if is_op(toks.get(i + 1), "[") {
                    let close = closing(toks, i + 1);
                    !deleting
                        && close.is_some_and(|j| {
                            !toks
                                .get(j + 1)
                                .is_some_and(|t| matches!(t.tok, Tok::Op(o) if o.ends_with('=') && o != "=="))
                        })
                } else {
                    false
                };
                if !reads {
                    return Some("may change the environment".into());
                }
            }
            other if RISKY_NAMES.contains(&other) => return Some(format!("uses `{other}`")),
            _ => {}
        }
    }
    None
}

/// The index of the bracket closing the one at `open`.
fn closing(toks: &[Token], open: usize) -> Option<usize> {
    let mut depth = 0;
    for (j, t) in toks.iter().enumerate().skip(open) {
        match t.tok {
            Tok::Op("(" | "[" | "{") => depth += 1,
            Tok::Op(")" | "]" | "}") => {
                depth -= 1;
                if depth == 0 {
                    return Some(j);
                }
            }
            _ => {}
        }
    }
    None
}
