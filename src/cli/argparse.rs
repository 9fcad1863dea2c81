//! The command line, parsed the way the reference parses it (traitlets on top of Python's
//! argparse): which words select help, version or `install`, and for `install` the
//! `--alias=value`, `--alias value`, `--Class.trait=value` and `--flag` forms, with argparse's
//! prefix matching, its positional quirks and its error messages.

use crate::cli::options::{Cmd, Flag, ALIASES, FLAGS, INSTALLER};

/// What the command line asks for.
#[derive(Debug, PartialEq)]
pub enum Command {
    /// Top-level help (`--help-all` adds the class options).
    DispatcherHelp {
        all: bool,
    },
    /// `--version` / `-V`, at the top level or after `install`.
    Version,
    /// No (known) subcommand: the reference prints a message and exits 1. `warnings` are the
    /// dispatcher's own "Unrecognized alias" lines.
    NoSubcommand {
        warnings: Vec<String>,
    },
    /// `install --help` / `install --help-all`.
    InstallHelp {
        all: bool,
    },
    Install(InstallArgs),
    /// `--help-extensions` at the top level: our commands and options (an extension).
    TopExtensionsHelp,
    /// `install --help-extensions`: our `install` flags the reference lacks (an extension).
    InstallExtensionsHelp,
    /// A pod option of ours without its value: a one-line error, exit status 2.
    PodOptionWithoutValue(crate::cli::extensions::PodOptionWithoutValue),
    /// One of our own commands (`preview`, `rbac`, `completions`, `man`) with the words after
    /// it, which its clap model parses (`clap_model::parse_ours`).
    Ours {
        command: crate::cli::options::Cmd,
        args: Vec<String>,
    },
}

/// A value as argparse collected it: one string from a registered alias abbreviation, or the
/// list that every `--Class.trait` occurrence appends to.
#[derive(Debug, Clone, PartialEq)]
pub enum CliValue {
    One(String),
    Many(Vec<String>),
}

/// The parsed `install` command line, before any conversion or validation.
#[derive(Debug, Default, PartialEq)]
pub struct InstallArgs {
    /// `(lhs, value)` in the order argparse first set them; `lhs` is `Class.trait`, or a bare
    /// word for a mistyped option (`--kernel_name=x` gives `kernel_name`).
    pub settings: Vec<(String, CliValue)>,
    /// Flags in command-line order; applied after all settings.
    pub flags: Vec<Flag>,
    /// Positional words and everything after `--`: accepted and ignored, as the reference does.
    pub extra_args: Vec<String>,
    /// Our `--dry-run` / `--json` / `--validate`, removed from the words before they are parsed.
    pub extensions: crate::cli::extensions::InstallExtensions,
    /// Our `--toleration`, `--kernel-pod-template`, ... (`pod_options`), removed like `extensions`.
    pub pod_options: crate::cli::extensions::PodArgs,
}

/// An argparse-style usage error: printed after the usage block, exit status 2.
#[derive(Debug, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct UsageError {
    pub message: String,
    /// Whether the installer's usage (all options) or the dispatcher's applies.
    pub install: bool,
}

/// Decides what to do from the words after the program name.
pub fn parse(args: &[String]) -> Result<Command, UsageError> {
    let mut args: Vec<String> = args.to_vec();
    if args.first().map(String::as_str) == Some("help") {
        args.remove(0);
        args.push("-h".into());
    }
    match args.first().map(String::as_str) {
        Some("install") => return parse_install(&args[1..]),
        Some("completions") => return Ok(Command::Ours { command: Cmd::Completions, args: args[1..].to_vec() }),
        Some("man") => return Ok(Command::Ours { command: Cmd::Man, args: args[1..].to_vec() }),
        Some("rbac") => return Ok(Command::Ours { command: Cmd::Rbac, args: args[1..].to_vec() }),
        Some("preview") => return Ok(Command::Ours { command: Cmd::Preview, args: args[1..].to_vec() }),
        _ => {}
    }
    let before = before_double_dash(&args);
    if before.iter().any(|a| is_help(a)) {
        let all = before.iter().any(|a| a == "--help-all");
        return Ok(Command::DispatcherHelp { all });
    }
    if crate::cli::extensions::wants_help(&args) {
        return Ok(Command::TopExtensionsHelp);
    }
    if before.iter().any(|a| a == "--version" || a == "-V") {
        return Ok(Command::Version);
    }
    // The dispatcher has no options of its own; argparse still parses what is there.
    let parsed = Parser::new(false).run(&args).map_err(|message| UsageError { message, install: false })?;
    let warnings = parsed
        .settings
        .iter()
        .filter(|(lhs, _)| !lhs.contains('.'))
        .map(|(lhs, _)| format!("Unrecognized alias: '{lhs}', it will have no effect."))
        .collect();
    Ok(Command::NoSubcommand { warnings })
}

