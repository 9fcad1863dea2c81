//! How the installer's traits take values, as traitlets 5 does it for their types (`Bool`,
//! `Int`, `Unicode`, `Set`, `Dict`, and the `Enum` of `log_level`): validation of a Python value
//! with traitlets' error messages, and conversion of command-line text (`from_string`,
//! `from_string_list`, the deferred values of unknown options).

use crate::cli::options::{Kind, Trait, INSTALLER, LOG_LEVEL_CHOICES};
use crate::py::literal::literal_eval;
use crate::py::repr::{list_repr, str_repr};
use crate::py::value::Value;

use super::config::Deferred;

/// A `TraitError` (or another exception Python raises while setting a value): its message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct TraitError(pub String);

/// What the home directory is, for `~` in command-line strings.
pub struct Home<'a> {
    pub home: Option<&'a str>,
    pub user_home: &'a dyn Fn(&str) -> Option<String>,
}

impl Home<'_> {
    fn expand(&self, s: &str) -> String {
        crate::py::posixpath::expanduser(s, self.home, self.user_home)
    }
}

/// The trait's `info()`: what it expects.
pub fn info(t: &Trait) -> String {
    match t.kind {
        Kind::Bool => "a boolean".into(),
        Kind::Int => "an int".into(),
        Kind::Str | Kind::NullableStr => "a unicode string".into(),
        Kind::Set => "a set".into(),
        Kind::Dict => "a dict".into(),
        Kind::LogLevel => format!("any of {LOG_LEVEL_CHOICES}"),
    }
}

fn error(t: &Trait, value: &Value) -> TraitError {
    TraitError(format!(
        "The '{}' trait of a {INSTALLER} instance expected {}, not the {}.",
        t.name,
        info(t),
        value.describe()
    ))
}

/// The values `log_level` accepts, in the order traitlets lists them.
fn log_levels() -> [Value; 11] {
    [
        Value::int(0),
        Value::int(10),
        Value::int(20),
        Value::int(30),
        Value::int(40),
        Value::int(50),
        Value::str("DEBUG"),
        Value::str("INFO"),
        Value::str("WARN"),
        Value::str("ERROR"),
        Value::str("CRITICAL"),
    ]
}

/// Setting a trait (`setattr(app, name, value)`): the value the trait holds afterwards.
pub fn set(t: &Trait, value: &Value) -> Result<Value, TraitError> {
    match (t.kind, value) {
        // `Set.set` wraps a single string in a set before validating.
        (Kind::Set, Value::Str(_)) => Ok(Value::Set(vec![value.clone()])),
        _ => validate(t, value),
    }
}

/// `trait.validate(obj, value)`.
pub fn validate(t: &Trait, value: &Value) -> Result<Value, TraitError> {
    match t.kind {
        Kind::Bool => match value {
            Value::Bool(_) => Ok(value.clone()),
            Value::Int(i) if i.is_zero() => Ok(Value::Bool(false)),
            Value::Int(i) if i.as_str() == "1" => Ok(Value::Bool(true)),
            _ => Err(error(t, value)),
        },
        // Python's bool is an int; a float holding an integer is taken as that integer.
        Kind::Int => match value {
            Value::Int(_) | Value::Bool(_) => Ok(value.clone()),
            Value::Float(f) => match crate::py::int::Int::from_f64_exact(*f) {
                Some(i) => Ok(Value::Int(i)),
                None => Err(error(t, value)),
            },
            _ => Err(error(t, value)),
        },
        Kind::Str | Kind::NullableStr => match value {
            Value::Str(_) => Ok(value.clone()),
            Value::None if t.kind == Kind::NullableStr => Ok(Value::None),
            Value::Bytes(b) => match std::str::from_utf8(b) {
                Ok(s) if s.is_ascii() => Ok(Value::str(s)),
                _ => Err(TraitError(format!(
                    "Could not decode {} for unicode trait '{}' of a {INSTALLER} instance.",
                    value.repr(),
                    t.name
                ))),
            },
            _ => Err(error(t, value)),
        },
        Kind::Set => match value {
            Value::Set(_) => Ok(value.clone()),
            Value::List(_) | Value::Tuple(_) => {
                let items: &[Value] = match value {
                    Value::List(v) => v,
                    Value::Tuple(v) => v,
                    _ => &[],
                };
                let mut out = Vec::new();
                for item in items {
                    if matches!(item, Value::List(_) | Value::Set(_) | Value::Dict(_)) {
                        return Err(TraitError(format!("unhashable type: '{}'", item.type_name())));
                    }
                    Value::set_add(&mut out, item.clone());
                }
                Ok(Value::Set(out))
            }
            _ => Err(error(t, value)),
        },
        Kind::Dict => match value {
            Value::Dict(_) => Ok(value.clone()),
            _ => Err(error(t, value)),
        },
        Kind::LogLevel => {
            if log_levels().iter().any(|l| l.py_eq(value)) {
                Ok(value.clone())
            } else {
                Err(error(t, value))
            }
        }
    }
}

