//! A clap description of the command line, built from the data in `options` and the help texts in
//! `help/`, for writing shell completion scripts (`completions SHELL`) and the manual page
//! (`man`). It never parses anything: `cli` does, reproducing the reference's argparse/traitlets
//! behaviour (prefix matching, `--Class.trait=value`, its error messages), which clap cannot.
//!
//! One source of truth: option names, value kinds and fixed value sets come from `options`; every
//! description is the one `install --help` prints (`help/install.txt`), parsed here.

use std::io::Write;

use clap::builder::PossibleValuesParser;
use clap::{Arg, ArgAction, Command, ValueHint};
use clap_complete::Shell;
use clap_mangen::roff::{bold, italic, roman, Inline, Roff};
use clap_mangen::Man;

use crate::cli::options::{self, Kind, ALIASES, FLAGS};

/// The program name the scripts complete and the manual page documents.
pub const BIN: &str = "jupyter-k8s-spec";

const DISPATCHER: &str = include_str!("help/dispatcher.txt");
const INSTALL: &str = include_str!("help/install.txt");
const EXAMPLES: &str = include_str!("help/examples.txt");

/// The shells `completions` writes scripts for, in the order its error message lists them.
pub const SHELLS: &[(&str, Shell)] = &[
    ("bash", Shell::Bash),
    ("zsh", Shell::Zsh),
    ("fish", Shell::Fish),
    ("elvish", Shell::Elvish),
    ("powershell", Shell::PowerShell),
];

/// The options that are not in the install help's option list (argparse and traitlets add them).
const HELP: &str = "Print the help (the options below, with their defaults) and exit";
const HELP_ALL: &str =
    "Print the help with every configurable class option (--Class.trait=value) and its default, and exit";
const VERSION: &str = "Print the version and exit";

/// How a value is completed: directories, files or nothing (free text).
fn value_hint(trait_name: &str) -> ValueHint {
    match trait_name {
        "prefix" | "spark_home" => ValueHint::DirPath,
        "config_file" => ValueHint::FilePath,
        _ => ValueHint::Other,
    }
}

/// One option's entry in the install help (`help/install.txt`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OptionDoc {
    /// The option without its dashes (`image-name`).
    pub name: &'static str,
    /// The description, its lines joined (`{...}` placeholders filled for a reader of the manual).
    pub description: String,
    /// The `Default:` line's value, if any.
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

/// The flags and aliases documented by `install --help`, in its order.
pub fn install_option_docs() -> Vec<OptionDoc> {
    let mut docs: Vec<OptionDoc> = Vec::new();
    for line in INSTALL.lines() {
        if let Some(head) = line.strip_prefix("--") {
            let name = head.split_once('=').map_or(head, |(name, _)| name);
            docs.push(OptionDoc { name, ..OptionDoc::default() });
            continue;
        }
        let (Some(doc), Some(body)) = (docs.last_mut(), line.strip_prefix("    ")) else { continue };
        if let Some(v) = body.strip_prefix("Default: ") {
            doc.default = Some(fill_placeholders(v));
        } else if let Some(v) = body.strip_prefix("Choices: ") {
            doc.choices = Some(v);
        } else if let Some(v) = body.strip_prefix("Equivalent to: ") {
            doc.equivalent = Some(fill_placeholders(v));
        } else {
            join_line(&mut doc.description, body.trim());
        }
    }
    docs
}

/// The run-time values of the help text, described for a reader who has no run time.
fn fill_placeholders(s: &str) -> String {
    s.replace("{sys_prefix}", "<sys.prefix>").replace("{spark_home_default}", "$SPARK_HOME, else '/opt/spark'")
}

/// Appends a wrapped line to a paragraph: words broken at a hyphen are rejoined, runs of spaces
/// become one.
fn join_line(paragraph: &mut String, line: &str) {
    let broken_word = paragraph.ends_with('-') && paragraph.chars().rev().nth(1).is_some_and(char::is_alphanumeric);
    if !paragraph.is_empty() && !broken_word {
        paragraph.push(' ');
    }
    paragraph.push_str(line);
    *paragraph = paragraph.split(' ').filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" ");
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

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or("").trim_end_matches('.')
}

