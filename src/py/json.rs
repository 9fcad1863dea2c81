//! Python's `json` module: `json.dumps` (ASCII output, `indent`, `sort_keys`, `default=repr`)
//! and `json.loads` (which, unlike strict JSON, accepts `NaN`, `Infinity`, `-Infinity` and
//! lone surrogates in `\u` escapes, and keeps integers of any size). serde_json cannot read or
//! write those, and config files and `show_config_json` must behave as Python's module does.

use std::fmt::Write as _;

use super::int::Int;
use super::repr::float_repr;
use super::text;
use super::value::Value;

/// Writes one character of a JSON string as `json.dumps` does with `ensure_ascii`.
pub fn push_escaped(out: &mut String, c: char) {
    match c {
        '"' => out.push_str("\\\""),
        '\\' => out.push_str("\\\\"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\u{8}' => out.push_str("\\b"),
        '\u{c}' => out.push_str("\\f"),
        ' '..='~' => out.push(c),
        c => match text::escaped_byte(c) {
            Some(b) => {
                let _ = write!(out, "\\udc{b:02x}");
            }
            None => {
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
        },
    }
}

/// Writes the characters of a JSON string as `json.dumps` does with `ensure_ascii`: runs of
/// printable ASCII at once, the rest through [`push_escaped`].
pub fn push_escaped_str(out: &mut String, s: &str) {
    let plain = |b: u8| (b' '..=b'~').contains(&b) && b != b'"' && b != b'\\';
    let mut rest = s;
    while !rest.is_empty() {
        let run = rest.bytes().position(|b| !plain(b)).unwrap_or(rest.len());
        out.push_str(&rest[..run]);
        rest = &rest[run..];
        if let Some(c) = rest.chars().next() {
            push_escaped(out, c);
            rest = &rest[c.len_utf8()..];
        }
    }
}

/// A JSON string literal as `json.dumps(s)` writes it.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    push_escaped_str(&mut out, s);
    out.push('"');
    out
}

/// `json.dumps` options.
#[derive(Debug, Clone, Copy, Default)]
pub struct Dump {
    /// `indent=N`: one item per line; `None`: `[1, 2]` on one line.
    pub indent: Option<usize>,
    pub sort_keys: bool,
    /// `default=repr`: values JSON has no type for (sets, bytes, objects) become their repr.
    pub default_repr: bool,
}

/// A value JSON has no type for, without `default=repr`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Object of type {0} is not JSON serializable")]
pub struct NotSerializable(pub String);

/// `json.dumps(value, ...)`.
pub fn dumps(value: &Value, opts: Dump) -> Result<String, NotSerializable> {
    let mut out = String::new();
    write_value(&mut out, value, opts, 0)?;
    Ok(out)
}

fn newline(out: &mut String, opts: Dump, level: usize) {
    if let Some(n) = opts.indent {
        out.push('\n');
        out.push_str(&" ".repeat(n * level));
    }
}

fn write_value(out: &mut String, value: &Value, opts: Dump, level: usize) -> Result<(), NotSerializable> {
    match value {
        Value::None => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) => out.push_str(i.as_str()),
        Value::Float(f) => out.push_str(&float_text(*f)),
        Value::Str(s) => out.push_str(&quote(s)),
        Value::List(_) | Value::Tuple(_) => {
            let items: &[Value] = match value {
                Value::List(v) => v,
                Value::Tuple(v) => v,
                _ => &[],
            };
            if items.is_empty() {
                out.push_str("[]");
                return Ok(());
            }
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                    if opts.indent.is_none() {
                        out.push(' ');
                    }
                }
                newline(out, opts, level + 1);
                write_value(out, item, opts, level + 1)?;
            }
            newline(out, opts, level);
            out.push(']');
        }
        Value::Dict(items) => {
            if items.is_empty() {
                out.push_str("{}");
                return Ok(());
            }
            let mut keyed: Vec<(String, &Value)> = Vec::with_capacity(items.len());
            for (k, v) in items.iter() {
                keyed.push((key_text(k)?, v));
            }
            if opts.sort_keys {
                keyed.sort_by(|a, b| a.0.chars().map(text::code_point).cmp(b.0.chars().map(text::code_point)));
            }
            out.push('{');
            for (i, (k, v)) in keyed.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                    if opts.indent.is_none() {
                        out.push(' ');
                    }
                }
                newline(out, opts, level + 1);
                out.push_str(&quote(k));
                out.push_str(": ");
                write_value(out, v, opts, level + 1)?;
            }
            newline(out, opts, level);
            out.push('}');
        }
        Value::Set(_)
        | Value::Bytes(_)
        | Value::Date(_)
        | Value::DateTime(_)
        | Value::Recursive(_)
        | Value::Object { .. } => {
            if !opts.default_repr {
                return Err(NotSerializable(value.type_name().to_string()));
            }
            out.push_str(&quote(&value.repr()));
        }
    }
    Ok(())
}