/// `trait.from_string(s)`; `None` where Python raises (the caller then keeps the text).
pub fn from_string(t: &Trait, s: &str, home: &Home) -> Option<Value> {
    match t.kind {
        Kind::Str | Kind::NullableStr => {
            if t.kind == Kind::NullableStr && s == "None" {
                return Some(Value::None);
            }
            let mut s = home.expand(s);
            // Outer double quotes, then outer single quotes, are removed (deprecated in
            // traitlets 5); a string emptied by the first makes Python fail on the second.
            if s.chars().count() >= 2 {
                for q in ['"', '\''] {
                    if s.is_empty() {
                        return None;
                    }
                    if s.len() >= 2 && s.starts_with(q) && s.ends_with(q) {
                        s = s[1..s.len() - 1].to_string();
                    } else if s.len() == 1 && s.starts_with(q) {
                        s.clear();
                    }
                }
            }
            Some(Value::Str(s))
        }
        Kind::Int => crate::py::int::parse(s).map(Value::Int),
        Kind::Bool => match s.to_lowercase().as_str() {
            "true" | "1" => Some(Value::Bool(true)),
            "false" | "0" => Some(Value::Bool(false)),
            _ => None,
        },
        Kind::Set => {
            let test = literal_eval(s).unwrap_or(Value::None);
            validate(t, &test).ok()
        }
        Kind::Dict => from_string_list(t, &[s.to_string()]).ok().or_else(|| match literal_eval(s) {
            Ok(v @ Value::Dict(_)) => Some(v),
            _ => None,
        }),
        Kind::LogLevel => {
            let text = Value::str(s);
            if validate(t, &text).is_ok() {
                return Some(text);
            }
            // `_safe_literal_eval`: the literal's value, or the text itself.
            Some(literal_eval(s).unwrap_or(text))
        }
    }
}

/// `trait.from_string_list(items)` of a container trait (`Set`, `Dict`); `Err` where Python
/// raises.
pub fn from_string_list(t: &Trait, items: &[String]) -> Result<Value, TraitError> {
    match t.kind {
        Kind::Set => {
            if let [r] = items {
                let bracketed = [('[', ']'), ('(', ')'), ('{', '}')]
                    .iter()
                    .any(|(a, b)| r.chars().count() >= 2 && r.starts_with(*a) && r.ends_with(*b));
                if bracketed {
                    let literal = literal_eval(r).map_err(|e| TraitError(e.0))?;
                    return py_set(&literal).map(Value::Set);
                }
            }
            let mut out = Vec::new();
            for item in items {
                Value::set_add(&mut out, Value::str(item));
            }
            Ok(Value::Set(out))
        }
        Kind::Dict => {
            if let [r] = items {
                if r.starts_with('{') && r.ends_with('}') {
                    return literal_eval(r).map_err(|e| TraitError(e.0));
                }
            }
            let mut out: Vec<(Value, Value)> = Vec::new();
            for item in items {
                let Some((k, v)) = item.split_once('=') else {
                    return Err(TraitError(format!(
                        "'Dict' options must have the form 'key=value', got {}",
                        str_repr(item)
                    )));
                };
                Value::dict_insert(&mut out, Value::str(k), Value::str(v));
            }
            Ok(Value::dict(out))
        }
        _ => Err(TraitError(format!("{} has no from_string_list", t.name))),
    }
}

