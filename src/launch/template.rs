//! Renders a kernelspec's Jinja template the way our launchers do (`render_template` in
//! `templates/common/launcher_shared.py`): Jinja2 with `trim_blocks` and `lstrip_blocks`, no
//! autoescaping, and the YamlSafeExtension, which rewrites every `{{ expression }}` into
//! `{{ (expression) | _ks_yaml(kind, line, extra) }}` where `kind` says, from the template text
//! around it, where in the YAML the value lands:
//!
//! * `dq` inside a double-quoted scalar (or a comment): escaped in place;
//! * `sq` inside a single-quoted scalar: quotes doubled, line breaks refused;
//! * `node` a whole plain value (`key: {{ x }}`, `- {{ x }}`): strings become double-quoted
//!   scalars, lists and mappings flow collections, numbers stay numbers;
//! * `frag` part of a longer plain scalar (`name: kernel-{{ x }}`): only harmless text;
//! * `block` inside a literal or folded block scalar: line breaks re-indented.
//!
//! The Jinja lexer's handling of whitespace control (`trim_blocks`, `lstrip_blocks`, `-`, `+`),
//! comments and raw blocks is reproduced here, because the extension classifies placeholders by
//! the text Jinja's lexer hands it. The rewritten template is then rendered by minijinja with
//! all whitespace handling already applied (its own trimming is off), so the literal text is
//! exactly Jinja2's.

use std::sync::{Arc, Mutex};

use minijinja::value::{Enumerator, Kwargs, Object, ObjectRepr, Value, ValueKind};
use minijinja::{AutoEscape, Environment, Error, ErrorKind};

use crate::launch::yaml as pyyaml;
use crate::py::int::Int;
use crate::py::repr::float_repr;
use crate::py::value::{date_iso, datetime_iso, Value as PyValue};

/// A failure of rendering: `Launch` is what the launcher reports as `ERROR - <message>` (a
/// value refused by the escaping, a non-integer for `int`), `Template` a Jinja error, reported
/// by the launcher as `cannot render template '<name>': <error>`.
#[derive(Debug, Clone, PartialEq)]
pub enum RenderError {
    Launch(String),
    Template(String),
}

// ----- Jinja2's lexer, as far as the extension depends on it -----------------------------------

/// A piece of the template after Jinja's lexer.
#[derive(Debug, Clone, PartialEq)]
enum Piece {
    /// Template text, with whitespace control applied; `raw` for the body of `{% raw %}`.
    Data { text: String, raw: bool },
    /// `{{ expr }}` starting on `line`.
    Var { expr: String, line: usize, pre_nl: usize, post_nl: usize },
    /// `{% body %}`.
    Block { body: String, pre_nl: usize, post_nl: usize },
    /// A comment, gone from the token stream; `nl` newlines to keep lines aligned.
    Comment { nl: usize },
}

/// Python's `str.isspace()`.
fn py_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

fn count_nl(s: &str) -> usize {
    s.matches('\n').count()
}

struct Lexer {
    src: Vec<char>,
    pos: usize,
    line_starting: bool,
}

fn syntax(msg: &str, line: usize) -> RenderError {
    RenderError::Template(format!("{msg} (line {line})"))
}

impl Lexer {
    fn at(&self, i: usize, s: &str) -> bool {
        s.chars().enumerate().all(|(k, c)| self.src.get(i + k) == Some(&c))
    }

    fn line_of(&self, i: usize) -> usize {
        1 + self.src[..i.min(self.src.len())].iter().filter(|c| **c == '\n').count()
    }

    fn text(&self, a: usize, b: usize) -> String {
        self.src[a..b].iter().collect()
    }

    /// Skips `\s*` from `i`; returns the new position.
    fn skip_ws(&self, mut i: usize) -> usize {
        while i < self.src.len() && py_space(self.src[i]) {
            i += 1;
        }
        i
    }

    /// Whitespace control on the text before a tag: `-` strips all trailing whitespace, otherwise
    /// (unless `+`, and not for `{{`) lstrip_blocks strips the indentation of a tag that starts
    /// its line. Returns (text, newlines stripped).
    fn strip_before(&self, text: String, sign: char, variable: bool) -> (String, usize) {
        if sign == '-' {
            let kept = text.trim_end_matches(py_space).to_string();
            let nl = count_nl(&text[kept.len()..]);
            return (kept, nl);
        }
        if sign != '+' && !variable {
            let l_pos = text.rfind('\n').map_or(0, |p| p + 1);
            let rest = &text[l_pos..];
            if (l_pos > 0 || self.line_starting) && !rest.is_empty() && rest.chars().all(py_space) {
                return (text[..l_pos].to_string(), 0);
            }
        }
        (text, 0)
    }

