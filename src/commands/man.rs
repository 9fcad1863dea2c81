//! `jupyter-k8s-spec man`: the manual page, in roff: clap_mangen's title, name and option list
//! from the clap model of the option table, and sections of our own around them.

use std::io::Write;

use clap::Command;
use clap_mangen::roff::{bold, italic, roman, Inline, Roff};
use clap_mangen::Man;

use crate::cli::clap_model::{command, install_option_docs, parse_ours, wants_help, BIN};
use crate::cli::help;
use crate::cli::help::command_help;
use crate::cli::options::{self, Cmd, Origin};
use crate::commands::exit_codes::ExitCode;
use crate::commands::output::print;

/// Runs `man`.
pub fn run(args: &[String]) -> ExitCode {
    if wants_help(args) {
        return print(command_help(Cmd::Man), ExitCode::Success);
    }
    match parse_ours(Cmd::Man, args) {
        Ok(_) => print(man_page(), ExitCode::Success),
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(&e)
        }
    }
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

/// The words of a usage line, a bracketed group (`[--env NAME=VALUE ...]`) as one.
fn usage_groups(usage: &str) -> Vec<String> {
    let mut groups = Vec::new();
    let mut depth = 0;
    let mut current = String::new();
    for c in usage.chars() {
        match c {
            '[' | '{' => depth += 1,
            ']' | '}' => depth -= 1,
            ' ' if depth == 0 => {
                if !current.is_empty() {
                    groups.push(std::mem::take(&mut current));
                }
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    if !current.is_empty() {
        groups.push(current);
    }
    groups
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
    // Every command: the reference's install, then ours with their usage, then the options of
    // the top level.
    let mut synopses: Vec<Vec<String>> =
        vec![vec!["install".into(), "[options]".into(), "[--Class.trait=value ...]".into()]];
    for c in options::COMMANDS.iter().filter(|c| c.origin == Origin::Ours) {
        let usage = help::command_usage(c.command);
        let words = usage_groups(usage.strip_prefix(BIN).unwrap_or(&usage));
        synopses.push(
            words
                .into_iter()
                .map(|w| {
                    if w.chars().all(|c| c.is_ascii_uppercase() || c == '_') {
                        format!("<{}>", w.to_lowercase())
                    } else {
                        w
                    }
                })
                .collect(),
        );
    }
    let top: Vec<String> = options::of(Cmd::Top)
        .map(|o| match o.short {
            Some(short) => format!("{short} | {}", o.long),
            None => o.long.to_string(),
        })
        .collect();
    synopses.push(vec![format!("[{}]", top.join(" | "))]);
    for words in &synopses {
        let words: Vec<&str> = words.iter().map(String::as_str).collect();
        r.text(synopsis_line(&words));
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
    for example in help::examples() {
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
    for (code, text) in ExitCode::DOCUMENTED {
        r.control("TP", []);
        r.text([bold(code.code().to_string())]);
        r.text([roman(*text)]);
    }

    r.control("SH", ["SEE ALSO"]);
    r.text([bold("jupyter-kernelspec"), roman("(1), "), bold("jupyter"), roman("(1)")]);
    r
}

#[cfg(test)]
mod tests {
    use super::*;

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
