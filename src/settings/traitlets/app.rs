//! The installer as a traitlets configurable: the values its traits hold, and
//! `update_config` / `_load_config`, which take a `Config` in the way traitlets does (sections
//! of the class and its ancestors merged base first, then the sections nested in the
//! dispatcher's; unknown names warned about; values validated; cross-validation and the
//! log-level observer after the pass).

use crate::cli::options::{find_trait, Initial, Kind, CLASSES, INSTALLER, PARENT_CLASSES, TRAITS};
use crate::py::value::Value;

use super::config::{is_section_key, Config, Node};
use super::traits::{deferred_value, set, Home, TraitError};

/// Where trait defaults that depend on the environment come from.
pub struct Env<'a> {
    pub var: &'a dyn Fn(&str) -> Option<String>,
    pub home: Home<'a>,
}

/// The installer application's configurable state.
#[derive(Debug, Default)]
pub struct Installer {
    /// Traits set from config, in the order first set.
    values: Vec<(&'static str, Value)>,
    /// `self.config`: every config loaded so far, merged.
    pub config: Config,
}

/// `logging.WARN` etc. for a level name.
pub fn level_number(v: &Value) -> Option<u8> {
    match v {
        Value::Str(s) => match s.as_str() {
            "DEBUG" => Some(10),
            "INFO" => Some(20),
            "WARN" => Some(30),
            "ERROR" => Some(40),
            "CRITICAL" => Some(50),
            _ => None,
        },
        Value::Int(i) => i.to_i64().and_then(|n| u8::try_from(n).ok()),
        Value::Bool(b) => Some(u8::from(*b)),
        Value::Float(f) => Some(*f as u8),
        _ => None,
    }
}

impl Installer {
    pub fn new() -> Installer {
        Installer::default()
    }

    /// The value a trait was set to, if any.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.values.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
    }

    /// The trait's value: as set, else its default.
    pub fn value(&self, name: &str, env: &Env) -> Value {
        match self.get(name) {
            Some(v) => v.clone(),
            None => default(name, env),
        }
    }

    fn store(&mut self, name: &'static str, v: Value) {
        match self.values.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = v,
            None => self.values.push((name, v)),
        }
    }

    /// `update_config(config)`: `deepcopy(self.config)` (which fails on a section name holding
    /// a value), `_load_config(config)`, then `self.config.merge(config)`. `warn` receives the
    /// unknown-option warnings as they occur.
    pub fn update_config(&mut self, cfg: &Config, env: &Env, warn: &mut dyn FnMut(String)) -> Result<(), TraitError> {
        self.config.check_copy().map_err(|e| TraitError(e.0))?;
        self.load_config(cfg, env, warn)?;
        self.config.merge(cfg);
        Ok(())
    }

    fn load_config(&mut self, cfg: &Config, env: &Env, warn: &mut dyn FnMut(String)) -> Result<(), TraitError> {
        let mine = find_my_config(cfg);
        let mut changed: Vec<&'static str> = Vec::new();
        for (name, node) in mine.iter() {
            match find_trait(name) {
                Some(t) => {
                    let value = match node {
                        Node::Lazy(lazy) => lazy.apply(&self.value(t.name, env)),
                        Node::Deferred(d) => deferred_value(t, d, &env.home)?,
                        Node::Value(v) => v.clone(),
                        Node::Section(_) => continue,
                    };
                    let new = set(t, &value)?;
                    let old = self.value(t.name, env);
                    let same = old.py_eq(&new) && old.type_name() == new.type_name();
                    if !same && !changed.contains(&t.name) {
                        changed.push(t.name);
                    }
                    self.store(t.name, new);
                }
                None if !is_section_key(name) && !matches!(node, Node::Section(_)) => warn(unknown_option(name)),
                None => {}
            }
        }
        // After the values are in: the installer's validators, then the log-level observer.
        for name in changed {
            self.cross_validate(name)?;
        }
        if let Some(v) = self.get("log_level") {
            if let (Value::Str(_), Some(n)) = (v, level_number(v)) {
                self.store("log_level", Value::int(i64::from(n)));
            }
        }
        Ok(())
    }

    /// `@validate("language")` and `@validate("spark_init_mode")` of the reference.
    fn cross_validate(&mut self, name: &'static str) -> Result<(), TraitError> {
        let Some(Value::Str(value)) = self.get(name).cloned() else { return Ok(()) };
        match name {
            "language" if !["python", "scala", "r"].contains(&value.to_lowercase().as_str()) => {
                Err(TraitError(format!("Invalid language value {value}, not in ['python', 'scala', 'r']")))
            }
            "spark_init_mode" => {
                if !["lazy", "eager", "none"].contains(&value.to_lowercase().as_str()) {
                    return Err(TraitError(format!(
                        "Invalid Spark initialization mode value {}, not in ['lazy', 'eager', 'none']",
                        crate::py::repr::str_repr(&value)
                    )));
                }
                self.store(name, Value::Str(value.to_lowercase()));
                Ok(())
            }
            _ => Ok(()),
        }
    }
}