    /// Finds the end of a `{%`/`{{` tag whose body starts at `i`: (body end, after end, strip
    /// sign of the end, newlines consumed after it).
    fn tag_end(&self, mut i: usize, variable: bool, start_line: usize) -> Result<(usize, usize, usize), RenderError> {
        let mut balance: Vec<char> = Vec::new();
        let n = self.src.len();
        while i < n {
            if balance.is_empty() {
                if variable {
                    if self.at(i, "-}}") {
                        let after = self.skip_ws(i + 3);
                        return Ok((i, after, count_nl(&self.text(i + 3, after))));
                    }
                    if self.at(i, "}}") {
                        return Ok((i, i + 2, 0));
                    }
                } else {
                    if self.at(i, "+%}") {
                        return Ok((i, i + 3, 0));
                    }
                    if self.at(i, "-%}") {
                        let after = self.skip_ws(i + 3);
                        return Ok((i, after, count_nl(&self.text(i + 3, after))));
                    }
                    if self.at(i, "%}") {
                        let after = if self.src.get(i + 2) == Some(&'\n') { i + 3 } else { i + 2 };
                        return Ok((i, after, after - i - 2));
                    }
                }
            }
            let c = self.src[i];
            match c {
                '\'' | '"' => {
                    let mut j = i + 1;
                    loop {
                        match self.src.get(j) {
                            None => return Err(syntax(&format!("unexpected char {c:?}"), self.line_of(i))),
                            Some('\\') => j += 2,
                            Some(q) if *q == c => break,
                            Some(_) => j += 1,
                        }
                    }
                    i = j + 1;
                    continue;
                }
                '(' => balance.push(')'),
                '[' => balance.push(']'),
                '{' => balance.push('}'),
                ')' | ']' | '}' => match balance.pop() {
                    Some(want) if want == c => {}
                    Some(want) => return Err(syntax(&format!("unexpected '{c}', expected '{want}'"), self.line_of(i))),
                    None => return Err(syntax(&format!("unexpected '{c}'"), self.line_of(i))),
                },
                _ => {}
            }
            i += 1;
        }
        let what = if variable { "variable" } else { "block" };
        Err(syntax(&format!("unexpected end of template, expected end of {what} tag"), start_line))
    }

    fn lex(mut self) -> Result<Vec<Piece>, RenderError> {
        let mut out = Vec::new();
        let n = self.src.len();
        while self.pos < n {
            // The next tag opener.
            let mut k = self.pos;
            while k + 1 < n && !(self.src[k] == '{' && matches!(self.src[k + 1], '{' | '%' | '#')) {
                k += 1;
            }
            if k + 1 >= n {
                let text = self.text(self.pos, n);
                out.push(Piece::Data { text, raw: false });
                break;
            }
            let kind = self.src[k + 1];
            let sign = match self.src.get(k + 2) {
                Some('-') => '-',
                Some('+') => '+',
                _ => ' ',
            };
            let body_start = if sign == ' ' { k + 2 } else { k + 3 };
            let (text, pre_nl) = self.strip_before(self.text(self.pos, k), sign, kind == '{');
            if !text.is_empty() {
                out.push(Piece::Data { text, raw: false });
            }
            let line = self.line_of(k);
            match kind {
                '#' => {
                    let mut j = body_start;
                    while j + 1 < n && !(self.src[j] == '#' && self.src[j + 1] == '}') {
                        j += 1;
                    }
                    if j + 1 >= n {
                        return Err(syntax("Missing end of comment tag", line));
                    }
                    let end_sign = if j > body_start { self.src[j - 1] } else { ' ' };
                    let after = match end_sign {
                        '-' => self.skip_ws(j + 2),
                        '+' => j + 2,
                        _ if self.src.get(j + 2) == Some(&'\n') => j + 3,
                        _ => j + 2,
                    };
                    out.push(Piece::Comment { nl: pre_nl + count_nl(&self.text(k, after)) });
                    self.line_starting = after > 0 && self.src[after - 1] == '\n';
                    self.pos = after;
                }
                '%' if self.raw_begin(body_start).is_some() => {
                    let after_begin = self.raw_begin(body_start).unwrap_or(body_start);
                    out.push(Piece::Comment { nl: pre_nl + count_nl(&self.text(k, after_begin)) });
                    self.line_starting = self.src[after_begin - 1] == '\n';
                    let (text_end, end_start, end_sign, after) = self.raw_end(after_begin, line)?;
                    let (text, nl) = self.strip_before(self.text(after_begin, text_end), end_sign, false);
                    if !text.is_empty() {
                        out.push(Piece::Data { text, raw: true });
                    }
                    out.push(Piece::Comment { nl: nl + count_nl(&self.text(end_start, after)) });
                    self.line_starting = self.src[after - 1] == '\n';
                    self.pos = after;
                }
                _ => {
                    let variable = kind == '{';
                    let (body_end, after, post_nl) = self.tag_end(body_start, variable, line)?;
                    // `body_end` is where the end marker (with its sign) starts.
                    let body = self.text(body_start, body_end);
                    out.push(if variable {
                        Piece::Var { expr: body, line, pre_nl, post_nl }
                    } else {
                        Piece::Block { body, pre_nl, post_nl }
                    });
                    self.line_starting = after > 0 && self.src[after - 1] == '\n';
                    self.pos = after;
                }
            }
        }
        Ok(out)
    }

    /// `{%(-|+|)\s*raw\s*(?:-%}\s*|%})` with `body_start` after the sign: position after it.
    fn raw_begin(&self, body_start: usize) -> Option<usize> {
        let i = self.skip_ws(body_start);
        if !self.at(i, "raw") {
            return None;
        }
        let i = self.skip_ws(i + 3);
        if self.at(i, "-%}") {
            Some(self.skip_ws(i + 3))
        } else if self.at(i, "%}") {
            Some(i + 2)
        } else {
            None
        }
    }

