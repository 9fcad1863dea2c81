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
    /// The class that defines it (`Application`, `JupyterApp`, `RemoteProvisionerConfigMixin`,
    /// `BaseSpecApp`, `BaseSpecSparkApp`, `K8sSpecInstaller`).
    pub owner: &'static str,
}

const fn t(name: &'static str, kind: Kind, owner: &'static str) -> Trait {
    Trait { name, kind, owner }
}

const APP: &str = "Application";
const JUPYTER: &str = "JupyterApp";
const MIXIN: &str = "RemoteProvisionerConfigMixin";
const SPEC: &str = "BaseSpecApp";
const SPARK: &str = "BaseSpecSparkApp";

/// Every configurable trait of `K8sSpecInstaller`, inherited ones included, in name order.
pub const TRAITS: &[Trait] = &[
    t("answer_yes", Kind::Bool, JUPYTER),
    t("authorized_users", Kind::Set, MIXIN),
    t("config_file", Kind::Str, JUPYTER),
    t("config_file_name", Kind::Str, JUPYTER),
    t("crd", Kind::Bool, INSTALLER),
    t("display_name", Kind::Str, SPEC),
    t("executor_image_name", Kind::NullableStr, INSTALLER),
    t("extra_spark_opts", Kind::Str, SPARK),
    t("generate_config", Kind::Bool, JUPYTER),
    t("image_name", Kind::NullableStr, INSTALLER),
    t("ipykernel_subclass_name", Kind::Str, SPEC),
    t("kernel_name", Kind::Str, SPEC),
    t("language", Kind::Str, SPEC),
    t("launch_timeout", Kind::Int, MIXIN),
    t("log_datefmt", Kind::Str, APP),
    t("log_format", Kind::Str, APP),
    t("log_level", Kind::LogLevel, APP),
    t("logging_config", Kind::Dict, APP),
    t("port_range", Kind::NullableStr, MIXIN),
    t("prefix", Kind::Str, SPEC),
    t("replace", Kind::Bool, SPEC),
    t("show_config", Kind::Bool, APP),
    t("show_config_json", Kind::Bool, APP),
    t("spark", Kind::Bool, SPARK),
    t("spark_home", Kind::Str, SPARK),
    t("spark_init_mode", Kind::Str, SPARK),
    t("tensorflow", Kind::Bool, INSTALLER),
    t("unauthorized_users", Kind::Set, MIXIN),
    t("user", Kind::Bool, SPEC),
];

pub fn find_trait(name: &str) -> Option<&'static Trait> {
    TRAITS.iter().find(|t| t.name == name)
}

/// The installer class and its configurable ancestors, most-derived first (the reverse of
/// traitlets' `section_names()`). A value set on a more-derived class wins over one set on a
/// base class.
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

/// The sections of the dispatcher (`K8sProvisionerApp`), the installer's parent: a section of
/// the installer nested in one of them (`c.K8sProvisionerApp.K8sSpecInstaller.image_name`)
/// applies too, and wins over the top-level sections.
pub const PARENT_CLASSES: &[&str] =
    &["Configurable", "LoggingConfigurable", "SingletonConfigurable", "Application", "JupyterApp", "K8sProvisionerApp"];

/// The classes the command line knows traits of (traitlets' `argparse_traits`): only these
/// `--Class.trait` options are converted while parsing; others are kept as text until a trait
/// takes them.
pub const CLI_CLASSES: &[&str] = &["Application", JUPYTER, "BaseApp", MIXIN, SPEC, SPARK, INSTALLER];

/// Whether `class` has `trait_name` among its configurable traits (its own or inherited).
pub fn class_has_trait(class: &str, trait_name: &str) -> bool {
    let Some(t) = find_trait(trait_name) else { return false };
    ancestors(class).contains(&t.owner)
}

/// A class and its configurable ancestors that define traits.
fn ancestors(class: &str) -> &'static [&'static str] {
    match class {
        "Application" => &[APP],
        "JupyterApp" | "BaseApp" => &[APP, JUPYTER],
        "RemoteProvisionerConfigMixin" => &[MIXIN],
        "BaseSpecApp" => &[APP, JUPYTER, MIXIN, SPEC],
        "BaseSpecSparkApp" => &[APP, JUPYTER, MIXIN, SPEC, SPARK],
        "K8sSpecInstaller" => &[APP, JUPYTER, MIXIN, SPEC, SPARK, INSTALLER],
        _ => &[],
    }
}

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

/// The default of `ipykernel_subclass_name`: IPython's kernel class.
pub const DEFAULT_KERNEL_CLASS: &str = "ipykernel.ipkernel.IPythonKernel";

/// Where `rbac --namespace-mode` lets kernels run, in the order its help lists them.
pub const NAMESPACE_MODES: &[&str] = &["shared", "byo", "auto"];

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
        assert!(class_has_trait("Application", "log_level"));
        assert!(class_has_trait("BaseApp", "config_file"));
        assert!(!class_has_trait("Application", "kernel_name"));
        assert!(!class_has_trait("RemoteProvisionerConfigMixin", "log_level"));
        assert!(class_has_trait("BaseSpecSparkApp", "launch_timeout"));
        assert!(!class_has_trait("Configurable", "kernel_name"));
        assert!(CLI_CLASSES.iter().all(|c| CLASSES.contains(c)));
    }
}
