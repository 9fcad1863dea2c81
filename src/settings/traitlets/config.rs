//! traitlets' `Config`: a tree of sections (keys starting with an upper-case letter, holding
//! more sections and trait values) with its rules for creating, setting and merging entries,
//! and the objects the command line and config files put into it.

use crate::py::repr::str_repr;
use crate::py::value::Value;

/// One entry of a [`Config`].
#[derive(Debug, Clone)]
pub enum Node {
    Section(Config),
    Value(Value),
    /// `DeferredConfigString` / `DeferredConfigList`: command-line text read by the trait that
    /// finally takes it (`from_string` / `from_string_list`).
    Deferred(Deferred),
    /// `LazyConfigValue`: `c.Class.trait.append(x)` and friends in a Python config file, applied
    /// to the trait's current value when the config is loaded.
    Lazy(Lazy),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Deferred {
    Str(String),
    List(Vec<String>),
}

/// The container operations of a `LazyConfigValue`.
#[derive(Debug, Clone, Default)]
pub struct Lazy {
    pub extend: Vec<Value>,
    pub prepend: Vec<Value>,
    pub inserts: Vec<(Value, Value)>,
    /// `update`/`add` on a set or dict: a `Value::Set` or `Value::Dict`.
    pub update: Option<Value>,
}

impl Lazy {
    /// `get_value(initial)`: the initial value with the recorded operations applied.
    pub fn apply(&self, initial: &Value) -> Value {
        match initial {
            Value::List(items) => {
                let mut out = items.to_vec();
                for (idx, obj) in &self.inserts {
                    let len = out.len() as i64;
                    let i = match idx {
                        Value::Int(i) => i.to_i64().unwrap_or(len),
                        _ => len,
                    };
                    let at = if i < 0 { (len + i).max(0) } else { i.min(len) };
                    out.insert(at as usize, obj.clone());
                }
                let mut head = self.prepend.clone();
                head.append(&mut out);
                head.extend(self.extend.iter().cloned());
                Value::list(head)
            }
            Value::Dict(items) => {
                let mut out = (**items).clone();
                if let Some(Value::Dict(update)) = &self.update {
                    for (k, v) in update.iter() {
                        Value::dict_insert(&mut out, k.clone(), v.clone());
                    }
                }
                Value::dict(out)
            }
            Value::Set(items) => {
                let mut out = items.clone();
                let update: &[Value] = match &self.update {
                    Some(Value::Set(update)) => update,
                    Some(Value::List(update)) => update,
                    _ => &[],
                };
                {
                    for v in update {
                        Value::set_add(&mut out, v.clone());
                    }
                }
                Value::Set(out)
            }
            other => other.clone(),
        }
    }

    fn repr(&self) -> String {
        let mut parts = Vec::new();
        if let Some(u) = self.update.as_ref().filter(|u| u.truthy()) {
            parts.push(format!("'update': {}", u.repr()));
        }
        if !self.extend.is_empty() {
            parts.push(format!("'extend': {}", Value::list(self.extend.clone()).repr()));
        }
        if !self.prepend.is_empty() {
            parts.push(format!("'prepend': {}", Value::list(self.prepend.clone()).repr()));
        } else if !self.inserts.is_empty() {
            let items = self.inserts.iter().map(|(i, v)| Value::Tuple(vec![i.clone(), v.clone()])).collect();
            parts.push(format!("'inserts': {}", Value::list(items).repr()));
        }
        format!("<LazyConfigValue {{{}}}>", parts.join(", "))
    }
}

impl Node {
    /// `repr()` of the entry, as show_config and the collision warning print it.
    pub fn repr(&self) -> String {
        match self {
            Node::Section(c) => c.repr(),
            Node::Value(v) => v.repr(),
            Node::Deferred(Deferred::Str(s)) => format!("DeferredConfigString({})", str_repr(s)),
            Node::Deferred(Deferred::List(items)) => {
                format!("DeferredConfigList({})", crate::py::repr::list_repr(items))
            }
            Node::Lazy(l) => l.repr(),
        }
    }