    /// The end of a raw block: (text end, start of `{% endraw %}`, its sign, position after).
    fn raw_end(&self, from: usize, line: usize) -> Result<(usize, usize, char, usize), RenderError> {
        let n = self.src.len();
        let mut k = from;
        while k + 1 < n {
            if self.at(k, "{%") {
                let sign = match self.src.get(k + 2) {
                    Some('-') => '-',
                    Some('+') => '+',
                    _ => ' ',
                };
                let i = self.skip_ws(if sign == ' ' { k + 2 } else { k + 3 });
                if self.at(i, "endraw") {
                    let i = self.skip_ws(i + 6);
                    let after = if self.at(i, "+%}") {
                        Some(i + 3)
                    } else if self.at(i, "-%}") {
                        Some(self.skip_ws(i + 3))
                    } else if self.at(i, "%}") {
                        Some(if self.src.get(i + 2) == Some(&'\n') { i + 3 } else { i + 2 })
                    } else {
                        None
                    };
                    if let Some(after) = after {
                        return Ok((k, k, sign, after));
                    }
                }
            }
            k += 1;
        }
        Err(syntax("Missing end of raw directive", line))
    }
}

/// Jinja's lexer over `source`: newlines normalised, one trailing newline dropped.
fn lex(source: &str) -> Result<Vec<Piece>, RenderError> {
    let normalized = source.replace("\r\n", "\n").replace('\r', "\n");
    let trimmed = normalized.strip_suffix('\n').unwrap_or(&normalized);
    Lexer { src: trimmed.chars().collect(), pos: 0, line_starting: true }.lex()
}

// ----- the extension's YAML scanner (a port of _YamlScanner) ------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Plain,
    Dq,
    Sq,
    Comment,
    Block,
}

/// Where a placeholder lands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Dq,
    Sq,
    Node,
    Frag,
    Block,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Dq => "dq",
            Kind::Sq => "sq",
            Kind::Node => "node",
            Kind::Frag => "frag",
            Kind::Block => "block",
        }
    }

    fn from_name(s: &str) -> Option<Kind> {
        [Kind::Dq, Kind::Sq, Kind::Node, Kind::Frag, Kind::Block].into_iter().find(|k| k.name() == s)
    }
}

struct Scanner {
    mode: Mode,
    line: Vec<char>,
    flow: usize,
    escaped: bool,
    sq_closed: bool,
    block_pending: Option<usize>,
    block_indent: usize,
}

fn trim_end_py(s: &[char]) -> &[char] {
    let mut end = s.len();
    while end > 0 && py_space(s[end - 1]) {
        end -= 1;
    }
    &s[..end]
}

impl Scanner {
    fn new() -> Scanner {
        Scanner {
            mode: Mode::Plain,
            line: Vec::new(),
            flow: 0,
            escaped: false,
            sq_closed: false,
            block_pending: None,
            block_indent: 0,
        }
    }

    fn indentation(&self) -> usize {
        self.line.iter().take_while(|c| **c == ' ').count()
    }

    fn blank(&self) -> bool {
        self.line.iter().all(|c| py_space(*c))
    }

    fn at_node_start(&self) -> bool {
        if self.blank() {
            return true;
        }
        let t = trim_end_py(&self.line);
        if self.flow > 0 && t.last().is_some_and(|c| "[{,".contains(*c)) {
            return true;
        }
        if t.len() == self.line.len() {
            return false; // `\s+\Z` needs trailing whitespace
        }
        match t.last() {
            Some('-') | Some('?') => t.len() == 1 || py_space(t[t.len() - 2]),
            Some(':') => true,
            _ => false,
        }
    }

    fn settle_block(&mut self) {
        if self.mode == Mode::Block && self.blank() && self.indentation() <= self.block_indent {
            self.mode = Mode::Plain;
        }
    }

    fn feed(&mut self, text: &str) {
        for ch in text.chars() {
            if ch == '\n' {
                if matches!(self.mode, Mode::Plain | Mode::Comment) {
                    self.mode = Mode::Plain;
                    if let Some(indent) = self.block_pending {
                        self.mode = Mode::Block;
                        self.block_indent = indent;
                    }
                }
                self.block_pending = None;
                self.line.clear();
                continue;
            }
            if ch != ' ' {
                self.settle_block();
            }
            let reopen = std::mem::replace(&mut self.sq_closed, false);
            match self.mode {
                Mode::Dq => {
                    if self.escaped {
                        self.escaped = false;
                    } else if ch == '\\' {
                        self.escaped = true;
                    } else if ch == '"' {
                        self.mode = Mode::Plain;
                    }
                }
                Mode::Sq if ch == '\'' => {
                    self.mode = Mode::Plain;
                    self.sq_closed = true;
                }
                Mode::Plain => {
                    if ch == '\'' && reopen {
                        self.mode = Mode::Sq;
                    } else {
                        self.plain_char(ch);
                    }
                }
                _ => {}
            }
            self.line.push(ch);
        }
    }

    fn plain_char(&mut self, ch: char) {
        let start = self.at_node_start();
        if ch == '#' && self.line.last().is_none_or(|c| *c == ' ' || *c == '\t') {
            self.mode = Mode::Comment;
        } else if ch == '"' && start {
            self.mode = Mode::Dq;
        } else if ch == '\'' && start {
            self.mode = Mode::Sq;
        } else if (ch == '[' || ch == '{') && start {
            self.flow += 1;
        } else if (ch == ']' || ch == '}') && self.flow > 0 {
            self.flow -= 1;
        } else if (ch == '|' || ch == '>') && start && self.flow == 0 {
            self.block_pending = Some(self.indentation());
        }
    }

