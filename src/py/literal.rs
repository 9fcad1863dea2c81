//! Python source text, tokenized the way Python does for the constructs config files use, and
//! `ast.literal_eval` over it: strings (all prefixes and escapes), numbers of any size,
//! `True`/`False`/`None`, bytes, and lists, tuples, sets (`set()`) and dicts of them.

use super::int::Int;
use super::text;
use super::value::Value;

/// Why a text is not a Python literal (as Python words it).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct NotALiteral(pub String);

/// `ast.literal_eval(text)`; the error says why the text is not a literal.
pub fn literal_eval(text: &str) -> Result<Value, NotALiteral> {
    let (toks, lex_err) = tokenize(text, true);
    if let Some((_, msg)) = lex_err {
        return Err(NotALiteral(format!("syntax error: {msg}")));
    }
    let end = toks.iter().rposition(|t| !matches!(t.tok, Tok::Newline | Tok::Eof)).map_or(0, |i| i + 1);
    let line = toks.last().map_or(1, |t| t.line);
    parse_value(text, &toks[..end], line).map_err(|(_, msg)| NotALiteral(msg))
}

#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    Name(String),
    /// Canonical decimal digits.
    Int(String),
    Float(f64),
    Str(String),
    Bytes(Vec<u8>),
    FString,
    /// The imaginary part of a complex literal (`2j`).
    Imaginary(f64),
    Op(&'static str),
    /// The start of a logical line that is indented (a statement inside a block).
    Indent,
    Newline,
    Eof,
}

#[derive(Debug, Clone)]
pub struct Token {
    pub tok: Tok,
    pub line: usize,
    /// Byte offsets into the source.
    pub start: usize,
    pub end: usize,
}

/// A line number and what is wrong there.
pub type PyErr = (usize, String);

const OPS: [&str; 47] = [
    "**=", "//=", ">>=", "<<=", "...", "->", ":=", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "@=", "**", "//",
    "<<", ">>", "<=", ">=", "==", "!=", "(", ")", "[", "]", "{", "}", ",", ":", ".", ";", "=", "+", "-", "*", "/", "%",
    "&", "|", "^", "~", "<", ">", "@",
];

pub const KEYWORDS: [&str; 35] = [
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del",
    "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda", "nonlocal",
    "not", "or", "pass", "raise", "return", "try", "while", "with", "yield",
];

/// Splits Python source into tokens; `Newline` ends each logical line (never inside brackets),
/// `Indent` starts an indented one. `expr_mode` (for `literal_eval`-style input) ignores leading
/// indentation. On a syntax error, also returns the tokens read before it.
pub fn tokenize(src: &str, expr_mode: bool) -> (Vec<Token>, Option<PyErr>) {
    let mut lx = Lexer { src, pos: 0, line: 1, brackets: Vec::new(), toks: Vec::new() };
    let err = lx.run(expr_mode).err();
    (lx.toks, err)
}

struct Lexer<'a> {
    src: &'a str,
    pos: usize,
    line: usize,
    brackets: Vec<(char, usize)>,
    toks: Vec<Token>,
}

