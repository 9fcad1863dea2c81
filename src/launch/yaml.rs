//! YAML the way the launchers see it: PyYAML's `safe_load` (YAML 1.1 typing of plain scalars,
//! anchors, merge keys) and `safe_dump(..., default_flow_style=False, sort_keys=True)` (the pod
//! file of `launch_kubernetes.py --pod-template`), over the events of yaml-rust2's parser.
//!
//! yaml-rust2 reads YAML 1.2; PyYAML's scanner reads YAML 1.1. The typing of plain scalars (the
//! visible part of that difference: `yes`, `010`, `1:30`, `2001-12-14`) is PyYAML's, done here.
//! Left over are scanner corner cases: U+2028 / U+2029 are line breaks for PyYAML and ordinary
//! characters here, and an anchor defined twice is an error there and overrides here.
//!
//! Values are Python's: `Value` mirrors the objects `safe_load` builds, with `str()` / `repr()` as
//! Python prints them (Jinja prints template values with `str()`).

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::Arc as Rc;

use crate::py::int::Int;
use crate::py::repr::float_repr;
use crate::py::value::{date_iso, datetime_iso, Date, DateTime, TooLarge, Value};

/// Limit on `str()` and `repr()` of a loaded value: Python would go on (for minutes, or until
/// memory runs out) with a value built from nested aliases; we stop.
pub const MAX_TEXT: usize = 1 << 24;

/// `str(value)`, within [`MAX_TEXT`].
pub fn py_str(v: &Value) -> Result<String, TooLarge> {
    v.str_bounded(MAX_TEXT)
}

/// `repr(value)`, within [`MAX_TEXT`].
pub fn py_repr(v: &Value) -> Result<String, TooLarge> {
    v.repr_bounded(MAX_TEXT)
}

/// `repr(value)` for a message: at most `width` characters, the end cut to `...`.
pub fn repr_cut(v: &Value, width: usize) -> String {
    let text = py_repr(v).unwrap_or_else(|_| "<too large>".into());
    if text.chars().count() <= width {
        text
    } else {
        format!("{}...", text.chars().take(width - 3).collect::<String>())
    }
}

// ----- implicit typing (PyYAML's Resolver) ---------------------------------------------------------

pub const TAG_NULL: &str = "tag:yaml.org,2002:null";
pub const TAG_BOOL: &str = "tag:yaml.org,2002:bool";
pub const TAG_INT: &str = "tag:yaml.org,2002:int";
pub const TAG_FLOAT: &str = "tag:yaml.org,2002:float";
pub const TAG_STR: &str = "tag:yaml.org,2002:str";
pub const TAG_TIMESTAMP: &str = "tag:yaml.org,2002:timestamp";
pub const TAG_MERGE: &str = "tag:yaml.org,2002:merge";
pub const TAG_VALUE: &str = "tag:yaml.org,2002:value";
pub const TAG_SEQ: &str = "tag:yaml.org,2002:seq";
pub const TAG_MAP: &str = "tag:yaml.org,2002:map";

/// The tag PyYAML's resolver gives a plain scalar (YAML 1.1 rules, in PyYAML's order).
pub fn resolve_plain(v: &str) -> &'static str {
    let first = v.chars().next();
    let has = |set: &str| first.is_some_and(|c| set.contains(c));
    if has("yYnNtTfFoO") && is_bool(v) {
        return TAG_BOOL;
    }
    if has("-+0123456789.") && is_float(v) {
        return TAG_FLOAT;
    }
    if has("-+0123456789") && is_int(v) {
        return TAG_INT;
    }
    if v == "<<" {
        return TAG_MERGE;
    }
    if matches!(v, "" | "~" | "null" | "Null" | "NULL") {
        return TAG_NULL;
    }
    if has("0123456789") && parse_timestamp(v).is_some() {
        return TAG_TIMESTAMP;
    }
    if v == "=" {
        return TAG_VALUE;
    }
    TAG_STR
}

fn is_bool(v: &str) -> bool {
    matches!(
        v,
        "yes"
            | "Yes"
            | "YES"
            | "no"
            | "No"
            | "NO"
            | "true"
            | "True"
            | "TRUE"
            | "false"
            | "False"
            | "FALSE"
            | "on"
            | "On"
            | "ON"
            | "off"
            | "Off"
            | "OFF"
    )
}

/// A tiny cursor for the hand-written versions of the resolver's regular expressions.
struct Cur<'a> {
    b: &'a [u8],
    i: usize,
}

impl Cur<'_> {
    fn new(s: &str) -> Cur<'_> {
        Cur { b: s.as_bytes(), i: 0 }
    }
    fn eat(&mut self, c: u8) -> bool {
        if self.b.get(self.i) == Some(&c) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    fn eat_if(&mut self, f: impl Fn(u8) -> bool) -> bool {
        match self.b.get(self.i) {
            Some(&c) if f(c) => {
                self.i += 1;
                true
            }
            _ => false,
        }
    }
    fn eat_while(&mut self, f: impl Fn(u8) -> bool) -> usize {
        let start = self.i;
        while self.eat_if(&f) {}
        self.i - start
    }
    fn sign(&mut self) {
        let _ = self.eat(b'-') || self.eat(b'+');
    }
    fn done(&self) -> bool {
        self.i == self.b.len()
    }
    /// `(?::[0-5]?[0-9])+`
    fn sexagesimal(&mut self) -> bool {
        let mut n = 0;
        loop {
            let save = self.i;
            if !self.eat(b':') {
                break;
            }
            let a = self.eat_if(|c| (b'0'..=b'5').contains(&c));
            let b = self.eat_if(|c| c.is_ascii_digit());
            if !b {
                // `[0-5]?` may have taken the only digit.
                if a {
                    n += 1;
                    continue;
                }
                self.i = save;
                break;
            }
            n += 1;
        }
        n > 0
    }
}

fn digit_(c: u8) -> bool {
    c.is_ascii_digit() || c == b'_'
}

fn alt(s: &str, f: impl Fn(&mut Cur) -> bool) -> bool {
    let mut c = Cur::new(s);
    f(&mut c) && c.done()
}

