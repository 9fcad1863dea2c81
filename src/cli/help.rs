//! Help, long-help and usage texts of `jupyter-k8s-spec`, all generated from the option table
//! (`options`).
//!
//! The reference's texts are interface: traitlets lays them out from each trait's own help
//! string (wrapped with `textwrap`, defaults shown as reprs) and argparse writes the usage
//! block; both are reproduced here, with the documented fixes (the `--launch-timeout` help, the
//! quotes of the third example). Only a few values are filled in at run time: the interpreter
//! prefix shown by `--sys-prefix` and the `--spark-home` default. Our own texts
//! (`--help-extensions`, the help of our commands) are laid out from the table's entries too.

use crate::cli::options::{
    self, command_doc, Action, Class, Cmd, FlagValue, Group, Initial, Kind, Opt, Origin, Shown, Trait,
    DISPATCHER_CLASSES, INSTALLER_CLASSES,
};
use crate::py::repr::str_repr;
use crate::py::textwrap::{dedent, indent, wrap_paragraphs};

/// The run-time values that show up in the install help.
#[derive(Debug, Clone, Default)]
pub struct HelpContext {
    /// Prefix that `--sys-prefix` installs into; printed verbatim in its "Equivalent to" line.
    pub sys_prefix: String,
    /// `SPARK_HOME` as read at start-up; the help shows it as the `--spark-home` default.
    pub spark_home: Option<String>,
}

impl HelpContext {
    /// The environment as far as the help shows it.
    fn var(&self, name: &str) -> Option<&str> {
        match name {
            "SPARK_HOME" => self.spark_home.as_deref(),
            _ => None,
        }
    }
}

/// The reference's application texts.
const DISPATCHER_DESCRIPTION: &str = "Application used to create kernel specifications for use on Kubernetes clusters.";
const DISPATCHER_NAME: &str = "jupyter k8s-spec";
const SUBCOMMAND_DESCRIPTION: &str = "
Subcommands are launched as `{app} cmd [args]`. For information on using
subcommand 'cmd', do: `{app} cmd -h`.
";
const OPTION_DESCRIPTION: &str = "The options below are convenience aliases to configurable class-options,
as listed in the \"Equivalent to\" description-line of the aliases.
To see all configurable class-options for some <cmd>, use:
    <cmd> --help-all";
const KEYVALUE_DESCRIPTION: &str = "The command-line option below sets the respective configurable class-parameter:
    --Class.parameter=value
This line is evaluated in Python, so simple expressions are allowed.
For instance, to set `C.a=[0,1,2]`, you may type this:
    --C.a='range(3)'";
/// The reference's examples, with the quotes of the third one corrected.
const EXAMPLES: &str = "
    jupyter-k8s-spec install --language=R --kernel-name=r_k8s --image-name=foo/my_r_kernel_image:v4_0

jupyter-k8s-spec install --language=Scala --spark --kernel-name=scala_k8s_spark --display-name='Scala on Kubernetes with Spark'

jupyter-k8s-spec install --spark --crd --display-name='Python SparkOperator'
    ";
const SEE_ALL: &str = "To see all available configurables, use `--help-all`.";

const PROG: &str = "jupyter-k8s-spec";
const USAGE_PREFIX: &str = "usage: ";
const POSITIONALS: &[&str] = &["[extra_args ...]"];

/// The examples of `install --help`, one command a line.
pub fn examples() -> impl Iterator<Item = &'static str> {
    EXAMPLES.lines().map(str::trim).filter(|l| !l.is_empty())
}

/// The install command's one-line description.
pub fn install_about() -> &'static str {
    command_doc(Cmd::Install).about
}

/// The dispatcher's one-line description.
pub fn dispatcher_about() -> &'static str {
    DISPATCHER_DESCRIPTION
}