    fn classify(&mut self, after: &str, line_complete: bool) -> (Kind, usize) {
        self.settle_block();
        self.sq_closed = false;
        match self.mode {
            Mode::Dq | Mode::Comment => return (Kind::Dq, 0),
            Mode::Sq => return (Kind::Sq, 0),
            Mode::Block => return (Kind::Block, self.indentation()),
            Mode::Plain => {}
        }
        let start = self.at_node_start();
        let spaces_then = |s: &str, pred: &dyn Fn(char) -> bool| {
            let rest = s.trim_start_matches([' ', '\t']);
            rest.len() < s.len() && rest.chars().next().is_some_and(pred)
        };
        let ends = (line_complete && after.chars().all(py_space))
            || spaces_then(after, &|c| c == '#')
            || (after.starts_with(':') && (after.len() == 1 || after[1..].starts_with([' ', '\t'])))
            || (self.flow > 0 && after.trim_start_matches([' ', '\t']).starts_with([',', ']', '}']));
        if start && ends {
            (Kind::Node, 0)
        } else {
            (Kind::Frag, usize::from(start))
        }
    }
}

/// The template rewritten for minijinja: each `{{ expr }}` wrapped in `_ks_yaml` with its
/// context, whitespace control already applied, line numbers kept.
pub fn rewrite(source: &str) -> Result<String, RenderError> {
    let pieces = lex(source)?;
    let mut scanner = Scanner::new();
    let mut out = String::with_capacity(source.len() * 2);
    for (i, piece) in pieces.iter().enumerate() {
        match piece {
            Piece::Data { text, raw } => {
                scanner.feed(text);
                if *raw || text.ends_with('{') {
                    out.push_str("{% raw %}");
                    out.push_str(text);
                    out.push_str("{% endraw %}");
                } else {
                    out.push_str(text);
                }
            }
            Piece::Comment { nl } => {
                out.push_str("{#");
                out.push_str(&"\n".repeat(*nl));
                out.push_str("#}");
            }
            Piece::Block { body, pre_nl, post_nl } => {
                out.push_str("{%");
                out.push_str(&"\n".repeat(*pre_nl));
                out.push_str(body);
                out.push_str(&"\n".repeat(*post_nl));
                out.push_str("%}");
            }
            Piece::Var { expr, line, pre_nl, post_nl } => {
                let following = pieces[i + 1..].iter().enumerate().find(|(_, p)| !matches!(p, Piece::Comment { .. }));
                let (after, complete) = match following {
                    None => (String::new(), true),
                    Some((j, Piece::Data { text, .. })) => {
                        let is_last = pieces[i + 1 + j + 1..].iter().all(|p| matches!(p, Piece::Comment { .. }));
                        (text.split('\n').next().unwrap_or("").to_string(), text.contains('\n') || is_last)
                    }
                    Some(_) => (String::new(), false),
                };
                let (kind, extra) = scanner.classify(&after, complete);
                scanner.line.push('\0');
                out.push_str("{{");
                out.push_str(&"\n".repeat(*pre_nl));
                out.push_str(&format!(" ({expr}) | _ks_yaml(\"{}\", {line}, {extra})", kind.name()));
                out.push_str(&"\n".repeat(*post_nl));
                out.push_str(" }}");
            }
        }
    }
    Ok(out)
}

// ----- values: Python objects seen from minijinja -----------------------------------------------

/// A list or mapping from a YAML-typed value, or a scalar minijinja has no type for (dates,
/// integers beyond i128, recursive references), wrapped so that the filters get the original
/// Python value back.
#[derive(Debug)]
struct PyObj(PyValue);

impl Object for PyObj {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        match &self.0 {
            PyValue::List(_) => ObjectRepr::Seq,
            PyValue::Dict(_) => ObjectRepr::Map,
            _ => ObjectRepr::Plain,
        }
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        match &self.0 {
            PyValue::List(items) => {
                let i = key.as_i64()?;
                let i = if i < 0 { items.len() as i64 + i } else { i };
                items.get(usize::try_from(i).ok()?).map(to_value)
            }
            PyValue::Dict(pairs) => {
                let k = from_value(key).ok()?;
                pairs.iter().rev().find(|(pk, _)| py_key_eq(pk, &k)).map(|(_, v)| to_value(v))
            }
            _ => None,
        }
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        match &self.0 {
            PyValue::List(items) => Enumerator::Seq(items.len()),
            PyValue::Dict(pairs) => Enumerator::Values(pairs.iter().map(|(k, _)| to_value(k)).collect()),
            _ => Enumerator::NonEnumerable,
        }
    }

    fn enumerator_len(self: &Arc<Self>) -> Option<usize> {
        match &self.0 {
            PyValue::List(items) => Some(items.len()),
            PyValue::Dict(pairs) => Some(pairs.len()),
            _ => None,
        }
    }

    fn is_true(self: &Arc<Self>) -> bool {
        self.0.truthy()
    }

    fn render(self: &Arc<Self>, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&pyyaml::py_str(&self.0).unwrap_or_default())
    }
}