fn is_float(v: &str) -> bool {
    let exp = |c: &mut Cur| {
        let save = c.i;
        if c.eat_if(|x| x == b'e' || x == b'E')
            && c.eat_if(|x| x == b'-' || x == b'+')
            && c.eat_while(|x| x.is_ascii_digit()) > 0
        {
            return;
        }
        c.i = save;
    };
    alt(v, |c| {
        c.sign();
        c.eat_if(|x| x.is_ascii_digit())
            && {
                c.eat_while(digit_);
                c.eat(b'.')
            }
            && {
                c.eat_while(digit_);
                exp(c);
                true
            }
    }) || alt(v, |c| {
        c.eat(b'.') && c.eat_if(|x| x.is_ascii_digit()) && {
            c.eat_while(digit_);
            exp(c);
            true
        }
    }) || alt(v, |c| {
        c.sign();
        c.eat_if(|x| x.is_ascii_digit())
            && {
                c.eat_while(digit_);
                c.sexagesimal()
            }
            && c.eat(b'.')
            && {
                c.eat_while(digit_);
                true
            }
    }) || matches!(v.strip_prefix(['-', '+']).unwrap_or(v), ".inf" | ".Inf" | ".INF")
        || matches!(v, ".nan" | ".NaN" | ".NAN")
}

fn is_int(v: &str) -> bool {
    alt(v, |c| {
        c.sign();
        c.eat(b'0') && c.eat(b'b') && c.eat_while(|x| x == b'0' || x == b'1' || x == b'_') > 0
    }) || alt(v, |c| {
        c.sign();
        c.eat(b'0') && c.eat_while(|x| (b'0'..=b'7').contains(&x) || x == b'_') > 0
    }) || alt(v, |c| {
        c.sign();
        c.eat(b'0') || {
            let first = c.eat_if(|x| (b'1'..=b'9').contains(&x));
            c.eat_while(digit_);
            first
        }
    }) || alt(v, |c| {
        c.sign();
        c.eat(b'0') && c.eat(b'x') && c.eat_while(|x| x.is_ascii_hexdigit() || x == b'_') > 0
    }) || alt(v, |c| {
        c.sign();
        c.eat_if(|x| (b'1'..=b'9').contains(&x)) && {
            c.eat_while(digit_);
            c.sexagesimal()
        }
    })
}

/// A timestamp's parts: year, month, day and, for a date-time, hour, minute, second,
/// fraction digits and the zone (Z or sign, hours, minutes).
type TimestampParts = (u32, u32, u32, Option<(u32, u32, u32, Option<String>, Option<(bool, u32, u32)>)>);

/// PyYAML's timestamp pattern; the parts, unchecked.
fn parse_timestamp(v: &str) -> Option<TimestampParts> {
    let mut c = Cur::new(v);
    let num = |c: &mut Cur, min: usize, max: usize| -> Option<u32> {
        let start = c.i;
        while c.i - start < max && c.eat_if(|x| x.is_ascii_digit()) {}
        if c.i - start < min {
            return None;
        }
        v[start..c.i].parse().ok()
    };
    let year = num(&mut c, 4, 4)?;
    if !c.eat(b'-') {
        return None;
    }
    let short_date = {
        let save = c.i;
        let ok = num(&mut c, 2, 2).is_some() && c.eat(b'-') && num(&mut c, 2, 2).is_some() && c.done();
        c.i = save;
        ok
    };
    let month = num(&mut c, 1, 2)?;
    if !c.eat(b'-') {
        return None;
    }
    let day = num(&mut c, 1, 2)?;
    if c.done() {
        // The date-only form needs two-digit month and day.
        return short_date.then_some((year, month, day, None));
    }
    if !(c.eat(b'T') || c.eat(b't') || c.eat_while(|x| x == b' ' || x == b'\t') > 0) {
        return None;
    }
    let hour = num(&mut c, 1, 2)?;
    if !c.eat(b':') {
        return None;
    }
    let minute = num(&mut c, 2, 2)?;
    if !c.eat(b':') {
        return None;
    }
    let second = num(&mut c, 2, 2)?;
    let mut fraction = None;
    if c.eat(b'.') {
        let start = c.i;
        c.eat_while(|x| x.is_ascii_digit());
        fraction = Some(v[start..c.i].to_string());
    }
    let mut tz = None;
    let save = c.i;
    c.eat_while(|x| x == b' ' || x == b'\t');
    if c.eat(b'Z') {
        tz = Some((true, 0, 0));
    } else if let Some(sign) = c.b.get(c.i).copied().filter(|x| *x == b'-' || *x == b'+') {
        c.i += 1;
        let h = num(&mut c, 1, 2)?;
        let m = if c.eat(b':') { num(&mut c, 2, 2)? } else { 0 };
        tz = Some((sign == b'+', h, m));
    } else {
        c.i = save;
    }
    c.done().then_some((year, month, day, Some((hour, minute, second, fraction, tz))))
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

fn construct_timestamp(v: &str) -> Option<Value> {
    let (year, month, day, time) = parse_timestamp(v)?;
    if !(1..=9999).contains(&year) || !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    let date = Date { year, month, day };
    let Some((hour, minute, second, fraction, tz)) = time else { return Some(Value::Date(date)) };
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let micro = match fraction {
        Some(f) if !f.is_empty() => {
            let mut f: String = f.chars().take(6).collect();
            while f.len() < 6 {
                f.push('0');
            }
            f.parse().ok()?
        }
        _ => 0,
    };
    let tz = match tz {
        None => None,
        Some((positive, h, m)) => {
            let minutes = (h * 60 + m) as i32;
            if minutes >= 24 * 60 {
                return None;
            }
            Some(if positive { minutes } else { -minutes })
        }
    };
    // "Z" parses as (true, 0, 0): UTC.
    Some(Value::DateTime(DateTime { date, hour, minute, second, micro, tz }))
}

/// Python's `int(text, base)` for the digit strings PyYAML hands it (underscores removed).
fn parse_int_digits(text: &str, base: u32) -> Option<Value> {
    let t = text.trim_matches(|c: char| c.is_ascii_whitespace());
    let (neg, t) = match t.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    if t.is_empty() || !t.chars().all(|c| c.is_digit(base)) {
        return None;
    }
    // Big-number accumulate in base 10^9 limbs.
    let mut limbs: Vec<u64> = vec![0];
    for ch in t.chars() {
        let mut carry = u64::from(ch.to_digit(base)?);
        for limb in limbs.iter_mut() {
            let x = *limb * u64::from(base) + carry;
            *limb = x % 1_000_000_000;
            carry = x / 1_000_000_000;
        }
        while carry > 0 {
            limbs.push(carry % 1_000_000_000);
            carry /= 1_000_000_000;
        }
    }
    let mut s = format!("{}", limbs.last().copied().unwrap_or(0));
    for limb in limbs.iter().rev().skip(1) {
        let _ = write!(s, "{limb:09}");
    }
    Some(int_from_decimal(neg, &s))
}

fn int_from_decimal(neg: bool, digits: &str) -> Value {
    let signed = if neg && digits != "0" { format!("-{digits}") } else { digits.to_string() };
    Int::from_decimal(&signed).map_or(Value::None, Value::Int)
}

fn construct_int(v: &str) -> Option<Value> {
    let v = v.replace('_', "");
    let first = v.chars().next()?;
    let neg = first == '-';
    let body = if first == '-' || first == '+' { &v[1..] } else { &v[..] };
    if body == "0" {
        return Some(Value::int(0));
    }
    let signed = |p: Value| match p {
        Value::Int(i) if neg => Value::Int(i.negate()),
        other => other,
    };
    if let Some(b) = body.strip_prefix("0b") {
        return parse_int_digits(b, 2).map(signed);
    }
    if let Some(h) = body.strip_prefix("0x") {
        return parse_int_digits(h, 16).map(signed);
    }
    if body.starts_with('0') {
        return parse_int_digits(body, 8).map(signed);
    }
    if body.contains(':') {
        let mut total: i128 = 0;
        for part in body.split(':') {
            let d = match parse_int_digits(part, 10)? {
                Value::Int(i) => i.to_i128()?,
                _ => return None,
            };
            total = total.checked_mul(60)?.checked_add(d)?;
        }
        return Some(Value::Int(Int::from_i128(if neg { -total } else { total })));
    }
    parse_int_digits(body, 10).map(signed)
}

/// Python's `float(text)` for what PyYAML hands it.
fn python_float(t: &str) -> Option<f64> {
    let t = t.trim_matches(|c: char| c.is_ascii_whitespace());
    let body = t.trim_start_matches(['-', '+']);
    if t.len() - body.len() > 1 || body.is_empty() {
        return None;
    }
    let lower = body.to_ascii_lowercase();
    if matches!(lower.as_str(), "inf" | "infinity" | "nan") {
        return t.parse().ok();
    }
    // Rust accepts the same decimal forms ("1.", ".5", "1e5", "1.e5").
    if !body.chars().all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '-' | '+')) {
        return None;
    }
    t.parse().ok()
}

