//! Every option of the command line in one table, the reference's and ours, and the
//! configurable traits the reference's options set. Everything that shows or reads an option
//! reads it from here: the reference's parser (`argparse`) and ours (`extensions`, the clap
//! model of our commands), `--help` and `--help-all` (generated from the traits' own help
//! strings exactly as traitlets lays them out), `--help-extensions`, the shell completions and
//! the manual page, the generated config file, the traits' defaults and environment variables.
//!
//! Adding an option of ours is one entry in [`OPTIONS`] (with the constant naming it, if code
//! refers to it) plus its effect; `tests/options.rs` shows that every entry reaches every reader.

// ----- the reference's configurable traits -----------------------------------------------------

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

impl Kind {
    /// How traitlets' help writes the value of a `--Class.trait` of this kind.
    pub fn help_sample(self) -> &'static str {
        match self {
            Kind::Str | Kind::NullableStr => "=<Unicode>",
            Kind::Int => "=<Int>",
            Kind::Bool => "=<Bool>",
            Kind::Set => "=<set-item-1>...",
            Kind::LogLevel => "=<Enum>",
            Kind::Dict => "=<key-1>=<value-1>...",
        }
    }
}

/// The value a trait holds before anything sets it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Initial {
    Str(&'static str),
    None,
    Bool(bool),
    Int(i64),
    Set(&'static [&'static str]),
    Dict,
}

/// What help texts and the generated config file show as a trait's default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    /// The repr of its initial value.
    Initial,
    /// The repr of its initial value with its environment variable applied (the reference
    /// reads `SPARK_HOME` when the class is defined).
    WithEnv,
    /// The class default the reference shows, which the installer replaces when it starts.
    Text(&'static str),
}

pub struct Trait {
    pub name: &'static str,
    pub kind: Kind,
    /// The class that defines it (`Application`, `JupyterApp`, `RemoteProvisionerConfigMixin`,
    /// `BaseSpecApp`, `BaseSpecSparkApp`, `K8sSpecInstaller`).
    pub owner: &'static str,
    /// Its help string as the class defines it, before traitlets wraps it.
    pub help: &'static str,
    /// A subclass that defines it again, with its own help (`K8sSpecInstaller.spark`).
    pub redefined: Option<(&'static str, &'static str)>,
    /// What the installer starts from.
    pub initial: Initial,
    /// The environment variables the initial value is read from, the first one set winning:
    /// a set splits at commas, an int is read with Python's `int()` (else kept as text).
    pub env: &'static [&'static str],
    pub shown: Shown,
    /// The values it accepts, when they are a fixed set, as its help names them.
    pub choices: &'static [&'static str],
}

impl Trait {
    /// Its help string in the section of `class`.
    pub fn help_in(&self, class: &str) -> &'static str {
        match self.redefined {
            Some((redefining, help)) if ancestors(class).contains(&redefining) => help,
            _ => self.help,
        }
    }

    /// The class whose definition `class` sees (traitlets' `_defining_class` among the
    /// installer's classes).
    pub fn defining_class(&self, class: &str) -> &'static str {
        match self.redefined {
            Some((redefining, _)) if ancestors(class).contains(&redefining) => redefining,
            _ => self.owner,
        }
    }
}

const APP: &str = "Application";
const JUPYTER: &str = "JupyterApp";
const MIXIN: &str = "RemoteProvisionerConfigMixin";
const SPEC: &str = "BaseSpecApp";
const SPARK: &str = "BaseSpecSparkApp";
pub const INSTALLER: &str = "K8sSpecInstaller";

/// The default of `ipykernel_subclass_name`: IPython's kernel class.
pub const DEFAULT_KERNEL_CLASS: &str = "ipykernel.ipkernel.IPythonKernel";
/// The names the installer starts from; `variant` replaces a name still at its default by the
/// variant's own.
pub const DEFAULT_KERNEL_NAME: &str = "k8s_python";
pub const DEFAULT_DISPLAY_NAME: &str = "Kubernetes Python";
/// gateway-provisioners' `log_format` (with milliseconds) and traitlets' `log_datefmt`.
pub const DEFAULT_LOG_FORMAT: &str =
    "%(color)s[%(levelname)1.1s %(asctime)s.%(msecs).03d %(name)s]%(end_color)s %(message)s";
pub const DEFAULT_LOG_DATEFMT: &str = "%Y-%m-%d %H:%M:%S";
/// The log level the installer starts at (`INFO`).
pub const DEFAULT_LOG_LEVEL: i64 = 20;

const LOG_LEVELS: &[&str] = &["0", "10", "20", "30", "40", "50", "DEBUG", "INFO", "WARN", "ERROR", "CRITICAL"];

const fn tr(name: &'static str, kind: Kind, owner: &'static str, help: &'static str, initial: Initial) -> Trait {
    Trait { name, kind, owner, help, redefined: None, initial, env: &[], shown: Shown::Initial, choices: &[] }
}