/// `--help`, `-h` and `help` at top level.
pub fn dispatcher_help() -> String {
    let mut lines = dispatcher_intro();
    lines.extend([SEE_ALL.to_string(), String::new()]);
    lines.join("\n") + "\n"
}

/// `--help-all` at top level: the dispatcher's own classes only.
pub fn dispatcher_help_all() -> String {
    let mut lines = dispatcher_intro();
    class_sections(&mut lines, DISPATCHER_CLASSES, &HelpContext::default());
    lines.join("\n") + "\n"
}

/// Printed on stdout (exit 1) when the first argument is not a subcommand.
pub fn no_subcommand() -> String {
    let commands: Vec<String> =
        options::COMMANDS.iter().filter(|c| c.origin == Origin::Reference).map(|c| str_repr(c.name)).collect();
    format!(
        "No subcommand specified. Must specify one of: [{}]\n\n{}\n",
        commands.join(", "),
        dispatcher_intro().join("\n")
    )
}

/// The dispatcher's description and subcommands (traitlets' `emit_description` and
/// `emit_subcommands_help`).
fn dispatcher_intro() -> Vec<String> {
    let mut lines = paragraphs(DISPATCHER_DESCRIPTION);
    lines.extend(["Subcommands".to_string(), "===========".to_string()]);
    lines.extend(paragraphs(&SUBCOMMAND_DESCRIPTION.replace("{app}", DISPATCHER_NAME)));
    for c in options::COMMANDS.iter().filter(|c| c.origin == Origin::Reference) {
        lines.push(c.name.to_string());
        lines.push(indent(&dedent(c.about.trim()), "    "));
    }
    lines.push(String::new());
    lines
}

/// `install --help` (also `-h`, `help install`).
pub fn install_help(ctx: &HelpContext) -> String {
    let mut lines = install_intro(ctx);
    lines.extend(examples_section());
    lines.extend([SEE_ALL.to_string(), String::new()]);
    lines.join("\n") + "\n"
}

/// `install --help-all`: the install help with every class's options before the examples.
pub fn install_help_all(ctx: &HelpContext) -> String {
    let mut lines = install_intro(ctx);
    class_sections(&mut lines, INSTALLER_CLASSES, ctx);
    lines.extend(examples_section());
    lines.join("\n") + "\n"
}

/// Each paragraph of `text` filled to 80 columns, then a blank line.
fn paragraphs(text: &str) -> Vec<String> {
    wrap_paragraphs(text, 80).into_iter().flat_map(|p| [p, String::new()]).collect()
}

/// The description and the "Options" section of `install` (flags, then aliases).
fn install_intro(ctx: &HelpContext) -> Vec<String> {
    let mut lines = paragraphs(install_about());
    lines.extend(["Options".to_string(), "=======".to_string()]);
    lines.extend(paragraphs(OPTION_DESCRIPTION));
    for o in options::of(Cmd::Install) {
        match o.action {
            Action::Flag { class, name, value, .. } => {
                lines.push(o.long.to_string());
                lines.push(indent(&dedent(o.help_text().trim()), "    "));
                let value = match value {
                    FlagValue::True => "True".to_string(),
                    FlagValue::Int(n) => n.to_string(),
                    FlagValue::SysPrefix => ctx.sys_prefix.clone(),
                };
                lines.push(indent(&dedent(&format!("Equivalent to: [--{class}.{name}={value}]")), "    "));
            }
            Action::Alias { class, name } => {
                let Some((_, t)) = o.target() else { continue };
                let help = trait_help(class, t, ctx);
                let mut help_lines = help.lines();
                let first = help_lines.next().unwrap_or("").replacen(&format!("--{class}.{name}"), o.long, 1);
                lines.push(first);
                lines.extend(help_lines.map(String::from));
                lines.push(indent(&format!("Equivalent to: [--{class}.{name}]"), "    "));
            }
            _ => {}
        }
    }
    lines.push(String::new());
    lines
}