fn py_key_eq(a: &PyValue, b: &PyValue) -> bool {
    match (a, b) {
        (PyValue::Str(x), PyValue::Str(y)) => x == y,
        (PyValue::Int(x), PyValue::Int(y)) => x == y,
        _ => pyyaml::py_repr(a).ok() == pyyaml::py_repr(b).ok(),
    }
}

/// A template variable for a YAML-typed value.
pub fn to_value(v: &PyValue) -> Value {
    match v {
        PyValue::None => Value::from(()),
        PyValue::Bool(b) => Value::from(*b),
        PyValue::Int(i) => match (i.to_i64(), i.to_i128()) {
            (Some(small), _) => Value::from(small),
            (None, Some(big)) => Value::from(big),
            (None, None) => Value::from_object(PyObj(v.clone())),
        },
        PyValue::Float(f) => Value::from(*f),
        PyValue::Str(s) => Value::from(s.as_str()),
        _ => Value::from_object(PyObj(v.clone())),
    }
}

/// Python's view of a template value (a template can build values of its own, e.g. `[1, 2]`).
fn from_value(v: &Value) -> Result<PyValue, Error> {
    if let Some(obj) = v.downcast_object_ref::<PyObj>() {
        return Ok(obj.0.clone());
    }
    Ok(match v.kind() {
        ValueKind::Undefined | ValueKind::None => PyValue::None,
        ValueKind::Bool => PyValue::Bool(v.is_true()),
        ValueKind::Number if v.is_integer() => match i128::try_from(v.clone()) {
            Ok(i) => PyValue::Int(Int::from_i128(i)),
            Err(_) => PyValue::Str(v.to_string()),
        },
        ValueKind::Number => PyValue::Float(f64::try_from(v.clone()).unwrap_or(f64::NAN)),
        ValueKind::String => PyValue::Str(v.as_str().unwrap_or_default().to_string()),
        ValueKind::Seq | ValueKind::Iterable => {
            let mut items = Vec::new();
            for item in v.try_iter()? {
                items.push(from_value(&item)?);
            }
            PyValue::list(items)
        }
        ValueKind::Map => {
            let mut pairs = Vec::new();
            for key in v.try_iter()? {
                let val = v.get_item(&key)?;
                pairs.push((from_value(&key)?, from_value(&val)?));
            }
            PyValue::dict(pairs)
        }
        _ => PyValue::Str(v.to_string()),
    })
}

// ----- the escaping rules (a port of _render_value) ---------------------------------------------

const MAX_RENDERED: usize = 1 << 20;

/// `_yaml_printable`: characters YAML takes verbatim and never reads as a line break.
pub fn yaml_printable(c: char) -> bool {
    matches!(c, ' '..='~' | '\u{a0}'..='\u{2027}' | '\u{202a}'..='\u{d7ff}' | '\u{e000}'..='\u{fefe}' | '\u{ff00}'..='\u{fffd}')
        || c >= '\u{10000}'
}

/// `_dq_escape`: text for the inside of a double-quoted scalar.
pub fn dq_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if yaml_printable(c) => out.push(c),
            c if (c as u32) < 0x100 => out.push_str(&format!("\\x{:02X}", c as u32)),
            c if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push_str(&format!("\\U{:08X}", c as u32)),
        }
    }
    out
}

/// `_show`: a value's repr, cut to 80 characters.
fn show(v: &PyValue) -> String {
    pyyaml::repr_cut(v, 80)
}

fn too_large() -> String {
    "template value is too large".into()
}

/// A template value: Jinja's Undefined, or a Python object.
enum Val {
    Undefined,
    PyValue(PyValue),
}

fn as_text(v: &Val) -> Result<String, String> {
    match v {
        Val::Undefined => Ok(String::new()),
        Val::PyValue(p) => pyyaml::py_str(p).map_err(|_| too_large()),
    }
}

/// `_node`: the value as a whole YAML node.
fn node(v: &PyValue, depth: usize) -> Result<String, String> {
    if depth > 64 {
        return Err("template value is nested too deeply".into());
    }
    let text = match v {
        PyValue::None => "null".into(),
        PyValue::Bool(b) => (if *b { "true" } else { "false" }).into(),
        PyValue::Int(i) => i.to_string(),
        PyValue::Float(f) if f.is_nan() => ".nan".into(),
        PyValue::Float(f) if f.is_infinite() => (if *f > 0.0 { ".inf" } else { "-.inf" }).into(),
        PyValue::Float(f) => {
            let text = float_repr(*f);
            match text.split_once('e') {
                Some((m, e)) if !text.contains('.') => format!("{m}.0e{e}"),
                _ => text,
            }
        }
        PyValue::Date(d) => date_iso(d),
        PyValue::DateTime(dt) => datetime_iso(dt, 'T'),
        PyValue::Dict(pairs) => {
            let mut parts = Vec::with_capacity(pairs.len());
            for (k, val) in pairs.iter() {
                parts.push(format!("{}: {}", node(k, depth + 1)?, node(val, depth + 1)?));
            }
            format!("{{{}}}", parts.join(", "))
        }
        PyValue::List(items) => {
            let mut parts = Vec::with_capacity(items.len());
            for item in items.iter() {
                parts.push(node(item, depth + 1)?);
            }
            format!("[{}]", parts.join(", "))
        }
        // A cyclic value recurses until the depth limit.
        PyValue::Recursive(_) => return Err("template value is nested too deeply".into()),
        // Not built by YAML nor by a template (config-file values only).
        PyValue::Bytes(_) | PyValue::Tuple(_) | PyValue::Set(_) | PyValue::Object { .. } => {
            return Err(format!("value {} has no YAML form", show(v)))
        }
        PyValue::Str(s) => format!("\"{}\"", dq_escape(s)),
    };
    if text.len() > MAX_RENDERED {
        return Err(too_large());
    }
    Ok(text)
}