/// Every configurable trait of `K8sSpecInstaller`, inherited ones included, in name order.
pub const TRAITS: &[Trait] = &[
    tr("answer_yes", Kind::Bool, JUPYTER, "Answer yes to any prompts.", Initial::Bool(false)),
    Trait {
        env: &["GP_AUTHORIZED_USERS"],
        ..tr(
            "authorized_users",
            Kind::Set,
            MIXIN,
            "List of user names against which KERNEL_USERNAME will be compared.
Any match (case-sensitive) will allow the kernel's launch, otherwise an HTTP 403
(Forbidden) error will be raised.  The set of unauthorized users takes precedence.
This option should be used carefully as it can dramatically limit who can launch kernels.
To specify multiple names via the CLI, separate options must be provided for each entry.
(GP_AUTHORIZED_USERS env var - non-bracketed, just comma-separated)",
            Initial::Set(&[]),
        )
    },
    tr("config_file", Kind::Str, JUPYTER, "Full path of a config file.", Initial::Str("")),
    Trait {
        shown: Shown::Text("''"),
        ..tr(
            "config_file_name",
            Kind::Str,
            JUPYTER,
            "Specify a config file to load.",
            Initial::Str("jupyter_k8s_spec_config"),
        )
    },
    tr(
        "crd",
        Kind::Bool,
        INSTALLER,
        "Install kernelspec for use with a Custom Resource Definition.  When combined with --spark,
will configure the SparkOperatorProvisioner for Spark Application CRDs.",
        Initial::Bool(false),
    ),
    Trait {
        shown: Shown::Text("''"),
        ..tr(
            "display_name",
            Kind::Str,
            SPEC,
            "The display name of the kernel - used by user-facing applications.",
            Initial::Str(DEFAULT_DISPLAY_NAME),
        )
    },
    Trait {
        env: &["GP_EXECUTOR_IMAGE_NAME"],
        ..tr(
            "executor_image_name",
            Kind::NullableStr,
            INSTALLER,
            "The executor image to use for this kernel specification.  Only applies to
Spark-enabled kernel specifications.  (GP_EXECUTOR_IMAGE_NAME env var)",
            Initial::None,
        )
    },
    tr("extra_spark_opts", Kind::Str, SPARK, "Specify additional Spark options.", Initial::Str("")),
    tr("generate_config", Kind::Bool, JUPYTER, "Generate default config file.", Initial::Bool(false)),
    Trait {
        env: &["GP_IMAGE_NAME"],
        ..tr(
            "image_name",
            Kind::NullableStr,
            INSTALLER,
            "The kernel image to use for this kernel specification. If this specification is
enabled for Spark usage, this image will be the driver image. (GP_IMAGE_NAME env var)",
            Initial::None,
        )
    },
    tr(
        "ipykernel_subclass_name",
        Kind::Str,
        SPEC,
        "For Python kernels, the name of the ipykernel subclass.",
        Initial::Str(DEFAULT_KERNEL_CLASS),
    ),
    Trait {
        shown: Shown::Text("''"),
        ..tr(
            "kernel_name",
            Kind::Str,
            SPEC,
            "Install the kernel spec into a directory with this name.",
            Initial::Str(DEFAULT_KERNEL_NAME),
        )
    },
    Trait {
        choices: &["Python", "R", "Scala"],
        ..tr(
            "language",
            Kind::Str,
            SPEC,
            "The language of the kernel referenced in the kernel specification.  Must be one of
    'Python', 'R', or 'Scala'.  Default = 'Python'.",
            Initial::Str("Python"),
        )
    },
    // The reference's help ("Number of ports to try if the specified port is not available")
    // describes another setting; this is what the value means.
    Trait {
        env: &["GP_LAUNCH_TIMEOUT", "KERNEL_LAUNCH_TIMEOUT"],
        ..tr(
            "launch_timeout",
            Kind::Int,
            MIXIN,
            "Number of seconds to wait for the kernel to start before its launch fails
(GP_LAUNCH_TIMEOUT env var)",
            Initial::Int(30),
        )
    },
    tr(
        "log_datefmt",
        Kind::Str,
        APP,
        "The date format used by logging formatters for `logging.Formatter` ``datefmt`` parameter",
        Initial::Str(DEFAULT_LOG_DATEFMT),
    ),
    Trait {
        shown: Shown::Text("'[%(name)s]%(highlevel)s %(message)s'"),
        ..tr("log_format", Kind::Str, APP, "The Logging format template", Initial::Str(DEFAULT_LOG_FORMAT))
    },
    Trait {
        shown: Shown::Text("30"),
        choices: LOG_LEVELS,
        ..tr("log_level", Kind::LogLevel, APP, "Set the log level by value or name.", Initial::Int(DEFAULT_LOG_LEVEL))
    },
    Trait {
        shown: Shown::Text("{}"),
        ..tr(
            "logging_config",
            Kind::Dict,
            APP,
            r#"
            Configure additional log handlers.

            The default stderr logs handler is configured by the
            log_level, log_datefmt and log_format settings.

            This configuration can be used to configure additional handlers
            (e.g. to output the log to a file) or for finer control over the
            default handlers.

            If provided this should be a logging configuration dictionary, for
            more information see:
            https://docs.python.org/3/library/logging.config.html#logging-config-dictschema

            This dictionary is merged with the base logging configuration which
            defines the following:

            * A logging formatter intended for interactive use called
              ``console``.
            * A logging handler that writes to stderr called
              ``console`` which uses the formatter ``console``.
            * A logger with the name of this application set to ``DEBUG``
              level.

            This example adds a new handler that writes to a file:

            .. code-block:: python

               c.Application.logging_config = {
                   "handlers": {
                       "file": {
                           "class": "logging.FileHandler",
                           "level": "DEBUG",
                           "filename": "<path/to/file>",
                       }
                   },
                   "loggers": {
                       "<application-name>": {
                           "level": "DEBUG",
                           # NOTE: if you don't list the default "console"
                           # handler here then it will be disabled
                           "handlers": ["console", "file"],
                       },
                   },
               }

        "#,
            Initial::Dict,
        )
    },
    Trait {
        env: &["GP_PORT_RANGE"],
        ..tr(
            "port_range",
            Kind::NullableStr,
            MIXIN,
            "Specifies the lower and upper port numbers from which ports are created.
The bounded values are separated by '..' (e.g., 33245..34245 specifies a range of 1000 ports
to be randomly selected). A range of zero (e.g., 33245..33245 or 0..0) disables port-range
enforcement.  (GP_PORT_RANGE env var)",
            Initial::Str("0..0"),
        )
    },
    tr(
        "prefix",
        Kind::Str,
        SPEC,
        "Specify a prefix to install to, e.g. an env. The kernelspec will be installed in PREFIX/share/jupyter/kernels/",
        Initial::Str(""),
    ),
    tr(
        "replace",
        Kind::Bool,
        SPEC,
        "If a kernel specification already exists in the destination, allow for its replacement.",
        Initial::Bool(false),
    ),
    tr(
        "show_config",
        Kind::Bool,
        APP,
        "Instead of starting the Application, dump configuration to stdout",
        Initial::Bool(false),
    ),
    tr(
        "show_config_json",
        Kind::Bool,
        APP,
        "Instead of starting the Application, dump configuration to stdout (as JSON)",
        Initial::Bool(false),
    ),
    Trait {
        redefined: Some((
            INSTALLER,
            "Install kernelspec for use with Spark.  When combined with --crd,
will configure the SparkOperatorProvisioner for Spark Application CRDs.",
        )),
        ..tr("spark", Kind::Bool, SPARK, "Install kernelspec for use with Spark.", Initial::Bool(false))
    },
    Trait {
        env: &["SPARK_HOME"],
        shown: Shown::WithEnv,
        ..tr("spark_home", Kind::Str, SPARK, "Specify where the spark files can be found.", Initial::Str("/opt/spark"))
    },
    Trait {
        choices: &["lazy", "eager", "none"],
        ..tr(
            "spark_init_mode",
            Kind::Str,
            SPARK,
            "Spark context initialization mode.  Must be one of ['lazy', 'eager', 'none'].
    Default = lazy.",
            Initial::Str("lazy"),
        )
    },
    tr("tensorflow", Kind::Bool, INSTALLER, "Install kernelspec for use with Tensorflow.", Initial::Bool(false)),
    Trait {
        env: &["GP_UNAUTHORIZED_USERS"],
        ..tr(
            "unauthorized_users",
            Kind::Set,
            MIXIN,
            "List of user names against which KERNEL_USERNAME will be compared.
Any match (case-sensitive) will prevent the kernel's launch and result in an
HTTP 403 (Forbidden) error. To specify multiple names via the CLI, separate
options must be provided for each entry.
(GP_UNAUTHORIZED_USERS env var - non-bracketed, just comma-separated)",
            Initial::Set(&["root"]),
        )
    },
    tr(
        "user",
        Kind::Bool,
        SPEC,
        "Try to install the kernel spec to the per-user directory instead of the system or environment directory.",
        Initial::Bool(false),
    ),
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

/// The sections of the dispatcher (`K8sProvisionerApp`), the installer's parent: a section of
/// the installer nested in one of them (`c.K8sProvisionerApp.K8sSpecInstaller.image_name`)
/// applies too, and wins over the top-level sections.
pub const PARENT_CLASSES: &[&str] =
    &["Configurable", "LoggingConfigurable", "SingletonConfigurable", "Application", "JupyterApp", "K8sProvisionerApp"];

/// The classes the command line knows traits of (traitlets' `argparse_traits`): only these
/// `--Class.trait` options are converted while parsing; others are kept as text until a trait
/// takes them.
pub const CLI_CLASSES: &[&str] = &["Application", JUPYTER, "BaseApp", MIXIN, SPEC, SPARK, INSTALLER];

/// A class with configurable traits, as help texts and the generated config file present it.
pub struct Class {
    pub name: &'static str,
    /// Its bases, as `ClassName(bases)` shows them.
    pub bases: &'static str,
    /// The description the generated config file gives it.
    pub doc: &'static str,
}

/// The installer's classes with traits, base first (traitlets' `_classes_with_config_traits`).
pub const INSTALLER_CLASSES: &[Class] = &[
    Class { name: APP, bases: "SingletonConfigurable", doc: "This is an application." },
    Class { name: JUPYTER, bases: APP, doc: "Base class for Jupyter applications" },
    Class { name: "BaseApp", bases: JUPYTER, doc: "Base class containing parameters common to each provisioner." },
    Class { name: MIXIN, bases: "Configurable", doc: "" },
    Class { name: SPEC, bases: "RemoteProvisionerConfigMixin, BaseApp", doc: "" },
    Class { name: SPARK, bases: SPEC, doc: "" },
    Class { name: INSTALLER, bases: SPARK, doc: "CLI for extension management." },
];

/// The dispatcher's classes with traits (its `--help-all`).
pub const DISPATCHER_CLASSES: &[Class] = &[
    Class { name: APP, bases: "SingletonConfigurable", doc: "" },
    Class { name: JUPYTER, bases: APP, doc: "" },
    Class { name: "K8sProvisionerApp", bases: JUPYTER, doc: "" },
];

/// Whether `class` has `trait_name` among its configurable traits (its own or inherited).
pub fn class_has_trait(class: &str, trait_name: &str) -> bool {
    let Some(t) = find_trait(trait_name) else { return false };
    ancestors(class).contains(&t.owner)
}

/// The traits of `class` (its own and inherited), in name order.
pub fn traits_of(class: &str) -> impl Iterator<Item = &'static Trait> + '_ {
    TRAITS.iter().filter(move |t| ancestors(class).contains(&t.owner))
}

/// A class and its configurable ancestors that define traits.
fn ancestors(class: &str) -> &'static [&'static str] {
    match class {
        "Application" => &[APP],
        "JupyterApp" | "BaseApp" | "K8sProvisionerApp" => &[APP, JUPYTER],
        "RemoteProvisionerConfigMixin" => &[MIXIN],
        "BaseSpecApp" => &[APP, JUPYTER, MIXIN, SPEC],
        "BaseSpecSparkApp" => &[APP, JUPYTER, MIXIN, SPEC, SPARK],
        "K8sSpecInstaller" => &[APP, JUPYTER, MIXIN, SPEC, SPARK, INSTALLER],
        _ => &[],
    }
}