fn examples_section() -> Vec<String> {
    vec![
        "Examples".to_string(),
        "--------".to_string(),
        String::new(),
        indent(&dedent(EXAMPLES.trim()), "    "),
        String::new(),
    ]
}

/// "Class options": the introduction, then each class's traits.
fn class_sections(lines: &mut Vec<String>, classes: &[Class], ctx: &HelpContext) {
    lines.extend(["Class options".to_string(), "=============".to_string()]);
    lines.extend(paragraphs(KEYVALUE_DESCRIPTION));
    for class in classes {
        let title = format!("{}({}) options", class.name, class.bases);
        let mut section = vec!["-".repeat(title.chars().count())];
        section.insert(0, title);
        section.extend(options::traits_of(class.name).map(|t| trait_help(class.name, t, ctx)));
        lines.push(section.join("\n"));
        lines.push(String::new());
    }
}

/// traitlets' `class_get_trait_help`: the `--Class.trait=<Kind>` line, the help wrapped to 76
/// columns, the choices of an enum, the default (cut to 64 characters).
fn trait_help(class: &str, t: &Trait, ctx: &HelpContext) -> String {
    let mut lines = vec![format!("--{class}.{}{}", t.name, t.kind.help_sample())];
    let help = t.help_in(class);
    if !help.is_empty() {
        lines.push(indent(&wrap_paragraphs(help, 76).join("\n\n"), "    "));
    }
    if t.kind == Kind::LogLevel {
        lines.push(indent(&format!("Choices: {}", enum_info(t)), "    "));
    }
    let mut shown = shown_default(t, ctx);
    if shown.chars().count() > 64 {
        shown = shown.chars().take(61).chain("...".chars()).collect();
    }
    lines.push(indent(&format!("Default: {shown}"), "    "));
    lines.join("\n")
}

/// An `Enum` trait's `info()`: `any of [0, 10, 'DEBUG']`.
fn enum_info(t: &Trait) -> String {
    let items: Vec<String> =
        t.choices.iter().map(|c| if c.parse::<i64>().is_ok() { c.to_string() } else { str_repr(c) }).collect();
    format!("any of [{}]", items.join(", "))
}

/// The repr of a trait's default as the help shows it.
pub fn shown_default(t: &Trait, ctx: &HelpContext) -> String {
    match t.shown {
        Shown::Text(text) => text.to_string(),
        Shown::WithEnv => match t.env.iter().find_map(|v| ctx.var(v)) {
            Some(value) => str_repr(value),
            None => initial_repr(t.initial),
        },
        Shown::Initial => initial_repr(t.initial),
    }
}

/// Python's repr of an initial value.
pub fn initial_repr(v: Initial) -> String {
    match v {
        Initial::Str(s) => str_repr(s),
        Initial::None => "None".into(),
        Initial::Bool(b) => (if b { "True" } else { "False" }).into(),
        Initial::Int(n) => n.to_string(),
        Initial::Set([]) => "set()".into(),
        Initial::Set(items) => format!("{{{}}}", items.iter().map(|s| str_repr(s)).collect::<Vec<_>>().join(", ")),
        Initial::Dict => "{}".into(),
    }
}