fn doc_for<'a>(docs: &'a [OptionDoc], name: &str) -> &'a OptionDoc {
    docs.iter().find(|d| d.name == name).unwrap_or_else(|| panic!("--{name} is not in help/install.txt"))
}

/// `-h/--help`, `--help-all`, `-V/--version`: accepted at the top level and after `install`.
fn help_args() -> [Arg; 3] {
    [
        Arg::new("help").short('h').long("help").action(ArgAction::SetTrue).help(HELP),
        Arg::new("help-all").long("help-all").action(ArgAction::SetTrue).help(HELP_ALL),
        Arg::new("version").short('V').long("version").action(ArgAction::SetTrue).help(VERSION),
    ]
}

fn install_command() -> Command {
    let docs = install_option_docs();
    let mut cmd = Command::new("install")
        .about(first_line(INSTALL))
        .disable_help_flag(true)
        .disable_version_flag(true)
        .args(help_args());
    for (name, _) in FLAGS {
        let doc = doc_for(&docs, name);
        cmd = cmd.arg(Arg::new(*name).long(*name).action(ArgAction::SetTrue).help(doc.summary()).long_help(doc.long()));
    }
    for (alias, trait_name) in ALIASES {
        let doc = doc_for(&docs, alias);
        let kind = options::find_trait(trait_name).map(|t| t.kind);
        let mut arg = Arg::new(*alias)
            .long(*alias)
            .value_name(trait_name.to_uppercase())
            .num_args(1)
            .action(if kind == Some(Kind::Set) { ArgAction::Append } else { ArgAction::Set })
            .value_hint(value_hint(trait_name))
            .help(doc.summary())
            .long_help(doc.long());
        if let Some(values) = options::choices(trait_name) {
            // The description names them already: completions offer them, the manual need not
            // list them again.
            arg = arg.value_parser(PossibleValuesParser::new(values.iter().copied())).hide_possible_values(true);
        }
        cmd = cmd.arg(arg);
    }
    // Our extensions of install (src/extensions.rs).
    let extension =
        |name: &'static str, help: &'static str| Arg::new(name).long(name).action(ArgAction::SetTrue).help(help);
    cmd.args([
        extension("dry-run", "Print what would be installed and write nothing (extension)"),
        extension("json", "Describe the installed kernelspec as JSON on standard output (extension)"),
        extension(
            "validate",
            "Check the rendered pod against the Kubernetes schema before writing anything (extension)",
        ),
        extension("help-extensions", "Describe the extensions of install"),
    ])
    .args(pod_option_args())
}

/// The pod options of install (src/pod_options.rs), each taking a value.
fn pod_option_args() -> Vec<Arg> {
    use crate::cli::extensions::OPTIONS;
    let help = |name: &str| match name {
        "toleration" => "Tolerate a node taint: KEY=VALUE:EFFECT (Equal) or KEY:EFFECT (Exists) (extension)",
        "node-selector" => "Run the kernel pod only on nodes with this label (extension)",
        "image-pull-secret" => "Pull the kernel image with this Secret (extension)",
        "pod-annotation" => "Annotate the kernel pod (extension)",
        "pod-label" => "Label the kernel pod (extension)",
        _ => "Install FILE as the kernel pod template, after checking it (extension)",
    };
    OPTIONS
        .iter()
        .map(|(option, metavar)| {
            let name = option.trim_start_matches('-');
            let file = *metavar == "FILE";
            Arg::new(name)
                .long(name)
                .value_name(*metavar)
                .num_args(1)
                .action(if file { ArgAction::Set } else { ArgAction::Append })
                .value_hint(if file { ValueHint::FilePath } else { ValueHint::Other })
                .help(help(name))
        })
        .collect()
}

