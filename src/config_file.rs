//! Configuration files of the installer: `jupyter_config.{py,json}`,
//! `jupyter_k8s_spec_config.{py,json}` and `--config=FILE` (installer.md §3).
//!
//! JSON files (`{"Class": {"trait": value}}`) are read fully. Python files are never executed:
//! only the common subset of literal assignments (`c.Class.trait = <literal>`) is understood and
//! anything else is an error naming the file and line, so no setting is silently lost.
//!
//! Intended divergences from the reference, which logs and skips broken files:
//! * a config file that cannot be read or parsed is an error;
//! * an explicit `--config=FILE` from which no file gets loaded is an error: `Missing` when FILE
//!   does not exist, `Unsupported` when it exists (e.g. `my.txt`) but neither `<stem>.py` nor
//!   `<stem>.json` does. Otherwise the reference rule holds: the extension is dropped and
//!   `<stem>.py` and `<stem>.json` are loaded if present (`--config=my.json` also loads `my.py`,
//!   `--config=my.txt` loads `my.py`/`my.json` and never reads `my.txt` itself);
//! * in JSON, every top-level member other than `version` must be an object (the reference
//!   silently ignores e.g. `{"K8sSpecInstaller": 5}`).
//!
//! Not reproduced: `$VAR` expansion in search directories (traitlets' `expand_path`), and the
//! hash-dependent order in which Python prints sets (written order is kept).

use std::fmt::Write as _;
use std::path::{Component, Path, PathBuf};

/// A value as written in a config file or a `--Class.trait=<python literal>` argument.
#[derive(Debug, Clone, PartialEq)]
pub enum ConfigValue {
    Str(String),
    Bool(bool),
    /// Canonical decimal digits (`-` for negatives, no leading zeros), any size.
    Int(String),
    Float(f64),
    None,
    /// A list; tuples are read as lists too (traitlets casts tuples for list and set traits).
    List(Vec<ConfigValue>),
    /// Items in written order, duplicates removed (Python equality).
    Set(Vec<ConfigValue>),
    /// Keys in first-written order; a repeated key keeps its first position and last value.
    Dict(Vec<(String, ConfigValue)>),
}

/// One `Class.trait = value` setting read from a file.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigEntry {
    pub class: String,
    pub name: String,
    pub value: ConfigValue,
    pub file: PathBuf,
    pub line: Option<usize>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {}: {source}", file.display())]
    Io { file: PathBuf, source: std::io::Error },
    #[error("config file not found: {}", file.display())]
    Missing { file: PathBuf },
    #[error("unsupported config file {}: expected a file named *.py or *.json", file.display())]
    Unsupported { file: PathBuf },
    #[error("invalid JSON in config file {}:{line}:{column}: {msg}", file.display())]
    Json { file: PathBuf, line: usize, column: usize, msg: String },
    #[error("unsupported Python in config file {}:{line}: {msg}", file.display())]
    Python { file: PathBuf, line: usize, msg: String },
}

/// A message for the installer's log, in the order the reference emits it.
#[derive(Debug, Clone, PartialEq)]
pub enum LogLine {
    Debug(String),
    /// May span several lines; the log formatter indents continuation lines.
    Warning(String),
}

/// Result of [`load`].
#[derive(Debug, Default)]
pub struct Loaded {
    /// Settings in application order: a later entry overrides an earlier one.
    pub entries: Vec<ConfigEntry>,
    /// Absolute paths of the files read, in order.
    pub files: Vec<PathBuf>,
    /// The debug and warning messages interleaved as the reference logs them (the collision
    /// warning comes right after the two files it is about).
    pub log: Vec<LogLine>,
}

impl Loaded {
    fn debug(&mut self, msg: String) {
        self.log.push(LogLine::Debug(msg));
    }

    fn warn(&mut self, msg: String) {
        self.log.push(LogLine::Warning(msg));
    }
}

const APP_CONFIG: &str = "jupyter_k8s_spec_config";
const BASE_CONFIG: &str = "jupyter_config";

/// Loads the installer's config files, lowest priority first.
///
/// `config_path` is the search path, highest priority first (the caller logs it first as
/// `Searching [...] for config files`). `explicit` is the `--config` value (empty = not given);
/// relative paths are taken against `cwd`.
pub fn load(config_path: &[PathBuf], explicit: Option<&Path>, cwd: &Path) -> Result<Loaded, ConfigError> {
    let mut out = Loaded::default();
    for dir in config_path.iter().rev() {
        load_stem(&mut out, BASE_CONFIG, dir, cwd)?;
    }
    match explicit.filter(|f| !f.as_os_str().is_empty()) {
        None => {
            for dir in config_path.iter().rev() {
                load_stem(&mut out, APP_CONFIG, dir, cwd)?;
            }
        }
        Some(file) => {
            let text = file.to_string_lossy();
            let (dir, name) = py_split(&text);
            let before = out.files.len();
            load_stem(&mut out, py_stem(name), Path::new(dir), cwd)?;
            if out.files.len() == before {
                let file = file.to_path_buf();
                return Err(if cwd.join(&file).exists() {
                    ConfigError::Unsupported { file }
                } else {
                    ConfigError::Missing { file }
                });
            }
        }
    }
    Ok(out)
}

/// Loads `<dir>/<stem>.py` then `<dir>/<stem>.json`, warning about values the JSON overrides.
fn load_stem(out: &mut Loaded, stem: &str, dir: &Path, cwd: &Path) -> Result<(), ConfigError> {
    let shown = if dir.as_os_str().is_empty() { cwd } else { dir };
    out.debug(format!("Looking for {stem} in {}", shown.display()));
    let mut earlier: Vec<(PathBuf, Vec<ConfigEntry>)> = Vec::new();
    for ext in ["py", "json"] {
        let path = cwd.join(dir).join(format!("{stem}.{ext}"));
        if !path.is_file() {
            continue;
        }
        let full = normalize(&path);
        let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Io { file: full.clone(), source })?;
        let entries = if ext == "py" { parse_py(&full, &text)? } else { parse_json(&full, &text)? };
        out.debug(format!("Loaded config file: {}", full.display()));
        if !entries.is_empty() {
            for (prev_file, prev) in &earlier {
                if let Some(dump) = collisions(prev, &entries) {
                    let (a, b) = (prev_file.display(), full.display());
                    out.warn(format!(
                        "Collisions detected in {a} and {b} config files. {b} has higher priority: {dump}"
                    ));
                }
            }
            earlier.push((full.clone(), entries.clone()));
        }
        out.entries.extend(entries);
        out.files.push(full);
    }
    Ok(())
}

/// The values of `earlier` that `later` overrides with a different value, as the reference
/// reports them: `json.dumps({"Class": {"trait": "<old> ignored, using <new>"}}, indent=2)`.
fn collisions(earlier: &[ConfigEntry], later: &[ConfigEntry]) -> Option<String> {
    let mut found: Vec<(&str, Vec<(&str, String)>)> = Vec::new();
    for class in classes(earlier) {
        for e in earlier.iter().filter(|e| e.class == class) {
            let Some(l) = later.iter().find(|l| l.class == class && l.name == e.name) else {
                continue;
            };
            if e.value.py_eq(&l.value) {
                continue;
            }
            let msg = format!("{} ignored, using {}", e.value.py_repr(), l.value.py_repr());
            match found.iter_mut().find(|(c, _)| *c == class) {
                Some((_, traits)) => traits.push((&e.name, msg)),
                None => found.push((class, vec![(&e.name, msg)])),
            }
        }
    }
    if found.is_empty() {
        return None;
    }
    let sections: Vec<String> = found
        .iter()
        .map(|(class, traits)| {
            let items: Vec<String> =
                traits.iter().map(|(k, v)| format!("    {}: {}", json_quote(k), json_quote(v))).collect();
            format!("  {}: {{\n{}\n  }}", json_quote(class), items.join(",\n"))
        })
        .collect();
    Some(format!("{{\n{}\n}}", sections.join(",\n")))
}