/// `generate_config_file()`: every configurable of the installer with its help and default,
/// commented out (traitlets' `class_config_section` for each class). `spark_home` is the
/// `SPARK_HOME` the reference reads when its class is defined.
pub fn generated_config(spark_home: &str) -> String {
    let ctx = HelpContext { sys_prefix: String::new(), spark_home: Some(spark_home.to_string()) };
    let mut lines = vec![
        "# Configuration file for jupyter-k8s-spec.".to_string(),
        String::new(),
        "c = get_config()  #noqa".into(),
        String::new(),
    ];
    let commented = |s: &str| format!("## {}", wrap_paragraphs(s, 78).join("\n\n").replace('\n', "\n#  "));
    for class in INSTALLER_CLASSES {
        let breaker = format!("#{}", "-".repeat(78));
        let mut section = vec![breaker.clone(), format!("# {}({}) configuration", class.name, class.bases), breaker];
        if !class.doc.is_empty() {
            section.extend([commented(class.doc), String::new()]);
        }
        for t in options::traits_of(class.name) {
            let shown = shown_default(t, &ctx);
            let defining = t.defining_class(class.name);
            let help = t.help_in(class.name);
            if defining == class.name {
                if !help.is_empty() {
                    section.push(commented(help));
                }
                if t.kind == Kind::LogLevel {
                    section.push(format!("#  Choices: {}", enum_info(t)));
                }
                section.push(format!("#  Default: {shown}"));
            } else {
                if !help.is_empty() {
                    section.push(commented(help.split('\n').next().unwrap_or("")));
                }
                section.push(format!("#  See also: {defining}.{}", t.name));
            }
            section.push(format!("# c.{}.{} = {shown}", class.name, t.name));
            section.push(String::new());
        }
        lines.push(section.join("\n"));
    }
    lines.join("\n")
}

// ----- our texts --------------------------------------------------------------------------------

/// The one paragraph our `--help` and the message without a subcommand end with (the only
/// addition to the reference's texts; the conformance harness leaves out a final paragraph that
/// names `--help-extensions`).
const TOP_POINTER: &str = "This tool has commands and options that gateway-provisioners 0.5.0 does not have:
see `jupyter-k8s-spec --help-extensions`.";
/// The same for `install --help`.
const INSTALL_POINTER: &str = "install has options that gateway-provisioners 0.5.0 does not have: see
`jupyter-k8s-spec install --help-extensions`.";

/// A reference text of the top level (its `--help`, the message without a subcommand) with the
/// paragraph pointing to our extensions, ending as the text itself ends.
pub fn with_top_pointer(text: String) -> String {
    text + TOP_POINTER + "\n\n"
}

/// `install --help` with the paragraph pointing to our extensions.
pub fn with_install_pointer(text: String) -> String {
    text + INSTALL_POINTER + "\n\n"
}

const TOP_EXTENSIONS_TITLE: &str = "Extensions of `jupyter-k8s-spec` (not in gateway-provisioners 0.5.0)";

/// The text of `jupyter-k8s-spec --help-extensions`: our commands, our options of the top
/// level, then those of `install`.
pub fn top_extensions() -> String {
    let mut out = format!("{TOP_EXTENSIONS_TITLE}\n{}\n\n", "=".repeat(TOP_EXTENSIONS_TITLE.chars().count()));
    out += "Commands (each with its own --help):\n\n";
    for c in options::COMMANDS.iter().filter(|c| c.origin == Origin::Ours) {
        let usage = command_usage(c.command);
        out += &format!("{}\n    {}.\n", usage.strip_prefix("jupyter-k8s-spec ").unwrap_or(&usage), c.about);
    }
    out += "\nOptions:\n\n";
    for o in options::of(Cmd::Top).filter(|o| o.origin == Origin::Ours) {
        out += &format!("{}\n{}\n", heading(o), indent(o.help, "    "));
    }
    out += "\n";
    out + &install_extensions()
}

const EXTENSIONS_TITLE: &str = "Extensions of `jupyter-k8s-spec install` (not in gateway-provisioners 0.5.0)
=============================================================================";
const AFTER_REPORT: &str = "All three are recognised only as these exact words before any `--`. With
them, errors and log lines on stderr are unchanged (a dry run does not log the
'Removing' and 'Installed' lines of an install that did not happen).";