/// `rbac` (src/rbac_cli.rs): the RBAC objects the server needs.
fn rbac_command() -> Command {
    Command::new("rbac")
        .about("Print the RBAC objects a Jupyter server needs to launch kernels (extension)")
        .disable_help_flag(true)
        .arg(Arg::new("help").short('h').long("help").action(ArgAction::SetTrue).help(HELP))
        .arg(
            Arg::new("namespace-mode")
                .long("namespace-mode")
                .value_name("MODE")
                .value_parser(PossibleValuesParser::new(crate::cli::options::NAMESPACE_MODES.iter().copied()))
                .help("Where kernels run: the server's namespace, namespaces clients name, or one per kernel"),
        )
        .arg(Arg::new("namespace").long("namespace").value_name("NS").help("The server's namespace"))
        .arg(
            Arg::new("service-account").long("service-account").value_name("NAME").help("The server's service account"),
        )
}

/// `preview` (src/preview.rs): the object a kernel of a kernelspec would be launched as.
fn preview_command() -> Command {
    Command::new("preview")
        .about("Print the Pod or SparkApplication a kernel of a kernelspec would be launched as (extension)")
        .disable_help_flag(true)
        .arg(Arg::new("help").short('h').long("help").action(ArgAction::SetTrue).help(HELP))
        .arg(
            Arg::new("kernelspec_dir")
                .required(true)
                .value_name("KERNELSPEC_DIR")
                .value_hint(ValueHint::DirPath)
                .help("The kernelspec directory (with kernel.json and scripts/)"),
        )
        .arg(
            Arg::new("env")
                .long("env")
                .value_name("NAME=VALUE")
                .action(ArgAction::Append)
                .help("A variable of the launch environment; KERNEL_* ones are template variables"),
        )
        .arg(
            Arg::new("validate")
                .long("validate")
                .action(ArgAction::SetTrue)
                .help("Check the result against the Kubernetes schema shipped with this tool"),
        )
}

/// The whole command line as clap sees it.
pub fn command() -> Command {
    let shells: Vec<&str> = SHELLS.iter().map(|(name, _)| *name).collect();
    Command::new(BIN)
        .version(env!("CARGO_PKG_VERSION"))
        .about(first_line(DISPATCHER))
        .disable_help_flag(true)
        .disable_version_flag(true)
        .disable_help_subcommand(true)
        .args(help_args())
        .subcommand(install_command())
        .subcommand(rbac_command())
        .subcommand(preview_command())
        .subcommand(
            Command::new("completions").about("Print a shell completion script to standard output").arg(
                Arg::new("shell")
                    .required(true)
                    .value_parser(PossibleValuesParser::new(shells))
                    .help("The shell to complete for"),
            ),
        )
        .subcommand(Command::new("man").about("Print this manual page (roff) to standard output"))
        .subcommand(Command::new("help").about("Print the help, or the help of a subcommand").arg(
            Arg::new("subcommand").value_parser(["install", "rbac", "preview"]).help("The subcommand to describe"),
        ))
}

/// The shell named `name`, if `completions` supports it.
pub fn shell(name: &str) -> Option<Shell> {
    SHELLS.iter().find(|(n, _)| *n == name).map(|(_, s)| *s)
}

/// A completion script for `shell`.
pub fn completions(shell: Shell) -> Vec<u8> {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut command(), BIN, &mut out);
    match shell {
        Shell::Bash => fix_bash_state_names(&out),
        Shell::Fish => add_fish_positionals(out),
        _ => out,
    }
}