impl Lexer<'_> {
    fn peek(&self) -> Option<char> {
        self.src[self.pos..].chars().next()
    }

    fn peek2(&self) -> Option<char> {
        self.src[self.pos..].chars().nth(1)
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    /// Consumes `\n`, `\r\n` or `\r`.
    fn newline(&mut self) -> bool {
        match self.peek() {
            Some('\n') => self.bump(),
            Some('\r') => {
                self.bump();
                if self.peek() == Some('\n') {
                    self.bump();
                }
                Some('\r')
            }
            _ => return false,
        };
        self.line += 1;
        true
    }

    fn push(&mut self, tok: Tok, line: usize, start: usize) {
        let end = self.pos;
        self.toks.push(Token { tok, line, start, end });
    }

    fn skip_blanks(&mut self) -> bool {
        let start = self.pos;
        while matches!(self.peek(), Some(' ' | '\t' | '\x0c')) {
            self.bump();
        }
        self.pos > start
    }

    fn run(&mut self, expr_mode: bool) -> Result<(), PyErr> {
        let mut line_start = true;
        loop {
            let indented = self.skip_blanks();
            if line_start && indented && !expr_mode && self.brackets.is_empty() {
                // A statement inside a block (blank and comment lines do not count).
                if !matches!(self.peek(), None | Some('#' | '\n' | '\r' | '\\')) {
                    self.push(Tok::Indent, self.line, self.pos);
                }
            }
            line_start = false;
            let (start, line) = (self.pos, self.line);
            let Some(c) = self.peek() else { break };
            match c {
                '#' => {
                    while !matches!(self.peek(), None | Some('\n' | '\r')) {
                        self.bump();
                    }
                }
                '\n' | '\r' => {
                    self.newline();
                    if self.brackets.is_empty() {
                        if self.toks.last().is_some_and(|t| !matches!(t.tok, Tok::Newline | Tok::Indent)) {
                            self.push(Tok::Newline, line, start);
                        }
                        line_start = true;
                    }
                }
                '\\' => {
                    self.bump();
                    if !self.newline() {
                        return Err((line, "unexpected character after line continuation character".into()));
                    }
                }
                '"' | '\'' => self.string(start, line, "")?,
                c if c.is_ascii_digit() || (c == '.' && self.peek2().is_some_and(|d| d.is_ascii_digit())) => {
                    self.number(start, line)?
                }
                c if c == '_' || c.is_alphabetic() => {
                    while self.peek().is_some_and(|c| c == '_' || c.is_alphanumeric()) {
                        self.bump();
                    }
                    let word = &self.src[start..self.pos];
                    let prefix = word.to_ascii_lowercase();
                    let is_prefix = ["r", "u", "b", "f", "br", "rb", "fr", "rf"].contains(&prefix.as_str());
                    if is_prefix && matches!(self.peek(), Some('"' | '\'')) {
                        self.string(start, line, &prefix)?;
                    } else {
                        self.push(Tok::Name(word.to_string()), line, start);
                    }
                }
                _ => self.op(start, line)?,
            }
        }
        if let Some((open, line)) = self.brackets.last() {
            return Err((*line, format!("'{open}' was never closed")));
        }
        if self.toks.last().is_some_and(|t| !matches!(t.tok, Tok::Newline | Tok::Indent)) {
            self.push(Tok::Newline, self.line, self.pos);
        }
        self.push(Tok::Eof, self.line, self.pos);
        Ok(())
    }

    fn op(&mut self, start: usize, line: usize) -> Result<(), PyErr> {
        let rest = &self.src[self.pos..];
        let Some(op) = OPS.iter().find(|o| rest.starts_with(**o)) else {
            let c = rest.chars().next().unwrap_or(' ');
            return Err((line, format!("invalid character '{c}'")));
        };
        self.pos += op.len();
        let c = op.chars().next().unwrap_or(' ');
        match c {
            '(' | '[' | '{' => self.brackets.push((c, line)),
            ')' | ']' | '}' => {
                let want = match c {
                    ')' => '(',
                    ']' => '[',
                    _ => '{',
                };
                match self.brackets.pop() {
                    None => return Err((line, format!("unmatched '{c}'"))),
                    Some((open, _)) if open != want => {
                        return Err((
                            line,
                            format!("closing parenthesis '{c}' does not match opening parenthesis '{open}'"),
                        ))
                    }
                    Some(_) => {}
                }
            }
            _ => {}
        }
        self.push(Tok::Op(op), line, start);
        Ok(())
    }

    /// A string literal; `prefix` is lower-case (`r`, `b`, `f`, `u` or a pair).
    fn string(&mut self, start: usize, line: usize, prefix: &str) -> Result<(), PyErr> {
        let raw = prefix.contains('r');
        let q = self.bump().unwrap_or('"');
        let triple = self.peek() == Some(q) && self.peek2() == Some(q);
        if triple {
            self.bump();
            self.bump();
        }
        let unterminated =
            if triple { "unterminated triple-quoted string literal" } else { "unterminated string literal" };
        let mut out = String::new();
        loop {
            let Some(c) = self.peek() else {
                return Err((line, unterminated.into()));
            };
            if c == q {
                self.bump();
                if !triple {
                    break;
                }
                if self.peek() == Some(q) && self.peek2() == Some(q) {
                    self.bump();
                    self.bump();
                    break;
                }
                out.push(c);
            } else if c == '\n' || c == '\r' {
                if !triple {
                    return Err((line, unterminated.into()));
                }
                self.newline();
                out.push('\n');
            } else if c == '\\' {
                self.bump();
                if raw {
                    // Raw strings keep the backslash, and it still protects the next character.
                    out.push('\\');
                    if self.newline() {
                        out.push('\n');
                    } else if let Some(c) = self.bump() {
                        out.push(c);
                    }
                } else {
                    self.escape(&mut out)?;
                }
            } else {
                self.bump();
                out.push(c);
            }
        }
        let tok = if prefix.contains('b') {
            // A bytes literal holds only ASCII characters and \x escapes.
            let mut bytes = Vec::with_capacity(out.len());
            for c in out.chars() {
                match u8::try_from(u32::from(c)) {
                    Ok(b) if raw || c.is_ascii() || u32::from(c) <= 0xff => bytes.push(b),
                    _ => return Err((line, "bytes can only contain ASCII literal characters".into())),
                }
            }
            Tok::Bytes(bytes)
        } else if prefix.contains('f') {
            Tok::FString
        } else {
            Tok::Str(out)
        };
        self.push(tok, line, start);
        Ok(())
    }

    /// The escape sequence after a backslash in a non-raw string.
    fn escape(&mut self, out: &mut String) -> Result<(), PyErr> {
        if self.newline() {
            return Ok(()); // backslash-newline continues the string
        }
        let Some(c) = self.peek() else { return Ok(()) };
        let simple = match c {
            '\\' | '\'' | '"' => Some(c),
            'a' => Some('\u{7}'),
            'b' => Some('\u{8}'),
            'f' => Some('\u{c}'),
            'n' => Some('\n'),
            'r' => Some('\r'),
            't' => Some('\t'),
            'v' => Some('\u{b}'),
            _ => None,
        };
        if let Some(s) = simple {
            self.bump();
            out.push(s);
            return Ok(());
        }
        let line = self.line;
        let code = match c {
            '0'..='7' => {
                let mut v = 0;
                for _ in 0..3 {
                    match self.peek().and_then(|d| d.to_digit(8)) {
                        Some(d) => {
                            v = v * 8 + d;
                            self.bump();
                        }
                        None => break,
                    }
                }
                v
            }
            'x' | 'u' | 'U' => {
                self.bump();
                let n = match c {
                    'x' => 2,
                    'u' => 4,
                    _ => 8,
                };
                let mut v = 0u32;
                for _ in 0..n {
                    match self.peek().and_then(|d| d.to_digit(16)) {
                        Some(d) => {
                            v = v * 16 + d;
                            self.bump();
                        }
                        None => {
                            let form = match c {
                                'x' => "\\xXX",
                                'u' => "\\uXXXX",
                                _ => "\\UXXXXXXXX",
                            };
                            return Err((line, format!("truncated {form} escape")));
                        }
                    }
                }
                v
            }
            'N' => return Err((line, "\\N{...} escapes are not supported".into())),
            _ => {
                out.push('\\'); // unknown escapes stay as written
                return Ok(());
            }
        };
        // A lone surrogate U+DC80..U+DCFF is how Python holds an undecodable byte.
        match text::from_code_point(code) {
            Some(ch) => {
                out.push(ch);
                Ok(())
            }
            None => Err((line, format!("unsupported character escape U+{code:04X}"))),
        }
    }

    fn number(&mut self, start: usize, line: usize) -> Result<(), PyErr> {
        let invalid = |what: &str| (line, format!("invalid {what} literal"));
        let radix = match (self.peek(), self.peek2()) {
            (Some('0'), Some('x' | 'X')) => Some((16, "hexadecimal")),
            (Some('0'), Some('o' | 'O')) => Some((8, "octal")),
            (Some('0'), Some('b' | 'B')) => Some((2, "binary")),
            _ => None,
        };
        if let Some((radix, what)) = radix {
            self.bump();
            self.bump();
            let digits = self.digits(|c| c.is_digit(radix), true);
            if digits.is_empty() || self.peek().is_some_and(|c| c == '_' || c.is_alphanumeric()) {
                return Err(invalid(what));
            }
            self.push(Tok::Int(radix_to_decimal(&digits, radix)), line, start);
            return Ok(());
        }
        let int_part = self.digits(|c| c.is_ascii_digit(), false);
        let mut text = int_part.clone();
        let mut float = false;
        if self.peek() == Some('.') {
            self.bump();
            float = true;
            text.push('.');
            text += &self.digits(|c| c.is_ascii_digit(), false);
        }
        if matches!(self.peek(), Some('e' | 'E')) {
            let signed = matches!(self.peek2(), Some('+' | '-'));
            let after = self.src[self.pos..].chars().nth(if signed { 2 } else { 1 });
            if after.is_some_and(|c| c.is_ascii_digit()) {
                self.bump();
                text.push('e');
                if signed {
                    text.extend(self.bump());
                }
                text += &self.digits(|c| c.is_ascii_digit(), false);
                float = true;
            }
        }
        let tok = if matches!(self.peek(), Some('j' | 'J')) {
            self.bump();
            Tok::Imaginary(text.parse().map_err(|_| invalid("imaginary"))?)
        } else if float {
            Tok::Float(text.parse().map_err(|_| invalid("decimal"))?)
        } else if int_part.len() > 1 && int_part.starts_with('0') && int_part.contains(|c| c != '0') {
            return Err((line, "leading zeros in decimal integer literals are not permitted".into()));
        } else {
            Tok::Int(canonical_int(&int_part))
        };
        if self.peek().is_some_and(|c| c == '_' || c.is_alphanumeric()) {
            return Err(invalid("decimal"));
        }
        self.push(tok, line, start);
        Ok(())
    }

    /// Digits with single underscores between them (and after a radix prefix if `lead_underscore`).
    fn digits(&mut self, is_digit: impl Fn(char) -> bool, lead_underscore: bool) -> String {
        let mut s = String::new();
        loop {
            match self.peek() {
                Some(c) if is_digit(c) => {
                    s.push(c);
                    self.bump();
                }
                Some('_') if (lead_underscore || !s.is_empty()) && self.peek2().is_some_and(&is_digit) => {
                    self.bump();
                }
                _ => return s,
            }
        }
    }
}