/// `_render_value`: the text of a value placed in context `kind` at template line `line`.
fn render_value(v: &Val, kind: Kind, line: usize, extra: usize) -> Result<String, String> {
    match kind {
        Kind::Dq => return Ok(dq_escape(&as_text(v)?)),
        Kind::Node => {
            return match v {
                Val::Undefined => Ok(String::new()),
                Val::PyValue(p) => node(p, 0),
            }
        }
        _ => {}
    }
    let place = format!("template line {line}");
    match kind {
        Kind::Sq => {
            let text = as_text(v)?;
            if !text.chars().all(yaml_printable) {
                return Err(format!(
                    "value {} cannot be placed in the single-quoted scalar at {place}",
                    show(&PyValue::Str(text))
                ));
            }
            Ok(text.replace('\'', "''"))
        }
        Kind::Block => {
            let text = as_text(v)?;
            if !text.chars().all(|c| c == '\n' || c == '\t' || yaml_printable(c)) {
                return Err(format!(
                    "value {} cannot be placed in the block scalar at {place}",
                    show(&PyValue::Str(text))
                ));
            }
            Ok(text.replace('\n', &format!("\n{}", " ".repeat(extra))))
        }
        _ => {
            // A piece of a plain scalar: quoting is impossible here, so be strict.
            let p = match v {
                Val::Undefined => return Ok(String::new()),
                Val::PyValue(p) => p,
            };
            match p {
                PyValue::Date(d) => return Ok(date_iso(d)),
                PyValue::DateTime(dt) => return Ok(datetime_iso(dt, 'T')),
                PyValue::None | PyValue::Bool(_) | PyValue::Int(_) | PyValue::Float(_) => return as_text(v),
                PyValue::Str(s) => {
                    let fragment_ok = s.chars().all(|c| c.is_alphanumeric() || c == '_' || "./+=~@%:-".contains(c));
                    let first_bad = s.chars().next().is_none_or(|c| "-:@%".contains(c));
                    if fragment_ok && s.chars().all(yaml_printable) && !s.ends_with(':') && !(extra != 0 && first_bad) {
                        return Ok(s.clone());
                    }
                }
                _ => {}
            }
            Err(format!(
                "value {} cannot be placed unquoted at {place}; quote the placeholder in the template",
                show(p)
            ))
        }
    }
}

/// `_strict_int`: only real integers convert; else the template's default, else an error.
fn strict_int(v: &Val, default: Option<Value>, base: u32) -> Result<Value, String> {
    if let Val::PyValue(p) = v {
        match p {
            PyValue::Int(_) => return Ok(to_value(p)),
            PyValue::Str(text) => {
                let t = text.as_str();
                if base == 10 {
                    let digits = t.strip_prefix('-').unwrap_or(t);
                    let plain = !digits.is_empty()
                        && digits.chars().all(|c| c.is_ascii_digit())
                        && (digits == "0" || !digits.starts_with('0'));
                    if plain {
                        if let Ok(i) = t.parse::<i128>() {
                            return Ok(to_value(&PyValue::Int(Int::from_i128(i))));
                        }
                    }
                } else if let Some(i) = python_int(t, base) {
                    return Ok(to_value(&PyValue::Int(Int::from_i128(i))));
                }
            }
            _ => {}
        }
    }
    if let Some(d) = default.filter(|d| !d.is_none() && !d.is_undefined()) {
        return Ok(d);
    }
    let shown = match v {
        Val::Undefined => "Undefined".to_string(),
        Val::PyValue(p) => show(p),
    };
    Err(format!("value {shown} is not an integer - kernel launch terminating!"))
}

/// Python's `int(text, base)` (base 0 guesses from the prefix).
fn python_int(text: &str, base: u32) -> Option<i128> {
    let t = text.trim_matches(py_space);
    let (neg, t) = match t.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let lower = t.to_ascii_lowercase();
    let (base, digits) = match (base, lower.get(..2)) {
        (0 | 16, Some("0x")) => (16, &t[2..]),
        (0 | 8, Some("0o")) => (8, &t[2..]),
        (0 | 2, Some("0b")) => (2, &t[2..]),
        (0, _) => (10, t),
        (b, _) => (b, t),
    };
    if !(2..=36).contains(&base)
        || digits.is_empty()
        || digits.starts_with('_')
        || digits.ends_with('_')
        || digits.contains("__")
    {
        return None;
    }
    let clean: String = digits.chars().filter(|c| *c != '_').collect();
    let v = i128::from_str_radix(&clean, base).ok()?;
    Some(if neg { -v } else { v })
}

// ----- rendering ----------------------------------------------------------------------------------