fn construct_float(v: &str) -> Option<Value> {
    let v = v.replace('_', "").to_lowercase();
    let first = v.chars().next()?;
    let sign = if first == '-' { -1.0 } else { 1.0 };
    let body = if first == '-' || first == '+' { &v[1..] } else { &v[..] };
    if body == ".inf" {
        return Some(Value::Float(sign * f64::INFINITY));
    }
    if body == ".nan" {
        return Some(Value::Float(f64::NAN));
    }
    if body.contains(':') {
        let mut total = 0.0;
        for part in body.split(':') {
            total = total * 60.0 + python_float(part)?;
        }
        return Some(Value::Float(sign * total));
    }
    Some(Value::Float(sign * python_float(body)?))
}

// ----- libyaml events -------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Plain,
    Quoted,
}

#[derive(Debug)]
enum Ev {
    StreamEnd,
    DocStart,
    DocEnd,
    Alias(usize),
    Scalar { anchor: Option<usize>, tag: Option<String>, value: String, style: Style, block: bool },
    SeqStart { anchor: Option<usize>, tag: Option<String> },
    SeqEnd,
    MapStart { anchor: Option<usize>, tag: Option<String> },
    MapEnd,
    Other,
}

/// A YAML error: what PyYAML's `problem` and `problem_mark` say.
#[derive(Debug, Clone, PartialEq)]
pub struct YamlError(pub String);

impl std::fmt::Display for YamlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

mod sys_parser {
    use super::{Ev, Style, YamlError};
    use yaml_rust2::parser::{Event, Parser as YParser};
    use yaml_rust2::scanner::TScalarStyle;

    pub struct Parser<'a> {
        p: YParser<std::str::Chars<'a>>,
        done: bool,
    }

    impl<'a> Parser<'a> {
        pub fn new(text: &'a str) -> Parser<'a> {
            Parser { p: YParser::new_from_str(text), done: false }
        }

        pub fn next(&mut self) -> Result<Ev, YamlError> {
            if self.done {
                return Ok(Ev::StreamEnd);
            }
            let (event, _) = self.p.next_token().map_err(|e| {
                self.done = true;
                YamlError(format!("{} (line {}, column {})", e.info(), e.marker().line(), e.marker().col() + 1))
            })?;
            let tag = |t: Option<yaml_rust2::parser::Tag>| {
                t.map(|t| format!("{}{}", t.handle, t.suffix)).filter(|t| t != "!")
            };
            let anchor = |a: usize| (a != 0).then_some(a);
            Ok(match event {
                Event::StreamEnd => {
                    self.done = true;
                    Ev::StreamEnd
                }
                Event::DocumentStart => Ev::DocStart,
                Event::DocumentEnd => Ev::DocEnd,
                Event::Alias(a) => Ev::Alias(a),
                Event::Scalar(value, style, a, t) => {
                    let non_specific = t.as_ref().is_some_and(|t| t.handle.is_empty() && t.suffix == "!");
                    let tag = tag(t);
                    // An untagged plain scalar is typed; "!" and quoted ones are strings.
                    let plain = style == TScalarStyle::Plain && tag.is_none() && !non_specific;
                    let block = matches!(style, TScalarStyle::Literal | TScalarStyle::Folded);
                    let style = if plain { Style::Plain } else { Style::Quoted };
                    Ev::Scalar { anchor: anchor(a), tag, value, style, block }
                }
                Event::SequenceStart(a, t) => Ev::SeqStart { anchor: anchor(a), tag: tag(t) },
                Event::SequenceEnd => Ev::SeqEnd,
                Event::MappingStart(a, t) => Ev::MapStart { anchor: anchor(a), tag: tag(t) },
                Event::MappingEnd => Ev::MapEnd,
                _ => Ev::Other,
            })
        }
    }
}

// ----- composing and constructing ---------------------------------------------------------------

/// Nesting beyond which PyYAML's recursive composer runs out of Python stack (about 490 levels
/// with the default recursion limit); such a value is an error, as there.
pub const MAX_DEPTH: usize = 450;