/// `_find_my_config`: the installer's sections (base classes first, so derived ones win), then
/// the same sections nested in the dispatcher's sections (which win over all).
pub fn find_my_config(cfg: &Config) -> Config {
    let mut parent = Config::new();
    for name in PARENT_CLASSES {
        if let Some(section) = cfg.section(name) {
            parent.merge(section);
        }
    }
    let mut mine = Config::new();
    for c in [cfg, &parent] {
        for name in CLASSES.iter().rev() {
            if let Some(section) = c.section(name) {
                mine.merge(section);
            }
        }
    }
    mine
}

/// The warning for a name that is no trait of ours.
pub fn unknown_option(name: &str) -> String {
    let names: Vec<&str> = TRAITS.iter().map(|t| t.name).collect();
    let mut matches = crate::py::difflib::close_matches(name, &names, 3, 0.6);
    let mut msg = format!("Config option `{name}` not recognized by `{INSTALLER}`.");
    if matches.len() == 1 {
        msg.push_str(&format!("  Did you mean `{}`?", matches[0]));
    } else if !matches.is_empty() {
        matches.sort();
        msg.push_str(&format!("  Did you mean one of: `{}`?", matches.join(", ")));
    }
    msg
}

/// A trait's value before anything sets it: its initial value in the option table, or the
/// first of its environment variables that is set (a set splits at commas, an int is read as
/// Python's `int()` reads it and otherwise kept as text for the trait to refuse).
pub fn default(name: &str, env: &Env) -> Value {
    let Some(t) = find_trait(name) else { return Value::None };
    if let Some(text) = t.env.iter().find_map(|k| (env.var)(k)) {
        return match t.kind {
            Kind::Set => Value::Set(text.split(',').map(Value::str).fold(Vec::new(), |mut acc, v| {
                Value::set_add(&mut acc, v);
                acc
            })),
            Kind::Int => crate::py::int::parse(&text).map_or(Value::Str(text), Value::Int),
            _ => Value::Str(text),
        };
    }
    match t.initial {
        Initial::Str(s) => Value::str(s),
        Initial::None => Value::None,
        Initial::Bool(b) => Value::Bool(b),
        Initial::Int(n) => Value::int(n),
        Initial::Set(items) => Value::Set(items.iter().map(|s| Value::str(*s)).collect()),
        Initial::Dict => Value::dict(Vec::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::argparse::{parse, Command};

    fn cli(args: &[&str]) -> Config {
        let mut words = vec!["install".to_string()];
        words.extend(args.iter().map(|s| s.to_string()));
        let Ok(Command::Install(c)) = parse(&words) else { panic!() };
        let home = Home { home: Some("/h"), user_home: &|_| None };
        super::super::argv::cli_config(&c, "/venv", &home, &mut |_| {}).unwrap()
    }

    fn run(cfgs: &[Config]) -> (Result<Installer, String>, Vec<String>) {
        let var = |_: &str| None;
        let env = Env { var: &var, home: Home { home: Some("/h"), user_home: &|_| None } };
        let mut app = Installer::new();
        let mut warnings = Vec::new();
        for c in cfgs {
            if let Err(e) = app.update_config(c, &env, &mut |w| warnings.push(w)) {
                return (Err(e.0), warnings);
            }
        }
        (Ok(app), warnings)
    }

    #[test]
    fn derived_sections_win_and_unknown_names_are_warned_about() {
        let (app, w) = run(&[cli(&[
            "--K8sSpecInstaller.kernel_name=b",
            "--BaseSpecApp.kernel_name=a",
            "--K8sSpecInstaller.imagename=x",
            "--Foo.bar=1",
            "--K8sProvisionerApp.K8sSpecInstaller.display_name=nested",
            "--K8sSpecInstaller.display_name=plain",
        ])]);
        let app = app.unwrap();
        assert_eq!(app.get("kernel_name").unwrap().repr(), "'b'");
        assert_eq!(app.get("display_name").unwrap().repr(), "'nested'");
        assert_eq!(
            w,
            vec!["Config option `imagename` not recognized by `K8sSpecInstaller`.  Did you mean one of: `executor_image_name, image_name`?".to_string()]
        );
    }

    #[test]
    fn validators_and_observers() {
        let (app, _) = run(&[cli(&["--spark-init-mode=EAGER", "--log-level=DEBUG"])]);
        let app = app.unwrap();
        assert_eq!(app.get("spark_init_mode").unwrap().repr(), "'eager'");
        assert_eq!(app.get("log_level").unwrap().repr(), "10");
        let (app, _) = run(&[cli(&["--language=foo"])]);
        assert_eq!(app.unwrap_err(), "Invalid language value foo, not in ['python', 'scala', 'r']");
        let (app, _) = run(&[cli(&["--Configurable.kernel_name=a", "--Configurable.kernel_name=b"])]);
        assert_eq!(app.unwrap_err(), "kernel_name only accepts one value, got 2: ['a', 'b']");
        let (app, _) = run(&[cli(&["--launch-timeout=abc"])]);
        assert_eq!(
            app.unwrap_err(),
            "The 'launch_timeout' trait of a K8sSpecInstaller instance expected an int, not the str 'abc'."
        );
    }
}