/// Canonical decimal form of a run of decimal digits: no leading zeros.
fn canonical_int(digits: &str) -> String {
    let t = digits.trim_start_matches('0');
    if t.is_empty() { "0" } else { t }.to_string()
}

/// Digits in base `radix` (2, 8 or 16) as canonical decimal, any size.
fn radix_to_decimal(digits: &str, radix: u32) -> String {
    const LIMB: u64 = 1_000_000_000;
    let mut limbs: Vec<u64> = vec![0]; // little-endian, base 1e9
    for d in digits.chars().filter_map(|c| c.to_digit(radix)) {
        let mut carry = u64::from(d);
        for l in limbs.iter_mut() {
            let v = *l * u64::from(radix) + carry;
            *l = v % LIMB;
            carry = v / LIMB;
        }
        if carry > 0 {
            limbs.push(carry);
        }
    }
    let mut out = limbs.last().map_or(String::new(), |l| l.to_string());
    for l in limbs.iter().rev().skip(1) {
        out.push_str(&format!("{l:09}"));
    }
    out
}

/// Parses tokens holding exactly one literal value (a bare `a, b` is a tuple, as in Python).
pub fn parse_value(src: &str, toks: &[Token], end_line: usize) -> Result<Value, PyErr> {
    let mut p = Expr { src, toks, i: 0, end_line };
    let first = p.expr()?;
    let value = if p.eat(",") {
        let mut items = vec![first];
        while p.i < toks.len() {
            items.push(p.expr()?);
            if !p.eat(",") {
                break;
            }
        }
        Value::Tuple(items)
    } else {
        first
    };
    match toks.get(p.i) {
        Some(t) => Err(p.unexpected(t)),
        None => Ok(value),
    }
}