/// How `json.dumps` writes a float: its repr, except `NaN`, `Infinity`, `-Infinity`.
fn float_text(f: f64) -> String {
    if f.is_nan() {
        "NaN".into()
    } else if f.is_infinite() {
        if f > 0.0 { "Infinity" } else { "-Infinity" }.into()
    } else {
        float_repr(f)
    }
}

/// A dict key as JSON writes it: strings as they are, numbers, booleans and None as text.
fn key_text(k: &Value) -> Result<String, NotSerializable> {
    Ok(match k {
        Value::Str(s) => s.clone(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => float_text(*f),
        Value::Bool(b) => (if *b { "true" } else { "false" }).into(),
        Value::None => "null".into(),
        other => {
            return Err(NotSerializable(format!(
                "keys must be str, int, float, bool or None, not {}",
                other.type_name()
            )))
        }
    })
}

// ---------------------------------------------------------------------------------------------
// Reading

/// Where and why `loads` failed (1-based line and column).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    pub line: usize,
    pub column: usize,
    pub msg: String,
}

/// `json.loads(text)`: objects become dicts with string keys (a repeated key keeps its place
/// and takes the last value), arrays lists, integers keep every digit.
pub fn loads(text: &str) -> Result<Value, LoadError> {
    let mut p = Reader { src: text, pos: 0, line: 1, line_start: 0 };
    p.ws();
    let v = p.value()?;
    p.ws();
    if p.pos < p.src.len() {
        return Err(p.err("unexpected data after the JSON value"));
    }
    Ok(v)
}

struct Reader<'a> {
    src: &'a str,
    pos: usize,
    line: usize,
    line_start: usize,
}