/// The level names and numbers `log_level` accepts, in the order the error message lists them.
pub const LOG_LEVEL_CHOICES: &str = "[0, 10, 20, 30, 40, 50, 'DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL']";

/// The values offered for the traits that accept a fixed set (`language` and
/// `spark_init_mode` case-insensitively), as the help names them: shell completion and the
/// manual page offer them, `settings` does the validating (a test checks it accepts exactly
/// these).
pub const CHOICES: &[(&str, &[&str])] = &choice_sets::<3>();

const fn choice_sets<const N: usize>() -> [(&'static str, &'static [&'static str]); N] {
    let mut out: [(&str, &[&str]); N] = [("", &[]); N];
    let (mut i, mut n) = (0, 0);
    while i < TRAITS.len() {
        if !TRAITS[i].choices.is_empty() {
            out[n] = (TRAITS[i].name, TRAITS[i].choices);
            n += 1;
        }
        i += 1;
    }
    assert!(n == N, "CHOICES has one entry for each trait with choices");
    out
}

/// The fixed set of values a trait accepts, if it has one.
pub fn choices(trait_name: &str) -> Option<&'static [&'static str]> {
    find_trait(trait_name).map(|t| t.choices).filter(|c| !c.is_empty())
}

// ----- the command line -------------------------------------------------------------------------

/// The commands, each with the options in [`OPTIONS`] that name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmd {
    /// `jupyter-k8s-spec` itself (the reference's dispatcher).
    Top,
    Install,
    Preview,
    Rbac,
    Completions,
    Man,
}