const AFTER_POD_ENTRIES: &str = "These are written into the installed scripts/kernel-pod.yaml.j2 as fixed
entries, each value a quoted YAML string that neither YAML nor Jinja can
read as anything else. With --crd they go into the SparkApplication
template: labels, annotations and scheduling fields of the driver and of
the executors, and the application's imagePullSecrets (the Spark
operator applies tolerations only with its mutating webhook). With
--spark alone they are refused: spark-submit creates those pods without
the template (pass Spark's spark.kubernetes.* settings with
--extra-spark-opts).";
const AFTER_POD: &str = "A missing value is an error (exit status 2); a bad value or FILE fails the
install (exit status 1) before anything is written. Without any of these
options, install behaves exactly as the reference.";
const OTHER_EXTENSIONS: &str = "Other extensions: `jupyter-k8s-spec preview --help` (the Pod or SparkApplication
a kernel of an installed kernelspec would be launched as, optionally validated)
and `jupyter-k8s-spec rbac --help` (RBAC objects for the server).";

/// The text of `jupyter-k8s-spec install --help-extensions`.
pub fn install_extensions() -> String {
    let entries = |group: Group| -> String {
        options::of(Cmd::Install)
            .filter(|o| o.group == group)
            .map(|o| format!("{}\n{}\n", heading(o), indent(o.help, "    ")))
            .collect()
    };
    let mut out = format!("{EXTENSIONS_TITLE}\n\n");
    out += &entries(Group::Report);
    // Which pod options may be given more than once, from the table.
    let single: Vec<&str> =
        options::of(Cmd::Install).filter(|o| o.group == Group::PodEntries && !o.repeatable).map(|o| o.long).collect();
    let intro = match single.as_slice() {
        [] => "The kernel's pod (each option repeatable, as --opt VALUE or --opt=VALUE):".to_string(),
        names => {
            format!("The kernel's pod (as --opt VALUE or --opt=VALUE; each repeatable but\n{}):", names.join(" and "))
        }
    };
    out += &format!("\n{AFTER_REPORT}\n\n{intro}\n\n");
    out += &entries(Group::PodEntries);
    out += &format!("\n{}\n\n", indent(AFTER_POD_ENTRIES, "    "));
    out += &entries(Group::PodTemplate);
    out += &format!("\n{AFTER_POD}\n\n{OTHER_EXTENSIONS}\n");
    out
}

/// An option as its help names it: `--env NAME=VALUE`, `-h, --help`.
fn heading(o: &Opt) -> String {
    let name = match o.short {
        Some(short) => format!("{short}, {}", o.long),
        None => o.long.to_string(),
    };
    if o.metavar.is_empty() || matches!(o.action, Action::Positional { .. }) {
        name
    } else {
        format!("{name} {}", o.metavar)
    }
}

/// The usage line of one of our commands: `jupyter-k8s-spec rbac --namespace-mode
/// {shared,byo,auto} [--namespace NS] ...`.
pub fn command_usage(command: Cmd) -> String {
    let mut words = vec![PROG.to_string(), command_doc(command).name.to_string()];
    for o in options::of(command) {
        let value =
            if o.choices().is_empty() { o.metavar.to_string() } else { format!("{{{}}}", o.choices().join(",")) };
        let word = match o.action {
            Action::Positional { required: true } => o.metavar.to_string(),
            Action::Positional { required: false } => format!("[{}]", o.metavar),
            Action::Help { .. } => continue,
            Action::Value if o.required => format!("{} {value}", o.long),
            Action::Value if o.repeatable => format!("[{} {value} ...]", o.long),
            Action::Value => format!("[{} {}]", o.long, o.metavar),
            _ => format!("[{}]", o.long),
        };
        words.push(word);
    }
    words.join(" ")
}

/// The help of one of our commands: usage, description, options in two columns.
pub fn command_help(command: Cmd) -> String {
    let doc = command_doc(command);
    let mut out = format!("usage: {}\n\n", command_usage(command));
    if !doc.description.is_empty() {
        out += &format!("{}\n\n", doc.description);
    }
    let listed: Vec<&Opt> = options::of(command).filter(|o| !matches!(o.action, Action::Positional { .. })).collect();
    if !listed.is_empty() {
        let width = listed.iter().map(|o| heading(o).chars().count()).max().unwrap_or(0) + 2;
        out += "options:\n";
        for o in listed {
            let mut help = o.help.lines();
            out += &format!("  {:width$}{}\n", heading(o), help.next().unwrap_or(""));
            for line in help {
                out += &format!("  {:width$}{line}\n", "");
            }
        }
    }
    out
}

