//! The clap model of the command line, built from the option table (`options`): it parses our
//! own commands (`preview`, `rbac`, `completions`, `man`) and describes every command to the
//! shell completions and the manual page. The reference's `install` is parsed by `argparse`
//! (clap cannot reproduce argparse's prefix matching, `--Class.trait=value` or its messages);
//! here it is only described, each option with the text its help shows.

use std::sync::LazyLock;

use clap::builder::PossibleValuesParser;
use clap::{Arg, ArgAction, Command, ValueHint};

use crate::cli::help::{self, HelpContext};
use crate::cli::options::{self, Action, Cmd, FlagValue, Hint, Kind, Opt, Origin};
use crate::py::repr::str_repr;

/// The program name the scripts complete and the manual page documents.
pub const BIN: &str = "jupyter-k8s-spec";

/// One option's entry in the install help, as a reader of the manual needs it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OptionDoc {
    /// The option without its dashes (`image-name`).
    pub name: &'static str,
    /// The description, its lines joined.
    pub description: String,
    /// The `Default:` line's value, if any (run-time values described for a reader who has no
    /// run time).
    pub default: Option<String>,
    /// The `Choices:` line's value, if any.
    pub choices: Option<&'static str>,
    /// The `Equivalent to:` line's value.
    pub equivalent: Option<String>,
}

impl OptionDoc {
    /// The first sentence, without its full stop: the one-line help of completion menus.
    pub fn summary(&self) -> String {
        first_sentence(&self.description)
    }

    /// The description with its default, choices and class-option form: the manual's text.
    pub fn long(&self) -> String {
        let mut out = self.description.clone();
        let mut extra = |label: &str, value: &Option<String>| {
            if let Some(v) = value {
                out += &format!("\n\n{label}: {v}");
            }
        };
        extra("Default", &self.default);
        extra("Choices", &self.choices.map(String::from));
        extra("Equivalent to", &self.equivalent);
        out
    }
}

/// `any of [...]` of `log_level`.
static LOG_LEVEL_INFO: LazyLock<String> = LazyLock::new(|| format!("any of {}", options::LOG_LEVEL_CHOICES));

/// The flags and aliases documented by `install --help`, in its order.
pub fn install_option_docs() -> Vec<OptionDoc> {
    options::of(Cmd::Install).filter_map(option_doc).collect()
}

fn option_doc(o: &'static Opt) -> Option<OptionDoc> {
    let (class, t) = o.target()?;
    let description = one_paragraph(o.help_text());
    let (default, equivalent) = match o.action {
        Action::Flag { class, name, value, .. } => {
            let value = match value {
                FlagValue::True => "True".to_string(),
                FlagValue::Int(n) => n.to_string(),
                FlagValue::SysPrefix => "<sys.prefix>".to_string(),
            };
            (None, format!("[--{class}.{name}={value}]"))
        }
        _ => {
            let shown = match t.shown {
                options::Shown::WithEnv => format!("${}, else {}", t.env.join(", $"), help::initial_repr(t.initial)),
                _ => help::shown_default(t, &HelpContext::default()),
            };
            (Some(shown), format!("[--{class}.{}]", t.name))
        }
    };
    let choices =
        (t.kind == Kind::LogLevel && matches!(o.action, Action::Alias { .. })).then(|| LOG_LEVEL_INFO.as_str());
    Some(OptionDoc { name: o.name(), description, default, choices, equivalent: Some(equivalent) })
}

/// A help text as one paragraph: lines joined, runs of spaces one.
fn one_paragraph(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn first_sentence(text: &str) -> String {
    let mut from = 0;
    while let Some(i) = text[from..].find(". ").map(|i| i + from) {
        let word = text[..i].rsplit(' ').next().unwrap_or("");
        if !matches!(word, "e.g" | "i.e" | "etc") {
            return text[..i].to_string();
        }
        from = i + 2;
    }
    text.trim_end_matches('.').to_string()
}

fn doc_for<'a>(docs: &'a [OptionDoc], name: &str) -> &'a OptionDoc {
    docs.iter().find(|d| d.name == name).unwrap_or_else(|| panic!("--{name} is not an option of install"))
}

fn hint(h: Hint) -> ValueHint {
    match h {
        Hint::None => ValueHint::Other,
        Hint::Dir | Hint::Kernelspec => ValueHint::DirPath,
        Hint::File => ValueHint::FilePath,
    }
}