fn parse_install(args: &[String]) -> Result<Command, UsageError> {
    let mut args: Vec<String> = args.to_vec();
    if args.first().map(String::as_str) == Some("help") {
        args.remove(0);
        args.push("-h".into());
    }
    let before = before_double_dash(&args);
    if before.iter().any(|a| is_help(a)) {
        let all = before.iter().any(|a| a == "--help-all");
        return Ok(Command::InstallHelp { all });
    }
    if crate::cli::extensions::wants_help(&args) {
        return Ok(Command::InstallExtensionsHelp);
    }
    if before.iter().any(|a| a == "--version" || a == "-V") {
        return Ok(Command::Version);
    }
    let (args, pod_options) = match crate::cli::extensions::take_pod_options(&args) {
        Ok(taken) => taken,
        Err(e) => return Ok(Command::PodOptionWithoutValue(e)),
    };
    let (args, extensions) = crate::cli::extensions::take(&args);
    let parsed = Parser::new(true).run(&args).map_err(|message| UsageError { message, install: true })?;
    Ok(Command::Install(InstallArgs { extensions, pod_options, ..parsed }))
}

fn before_double_dash(args: &[String]) -> &[String] {
    match args.iter().position(|a| a == "--") {
        Some(i) => &args[..i],
        None => args,
    }
}

fn is_help(a: &str) -> bool {
    a == "-h" || a == "--help" || a == "--help-all"
}

/// What an option string does once argparse has recognised it.
#[derive(Debug, Clone, PartialEq)]
enum Action {
    Help,
    Flag(Flag),
    /// An alias reached through an abbreviation (`--kernel-nam=x`): argparse's "store".
    Store {
        dest: String,
    },
    /// Any `--Class.trait` / `--word` / `-x` option: appends to a list.
    Append {
        dest: String,
    },
}

/// How one command-line word was classified: an option (with its action, if any) or a
/// positional word.
#[derive(Debug, Clone)]
struct OptionTuple {
    action: Option<Action>,
    option_string: String,
    explicit: Option<String>,
}

/// A re-creation of the reference's argparse parser, restricted to what it registers.
struct Parser {
    /// Registered option strings in registration order, then those added on the fly (argparse
    /// iterates over them in this order when matching prefixes).
    options: Vec<(String, Action)>,
}

impl Parser {
    fn new(install: bool) -> Parser {
        let mut options = vec![("-h".to_string(), Action::Help), ("--help".to_string(), Action::Help)];
        if install {
            for (name, flag) in FLAGS {
                options.push((format!("--{name}"), Action::Flag(*flag)));
            }
            for (alias, name) in ALIASES {
                options.push((format!("--{alias}"), Action::Store { dest: format!("{INSTALLER}.{name}") }));
            }
        }
        Parser { options }
    }

    fn alias_target(&self, word: &str) -> Option<String> {
        let dest = self.options.iter().find_map(|(s, a)| match a {
            Action::Store { dest } if s == word => Some(dest.clone()),
            _ => None,
        })?;
        Some(format!("--{dest}"))
    }

    /// traitlets rewrites exact aliases to their `--Class.trait` form before argparse sees them.
    fn replace_alias(&self, arg: &str) -> String {
        if let Some(target) = self.alias_target(arg) {
            return target;
        }
        if let Some((name, value)) = arg.split_once('=') {
            if let Some(target) = self.alias_target(name) {
                return format!("{target}={value}");
            }
        }
        arg.to_string()
    }

    fn lookup(&self, s: &str) -> Option<Action> {
        self.options.iter().find(|(o, _)| o == s).map(|(_, a)| a.clone())
    }

    /// argparse's membership test, extended by traitlets so that any `--Class.trait`-looking
    /// string is an option that takes one value.
    fn contains(&mut self, s: &str) -> Option<Action> {
        if s.contains('=') {
            return None;
        }
        if let Some(a) = self.lookup(s) {
            return Some(a);
        }
        if is_kv_option(s) {
            let action = Action::Append { dest: s.trim_start_matches('-').to_string() };
            self.options.push((s.to_string(), action.clone()));
            return Some(action);
        }
        None
    }