struct Expr<'a> {
    src: &'a str,
    toks: &'a [Token],
    i: usize,
    end_line: usize,
}

impl Expr<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.i).map(|t| &t.tok)
    }

    fn eat(&mut self, op: &str) -> bool {
        let found = matches!(self.peek(), Some(Tok::Op(o)) if *o == op);
        if found {
            self.i += 1;
        }
        found
    }

    fn expect(&mut self, op: &str) -> Result<(), PyErr> {
        if self.eat(op) {
            return Ok(());
        }
        match self.toks.get(self.i) {
            Some(t) => Err(self.unexpected(t)),
            None => Err((self.end_line, format!("expected `{op}`"))),
        }
    }

    fn unexpected(&self, t: &Token) -> PyErr {
        let what = match &t.tok {
            Tok::Newline => "line break".to_string(),
            _ => format!("`{}`", &self.src[t.start..t.end]),
        };
        (t.line, format!("unexpected {what}; only literal values are supported"))
    }

    fn expr(&mut self) -> Result<Value, PyErr> {
        let Some(t) = self.toks.get(self.i) else {
            return Err((self.end_line, "expected a value".into()));
        };
        self.i += 1;
        let line = t.line;
        let v = match &t.tok {
            Tok::Op(sign @ ("-" | "+")) => {
                let negative = *sign == "-";
                match self.peek() {
                    Some(Tok::Int(s)) => {
                        let n = Int::from_decimal(s).ok_or((line, "invalid integer".to_string()))?;
                        self.i += 1;
                        Value::Int(if negative { n.negate() } else { n })
                    }
                    Some(Tok::Float(f)) => {
                        let f = if negative { -f } else { *f };
                        self.i += 1;
                        Value::Float(f)
                    }
                    Some(Tok::Imaginary(f)) => {
                        let f = if negative { -f } else { *f };
                        self.i += 1;
                        complex(f, negative)
                    }
                    _ => return Err((line, format!("`{sign}` may only precede a number"))),
                }
            }
            Tok::Int(s) => Value::Int(Int::from_decimal(s).ok_or((line, "invalid integer".to_string()))?),
            Tok::Float(f) => Value::Float(*f),
            Tok::Imaginary(f) => complex(*f, false),
            Tok::Str(s) => {
                let mut s = s.clone();
                while let Some(Tok::Str(more)) = self.peek() {
                    s.push_str(more);
                    self.i += 1;
                }
                if let Some(t @ Token { tok: Tok::Bytes(_) | Tok::FString, .. }) = self.toks.get(self.i) {
                    return Err(self.unexpected(t));
                }
                Value::Str(s)
            }
            Tok::Bytes(b) => {
                let mut b = b.clone();
                while let Some(Tok::Bytes(more)) = self.peek() {
                    b.extend_from_slice(more);
                    self.i += 1;
                }
                if let Some(t @ Token { tok: Tok::Str(_) | Tok::FString, .. }) = self.toks.get(self.i) {
                    return Err(self.unexpected(t));
                }
                Value::Bytes(b)
            }
            Tok::FString => return Err((line, "f-strings are not literals".into())),
            Tok::Name(n) => match n.as_str() {
                "True" => Value::Bool(true),
                "False" => Value::Bool(false),
                "None" => Value::None,
                "set" if self.eat("(") => {
                    self.expect(")")?;
                    Value::Set(Vec::new())
                }
                _ => return Err((line, format!("`{n}` is not a literal value"))),
            },
            Tok::Op("[") => Value::list(self.items("]")?),
            Tok::Op("(") => {
                if self.eat(")") {
                    return Ok(Value::Tuple(Vec::new()));
                }
                let first = self.expr()?;
                if self.eat(")") {
                    return Ok(first); // just parentheses
                }
                self.expect(",")?;
                let mut items = vec![first];
                items.extend(self.items(")")?);
                Value::Tuple(items)
            }
            Tok::Op("{") => self.braces(line)?,
            _ => return Err(self.unexpected(t)),
        };
        Ok(v)
    }

    /// Comma-separated values up to `close` (a trailing comma is allowed).
    fn items(&mut self, close: &str) -> Result<Vec<Value>, PyErr> {
        let mut items = Vec::new();
        while !self.eat(close) {
            items.push(self.expr()?);
            if !self.eat(close) {
                self.expect(",")?;
            } else {
                break;
            }
        }
        Ok(items)
    }

    /// A dict or set display after `{`.
    fn braces(&mut self, line: usize) -> Result<Value, PyErr> {
        if self.eat("}") {
            return Ok(Value::dict(Vec::new()));
        }
        let first_line = self.toks.get(self.i).map_or(line, |t| t.line);
        let first = self.expr()?;
        if self.eat(":") {
            let mut items: Vec<(Value, Value)> = Vec::new();
            let mut key = (first, first_line);
            loop {
                hashable(&key.0).map_err(|msg| (key.1, msg))?;
                let v = self.expr()?;
                Value::dict_insert(&mut items, key.0, v);
                if self.eat("}") {
                    break;
                }
                self.expect(",")?;
                if self.eat("}") {
                    break;
                }
                let l = self.toks.get(self.i).map_or(line, |t| t.line);
                key = (self.expr()?, l);
                self.expect(":")?;
            }
            return Ok(Value::dict(items));
        }
        let mut items = vec![first];
        if !self.eat("}") {
            self.expect(",")?;
            items.extend(self.items("}")?);
        }
        let mut set: Vec<Value> = Vec::new();
        for item in items {
            hashable(&item).map_err(|msg| (line, msg))?;
            Value::set_add(&mut set, item);
        }
        Ok(Value::Set(set))
    }
}