/// Class names in order of first appearance.
fn classes(entries: &[ConfigEntry]) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for e in entries {
        if !out.contains(&e.class.as_str()) {
            out.push(&e.class);
        }
    }
    out
}

/// Adds an entry; a repeated `Class.trait` keeps its first position and takes the new value.
fn upsert(entries: &mut Vec<ConfigEntry>, entry: ConfigEntry) {
    match entries.iter_mut().find(|e| e.class == entry.class && e.name == entry.name) {
        Some(e) => *e = entry,
        None => entries.push(entry),
    }
}

/// Python's `os.path.split` (POSIX): `("sub", "my.json")`, `("", "my.json")`, `("/", "x")`.
fn py_split(p: &str) -> (&str, &str) {
    let i = p.rfind('/').map_or(0, |i| i + 1);
    let (head, tail) = p.split_at(i);
    let trimmed = head.trim_end_matches('/');
    (if trimmed.is_empty() { head } else { trimmed }, tail)
}

/// Python's `os.path.splitext(name)[0]`: leading dots do not start an extension.
fn py_stem(name: &str) -> &str {
    match name.rfind('.') {
        Some(i) if name[..i].chars().any(|c| c != '.') => &name[..i],
        _ => name,
    }
}

/// Lexical absolute path like Python's `os.path.abspath` (`path` is already joined to the cwd).
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// traitlets' section test: a key is a class name when it starts with an upper-case (or
/// caseless) character and not with `_`.
fn is_section_key(key: &str) -> bool {
    match key.chars().next() {
        Some(c) => c != '_' && c.to_uppercase().eq(std::iter::once(c)),
        None => false,
    }
}

// ---------------------------------------------------------------------------------------------
// Values: Python equality and repr (used for the collision warning and by the installer for
// "expected an int, not the str 'abc'" style messages).

impl ConfigValue {
    /// Python's type name: `str`, `bool`, `int`, `float`, `NoneType`, `list`, `set`, `dict`.
    pub fn type_name(&self) -> &'static str {
        match self {
            ConfigValue::Str(_) => "str",
            ConfigValue::Bool(_) => "bool",
            ConfigValue::Int(_) => "int",
            ConfigValue::Float(_) => "float",
            ConfigValue::None => "NoneType",
            ConfigValue::List(_) => "list",
            ConfigValue::Set(_) => "set",
            ConfigValue::Dict(_) => "dict",
        }
    }

    /// Python's `repr()`. Sets keep written order (Python's order depends on string hashing).
    pub fn py_repr(&self) -> String {
        let join = |items: &[ConfigValue]| -> String {
            let v: Vec<String> = items.iter().map(|i| i.py_repr()).collect();
            v.join(", ")
        };
        match self {
            ConfigValue::Str(s) => crate::pyrepr::str_repr(s),
            ConfigValue::Bool(true) => "True".into(),
            ConfigValue::Bool(false) => "False".into(),
            ConfigValue::Int(s) => s.clone(),
            ConfigValue::Float(f) => py_float_repr(*f),
            ConfigValue::None => "None".into(),
            ConfigValue::List(items) => format!("[{}]", join(items)),
            ConfigValue::Set(items) if items.is_empty() => "set()".into(),
            ConfigValue::Set(items) => format!("{{{}}}", join(items)),
            ConfigValue::Dict(items) => {
                let v: Vec<String> =
                    items.iter().map(|(k, v)| format!("{}: {}", crate::pyrepr::str_repr(k), v.py_repr())).collect();
                format!("{{{}}}", v.join(", "))
            }
        }
    }

    /// Python's `==` (so `1 == 1.0 == True`, sets and dicts ignore order).
    pub fn py_eq(&self, other: &ConfigValue) -> bool {
        use ConfigValue::*;
        let all = |a: &[ConfigValue], b: &[ConfigValue]| a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.py_eq(y));
        match (self, other) {
            (Str(a), Str(b)) => a == b,
            (None, None) => true,
            (List(a), List(b)) => all(a, b),
            (Set(a), Set(b)) => a.len() == b.len() && a.iter().all(|x| b.iter().any(|y| x.py_eq(y))),
            (Dict(a), Dict(b)) => {
                a.len() == b.len() && a.iter().all(|(k, v)| b.iter().any(|(k2, v2)| k == k2 && v.py_eq(v2)))
            }
            (Int(a), Int(b)) => a == b,
            _ => match (self.as_number(), other.as_number()) {
                (Some(a), Some(b)) => a == b,
                _ => false,
            },
        }
    }

    /// Numeric value of a bool, int or float, for mixed comparisons.
    fn as_number(&self) -> Option<f64> {
        match self {
            ConfigValue::Bool(b) => Some(f64::from(u8::from(*b))),
            ConfigValue::Int(s) => s.parse().ok(),
            ConfigValue::Float(f) => Some(*f),
            _ => Option::None,
        }
    }
}

/// Python's `repr()` of a float: shortest round-trip digits, exponent form outside 1e-4..1e16.
fn py_float_repr(f: f64) -> String {
    if f.is_nan() {
        return "nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf" } else { "-inf" }.into();
    }
    let sci = format!("{:e}", f.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let n = digits.len() as i32;
    let sign = if f.is_sign_negative() { "-" } else { "" };
    let body = if (-4..16).contains(&exp) {
        if exp < 0 {
            format!("0.{}{digits}", "0".repeat((-exp - 1) as usize))
        } else if exp >= n - 1 {
            format!("{digits}{}.0", "0".repeat((exp - n + 1) as usize))
        } else {
            let (a, b) = digits.split_at(exp as usize + 1);
            format!("{a}.{b}")
        }
    } else {
        let (a, b) = digits.split_at(1);
        let dot = if b.is_empty() { String::new() } else { format!(".{b}") };
        let esign = if exp < 0 { '-' } else { '+' };
        format!("{a}{dot}e{esign}{:02}", exp.abs())
    };
    format!("{sign}{body}")
}

/// A JSON string as Python's `json.dumps` writes it (`ensure_ascii`).
fn json_quote(s: &str) -> String {
    let mut out = String::from('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            ' '..='~' => out.push(c),
            c => {
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
        }
    }
    out.push('"');
    out
}

/// Canonical decimal form of a run of decimal digits: no leading zeros.
fn canonical_int(digits: &str) -> String {
    let t = digits.trim_start_matches('0');
    if t.is_empty() { "0" } else { t }.to_string()
}

fn negate_int(s: &str) -> String {
    match s.strip_prefix('-') {
        Some(pos) => pos.to_string(),
        None if s == "0" => s.to_string(),
        None => format!("-{s}"),
    }
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
        let _ = write!(out, "{l:09}");
    }
    out
}

// ---------------------------------------------------------------------------------------------
// JSON

/// Parses a JSON config file: `{"Class": {"trait": value}, "version": 1}`.
pub fn parse_json(file: &Path, text: &str) -> Result<Vec<ConfigEntry>, ConfigError> {
    let mut p = Json { src: text, pos: 0, line: 1, line_start: 0 };
    let mut sections: Vec<(String, Vec<ConfigEntry>)> = Vec::new();
    let result = (|| {
        p.ws();
        if p.peek() != Some(b'{') {
            return Err(p.err("expected an object of configuration sections"));
        }
        p.members(&mut |p, key, _| {
            if key == "version" {
                let v = p.value()?;
                if !v.py_eq(&ConfigValue::Int("1".into())) {
                    return Err(p.err(&format!("unknown version of JSON config file: {}", v.py_repr())));
                }
                return Ok(());
            }
            p.ws();
            if p.peek() != Some(b'{') {
                let msg = format!("section {} must be an object of trait values", json_quote(&key));
                return Err(p.err(&msg));
            }
            let mut traits = Vec::new();
            p.members(&mut |p, name, line| {
                let value = p.value()?;
                let (class, file) = (key.clone(), file.to_path_buf());
                upsert(&mut traits, ConfigEntry { class, name, value, file, line: Some(line) });
                Ok(())
            })?;
            // Like a Python dict, a repeated section replaces the earlier one in place.
            match sections.iter_mut().find(|(k, _)| *k == key) {
                Some(slot) => slot.1 = traits,
                None => sections.push((key, traits)),
            }
            Ok(())
        })?;
        p.ws();
        if p.pos < p.src.len() {
            return Err(p.err("unexpected data after the JSON object"));
        }
        Ok(())
    })();
    match result {
        Ok(()) => Ok(sections.into_iter().flat_map(|(_, e)| e).collect()),
        Err((line, column, msg)) => Err(ConfigError::Json { file: file.to_path_buf(), line, column, msg }),
    }
}