#[derive(Debug)]
enum Node {
    Scalar { tag: String, value: String },
    Seq { tag: String, items: Vec<usize> },
    Map { tag: String, pairs: Vec<(usize, usize)> },
}

struct Composer<'a> {
    parser: sys_parser::Parser<'a>,
    nodes: Vec<Node>,
    anchors: HashMap<usize, usize>,
    /// The last scalar read, if it was a block scalar (`|`, `>`).
    last_block: Option<usize>,
}

impl<'a> Composer<'a> {
    fn new(text: &'a str) -> Composer<'a> {
        Composer { parser: sys_parser::Parser::new(text), nodes: Vec::new(), anchors: HashMap::new(), last_block: None }
    }

    fn anchor(&mut self, anchor: Option<usize>, id: usize) -> Result<(), YamlError> {
        if let Some(a) = anchor {
            self.anchors.insert(a, id);
        }
        Ok(())
    }

    /// The next document's root node, or None at the end of the stream.
    fn document(&mut self) -> Result<Option<usize>, YamlError> {
        loop {
            match self.parser.next()? {
                Ev::StreamEnd => return Ok(None),
                Ev::DocStart => break,
                _ => {}
            }
        }
        self.anchors.clear();
        let first = self.parser.next()?;
        let root = self.node(first, 0)?;
        match self.parser.next()? {
            Ev::DocEnd => Ok(Some(root)),
            other => Err(YamlError(format!("unexpected {other:?} at the end of a document"))),
        }
    }

    fn node(&mut self, ev: Ev, depth: usize) -> Result<usize, YamlError> {
        if depth > MAX_DEPTH {
            return Err(YamlError("maximum recursion depth exceeded".into()));
        }
        match ev {
            Ev::Alias(a) => self.anchors.get(&a).copied().ok_or_else(|| YamlError("found undefined alias".into())),
            Ev::Scalar { anchor, tag, value, style, block } => {
                let tag = match tag {
                    Some(t) => t,
                    None if style == Style::Plain => resolve_plain(&value).to_string(),
                    None => TAG_STR.to_string(),
                };
                let id = self.nodes.len();
                self.last_block = block.then_some(id);
                self.nodes.push(Node::Scalar { tag, value });
                self.anchor(anchor, id)?;
                Ok(id)
            }
            Ev::SeqStart { anchor, tag } => {
                let id = self.nodes.len();
                self.nodes.push(Node::Seq { tag: tag.unwrap_or_else(|| TAG_SEQ.into()), items: Vec::new() });
                self.anchor(anchor, id)?;
                let mut items = Vec::new();
                loop {
                    match self.parser.next()? {
                        Ev::SeqEnd => break,
                        ev => items.push(self.node(ev, depth + 1)?),
                    }
                }
                if let Node::Seq { items: slot, .. } = &mut self.nodes[id] {
                    *slot = items;
                }
                Ok(id)
            }
            Ev::MapStart { anchor, tag } => {
                let id = self.nodes.len();
                self.nodes.push(Node::Map { tag: tag.unwrap_or_else(|| TAG_MAP.into()), pairs: Vec::new() });
                self.anchor(anchor, id)?;
                let mut pairs = Vec::new();
                loop {
                    match self.parser.next()? {
                        Ev::MapEnd => break,
                        ev => {
                            let k = self.node(ev, depth + 1)?;
                            let next = self.parser.next()?;
                            let v = self.node(next, depth + 1)?;
                            pairs.push((k, v));
                        }
                    }
                }
                if let Node::Map { pairs: slot, .. } = &mut self.nodes[id] {
                    *slot = pairs;
                }
                Ok(id)
            }
            other => Err(YamlError(format!("unexpected {other:?}"))),
        }
    }
}

struct Constructor<'a> {
    nodes: &'a [Node],
    done: HashMap<usize, Value>,
    open: Vec<usize>,
}

fn unsupported(what: &str) -> YamlError {
    YamlError(format!("could not determine a constructor for {what}"))
}

impl Constructor<'_> {
    fn construct(&mut self, id: usize) -> Result<Value, YamlError> {
        if let Some(v) = self.done.get(&id) {
            return Ok(v.clone());
        }
        if self.open.contains(&id) {
            return Ok(Value::Recursive(matches!(self.nodes[id], Node::Seq { .. })));
        }
        if self.open.len() > MAX_DEPTH {
            return Err(YamlError("maximum recursion depth exceeded".into()));
        }
        self.open.push(id);
        let result = self.build(id);
        self.open.pop();
        let v = result?;
        self.done.insert(id, v.clone());
        Ok(v)
    }

    fn build(&mut self, id: usize) -> Result<Value, YamlError> {
        match &self.nodes[id] {
            Node::Scalar { tag, value } => {
                let bad = || YamlError(format!("cannot construct {tag} from {value:?}"));
                match tag.as_str() {
                    TAG_STR => Ok(Value::Str(value.clone())),
                    TAG_NULL => Ok(Value::None),
                    TAG_BOOL => match value.to_lowercase().as_str() {
                        "yes" | "true" | "on" => Ok(Value::Bool(true)),
                        "no" | "false" | "off" => Ok(Value::Bool(false)),
                        _ => Err(bad()),
                    },
                    TAG_INT => construct_int(value).ok_or_else(bad),
                    TAG_FLOAT => construct_float(value).ok_or_else(bad),
                    TAG_TIMESTAMP => construct_timestamp(value).ok_or_else(bad),
                    other => Err(unsupported(&format!("the tag {other:?}"))),
                }
            }
            Node::Seq { tag, items } => {
                if tag != TAG_SEQ {
                    return Err(unsupported(&format!("the tag {tag:?}")));
                }
                let items = items.clone();
                let mut out = Vec::with_capacity(items.len());
                for i in items {
                    out.push(self.construct(i)?);
                }
                Ok(Value::List(Rc::new(out)))
            }
            Node::Map { tag, .. } => {
                if tag != TAG_MAP {
                    return Err(unsupported(&format!("the tag {tag:?}")));
                }
                let pairs = self.flatten(id, 0)?;
                let mut out: Vec<(Value, Value)> = Vec::with_capacity(pairs.len());
                for (k, v) in pairs {
                    let key = match &self.nodes[k] {
                        Node::Scalar { tag, value } if tag == TAG_VALUE => Value::Str(value.clone()),
                        _ => self.construct(k)?,
                    };
                    if matches!(key, Value::List(_) | Value::Dict(_) | Value::Recursive(_)) {
                        return Err(YamlError("found unhashable key".into()));
                    }
                    let value = self.construct(v)?;
                    match out.iter_mut().find(|(existing, _)| key_eq(existing, &key)) {
                        Some(slot) => slot.1 = value,
                        None => out.push((key, value)),
                    }
                }
                Ok(Value::Dict(Rc::new(out)))
            }
        }
    }

    /// PyYAML's flatten_mapping: `<<` merge keys first, then the mapping's own pairs.
    fn flatten(&self, id: usize, depth: usize) -> Result<Vec<(usize, usize)>, YamlError> {
        if depth > MAX_DEPTH {
            return Err(YamlError("maximum recursion depth exceeded".into()));
        }
        let Node::Map { pairs, .. } = &self.nodes[id] else {
            return Err(YamlError("expected a mapping for merging".into()));
        };
        let mut merge = Vec::new();
        let mut own = Vec::new();
        for &(k, v) in pairs {
            let is_merge = matches!(&self.nodes[k], Node::Scalar { tag, .. } if tag == TAG_MERGE);
            if !is_merge {
                own.push((k, v));
                continue;
            }
            match &self.nodes[v] {
                Node::Map { .. } => merge.extend(self.flatten(v, depth + 1)?),
                Node::Seq { items, .. } => {
                    let mut sub = Vec::new();
                    for &item in items {
                        sub.push(self.flatten(item, depth + 1)?);
                    }
                    for part in sub.into_iter().rev() {
                        merge.extend(part);
                    }
                }
                Node::Scalar { .. } => {
                    return Err(YamlError("expected a mapping or list of mappings for merging".into()))
                }
            }
        }
        merge.extend(own);
        Ok(merge)
    }
}