/// Python refuses lists, sets and dicts (and tuples holding them) as set items and dict keys.
fn hashable(v: &Value) -> Result<(), String> {
    match v {
        Value::List(_) | Value::Set(_) | Value::Dict(_) => Err(format!("unhashable type: '{}'", v.type_name())),
        Value::Tuple(items) => items.iter().try_for_each(hashable),
        _ => Ok(()),
    }
}

/// A complex literal with only an imaginary part, e.g. `2j`, `-1.5j` (its repr as Python writes it).
fn complex(imag: f64, negated: bool) -> Value {
    let mut text = crate::py::repr::float_repr(imag);
    if let Some(whole) = text.strip_suffix(".0") {
        text = whole.to_string();
    }
    // -2j is the complex (-0-2j): Python shows the zero real part.
    let repr = if negated { format!("(-0{text}j)") } else { format!("{text}j") };
    Value::Object { type_name: "complex".into(), repr }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> Value {
        Value::str(v)
    }

    fn int(v: &str) -> Value {
        Value::Int(Int::from_decimal(v).unwrap())
    }

    #[test]
    fn literals_valid() {
        // Each text's value under CPython's ast.literal_eval, compared by repr.
        let cases: Vec<(&str, Value)> = vec![
            ("'abc'", s("abc")),
            ("\"a\\\"b\"", s("a\"b")),
            (r"'\n\t\\\x41\u00e9\101\U0001F600\q'", s("\n\t\\Aé\u{41}\u{1F600}\\q")),
            (r"r'a\nb\''", s("a\\nb\\'")),
            ("'''multi\nline'''", s("multi\nline")),
            ("\"\"\"x\"y\"\"\"", s("x\"y")),
            ("'a' \"b\" u'c'", s("abc")),
            ("'a\\\nb'", s("ab")),
            ("True", Value::Bool(true)),
            ("None", Value::None),
            ("42", int("42")),
            ("-7", int("-7")),
            ("+7", int("7")),
            ("- 0", int("0")),
            ("1_000", int("1000")),
            ("000", int("0")),
            ("0x_ff", int("255")),
            ("0o17", int("15")),
            ("0B101", int("5")),
            ("0xFFFFFFFFFFFFFFFFFFFFFFFF", int("79228162514264337593543950335")),
            ("99999999999999999999999", int("99999999999999999999999")),
            ("1.5", Value::Float(1.5)),
            ("-2e3", Value::Float(-2000.0)),
            (".5", Value::Float(0.5)),
            ("5.", Value::Float(5.0)),
            ("1_0.0_1E+1", Value::Float(100.1)),
            ("[]", Value::list(vec![])),
            ("['a', 'b',]", Value::list(vec![s("a"), s("b")])),
            ("('a',)", Value::Tuple(vec![s("a")])),
            ("('a')", s("a")),
            ("()", Value::Tuple(vec![])),
            ("'a', 'b'", Value::Tuple(vec![s("a"), s("b")])),
            ("{'a', 'b', 'a'}", Value::Set(vec![s("a"), s("b")])),
            ("{1, True, 1.0}", Value::Set(vec![int("1")])),
            ("set()", Value::Set(vec![])),
            ("{}", Value::dict(vec![])),
            (
                "{'k': 1, 'k': 2, 3: [1]}",
                Value::dict(vec![(s("k"), int("2")), (int("3"), Value::list(vec![int("1")]))]),
            ),
            ("[\n  'a',  # first\n  'b'\n]  # done\n", Value::list(vec![s("a"), s("b")])),
            ("  ['a']", Value::list(vec![s("a")])),
            ("b'a\\x00' b\"b\"", Value::Bytes(b"a\x00b".to_vec())),
            ("2j", Value::Object { type_name: "complex".into(), repr: "2j".into() }),
            ("'\\udcff'", Value::Str(text::decode(b"\xff").unwrap())),
        ];
        for (src, want) in cases {
            let got = literal_eval(src).unwrap_or_else(|e| panic!("{src:?}: {e}"));
            let same = got.py_eq(&want) && got.type_name() == want.type_name() && got.repr() == want.repr();
            assert!(same, "{src:?}: {} != {}", got.repr(), want.repr());
        }
    }

    #[test]
    fn literals_invalid() {
        let only = "; only literal values are supported";
        let cases: Vec<(&str, String)> = vec![
            ("a", "`a` is not a literal value".into()),
            ("[a, b]", "`a` is not a literal value".into()),
            ("'a' + 'b'", format!("unexpected `+`{only}")),
            ("['a'][0]", format!("unexpected `[`{only}")),
            ("'x'.upper()", format!("unexpected `.`{only}")),
            ("1\n2", format!("unexpected line break{only}")),
            ("f'x'", "f-strings are not literals".into()),
            ("'a' b'x'", format!("unexpected `b'x'`{only}")),
            ("", "expected a value".into()),
            ("-'a'", "`-` may only precede a number".into()),
            ("{['a']}", "unhashable type: 'list'".into()),
            ("{('a', {1: 2}): 1}", "unhashable type: 'dict'".into()),
            ("'abc", "syntax error: unterminated string literal".into()),
            ("[1,", "syntax error: '[' was never closed".into()),
            ("[1]]", "syntax error: unmatched ']'".into()),
            ("012", "syntax error: leading zeros in decimal integer literals are not permitted".into()),
            ("1_", "syntax error: invalid decimal literal".into()),
            ("0x", "syntax error: invalid hexadecimal literal".into()),
            (r"'\x4'", "syntax error: truncated \\xXX escape".into()),
            (r"'\ud800'", "syntax error: unsupported character escape U+D800".into()),
            ("$", "syntax error: invalid character '$'".into()),
        ];
        for (src, want) in cases {
            assert_eq!(literal_eval(src).map(|v| v.repr()).map_err(|e| e.0), Err(want), "{src:?}");
        }
    }
}
