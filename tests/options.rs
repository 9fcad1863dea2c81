//! Every entry of the option table (`cli::options::OPTIONS`) reaches every reader: the parser of
//! its command takes it, the help texts show it, the shell completions offer it and the manual
//! page names it. An option added to the table and forgotten by one of them fails here.

use std::process::Command as Process;

use k8s_spec::cli::argparse::{parse, CliValue, Command};
use k8s_spec::cli::clap_model::{parse_ours, wants_help};
use k8s_spec::cli::options::{self, Action, Cmd, Origin, OPTIONS};

fn words(w: &[&str]) -> Vec<String> {
    w.iter().map(|s| s.to_string()).collect()
}

fn output_of(args: &[&str]) -> String {
    let o = Process::new(assert_cmd::cargo::cargo_bin("jupyter-k8s-spec"))
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .args(args)
        .output()
        .unwrap();
    assert!(o.status.success(), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).unwrap()
}

/// A value the option takes: its first choice, else a word of the form its metavar shows.
fn sample(o: &options::Opt) -> String {
    if let Some(first) = o.choices().first() {
        return first.to_string();
    }
    match o.metavar {
        "KEY[=VALUE]:EFFECT" => "dedicated=jupyter:NoSchedule".into(),
        "KEY=VALUE" => "team=ds".into(),
        "NAME=VALUE" => "KERNEL_X=1".into(),
        "FILE" => "pod.yaml.j2".into(),
        _ => "x".into(),
    }
}

/// The words a command needs besides the option under test (its required ones).
fn required_words(command: Cmd, except: &str) -> Vec<String> {
    let mut out = Vec::new();
    for o in options::of(command).filter(|o| o.long != except) {
        match o.action {
            Action::Positional { required: true } => out.push(sample(o)),
            Action::Value if o.required => out.extend([o.long.to_string(), sample(o)]),
            _ => {}
        }
    }
    out
}

#[test]
fn every_option_is_taken_by_its_parser() {
    for o in OPTIONS {
        let value = sample(o);
        match (o.command, o.action) {
            (Cmd::Top, Action::Help { all }) => {
                assert_eq!(parse(&words(&[o.long])), Ok(Command::DispatcherHelp { all }), "{}", o.long);
                if let Some(short) = o.short {
                    assert_eq!(parse(&words(&[short])), Ok(Command::DispatcherHelp { all }), "{short}");
                }
            }
            (Cmd::Top, Action::Version) => {
                for w in [Some(o.long), o.short].into_iter().flatten() {
                    assert_eq!(parse(&words(&[w])), Ok(Command::Version), "{w}");
                }
            }
            (Cmd::Top, Action::HelpExtensions) => {
                assert_eq!(parse(&words(&[o.long])), Ok(Command::TopExtensionsHelp));
            }
            (Cmd::Install, action) => {
                let mut args = vec!["install".to_string(), o.long.to_string()];
                if o.takes_value() {
                    args.push(value.clone());
                }
                let parsed = parse(&args).unwrap_or_else(|e| panic!("{args:?}: {e}"));
                if action == Action::HelpExtensions {
                    assert_eq!(parsed, Command::InstallExtensionsHelp);
                    continue;
                }
                let Command::Install(a) = parsed else { panic!("{args:?}: {parsed:?}") };
                match action {
                    Action::Flag { flag, .. } => assert_eq!(a.flags, [flag], "{}", o.long),
                    Action::Alias { name, .. } => assert_eq!(
                        a.settings,
                        [(format!("{}.{name}", options::INSTALLER), CliValue::Many(vec![value.clone()]))],
                        "{}",
                        o.long
                    ),
                    Action::Switch => {
                        let e = a.extensions;
                        assert!(e.dry_run || e.json || e.validate, "{}: {e:?}", o.long);
                    }
                    Action::Value => assert_eq!(a.pod_options.given, [(o.long, value.clone())], "{}", o.long),
                    other => panic!("{}: {other:?}", o.long),
                }
            }
            (command, Action::Help { .. }) => {
                let with = [vec![o.long.to_string()], required_words(command, o.long)].concat();
                assert!(wants_help(&with), "{command:?} {}", o.long);
                assert!(o.short.is_some_and(|s| wants_help(&words(&[s]))), "{command:?} {}", o.long);
            }
            (command, action) => {
                let mut args = required_words(command, o.long);
                match action {
                    Action::Positional { .. } => args.push(value.clone()),
                    Action::Value => args.extend([o.long.to_string(), value.clone()]),
                    _ => args.push(o.long.to_string()),
                }
                let m = parse_ours(command, &args).unwrap_or_else(|e| panic!("{command:?} {args:?}: {e}"));
                assert!(m.contains_id(o.name()), "{command:?}: {}", o.long);
            }
        }
    }
}