/// The parts of the install usage, as argparse lists them (flags first, then aliases, each
/// alias naming its most-derived target).
fn install_optionals() -> Vec<String> {
    let mut parts = vec!["[-h]".to_string()];
    for o in options::of(Cmd::Install) {
        match o.action {
            Action::Flag { .. } => parts.push(format!("[{}]", o.long)),
            Action::Alias { name, .. } => parts.push(format!("[{} {}.{name}]", o.long, options::INSTALLER)),
            _ => {}
        }
    }
    parts
}

/// The argparse usage block printed on stderr before `jupyter-k8s-spec: error: ...` when the
/// install arguments cannot be parsed. `columns` is the terminal width argparse would use
/// (`COLUMNS` if a positive integer, else the terminal's width, else 80); `None` means 80.
pub fn usage(columns: Option<usize>) -> String {
    let parts = install_optionals();
    let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
    argparse_usage(columns, &parts, POSITIONALS)
}

/// The same block for the dispatcher's own parse errors (`jupyter-k8s-spec --debug`).
pub fn dispatcher_usage(columns: Option<usize>) -> String {
    argparse_usage(columns, &["[-h]"], POSITIONALS)
}

/// The terminal width argparse takes from a `COLUMNS` value: Python `int()` syntax (surrounding
/// whitespace, sign, `_` between digits), used only when positive. `None` means the caller must
/// fall back to the terminal's width, then 80. (Non-ASCII digits, which `int()` accepts, are not.)
pub fn columns_from_env(value: Option<&str>) -> Option<usize> {
    let text = value?.trim_matches(crate::py::textwrap::is_py_space);
    let digits = text.strip_prefix('+').unwrap_or(text);
    let well_formed = !digits.is_empty()
        && !digits.starts_with('_')
        && !digits.ends_with('_')
        && !digits.contains("__")
        && digits.chars().all(|c| c.is_ascii_digit() || c == '_');
    if !well_formed {
        return None; // includes negative values, which Python rejects as <= 0 too
    }
    // A huge value only means "everything fits on one line".
    let n = digits
        .chars()
        .filter(char::is_ascii_digit)
        .fold(0usize, |n, c| n.saturating_mul(10).saturating_add(c as usize - '0' as usize));
    (n > 0).then_some(n)
}

/// argparse's `HelpFormatter._format_usage` for a parser without groups, as printed by
/// `print_usage` (one trailing newline).
fn argparse_usage(columns: Option<usize>, optionals: &[&str], positionals: &[&str]) -> String {
    // HelpFormatter keeps two columns free; a tiny terminal gives a negative width.
    let width = i64::try_from(columns.unwrap_or(80)).unwrap_or(i64::MAX) - 2;
    let prefix_len = USAGE_PREFIX.len();
    let all: Vec<&str> = optionals.iter().chain(positionals).copied().collect();
    let one_line = format!("{PROG} {}", all.join(" "));
    let fits = |len: usize| i64::try_from(len).is_ok_and(|len| len <= width);
    if fits(prefix_len + one_line.len()) {
        return format!("{USAGE_PREFIX}{one_line}\n");
    }
    let lines = if 4 * (prefix_len + PROG.len()) as i64 <= 3 * width {
        // Short program name: the parts continue after it, aligned under the first one.
        let indent = prefix_len + PROG.len() + 1;
        let first: Vec<&str> = std::iter::once(PROG).chain(optionals.iter().copied()).collect();
        let mut lines = wrap_parts(&first, indent, Some(prefix_len), width);
        lines.extend(wrap_parts(positionals, indent, None, width));
        lines
    } else {
        // Otherwise the program name stands alone and the parts go below, under "usage: ".
        let mut lines = wrap_parts(&all, prefix_len, None, width);
        if lines.len() > 1 {
            lines = wrap_parts(optionals, prefix_len, None, width);
            lines.extend(wrap_parts(positionals, prefix_len, None, width));
        }
        lines.insert(0, PROG.to_string());
        lines
    };
    format!("{USAGE_PREFIX}{}\n", lines.join("\n"))
}