    /// Python's `==` between two entries (traitlets compares them for the collision warning).
    pub fn py_eq(&self, other: &Node) -> bool {
        match (self, other) {
            (Node::Section(a), Node::Section(b)) => a.py_eq(b),
            (Node::Value(a), Node::Value(b)) => a.py_eq(b),
            // Deferred strings and lists compare as the str / list they are.
            (Node::Deferred(Deferred::Str(a)), Node::Value(Value::Str(b)))
            | (Node::Value(Value::Str(b)), Node::Deferred(Deferred::Str(a))) => a == b,
            (Node::Deferred(a), Node::Deferred(b)) => a == b,
            // A LazyConfigValue equals only itself.
            _ => false,
        }
    }
}

/// `_is_section_key`: starts with a character equal to its upper-case form, not `_`.
pub fn is_section_key(key: &str) -> bool {
    match key.chars().next() {
        Some(c) if c != '_' => c.to_uppercase().eq(std::iter::once(c)),
        _ => false,
    }
}

/// An error Python raises while building or copying a config (its message, as Python words it).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);

/// A traitlets `Config`: an ordered mapping from names to entries.
#[derive(Debug, Clone, Default)]
pub struct Config {
    items: Vec<(String, Node)>,
}

impl Config {
    pub fn new() -> Config {
        Config::default()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &Node)> {
        self.items.iter().map(|(k, v)| (k.as_str(), v))
    }

