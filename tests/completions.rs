//! `jupyter-k8s-spec completions SHELL` and `jupyter-k8s-spec man`: every option of `install`
//! (as the reference's help lists them, and our extensions) is offered and documented, the
//! scripts are valid for their shells, bash and fish really complete with them, and groff renders
//! the manual page. The shells and groff are installed by scripts/setup/test-tools.sh; where one
//! is missing the test is skipped, loudly, and with CI set it fails (tests/common/mod.rs).

use std::path::Path;
use std::process::{Command as Process, Output};

use assert_cmd::Command;

mod common;
use common::require_tool;

fn run(args: &[&str]) -> Output {
    let mut c = Command::cargo_bin("jupyter-k8s-spec").unwrap();
    c.env_clear().env("PATH", "/usr/bin:/bin").args(args);
    c.output().unwrap()
}

fn stdout_of(args: &[&str]) -> String {
    let o = run(args);
    assert_eq!(o.status.code(), Some(0), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
    assert!(o.stderr.is_empty(), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).unwrap()
}

/// Every option name `install` accepts (without dashes): the flags and aliases the reference's
/// `install --help-all` lists (captured in tests/golden/help), and the help/version options.
fn option_names() -> Vec<String> {
    let help =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/help/install_help_all.txt"))
            .unwrap();
    let mut names: Vec<String> = help
        .lines()
        .filter_map(|l| l.strip_prefix("--"))
        .map(|l| l.split('=').next().unwrap())
        .filter(|n| {
            n.starts_with(|c: char| c.is_ascii_lowercase()) && n.chars().all(|c| c.is_ascii_lowercase() || c == '-')
        })
        .map(String::from)
        .collect();
    assert_eq!(names.len(), 23, "7 flags and 16 aliases: {names:?}");
    names.extend(["help", "help-all", "version"].map(String::from));
    names
}

/// The options of our extensions (`install --help-extensions`).
const EXTENSION_OPTIONS: [&str; 10] = [
    "dry-run",
    "json",
    "validate",
    "help-extensions",
    "toleration",
    "node-selector",
    "image-pull-secret",
    "pod-annotation",
    "pod-label",
    "kernel-pod-template",
];

fn has_shell(name: &str) -> bool {
    require_tool(name, Process::new(name).arg("-c").arg("exit 0").output().is_ok_and(|o| o.status.success()))
}

#[test]
fn bash_zsh_and_fish_scripts_offer_every_option() {
    for shell in ["bash", "zsh", "fish"] {
        let script = stdout_of(&["completions", shell]);
        for name in option_names().iter().map(String::as_str).chain(EXTENSION_OPTIONS) {
            let spelled = match shell {
                "fish" => vec![format!("-l {name} ")],
                "zsh" => vec![format!("--{name}["), format!("--{name}=[")],
                _ => vec![format!(" --{name} "), format!(" --{name}\"")],
            };
            assert!(spelled.iter().any(|s| script.contains(s)), "{shell}: no {spelled:?}");
        }
        for word in ["install", "completions", "man", "Python", "Scala", "eager", "CRITICAL", "powershell"] {
            assert!(script.contains(word), "{shell}: no {word}");
        }
    }
    for shell in ["elvish", "powershell"] {
        let script = stdout_of(&["completions", shell]);
        assert!(script.contains("--kernel-name") && script.contains("--sys-prefix"), "{shell}");
    }
}

#[test]
fn unknown_shell_is_an_error() {
    for shell in ["xyz", "Bash", "tcsh"] {
        let o = run(&["completions", shell]);
        assert_eq!(o.status.code(), Some(2));
        assert!(o.stdout.is_empty());
        assert_eq!(
            String::from_utf8_lossy(&o.stderr),
            format!("error: unknown shell '{shell}' (expected one of: bash, zsh, fish, elvish, powershell)\n")
        );
    }
}

#[test]
fn man_page_documents_every_option() {
    let page = stdout_of(&["man"]);
    assert!(page.contains(".TH jupyter-k8s-spec 1 "), "{page}");
    for name in option_names().iter().map(String::as_str).chain(EXTENSION_OPTIONS) {
        // roff escapes every hyphen.
        let spelled = format!("\\fB\\-\\-{}\\fR", name.replace('-', "\\-"));
        assert!(page.contains(&spelled), "man: no {spelled}");
    }
    for section in ["SYNOPSIS", "DESCRIPTION", "COMMANDS", "OPTIONS", "EXAMPLES", "ENVIRONMENT", "EXIT STATUS"] {
        assert!(page.contains(&format!(".SH {section}")) || page.contains(&format!(".SH \"{section}\"")), "{section}");
    }
    for text in ["GP_IMAGE_NAME", "GP_PORT_RANGE", "K8sSpecInstaller.image_name", "Equivalent to:"] {
        assert!(page.contains(text), "man: no {text}");
    }
}

#[test]
fn groff_renders_the_man_page_without_a_warning() {
    let page = stdout_of(&["man"]);
    let spawned =
        Process::new("groff").args(["-man", "-Tutf8", "-ww", "-z"]).stdin(std::process::Stdio::piped()).spawn();
    if !require_tool("groff", spawned.is_ok()) {
        return;
    }
    use std::io::Write;
    let mut child = spawned.unwrap();
    child.stdin.take().unwrap().write_all(page.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success() && out.stderr.is_empty(), "groff: {}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn our_commands_say_what_is_wrong_with_their_words() {
    // `completions` and `man` are commands of their own with their own errors (issue 11: the
    // reference's "no subcommand" message named only install, and not the shells).
    for (args, message) in [
        (
            &["completions"][..],
            "error: the shell is required: jupyter-k8s-spec completions SHELL (one of: bash, zsh, fish, elvish, powershell)\n",
        ),
        (&["completions", "bash", "zsh"], "error: unexpected argument 'zsh'\n"),
        (&["man", "extra"], "error: unexpected argument 'extra'\n"),
        (&["man", "--roff"], "error: unrecognized option '--roff'\n"),
    ] {
        let o = run(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(o.stdout.is_empty(), "{args:?}");
        assert_eq!(String::from_utf8_lossy(&o.stderr), message, "{args:?}");
    }
}

/// Sources the bash script and asks its completion function what it offers for `words`, the last
/// of which is being completed.
fn bash_complete(script: &str, words: &[&str]) -> Vec<String> {
    let quoted: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
    let program = format!(
        "source /dev/stdin\n\
         complete -p jupyter-k8s-spec >/dev/null || exit 3\n\
         COMP_WORDS=({words}); COMP_CWORD={cword}\n\
         func=$(complete -p jupyter-k8s-spec | sed -E 's/.*-F ([^ ]+) .*/\\1/')\n\
         \"$func\" jupyter-k8s-spec \"${{COMP_WORDS[COMP_CWORD]}}\" \"${{COMP_WORDS[COMP_CWORD-1]}}\"\n\
         printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        words = quoted.join(" "),
        cword = words.len() - 1,
    );
    let mut child = Process::new("bash")
        .args(["--norc", "--noprofile", "-c", &program])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        child.stdin.take().unwrap().write_all(script.as_bytes()).unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "bash {words:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).lines().filter(|l| !l.is_empty()).map(String::from).collect()
}

#[test]
fn bash_registers_and_completes() {
    if !has_shell("bash") {
        return;
    }
    let script = stdout_of(&["completions", "bash"]);
    let offers = |words: &[&str]| bash_complete(&script, words);
    let top = offers(&["jupyter-k8s-spec", ""]);
    for w in ["install", "completions", "man", "--help"] {
        assert!(top.contains(&w.to_string()), "top level: {top:?}");
    }
    assert_eq!(offers(&["jupyter-k8s-spec", "install", "--lang"]), ["--language"]);
    assert_eq!(offers(&["jupyter-k8s-spec", "install", "--spark-"]), ["--spark-home", "--spark-init-mode"]);
    assert_eq!(offers(&["jupyter-k8s-spec", "install", "--spark-i"]), ["--spark-init-mode"]);
    assert_eq!(offers(&["jupyter-k8s-spec", "install", "--language", ""]), ["Python", "R", "Scala"]);
    assert_eq!(offers(&["jupyter-k8s-spec", "install", "--user", "--log-level", "D"]), ["DEBUG"]);
    assert_eq!(offers(&["jupyter-k8s-spec", "completions", ""]), ["bash", "zsh", "fish", "elvish", "powershell"]);
    let all = offers(&["jupyter-k8s-spec", "install", "--"]);
    for name in option_names() {
        assert!(all.contains(&format!("--{name}")), "install --<TAB>: no --{name} in {all:?}");
    }
}

#[test]
fn zsh_and_fish_accept_their_scripts() {
    for (shell, check) in [("zsh", &["-n"][..]), ("fish", &["--no-execute"][..])] {
        if !has_shell(shell) {
            continue;
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(format!("jupyter-k8s-spec.{shell}"));
        std::fs::write(&path, stdout_of(&["completions", shell])).unwrap();
        let o = Process::new(shell).args(check).arg(&path).output().unwrap();
        assert!(o.status.success(), "{shell}: {}", String::from_utf8_lossy(&o.stderr));
    }
}

#[test]
fn fish_completes_options_and_values() {
    if !has_shell("fish") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("jupyter-k8s-spec.fish");
    std::fs::write(&path, stdout_of(&["completions", "fish"])).unwrap();
    let complete = |line: &str| -> Vec<String> {
        let o = Process::new("fish")
            .args(["--no-config", "-c"])
            .arg(format!("source {}; complete -C '{line}'", path.display()))
            .env("HOME", dir.path())
            .output()
            .unwrap();
        assert!(o.status.success(), "fish: {}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8_lossy(&o.stdout).lines().map(|l| l.split('\t').next().unwrap_or("").to_string()).collect()
    };
    assert_eq!(complete("jupyter-k8s-spec install --lang"), ["--language"]);
    assert_eq!(complete("jupyter-k8s-spec install --language "), ["Python", "R", "Scala"]);
    // fish sorts what it offers.
    assert_eq!(complete("jupyter-k8s-spec completions "), ["bash", "elvish", "fish", "powershell", "zsh"]);
    assert_eq!(complete("jupyter-k8s-spec help "), ["install", "preview", "rbac"]);
    assert_eq!(complete("jupyter-k8s-spec rbac --namespace-mode "), ["auto", "byo", "shared"]);
    assert_eq!(complete("jupyter-k8s-spec install --dry"), ["--dry-run"]);
}