    fn classify(&mut self, arg: &str) -> Result<Option<OptionTuple>, String> {
        if arg.is_empty() || !arg.starts_with('-') {
            return Ok(None);
        }
        if let Some(action) = self.contains(arg) {
            return Ok(Some(OptionTuple { action: Some(action), option_string: arg.into(), explicit: None }));
        }
        if arg.chars().count() == 1 {
            return Ok(None);
        }
        if let Some((name, value)) = arg.split_once('=') {
            if let Some(action) = self.contains(name) {
                return Ok(Some(OptionTuple {
                    action: Some(action),
                    option_string: name.into(),
                    explicit: Some(value.into()),
                }));
            }
        }
        let matches = self.prefix_matches(arg);
        if matches.len() > 1 {
            let names: Vec<&str> = matches.iter().map(|m| m.option_string.as_str()).collect();
            return Err(format!("ambiguous option: {arg} could match {}", names.join(", ")));
        }
        if let Some(m) = matches.into_iter().next() {
            return Ok(Some(m));
        }
        if looks_like_negative_number(arg) || arg.contains(' ') {
            return Ok(None);
        }
        Ok(Some(OptionTuple { action: None, option_string: arg.into(), explicit: None }))
    }

    fn prefix_matches(&self, arg: &str) -> Vec<OptionTuple> {
        let mut out = Vec::new();
        if arg.starts_with("--") {
            let (prefix, explicit) = match arg.split_once('=') {
                Some((p, v)) => (p, Some(v.to_string())),
                None => (arg, None),
            };
            for (s, a) in &self.options {
                if s.starts_with(prefix) {
                    out.push(OptionTuple {
                        action: Some(a.clone()),
                        option_string: s.clone(),
                        explicit: explicit.clone(),
                    });
                }
            }
        } else {
            let short: String = arg.chars().take(2).collect();
            let rest: String = arg.chars().skip(2).collect();
            for (s, a) in &self.options {
                if *s == short {
                    out.push(OptionTuple {
                        action: Some(a.clone()),
                        option_string: s.clone(),
                        explicit: Some(rest.clone()),
                    });
                } else if s.starts_with(arg) {
                    out.push(OptionTuple { action: Some(a.clone()), option_string: s.clone(), explicit: None });
                }
            }
        }
        out
    }

    fn display_name(&self, action: &Action, used: &str) -> String {
        match action {
            Action::Help => "-h/--help".into(),
            _ => self
                .options
                .iter()
                .find(|(_, a)| a == action)
                .map(|(s, _)| s.clone())
                .unwrap_or_else(|| used.to_string()),
        }
    }

    fn run(mut self, args: &[String]) -> Result<InstallArgs, String> {
        let (to_parse, after): (Vec<String>, Vec<String>) = match args.iter().position(|a| a == "--") {
            Some(i) => (args[..i].to_vec(), args[i + 1..].to_vec()),
            None => (args.to_vec(), Vec::new()),
        };
        let words: Vec<String> = to_parse.iter().map(|a| self.replace_alias(a)).collect();
        let mut kinds = Vec::with_capacity(words.len());
        for w in &words {
            // A lone "-" is traitlets' positional dash, never an option.
            kinds.push(if w == "-" { None } else { self.classify(w)? });
        }

        let mut out = InstallArgs::default();
        let mut extras: Vec<String> = Vec::new();
        let mut positional_taken = false;
        let option_indices: Vec<usize> = (0..words.len()).filter(|&i| kinds[i].is_some()).collect();
        let take_positionals = |start: usize, out: &mut InstallArgs, taken: &mut bool| -> usize {
            if *taken {
                return start;
            }
            *taken = true;
            let mut end = start;
            while end < words.len() && kinds[end].is_none() {
                out.extra_args.push(words[end].clone());
                end += 1;
            }
            end
        };

        let mut i = 0;
        let last_option = option_indices.last().copied();
        while last_option.is_some_and(|last| i <= last) {
            let next = *option_indices.iter().find(|&&k| k >= i).unwrap_or(&words.len());
            if i != next {
                let end = take_positionals(i, &mut out, &mut positional_taken);
                if end > i {
                    i = end;
                    continue;
                }
                extras.extend(words[i..next].iter().cloned());
                i = next;
            }
            let tuple = kinds[i].clone().unwrap_or_else(|| OptionTuple {
                action: None,
                option_string: String::new(),
                explicit: None,
            });
            let Some(action) = tuple.action.clone() else {
                extras.push(words[i].clone());
                i += 1;
                continue;
            };
            let name = self.display_name(&action, &tuple.option_string);
            match action {
                Action::Help | Action::Flag(_) => {
                    if let Some(v) = tuple.explicit {
                        return Err(format!(
                            "argument {name}: ignored explicit argument {}",
                            crate::py::repr::str_repr(&v)
                        ));
                    }
                    if let Action::Flag(f) = action {
                        out.flags.push(f);
                    }
                    i += 1;
                }
                Action::Store { ref dest } | Action::Append { ref dest } => {
                    let value = match tuple.explicit {
                        Some(v) => {
                            i += 1;
                            v
                        }
                        None => {
                            if i + 1 < words.len() && kinds[i + 1].is_none() {
                                i += 2;
                                words[i - 1].clone()
                            } else {
                                return Err(format!("argument {name}: expected one argument"));
                            }
                        }
                    };
                    let value = if value == "-" { "-".to_string() } else { value };
                    store(&mut out.settings, dest, value, matches!(action, Action::Append { .. }));
                }
            }
        }
        let stop = take_positionals(i, &mut out, &mut positional_taken);
        extras.extend(words[stop..].iter().cloned());
        if !extras.is_empty() {
            return Err(format!("unrecognized arguments: {}", extras.join(" ")));
        }
        out.extra_args.extend(after);
        Ok(out)
    }
}

