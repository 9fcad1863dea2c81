//! `pprint.pformat(value, indent=4, compact=True)` (width 80), which `show_config` uses for each
//! value: the repr when it fits, dicts with sorted keys, and long strings, lists, tuples, sets
//! and dicts broken over lines the way `pprint` breaks them.

use super::repr::str_repr;
use super::value::Value;

const WIDTH: usize = 80;
const INDENT: usize = 4;

/// `pprint.pformat(value, indent=4, compact=True)`.
pub fn pformat(value: &Value) -> String {
    let mut out = String::new();
    format(value, &mut out, 0, 0, 0);
    out
}

/// Python's ordering of two values for `sorted()` where it is defined (strings, numbers);
/// other pairs keep their order (Python falls back to type names and object ids).
fn compare(a: &Value, b: &Value) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    match (a, b) {
        (Value::Str(x), Value::Str(y)) => {
            x.chars().map(super::text::code_point).cmp(y.chars().map(super::text::code_point))
        }
        (Value::Int(x), Value::Int(y)) => x.cmp(y),
        (Value::Float(x), Value::Float(y)) => x.partial_cmp(y).unwrap_or(Ordering::Equal),
        _ => Ordering::Equal,
    }
}

fn sorted_items(items: &[(Value, Value)]) -> Vec<&(Value, Value)> {
    let mut v: Vec<&(Value, Value)> = items.iter().collect();
    v.sort_by(|a, b| compare(&a.0, &b.0));
    v
}

/// `PrettyPrinter._safe_repr`: the repr, with dict keys sorted at every level.
fn safe_repr(v: &Value) -> String {
    match v {
        Value::Dict(items) if items.is_empty() => "{}".into(),
        Value::Dict(items) => {
            let parts: Vec<String> =
                sorted_items(items).iter().map(|(k, v)| format!("{}: {}", safe_repr(k), safe_repr(v))).collect();
            format!("{{{}}}", parts.join(", "))
        }
        Value::List(items) => format!("[{}]", items.iter().map(safe_repr).collect::<Vec<_>>().join(", ")),
        Value::Tuple(items) if items.len() == 1 => format!("({},)", safe_repr(&items[0])),
        Value::Tuple(items) => format!("({})", items.iter().map(safe_repr).collect::<Vec<_>>().join(", ")),
        other => other.repr(),
    }
}

fn len(s: &str) -> usize {
    s.chars().count()
}

fn format(v: &Value, out: &mut String, indent: usize, allowance: usize, level: usize) {
    let rep = safe_repr(v);
    let max_width = WIDTH.saturating_sub(indent + allowance);
    if len(&rep) <= max_width {
        out.push_str(&rep);
        return;
    }
    match v {
        Value::Dict(items) => {
            out.push('{');
            out.push_str(&" ".repeat(INDENT - 1));
            if !items.is_empty() {
                let sorted = sorted_items(items);
                let indent = indent + INDENT;
                let last = sorted.len() - 1;
                for (i, (k, ent)) in sorted.into_iter().enumerate() {
                    let krep = safe_repr(k);
                    out.push_str(&krep);
                    out.push_str(": ");
                    format(ent, out, indent + len(&krep) + 2, if i == last { allowance + 1 } else { 1 }, level + 1);
                    if i != last {
                        out.push_str(",\n");
                        out.push_str(&" ".repeat(indent));
                    }
                }
            }
            out.push('}');
        }
        Value::List(items) => {
            out.push('[');
            format_items(items, out, indent, allowance + 1, level + 1);
            out.push(']');
        }
        Value::Tuple(items) => {
            out.push('(');
            let end = if items.len() == 1 { ",)" } else { ")" };
            format_items(items, out, indent, allowance + end.len(), level + 1);
            out.push_str(end);
        }
        Value::Set(items) if !items.is_empty() => {
            out.push('{');
            let mut sorted: Vec<Value> = items.clone();
            sorted.sort_by(compare);
            format_items(&sorted, out, indent, allowance + 1, level + 1);
            out.push('}');
        }
        Value::Str(s) if !s.is_empty() => pprint_str(s, out, indent, allowance, level + 1),
        _ => out.push_str(&rep),
    }
}

fn format_items(items: &[Value], out: &mut String, indent: usize, allowance: usize, level: usize) {
    let indent = indent + INDENT;
    out.push_str(&" ".repeat(INDENT - 1));
    let delimnl = format!(",\n{}", " ".repeat(indent));
    let mut delim = String::new();
    let mut max_width = WIDTH as isize - indent as isize + 1;
    let mut width = max_width;
    for (i, ent) in items.iter().enumerate() {
        let last = i + 1 == items.len();
        if last {
            max_width -= allowance as isize;
            width -= allowance as isize;
        }
        // compact=True: items that fit share a line.
        let rep = safe_repr(ent);
        let w = len(&rep) as isize + 2;
        if width < w {
            width = max_width;
            if !delim.is_empty() {
                delim = delimnl.clone();
            }
        }
        if width >= w {
            width -= w;
            out.push_str(&delim);
            delim = ", ".into();
            out.push_str(&rep);
            continue;
        }
        out.push_str(&delim);
        delim = delimnl.clone();
        format(ent, out, indent, if last { allowance } else { 1 }, level);
    }
}

