//! Python values: what a configuration holds (a JSON config file, a Python literal, an evaluated
//! Python config file) and what PyYAML's `safe_load` builds for the launchers (dates, shared
//! lists and mappings, cycles), with Python's `repr()`, `str()`, `==` and truth. One model for
//! both; `launch::yaml` builds and prints it, `settings` configures with it.

use std::fmt::Write as _;
use std::sync::Arc;

use super::int::Int;
use super::repr::{bytes_repr, float_repr, str_repr};

#[derive(Debug, Clone)]
pub enum Value {
    None,
    Bool(bool),
    Int(Int),
    Float(f64),
    Str(String),
    Bytes(Vec<u8>),
    /// Shared as Python shares its objects: a YAML alias is the same list, not a copy (so that a
    /// value built from nested aliases stays small until it is printed).
    List(Arc<Vec<Value>>),
    Tuple(Vec<Value>),
    /// Items without duplicates (Python equality), in the order first added. Python prints a
    /// set in hash order, which differs between runs; we keep the written order.
    Set(Vec<Value>),
    /// Keys in first-added order; a repeated key keeps its place and takes the new value.
    /// Shared like `List`.
    Dict(Arc<Vec<(Value, Value)>>),
    /// `datetime.date`.
    Date(Date),
    /// `datetime.datetime`.
    DateTime(DateTime),
    /// A list (`true`) or mapping that contains itself (`&a [*a]` in YAML): Python prints it as
    /// `[...]` / `{...}` where it recurs.
    Recursive(bool),
    /// Any other object an evaluated config file produced: its type name and `repr()`.
    Object {
        type_name: String,
        repr: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    pub year: u32,
    pub month: u32,
    pub day: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateTime {
    pub date: Date,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
    pub micro: u32,
    /// UTC offset in minutes, if the timestamp named one.
    pub tz: Option<i32>,
}

/// `repr()` or `str()` stopped: the text would pass the limit it was given (Python would go on,
/// for minutes, with a value built from nested aliases).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TooLarge;

impl Value {
    pub fn str(s: impl Into<String>) -> Value {
        Value::Str(s.into())
    }

    pub fn int(v: i64) -> Value {
        Value::Int(Int::from_i64(v))
    }

    pub fn list(items: Vec<Value>) -> Value {
        Value::List(Arc::new(items))
    }

    pub fn dict(pairs: Vec<(Value, Value)>) -> Value {
        Value::Dict(Arc::new(pairs))
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// `type(v).__name__`.
    pub fn type_name(&self) -> &str {
        match self {
            Value::None => "NoneType",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Float(_) => "float",
            Value::Str(_) => "str",
            Value::Bytes(_) => "bytes",
            Value::List(_) | Value::Recursive(true) => "list",
            Value::Tuple(_) => "tuple",
            Value::Set(_) => "set",
            Value::Dict(_) | Value::Recursive(false) => "dict",
            Value::Date(_) => "date",
            Value::DateTime(_) => "datetime",
            Value::Object { type_name, .. } => type_name,
        }
    }

    /// `repr(v)`.
    pub fn repr(&self) -> String {
        let mut out = String::new();
        let _ = self.write_repr(&mut out, usize::MAX);
        out
    }

    /// `repr(v)`, unless it would be longer than `limit` bytes.
    pub fn repr_bounded(&self, limit: usize) -> Result<String, TooLarge> {
        let mut out = String::new();
        self.write_repr(&mut out, limit)?;
        Ok(out)
    }

    /// `str(v)`, unless it would be longer than `limit` bytes.
    pub fn str_bounded(&self, limit: usize) -> Result<String, TooLarge> {
        match self {
            Value::Str(s) => Ok(s.clone()),
            Value::Date(d) => Ok(date_iso(d)),
            Value::DateTime(dt) => Ok(datetime_iso(dt, ' ')),
            _ => self.repr_bounded(limit),
        }
    }

    fn write_repr(&self, out: &mut String, limit: usize) -> Result<(), TooLarge> {
        if out.len() > limit {
            return Err(TooLarge);
        }
        let items = |out: &mut String, items: &[Value]| -> Result<(), TooLarge> {
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                item.write_repr(out, limit)?;
            }
            Ok(())
        };
        match self {
            Value::None => out.push_str("None"),
            Value::Bool(true) => out.push_str("True"),
            Value::Bool(false) => out.push_str("False"),
            Value::Int(i) => out.push_str(i.as_str()),
            Value::Float(f) => out.push_str(&float_repr(*f)),
            Value::Str(s) => out.push_str(&str_repr(s)),
            Value::Bytes(b) => out.push_str(&bytes_repr(b)),
            Value::List(v) => {
                out.push('[');
                items(out, v)?;
                out.push(']');
            }
            Value::Tuple(v) if v.len() == 1 => {
                out.push('(');
                v[0].write_repr(out, limit)?;
                out.push_str(",)");
            }
            Value::Tuple(v) => {
                out.push('(');
                items(out, v)?;
                out.push(')');
            }
            Value::Set(v) if v.is_empty() => out.push_str("set()"),
            Value::Set(v) => {
                out.push('{');
                items(out, v)?;
                out.push('}');
            }
            Value::Dict(pairs) => {
                out.push('{');
                for (i, (k, v)) in pairs.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    k.write_repr(out, limit)?;
                    out.push_str(": ");
                    v.write_repr(out, limit)?;
                }
                out.push('}');
            }
            Value::Date(d) => {
                let _ = write!(out, "datetime.date({}, {}, {})", d.year, d.month, d.day);
            }
            Value::DateTime(dt) => out.push_str(&datetime_repr(dt)),
            Value::Recursive(true) => out.push_str("[...]"),
            Value::Recursive(false) => out.push_str("{...}"),
            Value::Object { repr, .. } => out.push_str(repr),
        }
        Ok(())
    }

    /// `"<type> <repr>"`, as traitlets describes a rejected value (`the float 45.5`).
    pub fn describe(&self) -> String {
        format!("{} {}", self.type_name(), self.repr())
    }

    /// Python's `==`: `1 == 1.0 == True`, sets and dicts ignore order, a list never equals a tuple.
    pub fn py_eq(&self, other: &Value) -> bool {
        use Value as V;
        let all = |a: &[Value], b: &[Value]| a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.py_eq(y));
        match (self, other) {
            (V::None, V::None) => true,
            (V::Str(a), V::Str(b)) => a == b,
            (V::Bytes(a), V::Bytes(b)) => a == b,
            (V::List(a), V::List(b)) => all(a, b),
            (V::Tuple(a), V::Tuple(b)) => all(a, b),
            (V::Set(a), V::Set(b)) => a.len() == b.len() && a.iter().all(|x| b.iter().any(|y| x.py_eq(y))),
            (V::Dict(a), V::Dict(b)) => {
                a.len() == b.len() && a.iter().all(|(k, v)| b.iter().any(|(k2, v2)| k.py_eq(k2) && v.py_eq(v2)))
            }
            (V::Date(a), V::Date(b)) => a == b,
            (V::DateTime(a), V::DateTime(b)) => a == b,
            (V::Object { type_name: t1, repr: r1 }, V::Object { type_name: t2, repr: r2 }) => t1 == t2 && r1 == r2,
            _ => match (self.number(), other.number()) {
                (Some(a), Some(b)) => a.eq(&b),
                _ => false,
            },
        }
    }