/// Records a value the way argparse's store / traitlets' append actions do, including their
/// interplay (appending to a stored string appends to the list of its characters).
fn store(settings: &mut Vec<(String, CliValue)>, dest: &str, value: String, append: bool) {
    let slot = match settings.iter_mut().find(|(d, _)| d == dest) {
        Some((_, v)) => v,
        None => {
            let v = if append { CliValue::Many(vec![value]) } else { CliValue::One(value) };
            settings.push((dest.to_string(), v));
            return;
        }
    };
    if !append {
        *slot = CliValue::One(value);
        return;
    }
    let mut items = match std::mem::replace(slot, CliValue::Many(Vec::new())) {
        CliValue::Many(items) => items,
        CliValue::One(s) => s.chars().map(String::from).collect(),
    };
    items.push(value);
    *slot = CliValue::Many(items);
}

/// traitlets' pattern for an implicitly defined option: `-x`, `--word`, `--Class.trait`.
fn is_kv_option(s: &str) -> bool {
    let body = s.strip_prefix("--").or_else(|| s.strip_prefix('-'));
    let Some(body) = body else { return false };
    let mut parts = body.split('.');
    let first = parts.next().unwrap_or("");
    let mut chars = first.chars();
    if !chars.next().is_some_and(|c| c.is_ascii_alphabetic()) {
        return false;
    }
    let word = |c: char| c.is_alphanumeric() || c == '_';
    chars.all(word) && parts.all(|p| !p.is_empty() && p.chars().all(word))
}