    pub fn get(&self, key: &str) -> Option<&Node> {
        self.items.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    fn get_mut(&mut self, key: &str) -> Option<&mut Node> {
        self.items.iter_mut().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// `dict.__setitem__`: sets without traitlets' check (JSON files and flags come in this way).
    pub fn insert(&mut self, key: &str, node: Node) {
        match self.get_mut(key) {
            Some(slot) => *slot = node,
            None => self.items.push((key.to_string(), node)),
        }
    }

    pub fn remove(&mut self, key: &str) -> Option<Node> {
        let i = self.items.iter().position(|(k, _)| k == key)?;
        Some(self.items.remove(i).1)
    }

    /// `Config.__setitem__`: a section name takes only a `Config`.
    pub fn set(&mut self, key: &str, node: Node) -> Result<(), ConfigError> {
        if is_section_key(key) && !matches!(node, Node::Section(_)) {
            return Err(ConfigError(format!(
                "values whose keys begin with an uppercase char must be Config instances: {}, {}",
                str_repr(key),
                node.repr()
            )));
        }
        self.insert(key, node);
        Ok(())
    }

    /// `Config.__getitem__`: an absent section name is created as an empty section, an absent
    /// other name (not starting with `_`) as an empty `LazyConfigValue`.
    pub fn entry(&mut self, key: &str) -> Result<&mut Node, ConfigError> {
        if self.get(key).is_none() {
            let node = if is_section_key(key) {
                Node::Section(Config::new())
            } else if !key.starts_with('_') {
                Node::Lazy(Lazy::default())
            } else {
                return Err(ConfigError(str_repr(key)));
            };
            self.items.push((key.to_string(), node));
        }
        Ok(self.get_mut(key).expect("just inserted"))
    }

    /// `_has_section`.
    pub fn section(&self, key: &str) -> Option<&Config> {
        match self.get(key) {
            Some(Node::Section(c)) if is_section_key(key) => Some(c),
            _ => None,
        }
    }

    /// `Config.merge(other)`: sections merge recursively, a `LazyConfigValue` is merged into
    /// what it meets, everything else is replaced (keeping its place).
    pub fn merge(&mut self, other: &Config) {
        for (k, v) in &other.items {
            match (self.get_mut(k), v) {
                (None, _) => self.items.push((k.clone(), v.clone())),
                (Some(Node::Section(mine)), Node::Section(theirs)) => mine.merge(theirs),
                (Some(slot), Node::Lazy(lazy)) => {
                    *slot = match slot {
                        Node::Lazy(earlier) => Node::Lazy(merge_lazy(earlier, lazy)),
                        Node::Value(initial) => Node::Value(lazy.apply(initial)),
                        _ => Node::Lazy(lazy.clone()),
                    }
                }
                (Some(slot), _) => *slot = v.clone(),
            }
        }
    }

    /// `Config.collisions(other)`: the values of `self` that `other` replaces with a different
    /// one, as `(section, key, "<old> ignored, using <new>")`.
    pub fn collisions(&self, other: &Config) -> Vec<(String, Vec<(String, String)>)> {
        let mut out: Vec<(String, Vec<(String, String)>)> = Vec::new();
        for (section, mine) in &self.items {
            let (Node::Section(mine), Some(Node::Section(theirs))) = (mine, other.get(section)) else {
                continue;
            };
            for (key, value) in &mine.items {
                if let Some(theirs) = theirs.get(key) {
                    if !value.py_eq(theirs) {
                        let msg = format!("{} ignored, using {}", value.repr(), theirs.repr());
                        match out.iter_mut().find(|(s, _)| s == section) {
                            Some((_, list)) => list.push((key.clone(), msg)),
                            None => out.push((section.clone(), vec![(key.clone(), msg)])),
                        }
                    }
                }
            }
        }
        out
    }

    /// `copy.deepcopy(config)`, which re-inserts every entry through `__setitem__` and so fails
    /// on a section name holding something other than a section (possible only for entries
    /// that came in without the check: a JSON file, `{"K8sSpecInstaller": {"Spark": true}}`).
    pub fn check_copy(&self) -> Result<(), ConfigError> {
        for (k, v) in &self.items {
            match v {
                Node::Section(c) => c.check_copy()?,
                _ if is_section_key(k) => {
                    return Err(ConfigError(format!(
                        "values whose keys begin with an uppercase char must be Config instances: {}, {}",
                        str_repr(k),
                        v.repr()
                    )))
                }
                _ => {}
            }
        }
        Ok(())
    }

    pub fn repr(&self) -> String {
        let parts: Vec<String> = self.items.iter().map(|(k, v)| format!("{}: {}", str_repr(k), v.repr())).collect();
        format!("{{{}}}", parts.join(", "))
    }

    pub fn py_eq(&self, other: &Config) -> bool {
        self.items.len() == other.items.len()
            && self.items.iter().all(|(k, v)| other.get(k).is_some_and(|w| v.py_eq(w)))
    }
}

/// `LazyConfigValue.merge_into` of two lazy values (the later one has priority).
fn merge_lazy(earlier: &Lazy, later: &Lazy) -> Lazy {
    let mut out = later.clone();
    let mut extend = earlier.extend.clone();
    extend.extend(later.extend.iter().cloned());
    out.extend = extend;
    out.prepend = later.prepend.clone();
    out.prepend.extend(earlier.prepend.iter().cloned());
    let mut inserts = earlier.inserts.clone();
    inserts.extend(later.inserts.iter().cloned());
    out.inserts = inserts;
    if let Some(update) = later.update.as_ref().filter(|u| u.truthy()) {
        let merged = match (&earlier.update, update) {
            (Some(Value::Dict(a)), Value::Dict(b)) => {
                let mut items = (**a).clone();
                for (k, v) in b.iter() {
                    Value::dict_insert(&mut items, k.clone(), v.clone());
                }
                Value::dict(items)
            }
            (Some(Value::Set(a)), Value::Set(b)) => {
                let mut items = a.clone();
                for v in b {
                    Value::set_add(&mut items, v.clone());
                }
                Value::Set(items)
            }
            _ => update.clone(),
        };
        out.update = Some(merged);
    } else {
        out.update = earlier.update.clone();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Node {
        Node::Value(Value::str(s))
    }

    #[test]
    fn sections_and_values() {
        let mut c = Config::new();
        assert!(matches!(c.entry("K8sSpecInstaller").unwrap(), Node::Section(_)));
        assert!(matches!(c.entry("foo").unwrap(), Node::Lazy(_)));
        assert_eq!(c.entry("_x").unwrap_err().0, "'_x'");
        let e = c.set("Spark", Node::Value(Value::Bool(true))).unwrap_err();
        assert_eq!(e.0, "values whose keys begin with an uppercase char must be Config instances: 'Spark', True");
        let e = c.set("Spark", Node::Deferred(Deferred::Str("True".into()))).unwrap_err();
        assert_eq!(
            e.0,
            "values whose keys begin with an uppercase char must be Config instances: 'Spark', DeferredConfigString('True')"
        );
        c.insert("Bad", v("x"));
        assert!(c.check_copy().is_err());
    }

    #[test]
    fn merge_keeps_places_and_merges_sections() {
        let mut a = Config::new();
        let mut s = Config::new();
        s.insert("x", v("1"));
        s.insert("y", v("2"));
        a.insert("A", Node::Section(s));
        let mut b = Config::new();
        let mut s2 = Config::new();
        s2.insert("y", v("3"));
        s2.insert("z", v("4"));
        b.insert("A", Node::Section(s2.clone()));
        let collisions = a.collisions(&b);
        assert_eq!(collisions, vec![("A".to_string(), vec![("y".to_string(), "'2' ignored, using '3'".to_string())])]);
        a.merge(&b);
        assert_eq!(a.repr(), "{'A': {'x': '1', 'y': '3', 'z': '4'}}");
    }

    #[test]
    fn lazy_values() {
        let lazy = Lazy {
            extend: vec![Value::str("e")],
            prepend: vec![Value::str("p")],
            inserts: vec![(Value::int(0), Value::str("i"))],
            update: None,
        };
        assert_eq!(lazy.apply(&Value::list(vec![Value::str("a")])).repr(), "['p', 'i', 'a', 'e']");
        let add = Lazy { update: Some(Value::Set(vec![Value::str("b")])), ..Lazy::default() };
        assert_eq!(add.apply(&Value::Set(vec![Value::str("a")])).repr(), "{'a', 'b'}");
        assert_eq!(add.apply(&Value::str("s")).repr(), "'s'");
        assert_eq!(Node::Lazy(add).repr(), "<LazyConfigValue {'update': {'b'}}>");
    }
}