/// Whose an option is: the reference's (its help text is interface) or ours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Reference,
    Ours,
}

/// The reference's flags: they take no value and are applied after every other command-line
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

/// The value a flag sets its trait to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlagValue {
    True,
    Int(i64),
    /// The Python environment's prefix (`--sys-prefix`).
    SysPrefix,
}

/// What an option does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// `-h`/`--help`, or `--help-all` (`all`).
    Help {
        all: bool,
    },
    /// `--help-extensions`: our commands and options.
    HelpExtensions,
    Version,
    /// A flag of the reference: sets `class.name` (its help is the trait's, unless the entry
    /// has its own).
    Flag {
        flag: Flag,
        class: &'static str,
        name: &'static str,
        value: FlagValue,
    },
    /// An alias of the reference: `--alias=V` is `--class.name=V`.
    Alias {
        class: &'static str,
        name: &'static str,
    },
    /// One of ours without a value.
    Switch,
    /// One of ours that takes a value.
    Value,
    /// A positional argument of one of our commands.
    Positional {
        required: bool,
    },
}

/// How a shell completes an option's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hint {
    None,
    Dir,
    File,
    /// The name of a kernelspec, or its directory.
    Kernelspec,
}

/// Where an option of ours appears in `install --help-extensions`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    /// Not in `--help-extensions`.
    None,
    /// What an install reports or checks (`--dry-run`, `--json`, `--validate`).
    Report,
    /// Fixed entries in the kernel's pod template.
    PodEntries,
    /// An operator's own pod template.
    PodTemplate,
}

/// One option.
pub struct Opt {
    pub command: Cmd,
    /// As typed (`--image-name`); a positional argument's name (`SHELL`).
    pub long: &'static str,
    pub short: Option<&'static str>,
    pub origin: Origin,
    pub action: Action,
    /// How its value is written in help (`KEY=VALUE`); the reference's aliases show their
    /// trait's kind.
    pub metavar: &'static str,
    pub hint: Hint,
    /// One line for completion menus; empty: the first sentence of the help.
    pub summary: &'static str,
    /// The help text, its lines as printed (ours); empty for a reference option, whose help is
    /// its trait's.
    pub help: &'static str,
    /// Its fixed values (ours); the reference's take their trait's.
    pub choices: &'static [&'static str],
    /// May be given more than once.
    pub repeatable: bool,
    /// Its command cannot run without it.
    pub required: bool,
    pub group: Group,
}

impl Opt {
    /// The trait behind a reference option.
    pub fn target(&self) -> Option<(&'static str, &'static Trait)> {
        match self.action {
            Action::Flag { class, name, .. } | Action::Alias { class, name } => Some((class, find_trait(name)?)),
            _ => None,
        }
    }