/// The clap argument of a table entry.
fn arg_of(o: &'static Opt, docs: &[OptionDoc]) -> Arg {
    let id = o.name();
    let ours = |s: &str| {
        if o.origin == Origin::Ours && o.command == Cmd::Install {
            format!("{s} (extension)")
        } else {
            s.to_string()
        }
    };
    let mut arg = match o.action {
        Action::Positional { required } => {
            Arg::new(id).required(required).value_name(o.metavar).value_hint(hint(o.hint)).help(o.summary)
        }
        Action::Flag { .. } => {
            let doc = doc_for(docs, id);
            Arg::new(id).long(id).action(ArgAction::SetTrue).help(doc.summary()).long_help(doc.long())
        }
        Action::Alias { name, .. } => {
            let doc = doc_for(docs, id);
            Arg::new(id)
                .long(id)
                .value_name(name.to_uppercase())
                .num_args(1)
                .action(if o.repeatable { ArgAction::Append } else { ArgAction::Set })
                .value_hint(hint(o.hint))
                .help(doc.summary())
                .long_help(doc.long())
        }
        Action::Value => Arg::new(id)
            .required(o.required)
            .long(id)
            .value_name(o.metavar)
            .num_args(1)
            .action(if o.repeatable { ArgAction::Append } else { ArgAction::Set })
            .value_hint(hint(o.hint))
            .help(ours(o.summary)),
        Action::Help { .. } | Action::HelpExtensions | Action::Version | Action::Switch => {
            Arg::new(id).long(id).action(ArgAction::SetTrue).help(ours(o.summary))
        }
    };
    if let Some(short) = o.short.and_then(|s| s.chars().nth(1)) {
        arg = arg.short(short);
    }

    if !o.choices().is_empty() {
        // The descriptions name them already: completions offer them, the manual need not list
        // them again (clap would show them for our commands' help, which is ours to lay out).
        arg = arg.value_parser(PossibleValuesParser::new(o.choices().iter().copied())).hide_possible_values(true);
    }
    arg
}

/// `-h/--help`, `--help-all`, `-V/--version`: accepted at the top level and after `install`.
fn help_args(docs: &[OptionDoc]) -> Vec<Arg> {
    options::of(Cmd::Top).filter(|o| o.origin == Origin::Reference).map(|o| arg_of(o, docs)).collect()
}

/// The clap command of `command` (a subcommand of [`command`]).
pub fn subcommand(command: Cmd) -> Command {
    let docs = install_option_docs();
    let doc = options::command_doc(command);
    let about = match doc.origin {
        Origin::Ours => format!("{} (extension)", doc.about),
        Origin::Reference => doc.about.trim_end_matches('.').to_string(),
    };
    let mut cmd = Command::new(doc.name).about(about).disable_help_flag(true).disable_version_flag(true);
    if command == Cmd::Install {
        cmd = cmd.args(help_args(&docs));
    }
    // Our commands' -h/--help are answered before clap parses (`wants_help`, help wins over
    // every other word), and completion offers a command's values rather than its help.
    let own_help = |o: &&Opt| o.origin == Origin::Ours && matches!(o.action, Action::Help { .. });
    cmd.args(options::of(command).filter(|o| !own_help(o)).map(|o| arg_of(o, &docs)))
}

/// The whole command line as clap sees it.
pub fn command() -> Command {
    let docs = install_option_docs();
    let described: Vec<&str> = options::COMMANDS
        .iter()
        .filter(|c| c.command != Cmd::Completions && c.command != Cmd::Man)
        .map(|c| c.name)
        .collect();
    let mut cmd = Command::new(BIN)
        .version(env!("CARGO_PKG_VERSION"))
        .about(help::dispatcher_about().trim_end_matches('.'))
        .disable_help_flag(true)
        .disable_version_flag(true)
        .disable_help_subcommand(true)
        .args(options::of(Cmd::Top).map(|o| arg_of(o, &docs)));
    for c in options::COMMANDS {
        cmd = cmd.subcommand(subcommand(c.command));
    }
    cmd.subcommand(Command::new("help").about("Print the help, or the help of a subcommand").arg(
        Arg::new("subcommand").value_parser(PossibleValuesParser::new(described)).help("The subcommand to describe"),
    ))
}

// ----- parsing our commands ----------------------------------------------------------------------