/// Python's `set(x)` of a literal: the items of a list, tuple or set, the keys of a dict, the
/// characters of a string.
fn py_set(v: &Value) -> Result<Vec<Value>, TraitError> {
    let items: Vec<Value> = match v {
        Value::List(items) => items.to_vec(),
        Value::Tuple(items) | Value::Set(items) => items.clone(),
        Value::Dict(items) => items.iter().map(|(k, _)| k.clone()).collect(),
        Value::Str(s) => s.chars().map(|c| Value::Str(c.to_string())).collect(),
        Value::Bytes(b) => b.iter().map(|&x| Value::int(i64::from(x))).collect(),
        other => return Err(TraitError(format!("'{}' object is not iterable", other.type_name()))),
    };
    let mut out = Vec::new();
    for item in items {
        if matches!(item, Value::List(_) | Value::Set(_) | Value::Dict(_)) {
            return Err(TraitError(format!("unhashable type: '{}'", item.type_name())));
        }
        Value::set_add(&mut out, item);
    }
    Ok(out)
}

/// `DeferredConfig.get_value(trait)`: what deferred command-line text becomes once a trait
/// takes it. Conversion errors keep the text (the trait then rejects it with a clear message);
/// several values for a single-valued trait is an error.
pub fn deferred_value(t: &Trait, d: &Deferred, home: &Home) -> Result<Value, TraitError> {
    match d {
        Deferred::Str(s) => Ok(from_string(t, s, home).unwrap_or_else(|| Value::str(s))),
        Deferred::List(items) if matches!(t.kind, Kind::Set | Kind::Dict) => {
            Ok(from_string_list(t, items).unwrap_or_else(|_| Value::list(items.iter().map(Value::str).collect())))
        }
        Deferred::List(items) => {
            if items.len() != 1 {
                return Err(TraitError(format!(
                    "{} only accepts one value, got {}: {}",
                    t.name,
                    items.len(),
                    list_repr(items)
                )));
            }
            Ok(from_string(t, &items[0], home).unwrap_or_else(|| Value::str(&items[0])))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::options::find_trait;

    fn tr(name: &str) -> &'static Trait {
        find_trait(name).unwrap()
    }

    fn home() -> Home<'static> {
        Home { home: Some("/home/u"), user_home: &|_| None }
    }

    /// Values printed by traitlets 5.16.1 for `Bool.from_string`, `Dict.from_string`,
    /// `Set.from_string_list` and a `Unicode` given bytes.
    #[test]
    fn text_as_traitlets_reads_it() {
        let h = home();
        for (text, want) in [("false", false), ("0", false), ("FALSE", false), ("True", true), ("1", true)] {
            let got = from_string(tr("spark"), text, &h).map(|v| v.repr());
            assert_eq!(got.as_deref(), Some(if want { "True" } else { "False" }), "{text}");
        }
        assert!(from_string(tr("spark"), "no", &h).is_none());
        // Not `{`-first, so not a dict literal to from_string_list, but one to literal_eval.
        let dict = from_string(tr("logging_config"), " {'a': 1}", &h).expect("a dict");
        assert_eq!(dict.repr(), "{'a': 1}");
        let one = |s: &str| from_string_list(tr("authorized_users"), &[s.to_string()]).map(|v| v.repr());
        assert_eq!(one("alice").ok().as_deref(), Some("{'alice'}"));
        assert_eq!(one("[").ok().as_deref(), Some("{'['}"));
        assert_eq!(one("['a', 'b']").ok().as_deref(), Some("{'a', 'b'}"));
        let dict = |s: &str| from_string_list(tr("logging_config"), &[s.to_string()]).map(|v| v.repr());
        assert_eq!(dict("{a=1").ok().as_deref(), Some("{'{a': '1'}"));
        assert_eq!(dict("a=1}").ok().as_deref(), Some("{'a': '1}'}"));
        let err = validate(tr("kernel_name"), &Value::Bytes("\u{e9}".as_bytes().to_vec())).expect_err("not ASCII");
        assert_eq!(
            err.0,
            "Could not decode b'\\xc3\\xa9' for unicode trait 'kernel_name' of a K8sSpecInstaller instance."
        );
        let ascii = validate(tr("kernel_name"), &Value::Bytes(b"ab".to_vec())).map(|v| v.repr());
        assert_eq!(ascii.ok().as_deref(), Some("'ab'"));
    }

    /// Outcomes of `setattr(K8sSpecInstaller(), name, value)` under traitlets 5.16.1.
    #[test]
    fn validation_as_traitlets_does_it() {
        let prefix = "The '{}' trait of a K8sSpecInstaller instance expected";
        let msg = |name: &str, rest: &str| format!("{} {rest}", prefix.replace("{}", name));
        let list = Value::list(vec![Value::str("a"), Value::int(1)]);
        let cases: Vec<(&str, Value, Result<&str, String>)> = vec![
            ("spark", Value::int(1), Ok("True")),
            ("spark", Value::int(0), Ok("False")),
            ("spark", Value::int(2), Err(msg("spark", "a boolean, not the int 2."))),
            ("spark", Value::Float(1.0), Err(msg("spark", "a boolean, not the float 1.0."))),
            ("spark", Value::None, Err(msg("spark", "a boolean, not the NoneType None."))),
            ("launch_timeout", Value::Float(45.0), Ok("45")),
            ("launch_timeout", Value::Float(1e16), Ok("10000000000000000")),
            ("launch_timeout", Value::Float(-0.0), Ok("0")),
            ("launch_timeout", Value::Bool(true), Ok("True")),
            ("launch_timeout", Value::Float(45.5), Err(msg("launch_timeout", "an int, not the float 45.5."))),
            ("launch_timeout", Value::Float(f64::NAN), Err(msg("launch_timeout", "an int, not the float nan."))),
            ("launch_timeout", Value::Float(f64::INFINITY), Err(msg("launch_timeout", "an int, not the float inf."))),
            ("launch_timeout", Value::str("45"), Err(msg("launch_timeout", "an int, not the str '45'."))),
            ("kernel_name", Value::Bytes(b"ab".to_vec()), Ok("'ab'")),
            ("kernel_name", Value::Float(1e16), Err(msg("kernel_name", "a unicode string, not the float 1e+16."))),
            ("image_name", Value::None, Ok("None")),
            ("image_name", Value::int(5), Err(msg("image_name", "a unicode string, not the int 5."))),
            (
                "image_name",
                Value::Bytes(b"\xff".to_vec()),
                Err("Could not decode b'\\xff' for unicode trait 'image_name' of a K8sSpecInstaller instance.".into()),
            ),
            ("kernel_name", Value::None, Err(msg("kernel_name", "a unicode string, not the NoneType None."))),
            ("authorized_users", Value::str("x"), Ok("{'x'}")),
            ("authorized_users", list.clone(), Ok("{'a', 1}")),
            ("authorized_users", Value::Tuple(vec![Value::str("a")]), Ok("{'a'}")),
            ("authorized_users", Value::dict(vec![]), Err(msg("authorized_users", "a set, not the dict {}."))),
            ("authorized_users", Value::None, Err(msg("authorized_users", "a set, not the NoneType None."))),
            ("logging_config", Value::dict(vec![(Value::str("k"), Value::int(1))]), Ok("{'k': 1}")),
            ("logging_config", list, Err(msg("logging_config", "a dict, not the list ['a', 1]."))),
            ("log_level", Value::Bool(false), Ok("False")),
            ("log_level", Value::str("DEBUG"), Ok("'DEBUG'")),
            ("log_level", Value::Float(-0.0), Ok("-0.0")),
            (
                "log_level",
                Value::Bool(true),
                Err(msg("log_level", &format!("any of {LOG_LEVEL_CHOICES}, not the bool True."))),
            ),
            (
                "log_level",
                Value::str("debug"),
                Err(msg("log_level", &format!("any of {LOG_LEVEL_CHOICES}, not the str 'debug'."))),
            ),
        ];
        for (name, value, want) in cases {
            let got = set(tr(name), &value).map(|v| v.repr()).map_err(|e| e.0);
            assert_eq!(got, want.map(String::from), "{name} = {}", value.repr());
        }
    }

    /// `from_string` / `from_string_list` results of traitlets 5.16.1.
    #[test]
    fn command_line_text_as_traitlets_reads_it() {
        let h = home();
        let fs = |name: &str, s: &str| from_string(tr(name), s, &h).map(|v| v.repr());
        assert_eq!(fs("kernel_name", "~/x"), Some("'/home/u/x'".into()));
        assert_eq!(fs("kernel_name", "'\"a\"'"), Some("'\"a\"'".into()));
        assert_eq!(fs("kernel_name", "\"a\""), Some("'a'".into()));
        assert_eq!(fs("kernel_name", "\"'a'\""), Some("'a'".into()));
        assert_eq!(fs("kernel_name", "\"'\""), Some("''".into()));
        assert_eq!(fs("kernel_name", "\"\""), None);
        assert_eq!(fs("kernel_name", "None"), Some("'None'".into()));
        assert_eq!(fs("image_name", "None"), Some("None".into()));
        assert_eq!(fs("launch_timeout", "\u{664}\u{660}"), Some("40".into()));
        assert_eq!(fs("launch_timeout", "9223372036854775808"), Some("9223372036854775808".into()));
        assert_eq!(fs("launch_timeout", "4.5"), None);
        assert_eq!(fs("spark", "TRUE"), Some("True".into()));
        assert_eq!(fs("spark", "yes"), None);
        assert_eq!(fs("authorized_users", "a"), None);
        assert_eq!(fs("authorized_users", "[\"a\"]"), Some("{'a'}".into()));
        assert_eq!(fs("logging_config", "a=b"), Some("{'a': 'b'}".into()));
        assert_eq!(fs("logging_config", "x"), None);
        assert_eq!(fs("log_level", "DEBUG"), Some("'DEBUG'".into()));
        assert_eq!(fs("log_level", "0x0a"), Some("10".into()));
        assert_eq!(fs("log_level", "debug"), Some("'debug'".into()));
        assert_eq!(fs("log_level", "True"), Some("True".into()));

        let fsl = |name: &str, items: &[&str]| {
            let items: Vec<String> = items.iter().map(|s| s.to_string()).collect();
            from_string_list(tr(name), &items).map(|v| v.repr()).map_err(|e| e.0)
        };
        assert_eq!(fsl("authorized_users", &["a"]), Ok("{'a'}".into()));
        assert_eq!(fsl("authorized_users", &["[\"a\",1]"]), Ok("{'a', 1}".into()));
        assert_eq!(fsl("authorized_users", &["{a"]), Ok("{'{a'}".into()));
        assert_eq!(fsl("authorized_users", &["(\"ab\")"]), Ok("{'a', 'b'}".into()));
        assert!(fsl("authorized_users", &["[a]"]).is_err());
        assert_eq!(fsl("logging_config", &["a=b", "c=d=e"]), Ok("{'a': 'b', 'c': 'd=e'}".into()));
        assert_eq!(fsl("logging_config", &["x"]), Err("'Dict' options must have the form 'key=value', got 'x'".into()));

        // Deferred values: conversion failures keep the text, several values for one is an error.
        let dv = |name: &str, d: Deferred| deferred_value(tr(name), &d, &h).map(|v| v.repr()).map_err(|e| e.0);
        assert_eq!(dv("authorized_users", Deferred::Str("a".into())), Ok("'a'".into()));
        assert_eq!(dv("authorized_users", Deferred::List(vec!["[a]".into()])), Ok("['[a]']".into()));
        assert_eq!(dv("launch_timeout", Deferred::List(vec!["abc".into()])), Ok("'abc'".into()));
        assert_eq!(
            dv("kernel_name", Deferred::List(vec!["a".into(), "b".into()])),
            Err("kernel_name only accepts one value, got 2: ['a', 'b']".into())
        );
    }
}