impl Reader<'_> {
    fn peek(&self) -> Option<u8> {
        self.src.as_bytes().get(self.pos).copied()
    }

    fn err(&self, msg: &str) -> LoadError {
        let column = self.src[self.line_start..self.pos].chars().count() + 1;
        LoadError { line: self.line, column, msg: msg.to_string() }
    }

    fn ws(&mut self) {
        while let Some(b) = self.peek() {
            match b {
                b'\n' => {
                    self.line += 1;
                    self.line_start = self.pos + 1;
                }
                b' ' | b'\t' | b'\r' => {}
                _ => break,
            }
            self.pos += 1;
        }
    }

    fn eat(&mut self, word: &str) -> bool {
        let found = self.src[self.pos..].starts_with(word);
        if found {
            self.pos += word.len();
        }
        found
    }

    fn value(&mut self) -> Result<Value, LoadError> {
        self.ws();
        let Some(b) = self.peek() else {
            return Err(self.err("expected a value"));
        };
        let words = [
            ("true", Value::Bool(true)),
            ("false", Value::Bool(false)),
            ("null", Value::None),
            ("NaN", Value::Float(f64::NAN)),
            ("Infinity", Value::Float(f64::INFINITY)),
            ("-Infinity", Value::Float(f64::NEG_INFINITY)),
        ];
        for (word, value) in words {
            if self.eat(word) {
                return Ok(value);
            }
        }
        match b {
            b'{' => self.object(),
            b'[' => {
                self.pos += 1;
                self.ws();
                let mut items = Vec::new();
                if self.eat("]") {
                    return Ok(Value::list(items));
                }
                loop {
                    items.push(self.value()?);
                    self.ws();
                    if self.eat("]") {
                        return Ok(Value::list(items));
                    }
                    if !self.eat(",") {
                        return Err(self.err("expected ',' or ']'"));
                    }
                }
            }
            b'"' => Ok(Value::Str(self.string()?)),
            b'-' | b'0'..=b'9' => self.number(),
            _ => Err(self.err("expected a value")),
        }
    }

    fn object(&mut self) -> Result<Value, LoadError> {
        self.pos += 1; // '{'
        let mut items: Vec<(Value, Value)> = Vec::new();
        self.ws();
        if self.eat("}") {
            return Ok(Value::dict(items));
        }
        loop {
            self.ws();
            if self.peek() != Some(b'"') {
                return Err(self.err("expected a property name in double quotes"));
            }
            let key = self.string()?;
            self.ws();
            if !self.eat(":") {
                return Err(self.err("expected ':'"));
            }
            let v = self.value()?;
            Value::dict_insert(&mut items, Value::Str(key), v);
            self.ws();
            if self.eat("}") {
                return Ok(Value::dict(items));
            }
            if !self.eat(",") {
                return Err(self.err("expected ',' or '}'"));
            }
        }
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?`
    fn number(&mut self) -> Result<Value, LoadError> {
        let start = self.pos;
        let digits = |p: &mut Self| {
            let s = p.pos;
            while p.peek().is_some_and(|b| b.is_ascii_digit()) {
                p.pos += 1;
            }
            p.pos - s
        };
        self.eat("-");
        if !self.eat("0") && digits(self) == 0 {
            return Err(self.err("expected a value"));
        }
        let int_end = self.pos;
        let mut float = false;
        let save = self.pos;
        if self.eat(".") {
            if digits(self) == 0 {
                self.pos = save;
            } else {
                float = true;
            }
        }
        let save = self.pos;
        if self.eat("e") || self.eat("E") {
            if !self.eat("-") {
                self.eat("+");
            }
            if digits(self) == 0 {
                self.pos = save;
            } else {
                float = true;
            }
        }
        if float {
            return Ok(Value::Float(self.src[start..self.pos].parse().unwrap_or(f64::NAN)));
        }
        Int::from_decimal(&self.src[start..int_end]).map(Value::Int).ok_or_else(|| self.err("expected a value"))
    }

    fn string(&mut self) -> Result<String, LoadError> {
        let start = self.pos;
        self.pos += 1; // '"'
        let mut out = String::new();
        loop {
            let rest = &self.src[self.pos..];
            let run = rest.find(|c: char| c == '"' || c == '\\' || c < ' ').unwrap_or(rest.len());
            out.push_str(&rest[..run]);
            self.pos += run;
            match self.peek() {
                None => {
                    self.pos = start;
                    return Err(self.err("unterminated string"));
                }
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.pos += 1;
                    let c = match self.peek() {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => {
                            self.pos += 1;
                            let c = self.unicode_escape()?;
                            out.push(c);
                            continue;
                        }
                        _ => return Err(self.err("invalid \\escape")),
                    };
                    self.pos += 1;
                    out.push(c);
                }
                Some(_) => return Err(self.err("invalid control character in string")),
            }
        }
    }

    /// The `XXXX` of `\uXXXX` (just after the `u`), joining a surrogate pair. A lone surrogate
    /// U+DC80..U+DCFF is the escape of an undecodable byte (see [`text`]); other lone
    /// surrogates have no representation here.
    fn unicode_escape(&mut self) -> Result<char, LoadError> {
        let hex4 = |p: &mut Self| -> Option<u32> {
            let h = p.src.get(p.pos..p.pos + 4)?;
            if !h.bytes().all(|b| b.is_ascii_hexdigit()) {
                return None;
            }
            p.pos += 4;
            u32::from_str_radix(h, 16).ok()
        };
        let Some(hi) = hex4(self) else {
            return Err(self.err("invalid \\uXXXX escape"));
        };
        if (0xd800..0xdc00).contains(&hi) && self.src[self.pos..].starts_with("\\u") {
            let save = self.pos;
            self.pos += 2;
            match hex4(self) {
                Some(lo) if (0xdc00..0xe000).contains(&lo) => {
                    let c = 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00);
                    return match char::from_u32(c) {
                        Some(ch) if text::escaped_byte(ch).is_none() => Ok(ch),
                        _ => Err(self.err(&format!("unsupported character U+{c:04X}"))),
                    };
                }
                _ => self.pos = save,
            }
        }
        text::from_code_point(hi).ok_or_else(|| self.err(&format!("unsupported character escape \\u{hi:04x}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> Value {
        Value::str(v)
    }

    #[test]
    fn dumps_as_python() {
        // json.dumps output of CPython 3.11 for the same values.
        let v = Value::dict(vec![
            (s("b"), Value::list(vec![Value::int(1), Value::Float(1e16), Value::Float(f64::NAN)])),
            (s("a"), Value::dict(vec![])),
            (s("é\"\n"), Value::Set(vec![s("x")])),
            (s("c"), Value::list(vec![])),
        ]);
        let opts = Dump { indent: Some(1), sort_keys: true, default_repr: true };
        assert_eq!(
            dumps(&v, opts).unwrap(),
            "{\n \"a\": {},\n \"b\": [\n  1,\n  1e+16,\n  NaN\n ],\n \"c\": [],\n \"\\u00e9\\\"\\n\": \"{'x'}\"\n}"
        );
        let flat = Value::list(vec![Value::None, Value::Bool(true), Value::Float(-0.0), s("\u{1F600}\t")]);
        assert_eq!(dumps(&flat, Dump::default()).unwrap(), "[null, true, -0.0, \"\\ud83d\\ude00\\t\"]");
        assert_eq!(
            dumps(&Value::Set(vec![]), Dump::default()).unwrap_err().to_string(),
            "Object of type set is not JSON serializable"
        );
        assert_eq!(quote(&text::decode(b"p\xff").unwrap()), "\"p\\udcff\"");
    }

    #[test]
    fn loads_as_python() {
        let v = loads(r#" {"a": [1, -0, 2.5, 1e2, NaN, -Infinity], "a": {"k": "\udcff\u00e9\ud83d\ude00"}, "n": 123456789012345678901234567890} "#).unwrap();
        assert_eq!(v.get("a").unwrap().repr(), format!("{{'k': '\\udcffé\u{1F600}'}}"));
        assert_eq!(v.get("n").unwrap().repr(), "123456789012345678901234567890");
        let Value::Dict(items) = &v else { panic!() };
        assert_eq!(items.len(), 2);
        assert_eq!(loads("[1, 2,]").unwrap_err(), LoadError { line: 1, column: 7, msg: "expected a value".into() });
        assert_eq!(loads("{\n \"x\": \"\\ud800\"}").unwrap_err().line, 2);
        assert_eq!(loads("[NaN]").unwrap().repr(), "[nan]");
    }
}