/// argparse's `get_lines`: greedy filling; a line already holding a part is closed when the next
/// part would pass `width`. With `first_len`, the first line starts after that many characters
/// and is not indented.
fn wrap_parts(parts: &[&str], indent: usize, first_len: Option<usize>, width: i64) -> Vec<String> {
    let pad = " ".repeat(indent);
    let mut lines = Vec::new();
    let mut line: Vec<&str> = Vec::new();
    let mut line_len = first_len.unwrap_or(indent) as i64 - 1;
    for part in parts {
        if line_len + 1 + part.len() as i64 > width && !line.is_empty() {
            lines.push(format!("{pad}{}", line.join(" ")));
            line.clear();
            line_len = indent as i64 - 1;
        }
        line.push(part);
        line_len += part.len() as i64 + 1;
    }
    if !line.is_empty() {
        lines.push(format!("{pad}{}", line.join(" ")));
    }
    if let (Some(_), Some(first)) = (first_len, lines.first_mut()) {
        first.drain(..indent);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::{Path, PathBuf};

    /// Golden files captured from the reference (fixes applied) by tests/golden/help/capture.sh.
    fn golden(name: &str) -> String {
        let path: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/help").join(name);
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    /// The goldens spell the reference's sys.prefix as `{PREFIX}`.
    fn ctx(spark_home: Option<&str>) -> HelpContext {
        HelpContext { sys_prefix: "{PREFIX}".into(), spark_home: spark_home.map(str::to_string) }
    }

    fn assert_text(actual: &str, expected: &str, what: &str) {
        if actual != expected {
            let line = actual
                .lines()
                .zip(expected.lines())
                .position(|(a, e)| a != e)
                .map_or(String::new(), |i| format!(" (first difference on line {})", i + 1));
            panic!("{what} differs{line}\n--- actual ---\n{actual}\n--- expected ---\n{expected}");
        }
    }

    #[test]
    fn dispatcher_texts() {
        assert_text(&dispatcher_help(), &golden("dispatcher_help.txt"), "--help");
        assert_text(&dispatcher_help_all(), &golden("dispatcher_help_all.txt"), "--help-all");
        assert_text(&no_subcommand(), &golden("no_subcommand.txt"), "no subcommand");
    }

    #[test]
    fn install_texts_without_spark_home() {
        assert_text(&install_help(&ctx(None)), &golden("install_help.txt"), "install --help");
        let all = install_help_all(&ctx(None));
        assert_text(&all, &golden("install_help_all.txt"), "install --help-all");
    }

    #[test]
    fn install_texts_show_spark_home_as_default() {
        let cases = [
            ("/srv/spark-3.5", "spark_plain"),
            ("/srv/it's spark", "spark_quote"),
            ("", "spark_empty"),
            ("/data/tab\there/\u{e9}\u{200b}/\\x", "spark_escapes"),
            ("/very/long/spark/home/that/is/longer/than/sixty/four/characters/x", "spark_long"),
        ];
        for (spark_home, name) in cases {
            let ctx = ctx(Some(spark_home));
            let help = golden(&format!("install_help_{name}.txt"));
            assert_text(&install_help(&ctx), &help, name);
            let all = golden(&format!("install_help_all_{name}.txt"));
            assert_text(&install_help_all(&ctx), &all, name);
        }
    }

    #[test]
    fn fixes_are_applied() {
        let help = install_help(&HelpContext::default());
        assert!(help.contains(
            "    Number of seconds to wait for the kernel to start before its launch fails\n    (GP_LAUNCH_TIMEOUT env var)\n"
        ));
        assert!(help.contains("--display-name='Python SparkOperator'\n"));
        assert!(!help.contains("Number of ports"));
        assert_eq!(install_help_all(&HelpContext::default()).matches("Number of seconds").count(), 5);
    }

    #[test]
    fn sys_prefix_is_shown_verbatim() {
        let ctx = HelpContext { sys_prefix: "/opt/conda envs/x".into(), spark_home: None };
        let line = "    Equivalent to: [--BaseSpecApp.prefix=/opt/conda envs/x]\n--debug\n";
        assert!(install_help(&ctx).contains(line));
        assert!(install_help_all(&ctx).contains(line));
    }

    #[test]
    fn multi_line_sys_prefix_is_indented_like_traitlets() {
        // Observed with the reference and sys.prefix = '/a\n  \n\tb\n x'.
        let ctx = HelpContext { sys_prefix: "/a\n  \n\tb\n x".into(), spark_home: None };
        let expected = "    Equivalent to: [--BaseSpecApp.prefix=/a\n\n    \tb\n     x]\n--debug\n";
        assert!(install_help(&ctx).contains(expected));
    }

    #[test]
    fn usage_blocks_wrap_like_argparse() {
        for columns in [1, 2, 10, 30, 32, 33, 40, 79, 80, 81, 120, 200, 1000] {
            let expected = golden(&format!("usage_install_{columns}.txt"));
            assert_text(&usage(Some(columns)), &expected, &format!("usage {columns}"));
        }
        for columns in [1, 10, 30, 33, 40, 80] {
            let expected = golden(&format!("usage_dispatcher_{columns}.txt"));
            assert_text(&dispatcher_usage(Some(columns)), &expected, &format!("dispatcher {columns}"));
        }
        assert_eq!(usage(None), usage(Some(80)));
        assert_eq!(usage(Some(usize::MAX)).lines().count(), 1);
    }

    #[test]
    fn columns_follow_python_int_syntax() {
        let cases = [
            (None, None),
            (Some("80"), Some(80)),
            (Some(" 40\n"), Some(40)),
            (Some("+7"), Some(7)),
            (Some("1_000"), Some(1000)),
            (Some("0"), None),
            (Some("-5"), None),
            (Some(""), None),
            (Some("abc"), None),
            (Some("1__0"), None),
            (Some("_1"), None),
            (Some("8 0"), None),
            (Some("99999999999999999999999"), Some(usize::MAX)),
        ];
        for (value, want) in cases {
            assert_eq!(columns_from_env(value), want, "{value:?}");
        }
    }

    #[test]
    fn repr_matches_python() {
        let cases = [
            ("/opt/spark", "'/opt/spark'"),
            ("", "''"),
            ("it's", "\"it's\""),
            ("say \"hi\"", "'say \"hi\"'"),
            ("both ' and \"", "'both \\' and \"'"),
            ("a\\b", "'a\\\\b'"),
            ("t\tn\nr\r", "'t\\tn\\nr\\r'"),
            ("\u{0}\u{1b}\u{7f}\u{85}\u{a0}\u{ad}", "'\\x00\\x1b\\x7f\\x85\\xa0\\xad'"),
            ("é ü 日本 😀", "'é ü 日本 😀'"),
            ("\u{200b}\u{2028}\u{feff}\u{3000}", "'\\u200b\\u2028\\ufeff\\u3000'"),
            ("\u{e000}\u{e0001}\u{10ff7f}", "'\\ue000\\U000e0001\\U0010ff7f'"),
        ];
        for (input, want) in cases {
            assert_eq!(crate::py::repr::str_repr(input), want, "{input:?}");
        }
    }
}