    /// Its help text: its own, else its trait's as the class it names defines it.
    pub fn help_text(&self) -> &'static str {
        match (self.help, self.target()) {
            ("", Some((class, t))) => t.help_in(class),
            (own, _) => own,
        }
    }

    /// Whether it takes a value.
    pub fn takes_value(&self) -> bool {
        matches!(self.action, Action::Alias { .. } | Action::Value | Action::Positional { .. })
    }

    /// The name without dashes (`image-name`), or the positional's name.
    pub fn name(&self) -> &'static str {
        strip_dashes(self.long)
    }

    /// The fixed values it accepts.
    pub fn choices(&self) -> &'static [&'static str] {
        match self.target() {
            Some((_, t)) if matches!(self.action, Action::Alias { .. }) => t.choices,
            _ => self.choices,
        }
    }
}

const fn strip_dashes(s: &'static str) -> &'static str {
    let mut b = s.as_bytes();
    while let [b'-', rest @ ..] = b {
        b = rest;
    }
    match std::str::from_utf8(b) {
        Ok(s) => s,
        Err(_) => panic!("option names are ASCII"),
    }
}

/// The names of our options that code refers to (each is an entry of [`OPTIONS`]).
pub const DRY_RUN: &str = "--dry-run";
pub const JSON: &str = "--json";
pub const VALIDATE: &str = "--validate";
pub const HELP_EXTENSIONS: &str = "--help-extensions";
pub const TOLERATION: &str = "--toleration";
pub const NODE_SELECTOR: &str = "--node-selector";
pub const IMAGE_PULL_SECRET: &str = "--image-pull-secret";
pub const POD_ANNOTATION: &str = "--pod-annotation";
pub const POD_LABEL: &str = "--pod-label";
pub const PRIORITY_CLASS_NAME: &str = "--priority-class-name";
pub const KERNEL_POD_TEMPLATE: &str = "--kernel-pod-template";

/// Where `rbac --namespace-mode` lets kernels run, in the order its help lists them.
pub const NAMESPACE_MODES: &[&str] = &["shared", "byo", "auto"];

/// The shells `completions` writes scripts for, in the order its messages list them.
pub const SHELLS: &[&str] = &["bash", "zsh", "fish", "elvish", "powershell"];

const fn opt(command: Cmd, long: &'static str, action: Action) -> Opt {
    Opt {
        command,
        long,
        short: None,
        origin: Origin::Reference,
        action,
        metavar: "",
        hint: Hint::None,
        summary: "",
        help: "",
        choices: &[],
        repeatable: false,
        required: false,
        group: Group::None,
    }
}

const fn flag(long: &'static str, flag: Flag, class: &'static str, name: &'static str, value: FlagValue) -> Opt {
    opt(Cmd::Install, long, Action::Flag { flag, class, name, value })
}

const fn alias(long: &'static str, class: &'static str, name: &'static str) -> Opt {
    opt(Cmd::Install, long, Action::Alias { class, name })
}

const fn ours(command: Cmd, long: &'static str, action: Action, metavar: &'static str) -> Opt {
    Opt { origin: Origin::Ours, metavar, ..opt(command, long, action) }
}

/// Every option, grouped by command, in the order the help texts list them: for `install`,
/// the reference's flags and aliases in the order its parser registers them.
pub const OPTIONS: &[Opt] = &[
    // The help and version options of the reference's parsers (the dispatcher's and install's).
    Opt {
        short: Some("-h"),
        summary: "Print the help (the options below, with their defaults) and exit",
        ..opt(Cmd::Top, "--help", Action::Help { all: false })
    },
    Opt {
        summary: "Print the help with every configurable class option (--Class.trait=value) and its default, and exit",
        ..opt(Cmd::Top, "--help-all", Action::Help { all: true })
    },
    Opt { short: Some("-V"), summary: "Print the version and exit", ..opt(Cmd::Top, "--version", Action::Version) },
    Opt {
        summary: "List the commands and options of this tool that gateway-provisioners 0.5.0 does not have",
        help: "List the commands and options of this tool that gateway-provisioners 0.5.0
does not have (this text).",
        ..ours(Cmd::Top, HELP_EXTENSIONS, Action::HelpExtensions, "")
    },
    // install: the reference's flags, then its aliases.
    flag("--spark", Flag::Spark, INSTALLER, "spark", FlagValue::True),
    flag("--user", Flag::User, SPEC, "user", FlagValue::True),
    flag("--replace", Flag::Replace, SPEC, "replace", FlagValue::True),
    flag("--sys-prefix", Flag::SysPrefix, SPEC, "prefix", FlagValue::SysPrefix),
    Opt {
        help: "set log level to logging.DEBUG (maximize logging output)",
        ..flag("--debug", Flag::Debug, APP, "log_level", FlagValue::Int(10))
    },
    flag("--tensorflow", Flag::Tensorflow, INSTALLER, "tensorflow", FlagValue::True),
    flag("--crd", Flag::Crd, INSTALLER, "crd", FlagValue::True),
    alias("--image-name", INSTALLER, "image_name"),
    alias("--executor-image-name", INSTALLER, "executor_image_name"),
    Opt { hint: Hint::Dir, ..alias("--spark-home", SPARK, "spark_home") },
    alias("--spark-init-mode", SPARK, "spark_init_mode"),
    alias("--extra-spark-opts", SPARK, "extra_spark_opts"),
    Opt { hint: Hint::Dir, ..alias("--prefix", SPEC, "prefix") },
    alias("--kernel-name", SPEC, "kernel_name"),
    alias("--display-name", SPEC, "display_name"),
    alias("--language", SPEC, "language"),
    Opt { repeatable: true, ..alias("--authorized-users", SPEC, "authorized_users") },
    Opt { repeatable: true, ..alias("--unauthorized-users", SPEC, "unauthorized_users") },
    alias("--port-range", SPEC, "port_range"),
    alias("--launch-timeout", SPEC, "launch_timeout"),
    alias("--ipykernel-subclass-name", SPEC, "ipykernel_subclass_name"),
    alias("--log-level", APP, "log_level"),
    Opt { hint: Hint::File, ..alias("--config", JUPYTER, "config_file") },
    // install: ours.
    Opt {
        summary: "Print what would be installed and write nothing",
        help: "Resolve and check everything a real install does (options, environment,
config files, kernel name, an existing kernelspec without --replace, the
destination), then print what would be written instead of writing it: the
destination, each file with its mode and size, and the kernel.json text.
Nothing is created, changed or removed, not even parent directories.",
        group: Group::Report,
        ..ours(Cmd::Install, DRY_RUN, Action::Switch, "")
    },
    Opt {
        summary: "Describe the installed kernelspec as JSON on standard output",
        help: "After a successful install print one JSON object on stdout:
kernel_name, display_name, destination, variant, language, provisioner,
replaced, dry_run and files (a list of {path, mode, bytes}). With
--dry-run, describes what would be installed (instead of the text above).",
        group: Group::Report,
        ..ours(Cmd::Install, JSON, Action::Switch, "")
    },
    Opt {
        summary: "Check the rendered pod against the Kubernetes schema before writing anything",
        help: "Before writing anything, render the kernelspec that would be installed
(its kernel.json and templates, with the options below applied) as its
launcher renders it for a launch with default values (those of
`jupyter-k8s-spec preview`), and check the Pod (for Spark kernelspecs its
pod template; with --crd the SparkApplication) and any other object it
creates against the Kubernetes schema shipped with this tool. Each problem
is logged as an error with its field path, and the install fails (exit
status 1) with nothing written; an existing kernelspec is left as it is.
With --dry-run, validates, then prints what would be written.",
        group: Group::Report,
        ..ours(Cmd::Install, VALIDATE, Action::Switch, "")
    },
    Opt {
        summary: "Describe the extensions of install",
        ..ours(Cmd::Install, HELP_EXTENSIONS, Action::HelpExtensions, "")
    },
    Opt {
        summary: "Tolerate a node taint: KEY=VALUE:EFFECT (Equal) or KEY:EFFECT (Exists)",
        help: "Tolerate a node taint, in kubectl's taint syntax: KEY=VALUE:EFFECT gives
operator Equal, KEY:EFFECT operator Exists. EFFECT is NoSchedule,
PreferNoSchedule or NoExecute; KEY is a label key ([PREFIX/]NAME), VALUE
a label value.",
        repeatable: true,
        group: Group::PodEntries,
        ..ours(Cmd::Install, TOLERATION, Action::Value, "KEY[=VALUE]:EFFECT")
    },
    Opt {
        summary: "Run the kernel pod only on nodes with this label",
        help: "Run the kernel only on nodes with this label.",
        repeatable: true,
        group: Group::PodEntries,
        ..ours(Cmd::Install, NODE_SELECTOR, Action::Value, "KEY=VALUE")
    },
    Opt {
        summary: "Pull the kernel image with this Secret",
        help: "Pull the kernel image with this Secret (in the kernel's namespace).",
        repeatable: true,
        group: Group::PodEntries,
        ..ours(Cmd::Install, IMAGE_PULL_SECRET, Action::Value, "NAME")
    },
    Opt {
        summary: "Annotate the kernel pod",
        help: "Annotate the pod; VALUE is any text. The key
cluster-autoscaler.kubernetes.io/safe-to-evict replaces the template's
\"false\".",
        repeatable: true,
        group: Group::PodEntries,
        ..ours(Cmd::Install, POD_ANNOTATION, Action::Value, "KEY=VALUE")
    },
    Opt {
        summary: "Label the kernel pod",
        help: "Label the pod. kernel_id, app, component and source are the template's
own (the provisioner finds the pod by them) and cannot be given.",
        repeatable: true,
        group: Group::PodEntries,
        ..ours(Cmd::Install, POD_LABEL, Action::Value, "KEY=VALUE")
    },
    Opt {
        summary: "Schedule the kernel pod with this PriorityClass",
        help: "Give the pod this PriorityClass (spec.priorityClassName), which must exist
in the cluster: its priority orders scheduling and preemption, e.g. to let
interactive kernels go before batch jobs. NAME is a DNS subdomain.",
        group: Group::PodEntries,
        ..ours(Cmd::Install, PRIORITY_CLASS_NAME, Action::Value, "NAME")
    },
    Opt {
        summary: "Install FILE as the kernel pod template, after checking it",
        help: "Install FILE as scripts/kernel-pod.yaml.j2 instead of ours. It must be
UTF-8 and a Jinja template that, rendered exactly as the launcher renders
it for a launch with default values (as `jupyter-k8s-spec preview` does;
a placeholder the launcher refuses is refused here), gives YAML documents
the launcher accepts (Pod, Secret, PersistentVolumeClaim,
PersistentVolume) with exactly one Pod, labelled
kernel_id: \"{{ kernel_id }}\" and component: kernel, with a first
container. Otherwise the install fails naming the problem, and nothing is
written. Not with --spark or --crd, and not together with the options
above (write those fields into FILE).",
        hint: Hint::File,
        group: Group::PodTemplate,
        ..ours(Cmd::Install, KERNEL_POD_TEMPLATE, Action::Value, "FILE")
    },
    // preview
    Opt {
        summary: "The kernelspec: its name (as jupyter kernelspec list shows it) or its directory",
        help: "the kernelspec (its name, or its directory)",
        hint: Hint::Kernelspec,
        ..ours(Cmd::Preview, "KERNELSPEC", Action::Positional { required: true }, "KERNELSPEC")
    },
    Opt {
        summary: "A variable of the launch environment; KERNEL_* ones are template variables",
        help: "a variable of the launch environment (repeatable); each
KERNEL_<NAME> is the template variable kernel_<name>, typed
as YAML (\"1000\" is a number, \"[...]\" a list)",
        repeatable: true,
        ..ours(Cmd::Preview, "--env", Action::Value, "NAME=VALUE")
    },
    Opt {
        summary: "Check the result against the Kubernetes schema shipped with this tool",
        help: "check the result against the Kubernetes schema shipped with
this tool (unknown fields, types, resource quantities); each
problem is listed on stderr with its field path, exit status 1",
        ..ours(Cmd::Preview, "--validate", Action::Switch, "")
    },
    Opt {
        short: Some("-h"),
        summary: "Print the help and exit",
        help: "show this help and exit",
        ..ours(Cmd::Preview, "--help", Action::Help { all: false }, "")
    },
    // rbac
    Opt {
        summary: "Where kernels run: the server's namespace, namespaces clients name, or one per kernel",
        help: "where kernels run:
  shared  in the server's namespace (GP_SHARED_NAMESPACE=True)
  byo     in existing namespaces named by the clients
          (GP_SHARED_NAMESPACE=False, KERNEL_NAMESPACE)
  auto    in a namespace created for each kernel
          (GP_SHARED_NAMESPACE=False, no KERNEL_NAMESPACE)",
        choices: NAMESPACE_MODES,
        required: true,
        ..ours(Cmd::Rbac, "--namespace-mode", Action::Value, "MODE")
    },
    Opt {
        summary: "The server's namespace",
        help: "the server's namespace (GP_NAMESPACE); default: default",
        ..ours(Cmd::Rbac, "--namespace", Action::Value, "NS")
    },
    Opt {
        summary: "The server's service account",
        help: "the server's service account; default: gateway-provisioners",
        ..ours(Cmd::Rbac, "--service-account", Action::Value, "NAME")
    },
    Opt {
        short: Some("-h"),
        summary: "Print the help and exit",
        help: "show this help and exit",
        ..ours(Cmd::Rbac, "--help", Action::Help { all: false }, "")
    },
    // completions
    Opt {
        summary: "The shell to complete for",
        help: "the shell",
        choices: SHELLS,
        ..ours(Cmd::Completions, "SHELL", Action::Positional { required: true }, "SHELL")
    },
    Opt {
        short: Some("-h"),
        summary: "Print the help and exit",
        help: "show this help and exit",
        ..ours(Cmd::Completions, "--help", Action::Help { all: false }, "")
    },
    // man
    Opt {
        short: Some("-h"),
        summary: "Print the help and exit",
        help: "show this help and exit",
        ..ours(Cmd::Man, "--help", Action::Help { all: false }, "")
    },
];

/// The reference's aliases, `(alias, trait)`, in the order its usage text lists them.
pub const ALIASES: &[(&str, &str)] = &aliases::<16>();

const fn aliases<const N: usize>() -> [(&'static str, &'static str); N] {
    let mut out = [("", ""); N];
    let (mut i, mut n) = (0, 0);
    while i < OPTIONS.len() {
        if let Action::Alias { name, .. } = OPTIONS[i].action {
            out[n] = (strip_dashes(OPTIONS[i].long), name);
            n += 1;
        }
        i += 1;
    }
    assert!(n == N, "ALIASES has one entry for each alias in OPTIONS");
    out
}

/// The reference's flags, in the order its usage text lists them.
pub const FLAGS: &[(&str, Flag)] = &flags::<7>();

const fn flags<const N: usize>() -> [(&'static str, Flag); N] {
    let mut out = [("", Flag::Spark); N];
    let (mut i, mut n) = (0, 0);
    while i < OPTIONS.len() {
        if let Action::Flag { flag, .. } = OPTIONS[i].action {
            out[n] = (strip_dashes(OPTIONS[i].long), flag);
            n += 1;
        }
        i += 1;
    }
    assert!(n == N, "FLAGS has one entry for each flag in OPTIONS");
    out
}

/// The options of `command`, in table order.
pub fn of(command: Cmd) -> impl Iterator<Item = &'static Opt> {
    OPTIONS.iter().filter(move |o| o.command == command)
}

/// The entry of a flag.
pub fn flag_entry(f: Flag) -> &'static Opt {
    OPTIONS
        .iter()
        .find(|o| matches!(o.action, Action::Flag { flag, .. } if flag == f))
        .expect("every flag has its entry")
}