/// Python's `==` for dictionary keys (numbers compare across int, float and bool).
fn key_eq(a: &Value, b: &Value) -> bool {
    let num = |p: &Value| match p {
        Value::Bool(b) => Some(f64::from(u8::from(*b))),
        Value::Int(i) => i.to_i128().map(|i| i as f64),
        Value::Float(f) => Some(*f),
        _ => None,
    };
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => x == y,
        (Value::Str(x), Value::Str(y)) => x == y,
        (Value::None, Value::None) => true,
        (Value::Date(x), Value::Date(y)) => x == y,
        (Value::DateTime(x), Value::DateTime(y)) => x == y,
        (Value::Float(x), Value::Float(y)) if x.is_nan() && y.is_nan() => true,
        _ => matches!((num(a), num(b)), (Some(x), Some(y)) if x == y),
    }
}

/// PyYAML's Reader: characters it refuses anywhere in a stream.
fn check_printable(text: &str) -> Result<(), YamlError> {
    let ok = |c: char| {
        matches!(c, '\t' | '\n' | '\r' | ' '..='~' | '\u{85}' | '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}')
            || c >= '\u{10000}'
    };
    match text.chars().position(|c| !ok(c)) {
        None => Ok(()),
        Some(i) => {
            let c = text.chars().nth(i).unwrap_or('\0');
            Err(YamlError(format!("unacceptable character #x{:04x}: special characters are not allowed", c as u32)))
        }
    }
}

/// The text as PyYAML's scanner reads it: NEL (U+0085) is a line break there (YAML 1.1), which
/// it reads as "\n"; yaml-rust2 follows YAML 1.2, where it is an ordinary character.
fn prepared(text: &str) -> Result<std::borrow::Cow<'_, str>, YamlError> {
    check_printable(text)?;
    Ok(if text.contains('\u{85}') { text.replace('\u{85}', "\n").into() } else { text.into() })
}

/// A block scalar that ends the stream without a final line break has none in PyYAML, while
/// yaml-rust2 adds one ("|\n  x" is "x" there, "x\n" here).
fn fix_final_block(composer: &mut Composer, text: &str) {
    let Some(id) = composer.last_block else { return };
    let last_line = text.rsplit(['\n', '\r']).next().unwrap_or("");
    let trimmed = last_line.trim_start();
    if last_line.trim().is_empty() || trimmed.starts_with('#') || trimmed.starts_with("...") {
        return;
    }
    if let Some(Node::Scalar { value, .. }) = composer.nodes.get_mut(id) {
        if value.ends_with('\n') {
            value.pop();
        }
    }
}

/// `yaml.safe_load_all(text)`: every document (an empty one is None).
pub fn load_all(text: &str) -> Result<Vec<Value>, YamlError> {
    let text = prepared(text)?;
    let mut composer = Composer::new(&text);
    let mut roots = Vec::new();
    while let Some(root) = composer.document()? {
        roots.push(root);
        // Anchors are per document; nodes stay (ids are global).
    }
    fix_final_block(&mut composer, &text);
    let mut c = Constructor { nodes: &composer.nodes, done: HashMap::new(), open: Vec::new() };
    roots.into_iter().map(|r| c.construct(r)).collect()
}

/// `yaml.safe_load(text)`: exactly one document (none is None).
pub fn load(text: &str) -> Result<Value, YamlError> {
    let text = prepared(text)?;
    let mut composer = Composer::new(&text);
    let Some(root) = composer.document()? else { return Ok(Value::None) };
    if composer.document()?.is_some() {
        return Err(YamlError("expected a single document in the stream".into()));
    }
    fix_final_block(&mut composer, &text);
    let mut c = Constructor { nodes: &composer.nodes, done: HashMap::new(), open: Vec::new() };
    c.construct(root)
}

/// The launcher's `yaml_typed`: the value as YAML, or the text itself when it is not valid YAML
/// (or builds something a safe loader refuses).
pub fn yaml_typed(raw: &str) -> Value {
    load(raw).unwrap_or_else(|_| Value::Str(raw.to_string()))
}

// ----- dumping (PyYAML's Emitter, for safe_dump's block style) ----------------------------------

/// An error of `dump`: a value that cannot be written.
#[derive(Debug, Clone, PartialEq)]
pub struct DumpError(pub String);