/// `_pprint_str`: a long string as adjacent literals, broken after whitespace.
fn pprint_str(s: &str, out: &mut String, mut indent: usize, mut allowance: usize, level: usize) {
    let mut chunks: Vec<String> = Vec::new();
    let lines = split_lines_keep(s);
    if level == 1 {
        indent += 1;
        allowance += 1;
    }
    let max_width = WIDTH as isize - indent as isize;
    let mut max_width1 = max_width;
    let mut rep = String::new();
    for (i, line) in lines.iter().enumerate() {
        rep = str_repr(line);
        if i == lines.len() - 1 {
            max_width1 -= allowance as isize;
        }
        if len(&rep) as isize <= max_width1 {
            chunks.push(rep.clone());
            continue;
        }
        let parts = word_parts(line);
        let mut max_width2 = max_width;
        let mut current = String::new();
        for (j, part) in parts.iter().enumerate() {
            let candidate = format!("{current}{part}");
            if j == parts.len() - 1 && i == lines.len() - 1 {
                max_width2 -= allowance as isize;
            }
            if len(&str_repr(&candidate)) as isize > max_width2 {
                if !current.is_empty() {
                    chunks.push(str_repr(&current));
                }
                current = part.clone();
            } else {
                current = candidate;
            }
        }
        if !current.is_empty() {
            chunks.push(str_repr(&current));
        }
    }
    if chunks.len() == 1 {
        out.push_str(&rep);
        return;
    }
    if level == 1 {
        out.push('(');
    }
    for (i, c) in chunks.iter().enumerate() {
        if i > 0 {
            out.push('\n');
            out.push_str(&" ".repeat(indent));
        }
        out.push_str(c);
    }
    if level == 1 {
        out.push(')');
    }
}

/// `str.splitlines(True)` for the common line ends.
fn split_lines_keep(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        cur.push(c);
        let end = match c {
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    cur.push('\n');
                    chars.next();
                }
                true
            }
            '\n' | '\u{b}' | '\u{c}' | '\u{1c}' | '\u{1d}' | '\u{1e}' | '\u{85}' | '\u{2028}' | '\u{2029}' => true,
            _ => false,
        };
        if end {
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// `re.findall(r'\S*\s*', line)` without its final empty match.
fn word_parts(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_space = false;
    for c in line.chars() {
        let space = super::int::is_space(c);
        if !space && in_space {
            out.push(std::mem::take(&mut cur));
            in_space = false;
        }
        if space {
            in_space = true;
        }
        cur.push(c);
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> Value {
        Value::str(v)
    }

    #[test]
    fn formats_as_pprint_does() {
        // pprint.pformat(v, indent=4, compact=True) of CPython 3.11.
        let dict = Value::dict(vec![(s("b"), Value::int(1)), (s("a"), Value::list(vec![s("x")]))]);
        assert_eq!(pformat(&dict), "{'a': ['x'], 'b': 1}");
        let long = s(&"word ".repeat(20));
        assert_eq!(
            pformat(&long),
            "('word word word word word word word word word word word word word word word '\n 'word word word word word ')"
        );
        let list = Value::list((0..30).map(|i| s(&format!("user{i}"))).collect());
        assert_eq!(
            pformat(&list),
            "[   'user0', 'user1', 'user2', 'user3', 'user4', 'user5', 'user6', 'user7',\n    'user8', 'user9', 'user10', 'user11', 'user12', 'user13', 'user14',\n    'user15', 'user16', 'user17', 'user18', 'user19', 'user20', 'user21',\n    'user22', 'user23', 'user24', 'user25', 'user26', 'user27', 'user28',\n    'user29']"
        );
        let nested = Value::dict(vec![
            (
                s("handlers"),
                Value::dict(vec![(
                    s("file"),
                    Value::dict(vec![
                        (s("class"), s("logging.FileHandler")),
                        (s("filename"), s("/var/log/k8s-spec/install.log")),
                    ]),
                )]),
            ),
            (
                s("loggers"),
                Value::dict(vec![(
                    s("K8sSpecInstaller"),
                    Value::dict(vec![(s("handlers"), Value::list(vec![s("console"), s("file")]))]),
                )]),
            ),
        ]);
        assert_eq!(
            pformat(&nested),
            "{   'handlers': {   'file': {   'class': 'logging.FileHandler',\n                                'filename': '/var/log/k8s-spec/install.log'}},\n    'loggers': {'K8sSpecInstaller': {'handlers': ['console', 'file']}}}"
        );
    }
}