/// clap_complete's fish script completes no positional values (`completions <shell>`,
/// `help [install]`); add them, with the subcommand test the script defines.
fn add_fish_positionals(mut script: Vec<u8>) -> Vec<u8> {
    let test = format!("__fish_{}_using_subcommand", BIN.replace('-', "_"));
    if !String::from_utf8_lossy(&script).contains(&format!("function {test}")) {
        return script;
    }
    for sub in command().get_subcommands() {
        for arg in sub.get_positionals() {
            let values: Vec<String> = arg.get_possible_values().iter().map(|v| v.get_name().to_string()).collect();
            if !values.is_empty() {
                let line =
                    format!("complete -c {BIN} -n \"{test} {}\" -f -a \"{}\"\n", sub.get_name(), values.join(" "));
                script.extend_from_slice(line.as_bytes());
            }
        }
    }
    script
}

/// clap_complete's bash script names its states inconsistently when the program's name has a
/// hyphen (clap-rs/clap#6421): the loop over the words sets `jupyter__k8s__spec__subcmd__install`,
/// the arms test `jupyter__subcmd__k8s__subcmd__spec__subcmd__install`, so nothing after a
/// subcommand would complete. Spell the arms the way the loop does (a no-op once fixed upstream).
fn fix_bash_state_names(script: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(script);
    let broken = format!("{}__subcmd__", BIN.replace('-', "__subcmd__"));
    let fixed = format!("{}__subcmd__", BIN.replace('-', "__"));
    text.replace(&broken, &fixed).into_bytes()
}

/// The manual page `jupyter-k8s-spec(1)`, in roff: clap_mangen's title, name and option list, and
/// sections of our own around them.
pub fn man_page() -> Vec<u8> {
    let cmd = command();
    let man = Man::new(cmd.clone());
    let install = Man::new(cmd.find_subcommand("install").cloned().expect("install subcommand"));
    let mut parts: Vec<Vec<u8>> = Vec::new();
    let mut render = |f: &dyn Fn(&mut Vec<u8>) -> std::io::Result<()>| {
        let mut buf = Vec::new();
        f(&mut buf).expect("writing to a Vec cannot fail");
        parts.push(buf);
    };
    // clap_mangen writes an empty date as nothing, which shifts the source and manual into the
    // wrong .TH fields; no date keeps the page reproducible.
    render(&|w| writeln!(w, ".TH {BIN} 1 \"\" \"{BIN} {}\" \"User Commands\"", env!("CARGO_PKG_VERSION")));
    render(&|w| man.render_name_section(w));
    render(&|w| own_sections_before_options(&cmd).to_writer(w));
    // The install options (with --help, --help-all and --version, which the top level accepts too).
    render(&|w| install.render_options_section(w));
    render(&|w| own_sections_after_options().to_writer(w));
    render(&|w| man.render_version_section(w));

    // Every piece starts with roff's apostrophe preamble; keep the first only.
    let preamble = Roff::new().render().into_bytes();
    let mut out = preamble.clone();
    for part in parts {
        out.extend_from_slice(part.strip_prefix(preamble.as_slice()).unwrap_or(&part));
    }
    out
}

/// `jupyter-k8s-spec word <value> [...]` with the program and words in bold, values in italics.
fn synopsis_line(words: &[&str]) -> Vec<Inline> {
    let mut parts = vec![bold(BIN)];
    for w in words {
        parts.push(roman(" "));
        parts.push(if w.starts_with(['<', '[']) { italic(*w) } else { bold(*w) });
    }
    parts
}