/// `yaml.safe_dump(value, default_flow_style=False, sort_keys=True)`.
pub fn dump(v: &Value) -> Result<String, DumpError> {
    let mut e =
        Emitter { out: String::new(), column: 0, whitespace: true, indention: true, indent: None, indents: Vec::new() };
    e.node(v, Ctx::default())?;
    // Document end: a line break; a plain root scalar also gets "...".
    e.write_indent();
    if let Some(text) = root_plain_scalar(v) {
        if !text.is_empty() || matches!(v, Value::Str(_)) {
            e.write_indicator("...", true, false, false);
            e.write_indent();
        }
    }
    Ok(e.out)
}

fn root_plain_scalar(v: &Value) -> Option<String> {
    let (text, implicit) = scalar_text(v)?;
    let a = analyze(&text.chars().collect::<Vec<_>>());
    (implicit.0 && a.allow_block_plain && !a.empty).then_some(text)
}

#[derive(Default, Clone, Copy)]
struct Ctx {
    mapping: bool,
    simple_key: bool,
}

struct Emitter {
    out: String,
    column: usize,
    whitespace: bool,
    indention: bool,
    indent: Option<usize>,
    indents: Vec<Option<usize>>,
}

const BEST_WIDTH: usize = 80;
const BREAKS: &[char] = &['\n', '\u{85}', '\u{2028}', '\u{2029}'];

/// The scalar text and (plain-implicit, quoted-implicit) of a scalar value; None for collections.
fn scalar_text(v: &Value) -> Option<(String, (bool, bool))> {
    let (text, tag) = match v {
        Value::None => ("null".to_string(), TAG_NULL),
        Value::Bool(b) => ((if *b { "true" } else { "false" }).to_string(), TAG_BOOL),
        Value::Int(i) => (i.to_string(), TAG_INT),
        Value::Float(f) => {
            let text = if f.is_nan() {
                ".nan".to_string()
            } else if f.is_infinite() {
                (if *f > 0.0 { ".inf" } else { "-.inf" }).to_string()
            } else {
                let r = float_repr(*f).to_lowercase();
                if !r.contains('.') && r.contains('e') {
                    r.replacen('e', ".0e", 1)
                } else {
                    r
                }
            };
            (text, TAG_FLOAT)
        }
        Value::Str(s) => (s.clone(), TAG_STR),
        Value::Date(d) => (date_iso(d), TAG_TIMESTAMP),
        Value::DateTime(dt) => (datetime_iso(dt, ' '), TAG_TIMESTAMP),
        _ => return None,
    };
    let detected = resolve_plain(&text);
    Some((text, (detected == tag, tag == TAG_STR)))
}

struct Analysis {
    empty: bool,
    multiline: bool,
    allow_block_plain: bool,
    allow_single_quoted: bool,
}

fn analyze(s: &[char]) -> Analysis {
    if s.is_empty() {
        return Analysis { empty: true, multiline: false, allow_block_plain: true, allow_single_quoted: true };
    }
    let ws = |c: char| matches!(c, '\0' | ' ' | '\t' | '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}');
    let (mut block_ind, mut line_breaks, mut special) = (false, false, false);
    let (mut leading_space, mut leading_break, mut trailing_space, mut trailing_break) = (false, false, false, false);
    let (mut break_space, mut space_break) = (false, false);
    let starts = |p: &str| s.len() >= 3 && s[..3].iter().collect::<String>() == p;
    if starts("---") || starts("...") {
        block_ind = true;
    }
    let mut preceded_by_ws = true;
    let mut followed_by_ws = s.len() == 1 || ws(s[1]);
    let (mut prev_space, mut prev_break) = (false, false);
    for (index, &ch) in s.iter().enumerate() {
        if index == 0 {
            if "#,[]{}&*!|>'\"%@`".contains(ch) {
                block_ind = true;
            }
            if (ch == '?' || ch == ':') && followed_by_ws {
                block_ind = true;
            }
            if ch == '-' && followed_by_ws {
                block_ind = true;
            }
        } else {
            if ch == ':' && followed_by_ws {
                block_ind = true;
            }
            if ch == '#' && preceded_by_ws {
                block_ind = true;
            }
        }
        if BREAKS.contains(&ch) {
            line_breaks = true;
        }
        if !(ch == '\n' || (' '..='~').contains(&ch)) {
            // allow_unicode is False: everything outside printable ASCII is special.
            special = true;
        }
        if ch == ' ' {
            if index == 0 {
                leading_space = true;
            }
            if index == s.len() - 1 {
                trailing_space = true;
            }
            if prev_break {
                break_space = true;
            }
            prev_space = true;
            prev_break = false;
        } else if BREAKS.contains(&ch) {
            if index == 0 {
                leading_break = true;
            }
            if index == s.len() - 1 {
                trailing_break = true;
            }
            if prev_space {
                space_break = true;
            }
            prev_space = false;
            prev_break = true;
        } else {
            prev_space = false;
            prev_break = false;
        }
        preceded_by_ws = ws(ch);
        followed_by_ws = index + 2 >= s.len() || ws(s[index + 2]);
    }
    let mut plain = true;
    let mut single = true;
    if leading_space || leading_break || trailing_space || trailing_break {
        plain = false;
    }
    if break_space {
        plain = false;
        single = false;
    }
    if space_break || special {
        plain = false;
        single = false;
    }
    if line_breaks || block_ind {
        plain = false;
    }
    Analysis { empty: false, multiline: line_breaks, allow_block_plain: plain, allow_single_quoted: single }
}

impl Emitter {
    fn write(&mut self, data: &str) {
        self.column += data.chars().count();
        self.out.push_str(data);
    }

    fn write_indicator(&mut self, indicator: &str, need_ws: bool, whitespace: bool, indention: bool) {
        if !self.whitespace && need_ws {
            self.out.push(' ');
            self.column += 1;
        }
        self.out.push_str(indicator);
        self.column += indicator.chars().count();
        self.whitespace = whitespace;
        self.indention = self.indention && indention;
    }

    fn write_indent(&mut self) {
        let indent = self.indent.unwrap_or(0);
        if !self.indention || self.column > indent || (self.column == indent && !self.whitespace) {
            self.write_line_break(None);
        }
        if self.column < indent {
            self.whitespace = true;
            let pad = " ".repeat(indent - self.column);
            self.out.push_str(&pad);
            self.column = indent;
        }
    }

    fn write_line_break(&mut self, data: Option<char>) {
        self.whitespace = true;
        self.indention = true;
        self.column = 0;
        self.out.push(data.unwrap_or('\n'));
    }