type JsonErr = (usize, usize, String);

/// A strict JSON reader following Python's `json` module (which also accepts `NaN`,
/// `Infinity` and `-Infinity`); integers keep all their digits.
struct Json<'a> {
    src: &'a str,
    pos: usize,
    line: usize,
    line_start: usize,
}

impl Json<'_> {
    fn peek(&self) -> Option<u8> {
        self.src.as_bytes().get(self.pos).copied()
    }

    fn err(&self, msg: &str) -> JsonErr {
        let column = self.src[self.line_start..self.pos].chars().count() + 1;
        (self.line, column, msg.to_string())
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

    /// Reads `{ "key": <f reads the value>, ... }`; `f` gets the key and its line.
    fn members(&mut self, f: &mut dyn FnMut(&mut Self, String, usize) -> Result<(), JsonErr>) -> Result<(), JsonErr> {
        self.pos += 1; // '{'
        self.ws();
        if self.eat("}") {
            return Ok(());
        }
        loop {
            self.ws();
            if self.peek() != Some(b'"') {
                return Err(self.err("expected a property name in double quotes"));
            }
            let line = self.line;
            let key = self.string()?;
            self.ws();
            if !self.eat(":") {
                return Err(self.err("expected ':'"));
            }
            f(self, key, line)?;
            self.ws();
            if self.eat("}") {
                return Ok(());
            }
            if !self.eat(",") {
                return Err(self.err("expected ',' or '}'"));
            }
        }
    }

    fn value(&mut self) -> Result<ConfigValue, JsonErr> {
        self.ws();
        let Some(b) = self.peek() else {
            return Err(self.err("expected a value"));
        };
        let words = [
            ("true", ConfigValue::Bool(true)),
            ("false", ConfigValue::Bool(false)),
            ("null", ConfigValue::None),
            ("NaN", ConfigValue::Float(f64::NAN)),
            ("Infinity", ConfigValue::Float(f64::INFINITY)),
            ("-Infinity", ConfigValue::Float(f64::NEG_INFINITY)),
        ];
        for (word, value) in words {
            if self.eat(word) {
                return Ok(value);
            }
        }
        match b {
            b'{' => {
                let mut items: Vec<(String, ConfigValue)> = Vec::new();
                self.members(&mut |p, key, _| {
                    let v = p.value()?;
                    match items.iter_mut().find(|(k, _)| *k == key) {
                        Some(slot) => slot.1 = v,
                        None => items.push((key, v)),
                    }
                    Ok(())
                })?;
                Ok(ConfigValue::Dict(items))
            }
            b'[' => {
                self.pos += 1;
                self.ws();
                let mut items = Vec::new();
                if self.eat("]") {
                    return Ok(ConfigValue::List(items));
                }
                loop {
                    items.push(self.value()?);
                    self.ws();
                    if self.eat("]") {
                        return Ok(ConfigValue::List(items));
                    }
                    if !self.eat(",") {
                        return Err(self.err("expected ',' or ']'"));
                    }
                }
            }
            b'"' => Ok(ConfigValue::Str(self.string()?)),
            b'-' | b'0'..=b'9' => self.number(),
            _ => Err(self.err("expected a value")),
        }
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?`
    fn number(&mut self) -> Result<ConfigValue, JsonErr> {
        let start = self.pos;
        let digits = |p: &mut Self| {
            let s = p.pos;
            while p.peek().is_some_and(|b| b.is_ascii_digit()) {
                p.pos += 1;
            }
            p.pos - s
        };
        let negative = self.eat("-");
        let int_start = self.pos;
        if self.eat("0") {
        } else if digits(self) == 0 {
            return Err(self.err("expected a value"));
        }
        let int_digits = &self.src[int_start..self.pos];
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
            let f = self.src[start..self.pos].parse().unwrap_or(f64::NAN);
            return Ok(ConfigValue::Float(f));
        }
        let int = canonical_int(int_digits);
        Ok(ConfigValue::Int(if negative { negate_int(&int) } else { int }))
    }

    fn string(&mut self) -> Result<String, JsonErr> {
        let start_line = (self.line, self.pos);
        self.pos += 1; // '"'
        let mut out = String::new();
        loop {
            let rest = &self.src[self.pos..];
            let run = rest.find(|c: char| c == '"' || c == '\\' || c < ' ').unwrap_or(rest.len());
            out.push_str(&rest[..run]);
            self.pos += run;
            match self.peek() {
                None => {
                    self.pos = start_line.1;
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
                            out.push(self.unicode_escape()?);
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

    /// The `XXXX` of `\uXXXX` (just after the `u`), joining a surrogate pair.
    fn unicode_escape(&mut self) -> Result<char, JsonErr> {
        let hex4 = |p: &mut Self| -> Option<u32> {
            let h = p.src.get(p.pos..p.pos + 4)?;
            let v = if h.bytes().all(|b| b.is_ascii_hexdigit()) {
                u32::from_str_radix(h, 16).ok()?
            } else {
                return None;
            };
            p.pos += 4;
            Some(v)
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
                    return char::from_u32(c).ok_or_else(|| self.err("invalid \\uXXXX escape"));
                }
                _ => self.pos = save,
            }
        }
        char::from_u32(hi).ok_or_else(|| self.err("unpaired surrogate in \\uXXXX escape"))
    }
}

// ---------------------------------------------------------------------------------------------
// Python: a tokenizer for the subset, then statement and literal parsers.

/// Parses a Python config file made of literal assignments `c.Class.trait = <literal>`, plus
/// blank lines, comments, docstrings and `c = get_config()`.
pub fn parse_py(file: &Path, text: &str) -> Result<Vec<ConfigEntry>, ConfigError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let fail = |line: usize, msg: String| ConfigError::Python { file: file.to_path_buf(), line, msg };
    let (toks, lex_err) = tokenize(text, false);
    // Statements completed before a syntax error are checked first, so that the error
    // reported is the earliest one (e.g. the `if` rather than the indented block after it).
    let complete = match lex_err {
        Some(_) => toks.iter().rposition(|t| t.tok == Tok::Newline).map_or(0, |i| i + 1),
        None => toks.len(),
    };
    let mut entries = Vec::new();
    for stmt in toks[..complete].split(|t| matches!(t.tok, Tok::Newline | Tok::Eof | Tok::Op(";"))) {
        let Some(first) = stmt.first() else { continue };
        let excerpt = excerpt(text, stmt);
        match assignment(stmt) {
            Shape::Skip => {}
            Shape::Other => {
                return Err(fail(
                    first.line,
                    format!("`{excerpt}`: only `c.Class.trait = <literal>` assignments are supported"),
                ))
            }
            Shape::Bad(line, msg) => return Err(fail(line, format!("`{excerpt}`: {msg}"))),
            Shape::Assign(class, name, value_toks) => {
                let value = parse_value(text, value_toks, first.line)
                    .map_err(|(line, msg)| fail(line, format!("`{excerpt}`: {msg}")))?;
                let (class, name) = (class.to_string(), name.to_string());
                let (file, line) = (file.to_path_buf(), Some(first.line));
                upsert(&mut entries, ConfigEntry { class, name, value, file, line });
            }
        }
    }
    if let Some((line, msg)) = lex_err {
        return Err(fail(line, format!("syntax error: {msg}")));
    }
    Ok(entries)
}

/// Parses a Python literal as `ast.literal_eval` would, limited to strings, numbers,
/// `True`/`False`/`None` and lists, tuples, sets (`set()`) and dicts of them.
pub fn parse_python_literal(text: &str) -> Result<ConfigValue, String> {
    let (toks, lex_err) = tokenize(text, true);
    if let Some((_, msg)) = lex_err {
        return Err(format!("syntax error: {msg}"));
    }
    let end = toks.iter().rposition(|t| !matches!(t.tok, Tok::Newline | Tok::Eof)).map_or(0, |i| i + 1);
    let line = toks.last().map_or(1, |t| t.line);
    parse_value(text, &toks[..end], line).map_err(|(_, msg)| msg)
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Name(String),
    Int(String),
    Float(f64),
    Str(String),
    Bytes,
    FString,
    Imaginary,
    Op(&'static str),
    Newline,
    Eof,
}

#[derive(Debug)]
struct Token {
    tok: Tok,
    line: usize,
    start: usize,
    end: usize,
}

type PyErr = (usize, String);

const OPS: [&str; 47] = [
    "**=", "//=", ">>=", "<<=", "...", "->", ":=", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "@=", "**", "//",
    "<<", ">>", "<=", ">=", "==", "!=", "(", ")", "[", "]", "{", "}", ",", ":", ".", ";", "=", "+", "-", "*", "/", "%",
    "&", "|", "^", "~", "<", ">", "@",
];

const KEYWORDS: [&str; 35] = [
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del",
    "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda", "nonlocal",
    "not", "or", "pass", "raise", "return", "try", "while", "with", "yield",
];

/// Splits Python source into tokens; `Newline` ends each logical line (never inside brackets).
/// `expr_mode` (for `literal_eval`-style input) allows leading indentation.
/// On a syntax error, also returns the tokens read before it.
fn tokenize(src: &str, expr_mode: bool) -> (Vec<Token>, Option<PyErr>) {
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
                // Only top-level statements exist in the subset; indentation means a block.
                if !matches!(self.peek(), None | Some('#' | '\n' | '\r' | '\\')) {
                    return Err((self.line, "unexpected indent".into()));
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
                        if self.toks.last().is_some_and(|t| t.tok != Tok::Newline) {
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
        if self.toks.last().is_some_and(|t| t.tok != Tok::Newline) {
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
            Tok::Bytes
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
        match char::from_u32(code) {
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
            Tok::Imaginary
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

enum Shape<'t> {
    Skip,
    Assign(&'t str, &'t str, &'t [Token]),
    Bad(usize, String),
    Other,
}

/// Classifies one statement of a config file.
fn assignment(stmt: &[Token]) -> Shape<'_> {
    let name = |i: usize| match stmt.get(i).map(|t| &t.tok) {
        Some(Tok::Name(n)) => Some(n.as_str()),
        _ => None,
    };
    let op = |i: usize, o: &str| matches!(stmt.get(i).map(|t| &t.tok), Some(Tok::Op(x)) if *x == o);
    if stmt.iter().all(|t| matches!(t.tok, Tok::Str(_))) {
        return Shape::Skip; // a docstring
    }
    if stmt.len() == 5
        && name(0) == Some("c")
        && op(1, "=")
        && name(2) == Some("get_config")
        && op(3, "(")
        && op(4, ")")
    {
        return Shape::Skip;
    }
    let (Some("c"), true, Some(class), true, Some(trait_name), true) =
        (name(0), op(1, "."), name(2), op(3, "."), name(4), op(5, "="))
    else {
        return Shape::Other;
    };
    let line = stmt[0].line;
    if KEYWORDS.contains(&class) || KEYWORDS.contains(&trait_name) {
        return Shape::Bad(line, "invalid syntax".into());
    }
    if class.starts_with('_') {
        return Shape::Bad(line, format!("`{class}` is not a configurable class name"));
    }
    if is_section_key(trait_name) {
        return Shape::Bad(
            line,
            format!("`{trait_name}` starts with an upper-case letter, which traitlets reserves for sections; only values of lower-case traits can be assigned"),
        );
    }
    Shape::Assign(class, trait_name, &stmt[6..])
}

/// The source of a statement on one line, shortened for messages.
fn excerpt(src: &str, stmt: &[Token]) -> String {
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

/// Parses tokens holding exactly one value (a bare `a, b` is a tuple, as in Python: read as a list).
fn parse_value(src: &str, toks: &[Token], end_line: usize) -> Result<ConfigValue, PyErr> {
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
        ConfigValue::List(items)
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

    fn expr(&mut self) -> Result<ConfigValue, PyErr> {
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
                        let s = if negative { negate_int(s) } else { s.clone() };
                        self.i += 1;
                        ConfigValue::Int(s)
                    }
                    Some(Tok::Float(f)) => {
                        let f = if negative { -f } else { *f };
                        self.i += 1;
                        ConfigValue::Float(f)
                    }
                    _ => return Err((line, format!("`{sign}` may only precede a number"))),
                }
            }
            Tok::Int(s) => ConfigValue::Int(s.clone()),
            Tok::Float(f) => ConfigValue::Float(*f),
            Tok::Str(s) => {
                let mut s = s.clone();
                while let Some(Tok::Str(more)) = self.peek() {
                    s.push_str(more);
                    self.i += 1;
                }
                if let Some(t @ Token { tok: Tok::Bytes | Tok::FString, .. }) = self.toks.get(self.i) {
                    return Err(self.unexpected(t));
                }
                ConfigValue::Str(s)
            }
            Tok::Bytes => return Err((line, "bytes literals are not supported".into())),
            Tok::FString => return Err((line, "f-strings are not supported".into())),
            Tok::Imaginary => return Err((line, "complex numbers are not supported".into())),
            Tok::Name(n) => match n.as_str() {
                "True" => ConfigValue::Bool(true),
                "False" => ConfigValue::Bool(false),
                "None" => ConfigValue::None,
                "set" if self.eat("(") => {
                    self.expect(")")?;
                    ConfigValue::Set(Vec::new())
                }
                _ => return Err((line, format!("`{n}` is not a literal value"))),
            },
            Tok::Op("[") => ConfigValue::List(self.items("]")?),
            Tok::Op("(") => {
                if self.eat(")") {
                    return Ok(ConfigValue::List(Vec::new()));
                }
                let first = self.expr()?;
                if self.eat(")") {
                    return Ok(first); // just parentheses
                }
                self.expect(",")?;
                let mut items = vec![first];
                items.extend(self.items(")")?);
                ConfigValue::List(items)
            }
            Tok::Op("{") => self.braces(line)?,
            _ => return Err(self.unexpected(t)),
        };
        Ok(v)
    }

    /// Comma-separated values up to `close` (a trailing comma is allowed).
    fn items(&mut self, close: &str) -> Result<Vec<ConfigValue>, PyErr> {
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
    fn braces(&mut self, line: usize) -> Result<ConfigValue, PyErr> {
        if self.eat("}") {
            return Ok(ConfigValue::Dict(Vec::new()));
        }
        let first_line = self.toks.get(self.i).map_or(line, |t| t.line);
        let first = self.expr()?;
        if self.eat(":") {
            let mut items: Vec<(String, ConfigValue)> = Vec::new();
            let mut key = (first, first_line);
            loop {
                let ConfigValue::Str(k) = key.0 else {
                    return Err((key.1, format!("dict keys must be strings, not {}", key.0.type_name())));
                };
                let v = self.expr()?;
                match items.iter_mut().find(|(k2, _)| *k2 == k) {
                    Some(slot) => slot.1 = v,
                    None => items.push((k, v)),
                }
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
            return Ok(ConfigValue::Dict(items));
        }
        let mut items = vec![first];
        if !self.eat("}") {
            self.expect(",")?;
            items.extend(self.items("}")?);
        }
        let mut set: Vec<ConfigValue> = Vec::new();
        for item in items {
            if matches!(item, ConfigValue::List(_) | ConfigValue::Set(_) | ConfigValue::Dict(_)) {
                return Err((line, "sets of lists, tuples, sets or dicts are not supported".into()));
            }
            if !set.iter().any(|s| s.py_eq(&item)) {
                set.push(item);
            }
        }
        Ok(ConfigValue::Set(set))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ConfigValue::{Bool, Dict, Float, Int, List, Set, Str};

    fn s(v: &str) -> ConfigValue {
        Str(v.to_string())
    }

    fn int(v: &str) -> ConfigValue {
        Int(v.to_string())
    }

    #[test]
    fn literals_valid() {
        let cases: Vec<(&str, ConfigValue)> = vec![
            ("'abc'", s("abc")),
            ("\"a\\\"b\"", s("a\"b")),
            (r"'\n\t\\\x41\u00e9\101\U0001F600\q'", s("\n\t\\Aé\u{41}\u{1F600}\\q")),
            (r"r'a\nb\''", s("a\\nb\\'")),
            ("'''multi\nline'''", s("multi\nline")),
            ("\"\"\"x\"y\"\"\"", s("x\"y")),
            ("'a' \"b\" u'c'", s("abc")),
            ("'a\\\nb'", s("ab")),
            ("True", Bool(true)),
            ("False", Bool(false)),
            ("None", ConfigValue::None),
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
            ("1.5", Float(1.5)),
            ("-2e3", Float(-2000.0)),
            (".5", Float(0.5)),
            ("5.", Float(5.0)),
            ("1_0.0_1E+1", Float(100.1)),
            ("[]", List(vec![])),
            ("['a', 'b',]", List(vec![s("a"), s("b")])),
            ("('a',)", List(vec![s("a")])),
            ("('a')", s("a")),
            ("()", List(vec![])),
            ("'a', 'b'", List(vec![s("a"), s("b")])),
            ("{'a', 'b', 'a'}", Set(vec![s("a"), s("b")])),
            ("{1, True, 1.0}", Set(vec![int("1")])),
            ("set()", Set(vec![])),
            ("{}", Dict(vec![])),
            ("{'k': 1, 'k': 2, 'j': [1]}", Dict(vec![("k".into(), int("2")), ("j".into(), List(vec![int("1")]))])),
            ("[\n  'a',  # first\n  'b'\n]  # done\n", List(vec![s("a"), s("b")])),
            ("  ['a']", List(vec![s("a")])),
            (
                "[['a'], ('b',), {'c'}, {'d': None}]",
                List(vec![
                    List(vec![s("a")]),
                    List(vec![s("b")]),
                    Set(vec![s("c")]),
                    Dict(vec![("d".into(), ConfigValue::None)]),
                ]),
            ),
        ];
        for (text, want) in cases {
            assert_eq!(parse_python_literal(text), Ok(want), "{text:?}");
        }
    }

    #[test]
    fn literals_invalid() {
        let only = "; only literal values are supported";
        let cases: Vec<(&str, String)> = vec![
            ("a", "`a` is not a literal value".into()),
            ("[a, b]", "`a` is not a literal value".into()),
            ("alice,bob", "`alice` is not a literal value".into()),
            ("'a' + 'b'", format!("unexpected `+`{only}")),
            ("['a'][0]", format!("unexpected `[`{only}")),
            ("'x'.upper()", format!("unexpected `.`{only}")),
            ("set(['a'])", format!("unexpected `[`{only}")),
            ("1\n2", format!("unexpected line break{only}")),
            ("f'x'", "f-strings are not supported".into()),
            ("'a' f'x'", format!("unexpected `f'x'`{only}")),
            ("b'x'", "bytes literals are not supported".into()),
            ("1j", "complex numbers are not supported".into()),
            ("", "expected a value".into()),
            ("-'a'", "`-` may only precede a number".into()),
            ("--1", "`-` may only precede a number".into()),
            ("{1: 'a'}", "dict keys must be strings, not int".into()),
            ("{'a': 1, 2: 'b'}", "dict keys must be strings, not int".into()),
            ("{['a']}", "sets of lists, tuples, sets or dicts are not supported".into()),
            ("{('a',)}", "sets of lists, tuples, sets or dicts are not supported".into()),
            ("'abc", "syntax error: unterminated string literal".into()),
            ("'''abc", "syntax error: unterminated triple-quoted string literal".into()),
            ("[1,", "syntax error: '[' was never closed".into()),
            ("[1]]", "syntax error: unmatched ']'".into()),
            ("(1]", "syntax error: closing parenthesis ']' does not match opening parenthesis '('".into()),
            ("012", "syntax error: leading zeros in decimal integer literals are not permitted".into()),
            ("1_", "syntax error: invalid decimal literal".into()),
            ("1__0", "syntax error: invalid decimal literal".into()),
            ("0x", "syntax error: invalid hexadecimal literal".into()),
            ("0b2", "syntax error: invalid binary literal".into()),
            (r"'\N{DASH}'", "syntax error: \\N{...} escapes are not supported".into()),
            (r"'\x4'", "syntax error: truncated \\xXX escape".into()),
            (r"'\ud800'", "syntax error: unsupported character escape U+D800".into()),
            ("$", "syntax error: invalid character '$'".into()),
            ("1 \\ 2", "syntax error: unexpected character after line continuation character".into()),
        ];
        for (text, want) in cases {
            assert_eq!(parse_python_literal(text), Err(want), "{text:?}");
        }
    }

    fn entry(class: &str, name: &str, value: ConfigValue, file: &Path, line: usize) -> ConfigEntry {
        ConfigEntry { class: class.into(), name: name.into(), value, file: file.into(), line: Some(line) }
    }

    #[test]
    fn py_file() {
        let text = "\u{feff}\"\"\"Settings for tests.\"\"\"
# comment
c = get_config()  # noqa

c.K8sSpecInstaller.image_name = \"img:1\"  # trailing 'comment'
c.K8sSpecInstaller.authorized_users = {'alice', \"bob\"}
c.BaseSpecApp.launch_timeout = 60
c.K8sSpecInstaller.spark = True; c.Application.log_level = 'DEBUG';
c.K8sSpecInstaller.unauthorized_users = [
    'root',   # admins
    'daemon',
]
c.K8sSpecInstaller.display_name = ('Python '
                                   \"on # K8s\")
c.K8sSpecInstaller.port_range = None
c.K8sSpecInstaller.image_name = r'img:\\2'
c.K8sSpecInstaller.extra_spark_opts = '''--conf a=b
--conf c=d'''
c.BaseSpecApp.language = \\
    'python'
";
        let f = Path::new("/x/c.py");
        let got = parse_py(f, text).unwrap();
        let want = vec![
            entry("K8sSpecInstaller", "image_name", s("img:\\2"), f, 16),
            entry("K8sSpecInstaller", "authorized_users", Set(vec![s("alice"), s("bob")]), f, 6),
            entry("BaseSpecApp", "launch_timeout", int("60"), f, 7),
            entry("K8sSpecInstaller", "spark", Bool(true), f, 8),
            entry("Application", "log_level", s("DEBUG"), f, 8),
            entry("K8sSpecInstaller", "unauthorized_users", List(vec![s("root"), s("daemon")]), f, 9),
            entry("K8sSpecInstaller", "display_name", s("Python on # K8s"), f, 13),
            entry("K8sSpecInstaller", "port_range", ConfigValue::None, f, 15),
            entry("K8sSpecInstaller", "extra_spark_opts", s("--conf a=b\n--conf c=d"), f, 17),
            entry("BaseSpecApp", "language", s("python"), f, 19),
        ];
        assert_eq!(got, want);
        assert_eq!(parse_py(f, "").unwrap(), vec![]);
        assert_eq!(parse_py(f, "# only comments\n\n   # indented comment\n").unwrap(), vec![]);
        // CRLF line ends
        let crlf = parse_py(f, "c = get_config()\r\nc.A.b = [\r\n 1]\r\nc.A.d = 2\r\n").unwrap();
        assert_eq!(crlf, vec![entry("A", "b", List(vec![int("1")]), f, 2), entry("A", "d", int("2"), f, 4)]);
    }

    #[test]
    fn py_file_errors() {
        let f = Path::new("/x/c.py");
        let only = "only `c.Class.trait = <literal>` assignments are supported";
        let pre = "unsupported Python in config file /x/c.py";
        let cases: Vec<(&str, String)> = vec![
            ("import os\n", format!("{pre}:1: `import os`: {only}")),
            ("c.A.b = 1\nc.A.b += [2]\n", format!("{pre}:2: `c.A.b += [2]`: {only}")),
            (
                "c.K8sSpecInstaller.image_name = os.environ['IMG']",
                format!("{pre}:1: `c.K8sSpecInstaller.image_name = os.environ['IMG']`: `os` is not a literal value"),
            ),
            (
                "c.A.b = [\n  'a',\n  x,\n]\n",
                format!("{pre}:3: `c.A.b = [ 'a', x, ]`: `x` is not a literal value"),
            ),
            ("if True:\n    c.A.b = 1\n", format!("{pre}:1: `if True:`: {only}")),
            ("c.A.b = 1\n  c.A.d = 2\n", format!("{pre}:2: syntax error: unexpected indent")),
            ("c.A.b = f'{x}'", format!("{pre}:1: `c.A.b = f'{{x}}'`: f-strings are not supported")),
            (
                "c.A.Foo = 1",
                format!("{pre}:1: `c.A.Foo = 1`: `Foo` starts with an upper-case letter, which traitlets reserves for sections; only values of lower-case traits can be assigned"),
            ),
            ("c._A.b = 1", format!("{pre}:1: `c._A.b = 1`: `_A` is not a configurable class name")),
            ("c.A.import = 1", format!("{pre}:1: `c.A.import = 1`: invalid syntax")),
            ("c.A.b = c.A.d = 1", format!("{pre}:1: `c.A.b = c.A.d = 1`: `c` is not a literal value")),
            ("c.A.b =", format!("{pre}:1: `c.A.b =`: expected a value")),
            ("c.A.b = 1 if x else 2", format!("{pre}:1: `c.A.b = 1 if x else 2`: unexpected `if`; only literal values are supported")),
            ("c.A.b = 60 * 5", format!("{pre}:1: `c.A.b = 60 * 5`: unexpected `*`; only literal values are supported")),
            ("c.A.b = 'x\n", format!("{pre}:1: syntax error: unterminated string literal")),
            ("\n\nc.A.b = '''x\n\n", format!("{pre}:3: syntax error: unterminated triple-quoted string literal")),
            ("c.A.b = (1,\n2\n", format!("{pre}:1: syntax error: '(' was never closed")),
            ("load_subconfig('other.py')", format!("{pre}:1: `load_subconfig('other.py')`: {only}")),
            ("c = get_config()\nc = 5\n", format!("{pre}:2: `c = 5`: {only}")),
            ("c.A.b.append('x')", format!("{pre}:1: `c.A.b.append('x')`: {only}")),
            ("c.A = {'b': 1}", format!("{pre}:1: `c.A = {{'b': 1}}`: {only}")),
            ("c.A.b = 1; x = 2", format!("{pre}:1: `x = 2`: {only}")),
            (
                "c.A.b = ['a very long list of things', 'that does not fit', 'in a message', undefined_name]",
                format!("{pre}:1: `c.A.b = ['a very long list of things', 'that does not fit', 'in a message', u...`: `undefined_name` is not a literal value"),
            ),
        ];
        for (text, want) in cases {
            let err = parse_py(f, text).unwrap_err();
            assert!(matches!(err, ConfigError::Python { .. }), "{text:?}");
            assert_eq!(err.to_string(), want, "{text:?}");
        }
    }

    #[test]
    fn json_file() {
        let text = r#"{
  "version": 1,
  "Gone": {"x": 1},
  "K8sSpecInstaller": {
    "image_name": "img:1",
    "authorized_users": ["a", "b"],
    "launch_timeout": 99999999999999999999,
    "spark": true,
    "port_range": null,
    "x": 1.5,
    "y": -0,
    "z": [1e2, NaN, -Infinity],
    "logging_config": {"a": {"b": 2}, "a": {"c": 3}},
    "image_name": "img:2"
  },
  "BaseSpecApp": {"display_name": "\u00e9\ud83d\ude00\n\/"},
  "Gone": {"kept": "last section wins"}
}"#;
        let f = Path::new("/x/c.json");
        let got = parse_json(f, text).unwrap();
        let want = vec![
            entry("Gone", "kept", s("last section wins"), f, 17),
            entry("K8sSpecInstaller", "image_name", s("img:2"), f, 14),
            entry("K8sSpecInstaller", "authorized_users", List(vec![s("a"), s("b")]), f, 6),
            entry("K8sSpecInstaller", "launch_timeout", int("99999999999999999999"), f, 7),
            entry("K8sSpecInstaller", "spark", Bool(true), f, 8),
            entry("K8sSpecInstaller", "port_range", ConfigValue::None, f, 9),
            entry("K8sSpecInstaller", "x", Float(1.5), f, 10),
            entry("K8sSpecInstaller", "y", int("0"), f, 11),
            entry("K8sSpecInstaller", "z", List(vec![]), f, 12), // replaced below (NaN != NaN)
            entry(
                "K8sSpecInstaller",
                "logging_config",
                Dict(vec![("a".into(), Dict(vec![("c".into(), int("3"))]))]),
                f,
                13,
            ),
            entry("BaseSpecApp", "display_name", s("é\u{1F600}\n/"), f, 16),
        ];
        assert_eq!(got.len(), want.len());
        for (g, w) in got.iter().zip(&want) {
            if w.name == "z" {
                assert_eq!(g.value.py_repr(), "[100.0, nan, -inf]");
                assert_eq!(g.line, Some(12));
            } else {
                assert_eq!(g, w);
            }
        }
        assert_eq!(parse_json(f, "{}").unwrap(), vec![]);
        assert_eq!(parse_json(f, " {\"version\": 1.0, \"A\": {}}\n").unwrap(), vec![]);
    }

    #[test]
    fn json_file_errors() {
        let f = Path::new("/x/c.json");
        let pre = "invalid JSON in config file /x/c.json";
        let cases: Vec<(&str, String)> = vec![
            ("", format!("{pre}:1:1: expected an object of configuration sections")),
            ("[1]", format!("{pre}:1:1: expected an object of configuration sections")),
            ("\u{feff}{}", format!("{pre}:1:1: expected an object of configuration sections")),
            ("{\"A\": 5}", format!("{pre}:1:7: section \"A\" must be an object of trait values")),
            ("{\"version\": 2}", format!("{pre}:1:14: unknown version of JSON config file: 2")),
            ("{\"A\": {\"b\": 1,}}", format!("{pre}:1:15: expected a property name in double quotes")),
            ("{\"A\": {\"b\": 01}}", format!("{pre}:1:14: expected ',' or '}}'")),
            ("{\"A\": {\"b\": [1 2]}}", format!("{pre}:1:16: expected ',' or ']'")),
            ("{\"A\": {\"b\" 1}}", format!("{pre}:1:12: expected ':'")),
            ("{\"A\": {\"b\": \"x\ny\"}}", format!("{pre}:1:15: invalid control character in string")),
            ("{\"A\": {}} x", format!("{pre}:1:11: unexpected data after the JSON object")),
            ("{\"A\": {\"b\": 'x'}}", format!("{pre}:1:13: expected a value")),
            ("{\n  \"A\": {\n    \"b\": tru\n  }\n}", format!("{pre}:3:10: expected a value")),
            ("{\"A\": {\"b\": \"\\q\"}}", format!("{pre}:1:15: invalid \\escape")),
            ("{\"A\": {\"b\": \"\\u12\"}}", format!("{pre}:1:16: invalid \\uXXXX escape")),
            ("{\"A\": {\"b\": \"\\udc00\"}}", format!("{pre}:1:20: unpaired surrogate in \\uXXXX escape")),
            ("{\"A\": {\"b\": \"abc", format!("{pre}:1:13: unterminated string")),
            ("{\"A\": {\"b\": 1}", format!("{pre}:1:15: expected ',' or '}}'")),
            ("{\"A\": {\"b\": -}}", format!("{pre}:1:14: expected a value")),
        ];
        for (text, want) in cases {
            let err = parse_json(f, text).unwrap_err();
            assert!(matches!(err, ConfigError::Json { .. }), "{text:?}");
            assert_eq!(err.to_string(), want, "{text:?}");
        }
    }

    #[test]
    fn reprs() {
        let cases: Vec<(ConfigValue, &str)> = vec![
            (s("a'b"), "\"a'b\""),
            (s("a\"b"), "'a\"b'"),
            (s("a'\"b"), "'a\\'\"b'"),
            (
                s("\x7f\u{80}\u{a0}\u{ad} é\u{2028}\u{1F600}\\\n\t\r"),
                "'\\x7f\\x80\\xa0\\xad é\\u2028\u{1F600}\\\\\\n\\t\\r'",
            ),
            (Bool(true), "True"),
            (ConfigValue::None, "None"),
            (int("-12"), "-12"),
            (Float(1e16), "1e+16"),
            (Float(1e15), "1000000000000000.0"),
            (Float(0.0001), "0.0001"),
            (Float(0.00001), "1e-05"),
            (Float(-0.0), "-0.0"),
            (Float(1.5e300), "1.5e+300"),
            (Float(123.456), "123.456"),
            (Float(f64::INFINITY), "inf"),
            (List(vec![s("x"), s("é")]), "['x', 'é']"),
            (Set(vec![]), "set()"),
            (Set(vec![s("a"), s("b")]), "{'a', 'b'}"),
            (Dict(vec![("k".into(), List(vec![]))]), "{'k': []}"),
        ];
        for (v, want) in cases {
            assert_eq!(v.py_repr(), want);
        }
        assert_eq!(json_quote("\"é\u{1F600}\\\u{1}\u{7f}"), "\"\\\"\\u00e9\\ud83d\\ude00\\\\\\u0001\\u007f\"");
    }

    #[test]
    fn python_equality() {
        assert!(int("1").py_eq(&Bool(true)));
        assert!(Float(1.0).py_eq(&int("1")));
        assert!(!s("1").py_eq(&int("1")));
        assert!(Set(vec![s("a"), s("b")]).py_eq(&Set(vec![s("b"), s("a")])));
        assert!(!Set(vec![s("a")]).py_eq(&List(vec![s("a")])));
        assert!(Dict(vec![("a".into(), int("1")), ("b".into(), int("2"))])
            .py_eq(&Dict(vec![("b".into(), int("2")), ("a".into(), Bool(true))])));
        assert!(!Float(f64::NAN).py_eq(&Float(f64::NAN)));
        assert_eq!(Set(vec![]).type_name(), "set");
        assert_eq!(ConfigValue::None.type_name(), "NoneType");
    }

    #[test]
    fn path_helpers() {
        assert_eq!(py_split("sub/my.json"), ("sub", "my.json"));
        assert_eq!(py_split("my.json"), ("", "my.json"));
        assert_eq!(py_split("/my.json"), ("/", "my.json"));
        assert_eq!(py_split("a//b"), ("a", "b"));
        assert_eq!(py_split("dir/"), ("dir", ""));
        assert_eq!(py_stem("my.json"), "my");
        assert_eq!(py_stem("my.tar.gz"), "my.tar");
        assert_eq!(py_stem("my"), "my");
        assert_eq!(py_stem(".hidden"), ".hidden");
        assert_eq!(py_stem("..x"), "..x");
        assert_eq!(py_stem("a."), "a");
        assert_eq!(normalize(Path::new("/a/./b/../c//d")), PathBuf::from("/a/c/d"));
        assert_eq!(normalize(Path::new("/../a")), PathBuf::from("/a"));
        assert_eq!(radix_to_decimal("0", 16), "0");
        assert_eq!(radix_to_decimal("3b9aca00", 16), "1000000000");
        assert!(is_section_key("K8sSpecInstaller"));
        assert!(!is_section_key("image_name"));
        assert!(!is_section_key("_Private"));
        assert!(!is_section_key(""));
    }

    // --- load() ---

    fn write(path: &Path, text: &str) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    /// The ordered log as `D ...`/`W ...` lines.
    fn debug_lines(loaded: &Loaded) -> Vec<String> {
        loaded
            .log
            .iter()
            .map(|l| match l {
                LogLine::Debug(m) => format!("D {m}"),
                LogLine::Warning(m) => format!("W {m}"),
            })
            .collect()
    }

    fn summary(loaded: &Loaded) -> Vec<String> {
        loaded
            .entries
            .iter()
            .map(|e| format!("{}.{}={} @{}", e.class, e.name, e.value.py_repr(), e.file.display()))
            .collect()
    }

    #[test]
    fn load_search_path_order_and_collisions() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        let (a, b, c) = (root.join("a"), root.join("b"), root.join("c"));
        std::fs::create_dir_all(&b).unwrap();
        write(&c.join("jupyter_config.json"), r#"{"K8sSpecInstaller": {"image_name": "c"}}"#);
        write(
            &a.join("jupyter_config.py"),
            "c.K8sSpecInstaller.image_name = \"a'b\"\nc.BaseSpecApp.launch_timeout = 1\n\
             c.K8sSpecInstaller.authorized_users = ['x', 'é']\nc.BaseSpecApp.display_name = 'same'\n\
             c.BaseSpecApp.port_range = '1..2'\nc.K8sSpecInstaller.spark = True\n",
        );
        write(
            &a.join("jupyter_config.json"),
            r#"{"BaseSpecApp": {"port_range": "3..4", "launch_timeout": true, "display_name": "same"},
                "K8sSpecInstaller": {"spark": 1, "authorized_users": ["x"], "image_name": null}}"#,
        );
        write(&b.join("jupyter_k8s_spec_config.py"), "c.K8sSpecInstaller.display_name = 'b'\n");
        write(&a.join("jupyter_k8s_spec_config.json"), r#"{"K8sSpecInstaller": {"display_name": "a"}}"#);
        // Not a config file name, and a directory where a file is expected: both ignored.
        write(&a.join("jupyter_k8s-spec_config.py"), "this is not read");
        std::fs::create_dir_all(c.join("jupyter_k8s_spec_config.py")).unwrap();

        let path = vec![a.clone(), b.clone(), c.clone()];
        let loaded = load(&path, None, Path::new("/nonexistent")).unwrap();
        let (a, b, c) = (a.display(), b.display(), c.display());
        let want_log = vec![
            format!("D Looking for jupyter_config in {c}"),
            format!("D Loaded config file: {c}/jupyter_config.json"),
            format!("D Looking for jupyter_config in {b}"),
            format!("D Looking for jupyter_config in {a}"),
            format!("D Loaded config file: {a}/jupyter_config.py"),
            format!("D Loaded config file: {a}/jupyter_config.json"),
            format!(
                "W Collisions detected in {a}/jupyter_config.py and {a}/jupyter_config.json config files. \
                 {a}/jupyter_config.json has higher priority: {{\n  \"K8sSpecInstaller\": {{\n    \
                 \"image_name\": \"\\\"a'b\\\" ignored, using None\",\n    \
                 \"authorized_users\": \"['x', '\\u00e9'] ignored, using ['x']\"\n  }},\n  \
                 \"BaseSpecApp\": {{\n    \"port_range\": \"'1..2' ignored, using '3..4'\"\n  }}\n}}"
            ),
            format!("D Looking for jupyter_k8s_spec_config in {c}"),
            format!("D Looking for jupyter_k8s_spec_config in {b}"),
            format!("D Loaded config file: {b}/jupyter_k8s_spec_config.py"),
            format!("D Looking for jupyter_k8s_spec_config in {a}"),
            format!("D Loaded config file: {a}/jupyter_k8s_spec_config.json"),
        ];
        assert_eq!(debug_lines(&loaded), want_log);
        let want_entries = vec![
            format!("K8sSpecInstaller.image_name='c' @{c}/jupyter_config.json"),
            format!("K8sSpecInstaller.image_name=\"a'b\" @{a}/jupyter_config.py"),
            format!("BaseSpecApp.launch_timeout=1 @{a}/jupyter_config.py"),
            format!("K8sSpecInstaller.authorized_users=['x', 'é'] @{a}/jupyter_config.py"),
            format!("BaseSpecApp.display_name='same' @{a}/jupyter_config.py"),
            format!("BaseSpecApp.port_range='1..2' @{a}/jupyter_config.py"),
            format!("K8sSpecInstaller.spark=True @{a}/jupyter_config.py"),
            format!("BaseSpecApp.port_range='3..4' @{a}/jupyter_config.json"),
            format!("BaseSpecApp.launch_timeout=True @{a}/jupyter_config.json"),
            format!("BaseSpecApp.display_name='same' @{a}/jupyter_config.json"),
            format!("K8sSpecInstaller.spark=1 @{a}/jupyter_config.json"),
            format!("K8sSpecInstaller.authorized_users=['x'] @{a}/jupyter_config.json"),
            format!("K8sSpecInstaller.image_name=None @{a}/jupyter_config.json"),
            format!("K8sSpecInstaller.display_name='b' @{b}/jupyter_k8s_spec_config.py"),
            format!("K8sSpecInstaller.display_name='a' @{a}/jupyter_k8s_spec_config.json"),
        ];
        assert_eq!(summary(&loaded), want_entries);
        assert_eq!(loaded.files.len(), 5);
    }

    #[test]
    fn load_explicit_config() {
        let tmp = tempfile::tempdir().unwrap();
        let cwd = tmp.path().join("work");
        let home = tmp.path().join("home");
        write(&home.join("jupyter_config.py"), "c.A.base = 1\n");
        write(&home.join("jupyter_k8s_spec_config.py"), "c.A.app = 1\n");
        write(&cwd.join("sub/my.py"), "c.A.x = 'py'\n");
        write(&cwd.join("sub/my.json"), r#"{"A": {"x": "json"}}"#);
        write(&cwd.join("top.json"), r#"{"A": {"top": true}}"#);
        write(&cwd.join("notes.txt"), "c.A.x = 'never read'");
        write(&cwd.join("other.txt"), "");
        write(&cwd.join("other.json"), "{}");
        let path = vec![home.clone()];
        let (h, w) = (home.display(), cwd.display());

        // --config=sub/my.json: also loads my.py; the app config of the search path is not read.
        let loaded = load(&path, Some(Path::new("sub/my.json")), &cwd).unwrap();
        let want_log = vec![
            format!("D Looking for jupyter_config in {h}"),
            format!("D Loaded config file: {h}/jupyter_config.py"),
            "D Looking for my in sub".to_string(),
            format!("D Loaded config file: {w}/sub/my.py"),
            format!("D Loaded config file: {w}/sub/my.json"),
            format!(
                "W Collisions detected in {w}/sub/my.py and {w}/sub/my.json config files. \
                 {w}/sub/my.json has higher priority: {{\n  \"A\": {{\n    \
                 \"x\": \"'py' ignored, using 'json'\"\n  }}\n}}"
            ),
        ];
        assert_eq!(debug_lines(&loaded), want_log);
        assert_eq!(
            summary(&loaded),
            vec![
                format!("A.base=1 @{h}/jupyter_config.py"),
                format!("A.x='py' @{w}/sub/my.py"),
                format!("A.x='json' @{w}/sub/my.json"),
            ]
        );

        // No extension, a relative path with `..`, an absolute path, and a bare name in the cwd.
        for (arg, shown, files) in [
            ("sub/my", "sub".to_string(), vec!["sub/my.py", "sub/my.json"]),
            ("sub/../sub/my.txt", "sub/../sub".to_string(), vec!["sub/my.py", "sub/my.json"]),
            ("top.json", w.to_string(), vec!["top.json"]),
            ("other.txt", w.to_string(), vec!["other.json"]),
        ] {
            let loaded = load(&path, Some(Path::new(arg)), &cwd).unwrap();
            let stem = py_stem(py_split(arg).1);
            assert!(debug_lines(&loaded).contains(&format!("D Looking for {stem} in {shown}")), "{arg}");
            let want: Vec<PathBuf> = files.iter().map(|f| cwd.join(f)).collect();
            assert_eq!(loaded.files[1..], want[..], "{arg}");
        }
        let abs = cwd.join("sub/my.py");
        let loaded = load(&path, Some(&abs), Path::new("/elsewhere")).unwrap();
        assert_eq!(loaded.files[1..], [cwd.join("sub/my.py"), cwd.join("sub/my.json")]);

        // An empty --config counts as not given.
        let loaded = load(&path, Some(Path::new("")), &cwd).unwrap();
        assert_eq!(loaded.files, [home.join("jupyter_config.py"), home.join("jupyter_k8s_spec_config.py")]);

        // Nothing loaded from an explicit --config: an error naming it.
        for (arg, want) in [
            ("nothere.json", "config file not found: nothere.json"),
            ("sub/nothere", "config file not found: sub/nothere"),
            ("notes.txt", "unsupported config file notes.txt: expected a file named *.py or *.json"),
            ("sub", "unsupported config file sub: expected a file named *.py or *.json"),
        ] {
            let err = load(&path, Some(Path::new(arg)), &cwd).unwrap_err();
            assert_eq!(err.to_string(), want, "{arg}");
        }
    }

    #[test]
    fn load_errors_name_the_file() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("cfg");
        write(&dir.join("jupyter_config.json"), "{\"A\": {\"b\": 1,}}");
        let err = load(std::slice::from_ref(&dir), None, tmp.path()).unwrap_err();
        let file = dir.join("jupyter_config.json");
        assert_eq!(
            err.to_string(),
            format!("invalid JSON in config file {}:1:15: expected a property name in double quotes", file.display())
        );

        write(&dir.join("jupyter_config.json"), "{}");
        write(&dir.join("jupyter_k8s_spec_config.py"), "c.A.b = 1\nimport os\n");
        let err = load(std::slice::from_ref(&dir), None, tmp.path()).unwrap_err();
        let file = dir.join("jupyter_k8s_spec_config.py");
        assert_eq!(
            err.to_string(),
            format!(
                "unsupported Python in config file {}:2: `import os`: only `c.Class.trait = <literal>` assignments are supported",
                file.display()
            )
        );

        std::fs::write(&file, b"c.A.b = '\xff'\n").unwrap();
        let err = load(std::slice::from_ref(&dir), None, tmp.path()).unwrap_err();
        assert!(matches!(err, ConfigError::Io { .. }));
        assert!(err.to_string().starts_with(&format!("cannot read config file {}: ", file.display())));
    }

    #[test]
    fn load_equal_values_and_separate_dirs_do_not_collide() {
        let tmp = tempfile::tempdir().unwrap();
        let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
        write(&a.join("jupyter_config.py"), "c.A.n = 1\nc.A.s = {'x', 'y'}\n");
        write(&a.join("jupyter_config.json"), r#"{"A": {"n": 1.0}, "B": {"s": ["z"]}}"#);
        write(&b.join("jupyter_config.json"), r#"{"A": {"n": 2}}"#);
        write(&a.join("jupyter_k8s_spec_config.py"), "");
        write(&a.join("jupyter_k8s_spec_config.json"), r#"{"A": {"n": 3}}"#);
        let loaded = load(&[a, b], None, tmp.path()).unwrap();
        assert!(loaded.log.iter().all(|l| matches!(l, LogLine::Debug(_))), "{:?}", loaded.log);
        assert_eq!(loaded.files.len(), 5);
        let values: Vec<String> = loaded.entries.iter().map(|e| e.value.py_repr()).collect();
        assert_eq!(values, ["2", "1", "{'x', 'y'}", "1.0", "['z']", "3"]);
    }
}