#[test]
fn every_option_is_in_its_help() {
    let install_help = output_of(&["install", "--help"]);
    let install_help_all = output_of(&["install", "--help-all"]);
    let dispatcher_help = output_of(&["--help"]);
    let install_extensions = output_of(&["install", "--help-extensions"]);
    let extensions = output_of(&["--help-extensions"]);
    let starts_a_line = |text: &str, word: &str| {
        text.lines().any(|l| l == word || l.starts_with(&format!("{word} ")) || l.starts_with(&format!("{word}=")))
    };
    for o in OPTIONS {
        match (o.command, o.origin) {
            (Cmd::Install, Origin::Reference) => {
                assert!(starts_a_line(&install_help, o.long), "install --help: {}", o.long);
                let (_, t) = o.target().unwrap();
                assert!(install_help_all.contains(&format!("\n--K8sSpecInstaller.{}=", t.name)), "{}", o.long);
            }
            (Cmd::Top, Origin::Reference) => {
                // The reference's dispatcher shows -h in its usage and names --help-all; its
                // version option is in the manual page and the completions (below).
                let shown = match o.action {
                    Action::Help { all: false } => k8s_spec::cli::help::dispatcher_usage(None).contains("[-h]"),
                    Action::Help { all: true } => dispatcher_help.contains("`--help-all`"),
                    _ => true,
                };
                assert!(shown, "{}", o.long);
            }
            (Cmd::Install, Origin::Ours) if o.action == Action::HelpExtensions => {
                assert!(install_help.contains("jupyter-k8s-spec install --help-extensions"));
            }
            (Cmd::Install, Origin::Ours) => {
                assert!(starts_a_line(&install_extensions, o.long), "install --help-extensions: {}", o.long);
                assert!(starts_a_line(&extensions, o.long), "--help-extensions: {}", o.long);
            }
            (Cmd::Top, Origin::Ours) => {
                assert!(starts_a_line(&extensions, o.long), "--help-extensions: {}", o.long);
                assert!(dispatcher_help.contains(&format!("jupyter-k8s-spec {}", o.long)), "--help: {}", o.long);
            }
            (command, _) => {
                let name = options::command_doc(command).name;
                let help = output_of(&[name, "--help"]);
                let shown = match o.action {
                    Action::Positional { .. } => {
                        help.starts_with(&format!("usage: jupyter-k8s-spec {name} "))
                            && help.lines().next().unwrap().contains(o.metavar)
                    }
                    _ => help.lines().any(|l| {
                        l.trim_start().starts_with(o.long)
                            || l.trim_start().starts_with(&format!("{}, {}", o.short.unwrap_or(""), o.long))
                    }),
                };
                assert!(shown, "{name} --help: {}", o.long);
                let usage = extensions.lines().find(|l| l.starts_with(&format!("{name} ")) || *l == name).unwrap();
                if !matches!(o.action, Action::Help { .. }) {
                    assert!(
                        usage.contains(if o.long.starts_with('-') { o.long } else { o.metavar }),
                        "--help-extensions: {name} {}",
                        o.long
                    );
                }
            }
        }
    }
}

#[test]
fn every_option_is_in_the_completions_and_the_manual_page() {
    let page = output_of(&["man"]);
    let scripts: Vec<(&str, String)> =
        ["bash", "zsh", "fish"].iter().map(|s| (*s, output_of(&["completions", s]))).collect();
    for o in OPTIONS {
        if o.origin == Origin::Ours && matches!(o.action, Action::Help { .. }) {
            // Our commands answer -h/--help before parsing; completion offers their values.
            continue;
        }
        let spelled = |shell: &str| -> Vec<String> {
            match o.action {
                Action::Positional { .. } => o.choices().iter().map(|c| c.to_string()).collect(),
                _ => {
                    let name = o.name();
                    match shell {
                        "fish" => vec![format!("-l {name} ")],
                        "zsh" => vec![format!("--{name}["), format!("--{name}=[")],
                        _ => vec![
                            format!(" --{name} "),
                            format!(" --{name}\""),
                            format!("\"--{name} "),
                            format!("--{name})"),
                        ],
                    }
                }
            }
        };
        for (shell, script) in &scripts {
            let want = spelled(shell);
            if !want.is_empty() {
                assert!(want.iter().any(|w| script.contains(w.as_str())), "{shell}: {} ({want:?})", o.long);
            }
        }
        let roff = if o.long.starts_with('-') {
            o.long.replace('-', "\\-")
        } else {
            format!("<{}>", o.metavar.to_lowercase())
        };
        assert!(page.contains(&roff), "man: {} ({roff})", o.long);
    }
}