    fn increase_indent(&mut self, flow: bool, indentless: bool) {
        self.indents.push(self.indent);
        match self.indent {
            None => self.indent = Some(if flow { 2 } else { 0 }),
            Some(i) if !indentless => self.indent = Some(i + 2),
            Some(_) => {}
        }
    }

    fn pop_indent(&mut self) {
        self.indent = self.indents.pop().flatten();
    }

    fn node(&mut self, v: &Value, ctx: Ctx) -> Result<(), DumpError> {
        match v {
            Value::List(items) if items.is_empty() => self.flow_empty("[", "]"),
            Value::Dict(pairs) if pairs.is_empty() => self.flow_empty("{", "}"),
            Value::List(items) => {
                let indentless = ctx.mapping && !self.indention;
                self.increase_indent(false, indentless);
                for item in items.iter() {
                    self.write_indent();
                    self.write_indicator("-", true, false, true);
                    self.node(item, Ctx::default())?;
                }
                self.pop_indent();
            }
            Value::Dict(pairs) => {
                let mut pairs: Vec<&(Value, Value)> = pairs.iter().collect();
                sort_pairs(&mut pairs);
                self.increase_indent(false, false);
                for (k, val) in pairs {
                    self.write_indent();
                    let simple = match scalar_text(k) {
                        Some((t, _)) => {
                            let chars: Vec<char> = t.chars().collect();
                            let a = analyze(&chars);
                            chars.len() < 128 && !a.empty && !a.multiline
                        }
                        None => {
                            matches!(k, Value::List(l) if l.is_empty()) || matches!(k, Value::Dict(d) if d.is_empty())
                        }
                    };
                    let key_ctx = Ctx { mapping: true, simple_key: simple };
                    if simple {
                        self.node(k, key_ctx)?;
                        self.write_indicator(":", false, false, false);
                    } else {
                        self.write_indicator("?", true, false, true);
                        self.node(k, key_ctx)?;
                        self.write_indent();
                        self.write_indicator(":", true, false, true);
                    }
                    self.node(val, Ctx { mapping: true, ..Ctx::default() })?;
                }
                self.pop_indent();
            }
            Value::Recursive(_) => return Err(DumpError("cannot write a recursive value".into())),
            _ => {
                let (text, implicit) = scalar_text(v).expect("a scalar");
                self.increase_indent(true, false);
                self.scalar(&text, implicit, ctx);
                self.pop_indent();
            }
        }
        Ok(())
    }

    fn flow_empty(&mut self, open: &str, close: &str) {
        self.write_indicator(open, true, true, false);
        self.increase_indent(true, false);
        self.pop_indent();
        self.write_indicator(close, false, false, false);
    }

    fn scalar(&mut self, text: &str, implicit: (bool, bool), ctx: Ctx) {
        let chars: Vec<char> = text.chars().collect();
        let a = analyze(&chars);
        let style = if implicit.0 && !(ctx.simple_key && (a.empty || a.multiline)) && a.allow_block_plain {
            ' '
        } else if a.allow_single_quoted && !(ctx.simple_key && a.multiline) {
            '\''
        } else {
            '"'
        };
        let split = !ctx.simple_key;
        match style {
            ' ' => self.write_plain(&chars, split),
            '\'' => self.write_single_quoted(&chars, split),
            _ => self.write_double_quoted(&chars, split),
        }
    }

    fn write_plain(&mut self, text: &[char], split: bool) {
        if text.is_empty() {
            return;
        }
        if !self.whitespace {
            self.write(" ");
        }
        self.whitespace = false;
        self.indention = false;
        let (mut spaces, mut start) = (false, 0);
        for end in 0..=text.len() {
            let ch = text.get(end).copied();
            if spaces {
                if ch != Some(' ') {
                    if start + 1 == end && self.column > BEST_WIDTH && split {
                        self.write_indent();
                        self.whitespace = false;
                        self.indention = false;
                    } else {
                        let data: String = text[start..end].iter().collect();
                        self.write(&data);
                    }
                    start = end;
                }
            } else if ch.is_none() || ch == Some(' ') {
                let data: String = text[start..end].iter().collect();
                self.write(&data);
                start = end;
            }
            if let Some(c) = ch {
                spaces = c == ' ';
            }
        }
    }

    fn write_single_quoted(&mut self, text: &[char], split: bool) {
        self.write_indicator("'", true, false, false);
        let (mut spaces, mut breaks, mut start) = (false, false, 0);
        for end in 0..=text.len() {
            let ch = text.get(end).copied();
            if spaces {
                if ch != Some(' ') {
                    if start + 1 == end && self.column > BEST_WIDTH && split && start != 0 && end != text.len() {
                        self.write_indent();
                    } else {
                        let data: String = text[start..end].iter().collect();
                        self.write(&data);
                    }
                    start = end;
                }
            } else if breaks {
                if ch.is_none_or(|c| !BREAKS.contains(&c)) {
                    if text[start] == '\n' {
                        self.write_line_break(None);
                    }
                    for &br in &text[start..end] {
                        self.write_line_break(Some(br));
                    }
                    self.write_indent();
                    start = end;
                }
            } else if (ch.is_none() || ch.is_some_and(|c| c == ' ' || BREAKS.contains(&c) || c == '\'')) && start < end
            {
                let data: String = text[start..end].iter().collect();
                self.write(&data);
                start = end;
            }
            if ch == Some('\'') {
                self.write("''");
                start = end + 1;
            }
            if let Some(c) = ch {
                spaces = c == ' ';
                breaks = BREAKS.contains(&c);
            }
        }
        self.write_indicator("'", false, false, false);
    }