/// A command: how its help and the manual page describe it.
pub struct CommandDoc {
    pub command: Cmd,
    pub name: &'static str,
    pub origin: Origin,
    /// One line.
    pub about: &'static str,
    /// Its help's paragraphs after the usage line, as printed (ours).
    pub description: &'static str,
}

pub const COMMANDS: &[CommandDoc] = &[
    CommandDoc {
        command: Cmd::Install,
        name: "install",
        origin: Origin::Reference,
        about: "Creates a Jupyter kernel specification for use within a Kubernetes cluster.",
        description: "",
    },
    CommandDoc {
        command: Cmd::Preview,
        name: "preview",
        origin: Origin::Ours,
        about: "Print the Pod or SparkApplication a kernel of a kernelspec would be launched as",
        description: "Prints the Kubernetes object that a kernel of KERNELSPEC would be launched as,
rendered from the kernelspec's own template the way its launcher renders it: the
Pod of scripts/kernel-pod.yaml.j2 (for Spark kernelspecs, the pod template of
the launcher's --pod-template mode), or the SparkApplication of
scripts/sparkoperator.k8s.io-v1beta2.yaml.j2. The output is YAML with sorted
keys, as the launcher writes its --pod-template file; any Secret,
PersistentVolumeClaim or PersistentVolume the template also creates follows
after a --- line.

KERNELSPEC is a kernelspec's name, found on the Jupyter path as `jupyter
kernelspec list` finds it (the first directory that has it, names compared in
lower case), or a directory holding a kernelspec (a path with a /, or a name
that is on no kernels directory of the Jupyter path).

The launch environment is built as gateway-provisioners builds it: the --env
variables, the kernelspec's env stanza, then KERNEL_ID (default
00000000-0000-0000-0000-000000000000), KERNEL_LANGUAGE, KERNEL_USERNAME
(default jovyan), KERNEL_IMAGE and KERNEL_EXECUTOR_IMAGE (from kernel.json),
KERNEL_UID (1000), KERNEL_GID (100), KERNEL_POD_NAME (<username>-<kernel id>),
KERNEL_SERVICE_ACCOUNT_NAME (default) and KERNEL_NAMESPACE (GP_NAMESPACE, else
default), unless given; then the launcher's own variables. GP_* settings of the
provisioner are read from this process's environment. The rest of the server's
environment, which a real launch also copies into the pod, is left out.",
    },
    CommandDoc {
        command: Cmd::Rbac,
        name: "rbac",
        origin: Origin::Ours,
        about: "Print the RBAC objects a Jupyter server needs to launch kernels",
        description: "Prints the Kubernetes RBAC objects (ServiceAccount, Roles or ClusterRoles and their
bindings) that a Jupyter server or Enterprise Gateway needs to launch kernels with
gateway-provisioners, as a YAML stream for `kubectl apply -f -`.",
    },
    CommandDoc {
        command: Cmd::Completions,
        name: "completions",
        origin: Origin::Ours,
        about: "Print a shell completion script to standard output",
        description: "Prints the completion script of SHELL (bash, zsh, fish, elvish or powershell) for
the jupyter-k8s-spec command. To install it for the current user:

  mkdir -p ~/.local/share/bash-completion/completions
  jupyter-k8s-spec completions bash > ~/.local/share/bash-completion/completions/jupyter-k8s-spec

  mkdir -p ~/.zfunc     # and fpath+=~/.zfunc before compinit in ~/.zshrc
  jupyter-k8s-spec completions zsh > ~/.zfunc/_jupyter-k8s-spec

  mkdir -p ~/.config/fish/completions
  jupyter-k8s-spec completions fish > ~/.config/fish/completions/jupyter-k8s-spec.fish",
    },
    CommandDoc {
        command: Cmd::Man,
        name: "man",
        origin: Origin::Ours,
        about: "Print the manual page (roff) to standard output",
        description: "Prints the manual page of jupyter-k8s-spec, in roff: read it with
`jupyter-k8s-spec man | man -l -`, or install it as
/usr/local/share/man/man1/jupyter-k8s-spec.1.",
    },
];

/// The description of `command`.
pub fn command_doc(command: Cmd) -> &'static CommandDoc {
    COMMANDS.iter().find(|c| c.command == command).expect("every command has its entry")
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
        assert!(class_has_trait("Application", "log_level"));
        assert!(class_has_trait("BaseApp", "config_file"));
        assert!(!class_has_trait("Application", "kernel_name"));
        assert!(!class_has_trait("RemoteProvisionerConfigMixin", "log_level"));
        assert!(class_has_trait("BaseSpecSparkApp", "launch_timeout"));
        assert!(!class_has_trait("Configurable", "kernel_name"));
        assert!(CLI_CLASSES.iter().all(|c| CLASSES.contains(c)));
    }

    #[test]
    fn the_table_is_consistent() {
        let mut names: Vec<&str> = TRAITS.iter().map(|t| t.name).collect();
        names.sort_unstable();
        assert!(names.windows(2).all(|w| w[0] < w[1]), "traits in name order, once each");
        for o in OPTIONS {
            if let Some((class, t)) = o.target() {
                assert!(class_has_trait(class, t.name), "{}: {class}.{}", o.long, t.name);
            }
            let ok = match o.action {
                Action::Positional { .. } => o.long.chars().all(|c| c.is_ascii_uppercase() || c == '_'),
                _ => o.long.starts_with("--") && o.name().chars().all(|c| c.is_ascii_lowercase() || c == '-'),
            };
            assert!(ok, "{}", o.long);
            if o.origin == Origin::Ours && o.takes_value() {
                assert!(!o.metavar.is_empty(), "{}: how its value is written", o.long);
            }
            let twice = OPTIONS.iter().filter(|p| p.command == o.command && p.long == o.long).count();
            assert_eq!(twice, 1, "{} is listed once for its command", o.long);
        }
        assert_eq!(flag_entry(Flag::Debug).long, "--debug");
    }
}
