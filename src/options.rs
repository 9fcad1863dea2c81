//! The configurable surface of the installer, as the reference's traitlets classes define it:
//! which traits exist, their types, the class hierarchy, the command-line aliases and flags.
//! This is data only; `cli` parses against it and `settings` resolves values with it.

/// How a trait's value is typed and converted (traitlets trait kinds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `Unicode`: `~` expanded and one pair of outer quotes stripped when given as text.
    Str,
    /// `Unicode(allow_none=True)`: the text `None` means null.
    NullableStr,
    /// `Integer`: Python `int()` syntax.
    Int,
    /// `Bool`: true/false/1/0, case-insensitive.
    Bool,
    /// `Set(Unicode)`: each command-line occurrence adds one item verbatim.
    Set,
    /// `Application.log_level`: one of 0,10,20,30,40,50 or a level name.
    LogLevel,
    /// `Dict` (`logging_config`): accepted from config files only.
    Dict,
}

pub struct Trait {
    pub name: &'static str,
    pub kind: Kind,
}

const fn t(name: &'static str, kind: Kind) -> Trait {
    Trait { name, kind }
}

/// Every configurable trait of `K8sSpecInstaller`, inherited ones included.
pub const TRAITS: &[Trait] = &[
    t("answer_yes", Kind::Bool),
    t("authorized_users", Kind::Set),
    t("config_file", Kind::Str),
    t("config_file_name", Kind::Str),
    t("crd", Kind::Bool),
    t("display_name", Kind::Str),
    t("executor_image_name", Kind::NullableStr),
    t("extra_spark_opts", Kind::Str),
    t("generate_config", Kind::Bool),
    t("image_name", Kind::NullableStr),
    t("ipykernel_subclass_name", Kind::Str),
    t("kernel_name", Kind::Str),
    t("language", Kind::Str),
    t("launch_timeout", Kind::Int),
    t("log_datefmt", Kind::Str),
    t("log_format", Kind::Str),
    t("log_level", Kind::LogLevel),
    t("logging_config", Kind::Dict),
    t("port_range", Kind::NullableStr),
    t("prefix", Kind::Str),
    t("replace", Kind::Bool),
    t("show_config", Kind::Bool),
    t("show_config_json", Kind::Bool),
    t("spark", Kind::Bool),
    t("spark_home", Kind::Str),
    t("spark_init_mode", Kind::Str),
    t("tensorflow", Kind::Bool),
    t("unauthorized_users", Kind::Set),
    t("user", Kind::Bool),
];

pub fn find_trait(name: &str) -> Option<&'static Trait> {
    TRAITS.iter().find(|t| t.name == name)
}

/// The installer class and its configurable ancestors, most-derived first. A value set on a
/// more-derived class wins over one set on a base class, wherever each came from.
pub const CLASSES: &[&str] = &[
    INSTALLER,
    "BaseSpecSparkApp",
    "BaseSpecApp",
    "RemoteProvisionerConfigMixin",
    "BaseApp",
    "JupyterApp",
    "Application",
    "SingletonConfigurable",
    "LoggingConfigurable",
    "Configurable",
];

pub const INSTALLER: &str = "K8sSpecInstaller";

/// Command-line aliases (`--image-name=X` is `--K8sSpecInstaller.image_name=X`), in the order
/// the reference's usage text lists them.
pub const ALIASES: &[(&str, &str)] = &[
    ("image-name", "image_name"),
    ("executor-image-name", "executor_image_name"),
    ("spark-home", "spark_home"),
    ("spark-init-mode", "spark_init_mode"),
    ("extra-spark-opts", "extra_spark_opts"),
    ("prefix", "prefix"),
    ("kernel-name", "kernel_name"),
    ("display-name", "display_name"),
    ("language", "language"),
    ("authorized-users", "authorized_users"),
    ("unauthorized-users", "unauthorized_users"),
    ("port-range", "port_range"),
    ("launch-timeout", "launch_timeout"),
    ("ipykernel-subclass-name", "ipykernel_subclass_name"),
    ("log-level", "log_level"),
    ("config", "config_file"),
];

/// Command-line flags: they take no value and are applied after every other command-line
/// setting, so they win over an option naming the same trait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flag {
    Spark,
    User,
    Replace,
    SysPrefix,
    Debug,
    Tensorflow,
    Crd,
}

pub const FLAGS: &[(&str, Flag)] = &[
    ("spark", Flag::Spark),
    ("user", Flag::User),
    ("replace", Flag::Replace),
    ("sys-prefix", Flag::SysPrefix),
    ("debug", Flag::Debug),
    ("tensorflow", Flag::Tensorflow),
    ("crd", Flag::Crd),
];

/// The level names and numbers `log_level` accepts, in the order the error message lists them.
pub const LOG_LEVEL_CHOICES: &str = "[0, 10, 20, 30, 40, 50, 'DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL']";

/// The values offered for the aliases that accept a fixed set (`--language` and
/// `--spark-init-mode` case-insensitively), as the help names them. Used for shell completion
/// and the manual page; `settings` does the validating, and `clap_model`'s tests check that it
/// accepts exactly these.
pub const CHOICES: &[(&str, &[&str])] = &[
    ("language", &["Python", "R", "Scala"]),
    ("spark_init_mode", &["lazy", "eager", "none"]),
    ("log_level", &["0", "10", "20", "30", "40", "50", "DEBUG", "INFO", "WARN", "ERROR", "CRITICAL"]),
];

/// The fixed set of values a trait accepts, if it has one.
pub fn choices(trait_name: &str) -> Option<&'static [&'static str]> {
    CHOICES.iter().find(|(name, _)| *name == trait_name).map(|(_, values)| *values)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_alias_and_flag_names_a_real_trait() {
        for (alias, name) in ALIASES {
            assert!(find_trait(name).is_some(), "alias {alias} -> {name}");
        }
        assert_eq!(TRAITS.len(), 29);
        assert_eq!(find_trait("launch_timeout").map(|t| t.kind), Some(Kind::Int));
        assert!(find_trait("provisioner_name").is_none());
    }
}