    fn write_double_quoted(&mut self, text: &[char], split: bool) {
        self.write_indicator("\"", true, false, false);
        let mut start = 0;
        for end in 0..=text.len() {
            let ch = text.get(end).copied();
            let special = match ch {
                None => true,
                Some(c) => {
                    matches!(c, '"' | '\\' | '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{feff}')
                        || !(' '..='~').contains(&c)
                }
            };
            if special {
                if start < end {
                    let data: String = text[start..end].iter().collect();
                    self.write(&data);
                    start = end;
                }
                if let Some(c) = ch {
                    let data = match c {
                        '\0' => "\\0".to_string(),
                        '\x07' => "\\a".into(),
                        '\x08' => "\\b".into(),
                        '\t' => "\\t".into(),
                        '\n' => "\\n".into(),
                        '\x0b' => "\\v".into(),
                        '\x0c' => "\\f".into(),
                        '\r' => "\\r".into(),
                        '\x1b' => "\\e".into(),
                        '"' => "\\\"".into(),
                        '\\' => "\\\\".into(),
                        '\u{85}' => "\\N".into(),
                        '\u{a0}' => "\\_".into(),
                        '\u{2028}' => "\\L".into(),
                        '\u{2029}' => "\\P".into(),
                        c if (c as u32) <= 0xff => format!("\\x{:02X}", c as u32),
                        c if (c as u32) <= 0xffff => format!("\\u{:04X}", c as u32),
                        c => format!("\\U{:08X}", c as u32),
                    };
                    self.write(&data);
                    start = end + 1;
                }
            }
            if 0 < end
                && end + 1 < text.len()
                && (ch == Some(' ') || start >= end)
                && self.column + end.saturating_sub(start) > BEST_WIDTH
                && split
            {
                let mut data: String = text[start.min(end)..end].iter().collect();
                data.push('\\');
                if start < end {
                    start = end;
                }
                self.write(&data);
                self.write_indent();
                self.whitespace = false;
                self.indention = false;
                if text[start] == ' ' {
                    self.write("\\");
                }
            }
        }
        self.write_indicator("\"", false, false, false);
    }
}

/// `sorted(mapping.items())` where Python can order the keys; otherwise the original order.
fn sort_pairs(pairs: &mut [&(Value, Value)]) {
    let all_str = pairs.iter().all(|(k, _)| matches!(k, Value::Str(_)));
    let num = |p: &Value| match p {
        Value::Bool(b) => Some(f64::from(u8::from(*b))),
        Value::Int(i) => i.to_i128().map(|i| i as f64),
        Value::Float(f) if !f.is_nan() => Some(*f),
        _ => None,
    };
    if all_str {
        pairs.sort_by(|a, b| a.0.as_str().cmp(&b.0.as_str()));
    } else if pairs.iter().all(|(k, _)| num(k).is_some()) {
        pairs.sort_by(|a, b| num(&a.0).partial_cmp(&num(&b.0)).unwrap_or(std::cmp::Ordering::Equal));
    } else if pairs.iter().all(|(k, _)| matches!(k, Value::Date(_))) {
        pairs.sort_by_key(|(k, _)| match k {
            Value::Date(d) => *d,
            _ => Date { year: 0, month: 0, day: 0 },
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &Value) -> String {
        py_str(v).unwrap()
    }

    #[test]
    fn typing_follows_yaml_1_1() {
        let cases = [
            ("500m", "'500m'"),
            ("1", "1"),
            ("0.5", "0.5"),
            (".5", "0.5"),
            ("1_000", "1000"),
            ("0x1F", "31"),
            ("010", "8"),
            ("1:30", "90"),
            ("1e3", "'1e3'"),
            ("1.0e+3", "1000.0"),
            ("yes", "True"),
            ("Off", "False"),
            ("", "None"),
            ("~", "None"),
            ("null", "None"),
            ("2001-12-14", "datetime.date(2001, 12, 14)"),
            ("[a, 1]", "['a', 1]"),
            ("a: b", "{'a': 'b'}"),
            ("a: b: c", "'a: b: c'"),
            ("'it''s'", "\"it's\""),
            ("09", "'09'"),
            ("-0b101", "-5"),
            ("0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF", "87112285931760246646623899502532662132735"),
            ("!!str 1", "'1'"),
            ("!!python/object/apply:os.system [x]", "'!!python/object/apply:os.system [x]'"),
            ("[=]", "'[=]'"),
            ("{=: a}", "{'=': 'a'}"),
            ("{<<: {a: 1, b: 2}, b: 3}", "{'a': 1, 'b': 3}"),
            ("{a: 1, a: 2, b: 3}", "{'a': 2, 'b': 3}"),
            ("&a [*a]", "[[...]]"),
            ("*x", "'*x'"),
            ("--- \n...\n---", "'--- \\n...\\n---'"),
            ("2001-13-14", "'2001-13-14'"),
            ("2001-12-14 21:59:43.10 -5", "datetime.datetime(2001, 12, 14, 21, 59, 43, 100000, tzinfo=datetime.timezone(datetime.timedelta(days=-1, seconds=68400)))"),
            ("2001-12-14T21:59:00Z", "datetime.datetime(2001, 12, 14, 21, 59, tzinfo=datetime.timezone.utc)"),
            ("1e400", "'1e400'"),
            ("1.5e+400", "inf"),
            ("-.inf", "-inf"),
            ("ctl\x01", "'ctl\\x01'"),
            ("|\n  block", "'block'"),
            ("|\n  block\n", "'block\\n'"),
            ("a: |\n  x\n# c", "{'a': 'x\\n'}"),
        ];
        for (raw, want) in cases {
            assert_eq!(py_repr(&yaml_typed(raw)).unwrap(), want, "{raw:?}");
        }
        assert_eq!(s(&yaml_typed("[a, {b: None}]")), "['a', {'b': 'None'}]");
    }

    #[test]
    fn dump_matches_safe_dump() {
        let doc =
            load("b: [1, 'x']\na: {z: '', y: 'yes', x: null, w: [], v: {}}\nc: \"it's\\n\"\nd: ünï\ne: 1.0\n").unwrap();
        assert_eq!(
            dump(&doc).unwrap(),
            "a:\n  v: {}\n  w: []\n  x: null\n  y: 'yes'\n  z: ''\nb:\n- 1\n- x\nc: 'it''s\n\n  '\nd: \"\\xFCn\\xEF\"\ne: 1.0\n"
        );
        let long = Value::dict(vec![(Value::str("k"), Value::str("word ".repeat(30).trim_end()))]);
        let text = dump(&long).unwrap();
        assert!(text.starts_with("k: word word"), "{text}");
        assert_eq!(load(&text).unwrap().get("k").and_then(Value::as_str), Some("word ".repeat(30).trim_end()));
        assert_eq!(dump(&Value::str("x")).unwrap(), "x\n...\n");
    }

    #[test]
    fn errors_name_the_place() {
        let e = load("a: [1\n").unwrap_err();
        assert!(e.0.contains("(line"), "{e}");
        assert!(load_all("a: 1\n---\nb: 2\n").unwrap().len() == 2);
        assert!(load("a: 1\n---\nb: 2\n").is_err());
    }
}