fn own_sections_before_options(cmd: &Command) -> Roff {
    let mut r = Roff::new();
    r.control("SH", ["SYNOPSIS"]);
    for words in [
        &["install", "[options]", "[--Class.trait=value ...]"][..],
        &["completions", "<shell>"],
        &["man"],
        &["[-h | --help | --help-all | -V | --version]"],
    ] {
        r.text(synopsis_line(words));
        r.control("br", []);
    }

    r.control("SH", ["DESCRIPTION"]);
    r.text([
        bold(BIN),
        roman(
            " writes Jupyter kernel specifications that run kernels as pods on a Kubernetes cluster, \
             for the kubernetes-provisioner and spark-operator-provisioner of gateway-provisioners. It \
             re-implements the command of the same name from gateway-provisioners 0.5.0, and is also run \
             as ",
        ),
        bold("jupyter k8s-spec"),
        roman(" by Jupyter's command dispatcher."),
    ]);
    r.control("PP", []);
    r.text([roman(
        "Options take their value as --name=value or --name value, and an unambiguous prefix of an \
         option's name is accepted. Every configurable trait can also be set as --Class.trait=value \
         (install --help-all lists them all), or in a jupyter_k8s_spec_config.py or \
         jupyter_k8s_spec_config.json file in the Jupyter configuration path.",
    )]);

    r.control("SH", ["COMMANDS"]);
    for sub in cmd.get_subcommands() {
        let values: Vec<String> = sub
            .get_positionals()
            .map(|a| if a.is_required_set() { format!("<{}>", a.get_id()) } else { format!("[{}]", a.get_id()) })
            .collect();
        let words: Vec<&str> = std::iter::once(sub.get_name()).chain(values.iter().map(String::as_str)).collect();
        r.control("TP", []);
        r.text(synopsis_line(&words));
        r.text([roman(sub.get_about().map(|s| s.to_string()).unwrap_or_default())]);
    }
    r
}

fn own_sections_after_options() -> Roff {
    let mut r = Roff::new();
    r.control("SH", ["EXAMPLES"]);
    for example in EXAMPLES.lines().map(str::trim).filter(|l| l.starts_with(BIN)) {
        r.control("PP", []);
        r.text([roman(example)]);
    }

    r.control("SH", ["ENVIRONMENT"]);
    let mut vars: Vec<(String, String)> = install_option_docs()
        .iter()
        .filter_map(|d| {
            let var = d.description.split(['(', ' ']).find(|w| w.starts_with("GP_"))?;
            Some((var.to_string(), format!("Default for --{}.", d.name)))
        })
        .collect();
    vars.push(("SPARK_HOME".into(), "Default for --spark-home.".into()));
    vars.push((
        "JUPYTER_CONFIG_DIR, JUPYTER_CONFIG_PATH".into(),
        "Where configuration files are looked for, as in Jupyter.".into(),
    ));
    vars.push(("JUPYTER_DATA_DIR".into(), "Where --user installs kernel specifications, as in Jupyter.".into()));
    for (var, text) in vars {
        r.control("TP", []);
        r.text([bold(var)]);
        r.text([roman(text)]);
    }

    r.control("SH", ["EXIT STATUS"]);
    for (code, text) in [
        ("0", "Success, or help printed."),
        ("1", "The installation failed, or no subcommand was given."),
        ("2", "The command line could not be parsed."),
    ] {
        r.control("TP", []);
        r.text([bold(code)]);
        r.text([roman(text)]);
    }

    r.control("SH", ["SEE ALSO"]);
    r.text([bold("jupyter-kernelspec"), roman("(1), "), bold("jupyter"), roman("(1)")]);
    r
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn shells_are_clap_complete_shells() {
        for (name, shell) in SHELLS {
            assert_eq!(shell.to_string(), *name);
            assert!(!completions(*shell).is_empty());
        }
        assert_eq!(shell("tcsh"), None);
    }

    #[test]
    fn man_page_sections() {
        let page = String::from_utf8(man_page()).unwrap();
        let title = format!(
            ".TH jupyter-k8s-spec 1 \"\" \"jupyter-k8s-spec {}\" \"User Commands\"\n",
            env!("CARGO_PKG_VERSION")
        );
        assert!(page.starts_with(&format!(".ie \\n(.g .ds Aq \\(aq\n.el .ds Aq '\n{title}")), "{page}");
        assert_eq!(page.matches(".ds Aq").count(), 2, "one preamble");
        for section in ["NAME", "SYNOPSIS", "DESCRIPTION", "COMMANDS", "OPTIONS", "EXAMPLES", "ENVIRONMENT", "VERSION"]
        {
            assert!(page.contains(&format!(".SH {section}")), "no {section}");
        }
    }
}