/// argparse treats `-5` and `-.5` as values, not options.
fn looks_like_negative_number(s: &str) -> bool {
    let Some(rest) = s.strip_prefix('-') else { return false };
    let digits = |t: &str| !t.is_empty() && t.chars().all(|c| c.is_ascii_digit());
    digits(rest) || rest.split_once('.').is_some_and(|(a, b)| a.chars().all(|c| c.is_ascii_digit()) && digits(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &[&str]) -> Vec<String> {
        s.iter().map(|w| w.to_string()).collect()
    }

    fn install(s: &[&str]) -> Result<InstallArgs, UsageError> {
        let mut a = vec!["install"];
        a.extend_from_slice(s);
        match parse(&words(&a))? {
            Command::Install(args) => Ok(args),
            other => panic!("not an install: {other:?}"),
        }
    }

    fn err(s: &[&str]) -> String {
        install(s).expect_err("should fail").message
    }

    fn one(lhs: &str, v: &str) -> (String, CliValue) {
        (lhs.to_string(), CliValue::Many(vec![v.to_string()]))
    }

    #[test]
    fn top_level_words() {
        assert_eq!(parse(&[]).unwrap(), Command::NoSubcommand { warnings: vec![] });
        assert_eq!(parse(&words(&["INSTALL"])).unwrap(), Command::NoSubcommand { warnings: vec![] });
        assert_eq!(parse(&words(&["help"])).unwrap(), Command::DispatcherHelp { all: false });
        assert_eq!(parse(&words(&["x", "--help-all"])).unwrap(), Command::DispatcherHelp { all: true });
        assert_eq!(parse(&words(&["-V"])).unwrap(), Command::Version);
        assert_eq!(parse(&words(&["--", "-h"])).unwrap(), Command::NoSubcommand { warnings: vec![] });
        assert_eq!(parse(&words(&["help", "install"])).unwrap(), Command::InstallHelp { all: false });
        assert_eq!(
            parse(&words(&["install", "--language=bad", "--help"])).unwrap(),
            Command::InstallHelp { all: false }
        );
        assert_eq!(parse(&words(&["install", "--version"])).unwrap(), Command::Version);
        assert_eq!(
            parse(&words(&["--debug", "install"])).unwrap(),
            Command::NoSubcommand { warnings: vec!["Unrecognized alias: 'debug', it will have no effect.".into()] }
        );
        let e = parse(&words(&["--debug"])).unwrap_err();
        assert_eq!(e.message, "argument --debug: expected one argument");
        assert!(!e.install);
        let e = parse(&words(&["--kernel-name=x", "install"])).unwrap_err();
        assert_eq!(e.message, "unrecognized arguments: --kernel-name=x");
    }

    #[test]
    fn aliases_and_class_forms() {
        let a = install(&["--kernel-name=a", "--display-name", "D", "--BaseSpecApp.prefix=p"]).unwrap();
        assert_eq!(
            a.settings,
            vec![
                one("K8sSpecInstaller.kernel_name", "a"),
                one("K8sSpecInstaller.display_name", "D"),
                one("BaseSpecApp.prefix", "p")
            ]
        );
        let a = install(&["--kernel-name=a", "--kernel-name=b"]).unwrap();
        assert_eq!(a.settings[0].1, CliValue::Many(vec!["a".into(), "b".into()]));
        // Abbreviations reach the registered alias (argparse's "store").
        let a = install(&["--kernel-nam=foo"]).unwrap();
        assert_eq!(a.settings, vec![("K8sSpecInstaller.kernel_name".into(), CliValue::One("foo".into()))]);
        // A short word matching traitlets' pattern is an option of its own, not a prefix.
        let a = install(&["--k=foo", "--kernel_name=x"]).unwrap();
        assert_eq!(a.settings, vec![one("k", "foo"), one("kernel_name", "x")]);
        // Values that look like negative numbers or contain spaces are values.
        let a = install(&["--launch-timeout", "-5", "--display-name", "-x y"]).unwrap();
        assert_eq!(
            a.settings,
            vec![one("K8sSpecInstaller.launch_timeout", "-5"), one("K8sSpecInstaller.display_name", "-x y")]
        );
    }

    #[test]
    fn flags_and_positionals() {
        let a = install(&["foo", "--user", "--spark", "--", "--crd"]).unwrap();
        assert_eq!(a.flags, vec![Flag::User, Flag::Spark]);
        assert_eq!(a.extra_args, words(&["foo", "--crd"]));
        let a = install(&["--kernel-name", "x", "y", "--user"]).unwrap();
        assert_eq!(a.extra_args, words(&["y"]));
        assert_eq!(err(&["--user", "foo", "--spark", "bar"]), "unrecognized arguments: bar");
    }

    #[test]
    fn argparse_errors() {
        assert_eq!(err(&["--display-name"]), "argument --K8sSpecInstaller.display_name: expected one argument");
        assert_eq!(err(&["--display-name", "-x"]), "argument --K8sSpecInstaller.display_name: expected one argument");
        assert_eq!(err(&["--spark=True"]), "argument --spark: ignored explicit argument 'True'");
        assert_eq!(err(&["--no-spark"]), "unrecognized arguments: --no-spark");
        assert_eq!(err(&["-kernel-name=foo"]), "unrecognized arguments: -kernel-name=foo");
        assert_eq!(err(&["--foo"]), "argument --foo: expected one argument");
        assert_eq!(err(&["-x"]), "argument -x: expected one argument");
        assert_eq!(err(&["--sp"]), "argument --sp: expected one argument");
        assert_eq!(err(&["--image-nam"]), "argument --image-name: expected one argument");
        assert_eq!(err(&["--spark-=1"]), "ambiguous option: --spark-=1 could match --spark-home, --spark-init-mode");
    }

    #[test]
    fn through_the_command_line_parser() {
        let Ok(Command::Install(a)) = parse(&words(&["install", "--dry-run", "--user", "--json", "--", "x"])) else {
            panic!("not an install")
        };
        assert_eq!(a.flags, vec![Flag::User]);
        assert_eq!(a.extra_args, words(&["x"]));
        assert_eq!(
            a.extensions,
            crate::cli::extensions::InstallExtensions { dry_run: true, json: true, validate: false }
        );
        // Never the value of an option, as in the reference's argparse.
        let e = parse(&words(&["install", "--display-name", "--json"])).unwrap_err();
        assert_eq!(e.message, "argument --K8sSpecInstaller.display_name: expected one argument");
        assert_eq!(parse(&words(&["install", "--json", "--help-extensions"])), Ok(Command::InstallExtensionsHelp));
        assert_eq!(parse(&words(&["install", "--help-extensions", "-h"])), Ok(Command::InstallHelp { all: false }));
    }
}