/// Renders `source` (a template named `name`) with `variables` as our launchers do.
pub fn render(name: &str, source: &str, variables: &[(String, PyValue)]) -> Result<String, RenderError> {
    let rewritten = rewrite(source).map_err(|e| match e {
        RenderError::Template(m) => RenderError::Template(format!("cannot render template '{name}': {m}")),
        other => other,
    })?;
    let launch_error: Arc<Mutex<Option<String>>> = Arc::new(Mutex::new(None));
    let mut env = Environment::new();
    env.set_syntax(
        minijinja::syntax::SyntaxConfig::builder()
            .keep_trailing_newline(true)
            .build()
            .map_err(|e| RenderError::Template(e.to_string()))?,
    );
    env.set_auto_escape_callback(|_| AutoEscape::None);
    let fail = |slot: &Arc<Mutex<Option<String>>>, msg: String| -> Error {
        if let Ok(mut s) = slot.lock() {
            s.get_or_insert(msg.clone());
        }
        Error::new(ErrorKind::InvalidOperation, msg)
    };
    let slot = launch_error.clone();
    env.add_filter("_ks_yaml", move |value: Value, kind: String, line: usize, extra: usize| -> Result<String, Error> {
        let v = if value.is_undefined() { Val::Undefined } else { Val::PyValue(from_value(&value)?) };
        let kind = Kind::from_name(&kind).ok_or_else(|| Error::new(ErrorKind::InvalidOperation, "bad kind"))?;
        render_value(&v, kind, line, extra).map_err(|m| fail(&slot, m))
    });
    let slot = launch_error.clone();
    env.add_filter(
        "int",
        move |value: Value, default: Option<Value>, base: Option<Value>, kwargs: Kwargs| -> Result<Value, Error> {
            let default = match default {
                Some(d) => Some(d),
                None => kwargs.get::<Option<Value>>("default")?,
            };
            let base = match base {
                Some(b) => Some(b),
                None => kwargs.get::<Option<Value>>("base")?,
            };
            kwargs.assert_all_used()?;
            let base = base.and_then(|b| b.as_i64()).unwrap_or(10) as u32;
            let v = if value.is_undefined() { Val::Undefined } else { Val::PyValue(from_value(&value)?) };
            strict_int(&v, default, base).map_err(|m| fail(&slot, m))
        },
    );
    env.set_unknown_method_callback(python_method);
    let ctx: std::collections::BTreeMap<String, Value> =
        variables.iter().map(|(k, v)| (k.clone(), to_value(v))).collect();
    let ctx = Value::from_object(ctx);
    let result = env.template_from_named_str(name, &rewritten).and_then(|t| t.render(ctx));
    match result {
        Ok(text) => Ok(text),
        Err(e) => {
            if let Some(m) = launch_error.lock().ok().and_then(|s| s.clone()) {
                return Err(RenderError::Launch(m));
            }
            Err(RenderError::Template(format!("cannot render template '{name}': {}", describe(&e))))
        }
    }
}

/// The Python methods templates written for Jinja2 commonly call on values (`d.items()`,
/// `s.lower()`, ...), which minijinja does not have.
fn python_method(_: &mut minijinja::State, value: &Value, method: &str, args: &[Value]) -> Result<Value, Error> {
    let unknown = || Error::from(ErrorKind::UnknownMethod);
    let str_arg = |i: usize| args.get(i).and_then(|a| a.as_str()).map(str::to_string);
    match value.kind() {
        ValueKind::Map => {
            let keys: Vec<Value> = value.try_iter()?.collect();
            match (method, args.len()) {
                ("items", 0) => {
                    let mut out = Vec::with_capacity(keys.len());
                    for k in keys {
                        let v = value.get_item(&k)?;
                        out.push(Value::from(vec![k, v]));
                    }
                    Ok(Value::from(out))
                }
                ("keys", 0) => Ok(Value::from(keys)),
                ("values", 0) => keys.iter().map(|k| value.get_item(k)).collect::<Result<Vec<_>, _>>().map(Value::from),
                ("get", 1 | 2) => {
                    let v = value.get_item(&args[0])?;
                    Ok(if v.is_undefined() { args.get(1).cloned().unwrap_or(Value::from(())) } else { v })
                }
                _ => Err(unknown()),
            }
        }
        ValueKind::String => {
            let s = value.as_str().unwrap_or_default();
            let text = match (method, args.len()) {
                ("lower", 0) => s.to_lowercase(),
                ("upper", 0) => s.to_uppercase(),
                ("strip", 0) => s.trim_matches(py_space).to_string(),
                ("lstrip", 0) => s.trim_start_matches(py_space).to_string(),
                ("rstrip", 0) => s.trim_end_matches(py_space).to_string(),
                ("replace", 2) => match (str_arg(0), str_arg(1)) {
                    (Some(a), Some(b)) => s.replace(&a, &b),
                    _ => return Err(unknown()),
                },
                ("startswith", 1) => return Ok(Value::from(str_arg(0).is_some_and(|p| s.starts_with(&p)))),
                ("endswith", 1) => return Ok(Value::from(str_arg(0).is_some_and(|p| s.ends_with(&p)))),
                ("split", 0) => {
                    return Ok(Value::from(
                        s.split(py_space).filter(|w| !w.is_empty()).map(Value::from).collect::<Vec<_>>(),
                    ))
                }
                ("split", 1) => match str_arg(0) {
                    Some(sep) if !sep.is_empty() => {
                        return Ok(Value::from(s.split(sep.as_str()).map(Value::from).collect::<Vec<_>>()))
                    }
                    _ => return Err(unknown()),
                },
                _ => return Err(unknown()),
            };
            Ok(Value::from(text))
        }
        _ => Err(unknown()),
    }
}