    /// A bool, int or float as a number, for mixed comparisons.
    fn number(&self) -> Option<Number> {
        match self {
            Value::Bool(b) => Some(Number::Int(Int::from_i64(i64::from(*b)))),
            Value::Int(i) => Some(Number::Int(i.clone())),
            Value::Float(f) => Some(Number::Float(*f)),
            _ => None,
        }
    }

    /// Python's truth value (`bool(v)`).
    pub fn truthy(&self) -> bool {
        match self {
            Value::None => false,
            Value::Bool(b) => *b,
            Value::Int(i) => !i.is_zero(),
            Value::Float(f) => *f != 0.0,
            Value::Str(s) => !s.is_empty(),
            Value::Bytes(b) => !b.is_empty(),
            Value::List(v) => !v.is_empty(),
            Value::Tuple(v) | Value::Set(v) => !v.is_empty(),
            Value::Dict(v) => !v.is_empty(),
            Value::Date(_) | Value::DateTime(_) | Value::Recursive(_) | Value::Object { .. } => true,
        }
    }

    /// `dict[key]` for string keys.
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Dict(items) => items.iter().find(|(k, _)| matches!(k, Value::Str(s) if s == key)).map(|(_, v)| v),
            _ => None,
        }
    }

    /// Adds to a set, keeping the first of equal items.
    pub fn set_add(items: &mut Vec<Value>, item: Value) {
        if !items.iter().any(|x| x.py_eq(&item)) {
            items.push(item);
        }
    }

    /// `d[key] = value` for a dict's item list.
    pub fn dict_insert(items: &mut Vec<(Value, Value)>, key: Value, value: Value) {
        match items.iter_mut().find(|(k, _)| k.py_eq(&key)) {
            Some(slot) => slot.1 = value,
            None => items.push((key, value)),
        }
    }
}

