//! Python values as a configuration holds them (what a JSON config file, a Python literal or an
//! evaluated Python config file can produce), with Python's `repr()` and `==`.

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
    List(Vec<Value>),
    Tuple(Vec<Value>),
    /// Items without duplicates (Python equality), in the order first added. Python prints a
    /// set in hash order, which differs between runs; we keep the written order.
    Set(Vec<Value>),
    /// Keys in first-added order; a repeated key keeps its place and takes the new value.
    Dict(Vec<(Value, Value)>),
    /// Any other object an evaluated config file produced: its type name and `repr()`.
    Object {
        type_name: String,
        repr: String,
    },
}

impl Value {
    pub fn str(s: impl Into<String>) -> Value {
        Value::Str(s.into())
    }

    pub fn int(v: i64) -> Value {
        Value::Int(Int::from_i64(v))
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
            Value::List(_) => "list",
            Value::Tuple(_) => "tuple",
            Value::Set(_) => "set",
            Value::Dict(_) => "dict",
            Value::Object { type_name, .. } => type_name,
        }
    }

    /// `repr(v)`.
    pub fn repr(&self) -> String {
        let join = |items: &[Value]| items.iter().map(Value::repr).collect::<Vec<_>>().join(", ");
        match self {
            Value::None => "None".into(),
            Value::Bool(true) => "True".into(),
            Value::Bool(false) => "False".into(),
            Value::Int(i) => i.to_string(),
            Value::Float(f) => float_repr(*f),
            Value::Str(s) => str_repr(s),
            Value::Bytes(b) => bytes_repr(b),
            Value::List(items) => format!("[{}]", join(items)),
            Value::Tuple(items) if items.len() == 1 => format!("({},)", items[0].repr()),
            Value::Tuple(items) => format!("({})", join(items)),
            Value::Set(items) if items.is_empty() => "set()".into(),
            Value::Set(items) => format!("{{{}}}", join(items)),
            Value::Dict(items) => {
                let parts: Vec<String> = items.iter().map(|(k, v)| format!("{}: {}", k.repr(), v.repr())).collect();
                format!("{{{}}}", parts.join(", "))
            }
            Value::Object { repr, .. } => repr.clone(),
        }
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
            (V::List(a), V::List(b)) | (V::Tuple(a), V::Tuple(b)) => all(a, b),
            (V::Set(a), V::Set(b)) => a.len() == b.len() && a.iter().all(|x| b.iter().any(|y| x.py_eq(y))),
            (V::Dict(a), V::Dict(b)) => {
                a.len() == b.len() && a.iter().all(|(k, v)| b.iter().any(|(k2, v2)| k.py_eq(k2) && v.py_eq(v2)))
            }
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
            Value::List(v) | Value::Tuple(v) | Value::Set(v) => !v.is_empty(),
            Value::Dict(v) => !v.is_empty(),
            Value::Object { .. } => true,
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
            (Value::List(vec![s("a"), Value::int(1)]), "['a', 1]"),
            (Value::Tuple(vec![s("a")]), "('a',)"),
            (Value::Tuple(vec![]), "()"),
            (Value::Set(vec![]), "set()"),
            (Value::Set(vec![s("a")]), "{'a'}"),
            (Value::Dict(vec![(s("k"), Value::int(1))]), "{'k': 1}"),
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
        assert!(!Value::List(vec![]).py_eq(&Value::Tuple(vec![])));
        assert!(Value::Set(vec![s("a"), s("b")]).py_eq(&Value::Set(vec![s("b"), s("a")])));
        assert!(!s("1").py_eq(&Value::int(1)));
    }
}