fn describe(e: &Error) -> String {
    let detail = e.detail().map(str::to_string).unwrap_or_else(|| e.kind().to_string());
    match e.line() {
        Some(line) => format!("{detail} (line {line})"),
        None => detail,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> Vec<(String, PyValue)> {
        pairs.iter().map(|(k, v)| (k.to_string(), pyyaml::yaml_typed(v))).collect()
    }

    fn r(src: &str, pairs: &[(&str, &str)]) -> Result<String, RenderError> {
        render("t.yaml.j2", src, &vars(pairs))
    }

    #[test]
    fn whitespace_control_is_jinja2s() {
        let src = "a:\n{% if x is defined %}\n  b: 1\n  {% if true %}\n  c: 2\n  {% endif %}\n{% endif %}\nd: \"{{- ' x' }}\"\n{# c #}\ne: 3\n\n";
        assert_eq!(r(src, &[("x", "1")]).unwrap(), "a:\n  b: 1\n  c: 2\nd: \" x\"\ne: 3\n");
        assert_eq!(r("x {%- if true -%} \n y {%+ endif %}z", &[]).unwrap(), "xy z");
        assert_eq!(r("{% raw %}{{ x }}{% endraw %}\nq", &[]).unwrap(), "{{ x }}q");
    }

    #[test]
    fn every_context_is_escaped_for_its_place() {
        let src = "dq: \"pre {{ v }} post\"\nsq: 'pre {{ v }}'\nnode: {{ v }}\nseq:\n- {{ v }}\nflow: {a: {{ v }}, b: [{{ v }}, z]}\n# c {{ v }}\nblock: |\n  {{ v }}\n";
        let out = r(src, &[("v", "'a \"b\": c'")]).unwrap();
        assert_eq!(
            out,
            "dq: \"pre a \\\"b\\\": c post\"\nsq: 'pre a \"b\": c'\nnode: \"a \\\"b\\\": c\"\nseq:\n- \"a \\\"b\\\": c\"\nflow: {a: \"a \\\"b\\\": c\", b: [\"a \\\"b\\\": c\", z]}\n# c a \\\"b\\\": c\nblock: |\n  a \"b\": c"
        );
        let e = r("path: /home/{{ v }}/x\n", &[("v", "a b")]).unwrap_err();
        assert_eq!(
            e,
            RenderError::Launch(
                "value 'a b' cannot be placed unquoted at template line 1; quote the placeholder in the template"
                    .into()
            )
        );
        let e = r("sq: '{{ v }}'\n", &[("v", "\"a\\nb\"")]).unwrap_err();
        assert_eq!(
            e,
            RenderError::Launch("value 'a\\nb' cannot be placed in the single-quoted scalar at template line 1".into())
        );
    }

    #[test]
    fn values_are_yaml_typed_and_printed_like_python() {
        let src = "a: \"{{ v }}\"\nb: {{ v }}\nc: {{ w is defined }}\nd: {{ u }}\ne: {{ l }}\n";
        let out = r(src, &[("v", "yes"), ("l", "[1, {a: null}, 1.5e+3]")]).unwrap();
        assert_eq!(out, "a: \"True\"\nb: true\nc: false\nd: \ne: [1, {\"a\": null}, 1500.0]");
    }

    #[test]
    fn int_is_strict() {
        let src = "a: {{ v | int }}\nb: {{ w | int(5) }}\nc: {{ '0x1F' | int(0, 16) }}\n";
        assert_eq!(r(src, &[("v", "42"), ("w", "abc")]).unwrap(), "a: 42\nb: 5\nc: 31");
        let e = r(src, &[("v", "0.0")]).unwrap_err();
        assert_eq!(e, RenderError::Launch("value 0.0 is not an integer - kernel launch terminating!".into()));
    }

    #[test]
    fn bounded_values() {
        let e = r("a: {{ v }}\n", &[("v", "&a [*a]")]).unwrap_err();
        assert_eq!(e, RenderError::Launch("template value is nested too deeply".into()));
        let mut levels = vec!["&a [x, x, x, x, x, x, x, x, x, x]".to_string()];
        for i in 1..9u8 {
            let prev = (b'a' + i - 1) as char;
            levels.push(format!("&{} [{}]", (b'a' + i) as char, vec![format!("*{prev}"); 10].join(", ")));
        }
        let bomb = format!("[{}]", levels.join(", "));
        let e = r("a: {{ v }}\n", &[("v", &bomb)]).unwrap_err();
        assert_eq!(e, RenderError::Launch("template value is too large".into()));
    }

    #[test]
    fn template_errors() {
        assert!(
            matches!(r("a: {{ x ", &[]), Err(RenderError::Template(m)) if m.contains("cannot render template 't.yaml.j2'"))
        );
        assert!(matches!(r("{% if %}", &[]), Err(RenderError::Template(_))));
        assert!(matches!(r("{# x", &[]), Err(RenderError::Template(m)) if m.contains("Missing end of comment tag")));
    }
}