/// `date.isoformat()`.
pub fn date_iso(d: &Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year, d.month, d.day)
}

/// `datetime.isoformat(sep)`.
pub fn datetime_iso(dt: &DateTime, sep: char) -> String {
    let mut s = format!("{}{sep}{:02}:{:02}:{:02}", date_iso(&dt.date), dt.hour, dt.minute, dt.second);
    if dt.micro != 0 {
        let _ = write!(s, ".{:06}", dt.micro);
    }
    if let Some(tz) = dt.tz {
        let _ = write!(s, "{}{:02}:{:02}", if tz < 0 { '-' } else { '+' }, tz.abs() / 60, tz.abs() % 60);
    }
    s
}

/// `repr(datetime)`.
fn datetime_repr(dt: &DateTime) -> String {
    let d = &dt.date;
    let mut parts = vec![d.year, d.month, d.day, dt.hour, dt.minute, dt.second, dt.micro];
    if parts[6] == 0 {
        parts.pop();
        if parts[5] == 0 {
            parts.pop();
        }
    }
    let list: Vec<String> = parts.iter().map(u32::to_string).collect();
    let mut s = format!("datetime.datetime({}", list.join(", "));
    if let Some(tz) = dt.tz {
        if tz == 0 {
            s.push_str(", tzinfo=datetime.timezone.utc");
        } else {
            let secs = i64::from(tz) * 60;
            let (days, rest) = (secs.div_euclid(86400), secs.rem_euclid(86400));
            let delta = if days != 0 { format!("days={days}, seconds={rest}") } else { format!("seconds={rest}") };
            let _ = write!(s, ", tzinfo=datetime.timezone(datetime.timedelta({delta}))");
        }
    }
    s.push(')');
    s
}

enum Number {
    Int(Int),
    Float(f64),
}

impl Number {
    fn eq(&self, other: &Number) -> bool {
        match (self, other) {
            (Number::Int(a), Number::Int(b)) => a == b,
            (Number::Float(a), Number::Float(b)) => a == b,
            (Number::Int(i), Number::Float(f)) | (Number::Float(f), Number::Int(i)) => {
                Int::from_f64_exact(*f).is_some_and(|g| &g == i)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> Value {
        Value::str(v)
    }

    #[test]
    fn reprs_as_python_prints_them() {
        let cases: Vec<(Value, &str)> = vec![
            (Value::None, "None"),
            (Value::Bool(true), "True"),
            (Value::int(-3), "-3"),
            (Value::Float(45.0), "45.0"),
            (Value::Float(f64::NAN), "nan"),
            (s("it's"), "\"it's\""),
            (Value::list(vec![s("a"), Value::int(1)]), "['a', 1]"),
            (Value::Tuple(vec![s("a")]), "('a',)"),
            (Value::Tuple(vec![]), "()"),
            (Value::Set(vec![]), "set()"),
            (Value::Set(vec![s("a")]), "{'a'}"),
            (Value::dict(vec![(s("k"), Value::int(1))]), "{'k': 1}"),
            (Value::Bytes(b"ab".to_vec()), "b'ab'"),
        ];
        for (v, want) in cases {
            assert_eq!(v.repr(), want);
        }
        assert_eq!(Value::Float(45.5).describe(), "float 45.5");
    }

    #[test]
    fn equality_as_python_decides_it() {
        assert!(Value::int(1).py_eq(&Value::Bool(true)));
        assert!(Value::int(1).py_eq(&Value::Float(1.0)));
        assert!(!Value::int(1).py_eq(&Value::Float(1.5)));
        assert!(!Value::Float(f64::NAN).py_eq(&Value::Float(f64::NAN)));
        assert!(!Value::list(vec![]).py_eq(&Value::Tuple(vec![])));
        assert!(Value::Set(vec![s("a"), s("b")]).py_eq(&Value::Set(vec![s("b"), s("a")])));
        assert!(!s("1").py_eq(&Value::int(1)));
    }
}
