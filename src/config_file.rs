//! TEMPORARY stub; replaced by the real loader.
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq)]
pub enum ConfigValue {
    Str(String),
    Bool(bool),
    Int(String),
    Float(f64),
    List(Vec<ConfigValue>),
    Set(Vec<ConfigValue>),
    Dict(Vec<(String, ConfigValue)>),
    None,
}

#[derive(Debug, Clone)]
pub struct ConfigEntry {
    pub class: String,
    pub name: String,
    pub value: ConfigValue,
    pub file: PathBuf,
    pub line: Option<usize>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {0}")]
    Missing(PathBuf),
}

#[derive(Debug, Default)]
pub struct Loaded {
    pub entries: Vec<ConfigEntry>,
    pub debug: Vec<String>,
    pub warnings: Vec<String>,
}

pub fn parse_python_literal(text: &str) -> Result<ConfigValue, String> {
    Err(format!("unsupported literal {text}"))
}

pub fn load(_config_path: &[PathBuf], _explicit: Option<&Path>, _cwd: &Path) -> Result<Loaded, ConfigError> {
    Ok(Loaded::default())
}