/// A usage error of one of our commands: one line, exit status 2.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UsageError {
    #[error("unrecognized option {}", str_repr(.0))]
    UnknownOption(String),
    #[error("unexpected argument {}", str_repr(.0))]
    UnexpectedArgument(String),
    /// The form of the value is named where it is more than a name (`NAME=VALUE`).
    #[error("option {option} needs a value{}", if metavar.contains('=') { format!(" ({metavar})") } else { String::new() })]
    MissingValue { option: &'static str, metavar: &'static str },
    #[error("{}", invalid_choice(option, value, choices))]
    InvalidChoice { option: &'static str, value: String, choices: &'static [&'static str] },
    /// A required positional argument is missing: what it is, and the usage.
    #[error("{what} is required: {usage}")]
    MissingPositional { what: &'static str, usage: String },
    #[error("the option {option} is required ({})", one_of(choices))]
    MissingOption { option: &'static str, choices: &'static [&'static str] },
    /// A value that the command itself refuses (`invalid --env 'X': expected NAME=VALUE`).
    #[error("{0}")]
    Invalid(String),
}

/// `a, b or c`.
fn one_of(choices: &[&str]) -> String {
    match choices {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

fn invalid_choice(option: &str, value: &str, choices: &[&str]) -> String {
    if option.starts_with('-') {
        format!("invalid {option} {}: expected one of {}", str_repr(value), choices.join(", "))
    } else {
        format!("unknown {} {} (expected one of: {})", option.to_lowercase(), str_repr(value), choices.join(", "))
    }
}

/// Whether the words ask for help (`-h`, `--help`) before any `--`: help wins over every other
/// word, as in the reference's commands.
pub fn wants_help(args: &[String]) -> bool {
    args.iter().take_while(|a| *a != "--").any(|a| a == "-h" || a == "--help")
}

/// Parses the words after one of our commands with its clap model (a repeated option keeps
/// its last value). Errors are reported in our words, naming the word as it was typed.
pub fn parse_ours(command: Cmd, args: &[String]) -> Result<clap::ArgMatches, UsageError> {
    let cmd = subcommand(command).no_binary_name(true).args_override_self(true);
    cmd.try_get_matches_from(args).map_err(|e| usage_error(command, args, &e))
}

fn usage_error(command: Cmd, args: &[String], e: &clap::Error) -> UsageError {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let context = |kind: ContextKind| match e.get(kind) {
        Some(ContextValue::String(s)) => s.clone(),
        Some(ContextValue::Strings(v)) => v.join(" "),
        _ => String::new(),
    };
    // clap names an option with its value's name (`--env <NAME=VALUE>`), a positional as
    // `<SHELL>`: the name, and the word as typed.
    let arg = context(ContextKind::InvalidArg);
    let name = arg.split(' ').next().unwrap_or("").trim_matches(['<', '>', '[', ']']).to_string();
    let typed =
        args.iter().find(|w| **w == name || w.starts_with(&format!("{name}="))).cloned().unwrap_or(name.clone());
    let entry = options::of(command).find(|o| o.long == name || (!o.long.starts_with('-') && o.metavar == name));
    match (e.kind(), entry) {
        (ErrorKind::UnknownArgument, _) if name.starts_with('-') => UsageError::UnknownOption(typed),
        (ErrorKind::UnknownArgument, _) => UsageError::UnexpectedArgument(typed),
        (ErrorKind::TooManyValues, _) => UsageError::UnknownOption(typed),
        (ErrorKind::InvalidValue, Some(o)) => {
            let value = context(ContextKind::InvalidValue);
            if value.is_empty() && !typed.contains('=') {
                UsageError::MissingValue { option: o.long, metavar: o.metavar }
            } else {
                UsageError::InvalidChoice { option: o.long, value, choices: o.choices() }
            }
        }
        (ErrorKind::MissingRequiredArgument, Some(o)) if o.long.starts_with('-') => {
            UsageError::MissingOption { option: o.long, choices: o.choices() }
        }
        (ErrorKind::MissingRequiredArgument, _) => {
            match options::of(command).find(|o| matches!(o.action, Action::Positional { required: true })) {
                Some(o) => {
                    let doc = options::command_doc(command);
                    let mut usage = format!("{BIN} {} {}", doc.name, o.metavar);
                    if !o.choices().is_empty() {
                        usage += &format!(" (one of: {})", o.choices().join(", "));
                    }
                    UsageError::MissingPositional { what: o.help, usage }
                }
                None => UsageError::Invalid(e.kind().to_string()),
            }
        }
        (kind, _) => UsageError::Invalid(format!("{kind}: {arg}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::options::{ALIASES, FLAGS};

    #[test]
    fn the_model_is_consistent() {
        command().debug_assert();
    }

    #[test]
    fn every_option_has_a_description_and_nothing_else_does() {
        let docs = install_option_docs();
        let names: Vec<&str> = docs.iter().map(|d| d.name).collect();
        let expected: Vec<&str> = FLAGS.iter().map(|(n, _)| *n).chain(ALIASES.iter().map(|(a, _)| *a)).collect();
        assert_eq!(names, expected);
        for d in &docs {
            assert!(!d.description.is_empty() && !d.summary().is_empty(), "{d:?}");
            assert!(d.equivalent.is_some(), "{d:?}");
            assert!(!d.long().contains("{sys_") && !d.long().contains("{spark_"), "unfilled placeholder: {d:?}");
        }
    }

    #[test]
    fn descriptions_are_joined_and_summarised() {
        let docs = install_option_docs();
        let d = doc_for(&docs, "sys-prefix");
        assert_eq!(d.summary(), "Specify a prefix to install to, e.g. an env");
        assert_eq!(d.equivalent.as_deref(), Some("[--BaseSpecApp.prefix=<sys.prefix>]"));
        let d = doc_for(&docs, "unauthorized-users");
        assert!(d.description.ends_with("(GP_UNAUTHORIZED_USERS env var - non-bracketed, just comma-separated)"));
        assert_eq!(d.default.as_deref(), Some("{'root'}"));
        let d = doc_for(&docs, "spark");
        assert!(d.description.starts_with("Install kernelspec for use with Spark. When combined with --crd, will"));
        let d = doc_for(&docs, "launch-timeout");
        assert_eq!(d.summary(), d.description, "one sentence without a full stop");
        assert_eq!(
            doc_for(&docs, "log-level").choices.map(|c| c.strip_prefix("any of ")),
            Some(Some(options::LOG_LEVEL_CHOICES))
        );
    }
}
