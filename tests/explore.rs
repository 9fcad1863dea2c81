//! A CLI a newcomer can find their way in from the tool itself (issue 11, item 7): the
//! reference's help texts point to ours with one final paragraph and are otherwise unchanged,
//! `--help-extensions` lists our commands and options, each of our commands has its own help
//! and errors, the manual page names every command, `preview` finds a kernelspec by its name,
//! and `--sys-prefix` warns when Jupyter would not find what it installs.

use std::fs;
use std::path::Path;

mod common;
use common::*;

fn golden(rel: &str) -> String {
    fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(rel)).unwrap()
}

/// The text without a final paragraph that names `--help-extensions`, as the conformance
/// harness compares our help texts with the reference's.
fn without_pointer(text: &str) -> String {
    let body = text.trim_end_matches('\n');
    match body.rsplit_once("\n\n") {
        Some((head, last)) if last.contains("--help-extensions") => format!("{head}{}", &text[body.len()..]),
        _ => text.to_string(),
    }
}

#[test]
fn the_references_help_points_to_ours_and_is_otherwise_unchanged() {
    let sb = Sandbox::new();
    let prefix = sb.path("venv").display().to_string();
    let cases = [
        (&["--help"][..], "help/dispatcher_help.txt", Some("jupyter-k8s-spec --help-extensions")),
        (&["install", "--help"], "help/install_help.txt", Some("jupyter-k8s-spec install --help-extensions")),
        (&[], "help/no_subcommand.txt", Some("jupyter-k8s-spec --help-extensions")),
        (&["--help-all"], "help/dispatcher_help_all.txt", None),
        (&["install", "--help-all"], "help/install_help_all.txt", None),
    ];
    for (args, file, pointer) in cases {
        let out = sb.run(args);
        let text = stdout(&out).replace(&prefix, "{PREFIX}");
        assert_eq!(without_pointer(&text), golden(file), "{args:?}");
        match pointer {
            Some(p) => {
                let last = text.trim_end_matches('\n').rsplit("\n\n").next().unwrap();
                assert!(last.contains(p), "{args:?}: {last}");
                assert!(text.ends_with(".\n\n"), "{args:?}: ends as the reference's text ends");
            }
            None => assert_eq!(text, golden(file), "{args:?}"),
        }
    }
}

#[test]
fn help_extensions_at_the_top_lists_our_commands_and_options() {
    let sb = Sandbox::new();
    for args in [&["--help-extensions"][..], &["--debug", "--help-extensions"]] {
        let out = sb.run(args);
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        assert_eq!(stdout(&out), golden("extensions/help_extensions.txt"), "{args:?}");
        assert_eq!(stderr(&out), "");
    }
    let text = golden("extensions/help_extensions.txt");
    for command in ["preview KERNELSPEC", "rbac --namespace-mode", "completions SHELL", "\nman\n"] {
        assert!(text.contains(command), "{command}");
    }
    // install's extensions follow, as `install --help-extensions` prints them.
    assert!(text.ends_with(&golden("extensions/install_help_extensions.txt")));
    // The reference's options keep their meaning: help wins, as for install.
    assert_eq!(stdout(&sb.run(&["--help-extensions", "--help"])), stdout(&sb.run(&["--help"])));
}

#[test]
fn each_of_our_commands_has_its_own_help() {
    let sb = Sandbox::new();
    for command in ["preview", "rbac", "completions", "man"] {
        let own = stdout(&sb.run(&[command, "--help"]));
        assert!(own.starts_with(&format!("usage: jupyter-k8s-spec {command}")), "{command}: {own}");
        assert!(own.contains("\noptions:\n") && own.contains("\n  -h, --help "), "{command}");
        for args in [&[command, "-h"][..], &["help", command]] {
            let out = sb.run(args);
            assert_eq!((out.status.code(), stdout(&out)), (Some(0), own.clone()), "{args:?}");
        }
    }
    let completions = stdout(&sb.run(&["completions", "--help"]));
    assert!(completions.contains("  mkdir -p ~/.local/share/bash-completion/completions\n"), "{completions}");
}

#[test]
fn the_manual_page_names_every_command() {
    let sb = Sandbox::new();
    let page = stdout(&sb.run(&["man"]));
    let synopsis = &page[page.find(".SH SYNOPSIS").unwrap()..page.find(".SH DESCRIPTION").unwrap()];
    for command in ["install", "preview", "rbac", "completions", "man"] {
        assert!(synopsis.contains(&format!("\\fB{command}\\fR")), "{command}:\n{synopsis}");
    }
    assert!(synopsis.contains("\\-\\-help\\-extensions"), "{synopsis}");
}

#[test]
fn preview_finds_a_kernelspec_by_its_name() {
    let sb = Sandbox::new();
    assert!(sb.run(&["install", "--user"]).status.success());
    assert!(sb.run(&["install", "--user", "--language=R"]).status.success());
    let by_dir = sb.run(&["preview", sb.spec("k8s_python").to_str().unwrap()]);
    assert!(by_dir.status.success(), "{}", stderr(&by_dir));
    for name in ["k8s_python", "K8S_Python"] {
        let by_name = sb.run(&["preview", name]);
        assert_eq!((by_name.status.code(), stdout(&by_name)), (Some(0), stdout(&by_dir)), "{name}");
    }
    assert!(stdout(&sb.run(&["preview", "k8s_r"])).contains("image: elyra/kernel-r:0.5.0\n"));
    // A directory still works, as a path or, when no kernelspec has the name, as a name.
    fs::create_dir_all(sb.path("work/specs")).unwrap();
    copy_tree(&sb.spec("k8s_python"), &sb.path("work/specs/mine"));
    assert_eq!(stdout(&sb.run(&["preview", "specs/mine"])), stdout(&by_dir).replace("k8s_python", "mine"));
    copy_tree(&sb.spec("k8s_python"), &sb.path("work/local"));
    assert!(sb.run(&["preview", "local"]).status.success());
    // Neither: the error names the directories searched.
    let out = sb.run(&["preview", "nosuch"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out).replace(&sb.path("").display().to_string(), "{SB}/"),
        "error: no kernelspec named 'nosuch' in ['{SB}/venv/share/jupyter/kernels', \
         '{SB}/home/.local/share/jupyter/kernels', '/usr/local/share/jupyter/kernels', '/usr/share/jupyter/kernels'], \
         and no directory of that name\n"
    );
}

fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap().flatten() {
        let target = to.join(e.file_name());
        if e.path().is_dir() {
            copy_tree(&e.path(), &target);
        } else {
            fs::copy(e.path(), target).unwrap();
        }
    }
}

#[test]
fn sys_prefix_warns_when_jupyter_would_not_find_the_kernelspec() {
    // This build is outside any Python environment (in target/debug/): with none active, its
    // --sys-prefix is the directory above its directory, which the Python running Jupyter does
    // not search.
    let sb = Sandbox::new();
    let exe = assert_cmd::cargo::cargo_bin("jupyter-k8s-spec").canonicalize().unwrap();
    let run = |venv: Option<&Path>| {
        let mut c = std::process::Command::new(&exe);
        c.env_clear().env("HOME", sb.path("home")).env("PATH", "/usr/bin:/bin").current_dir(sb.path("work"));
        if let Some(v) = venv {
            c.env("VIRTUAL_ENV", v);
        }
        c.args(["install", "--sys-prefix", "--dry-run"]).output().unwrap()
    };
    let out = run(None);
    assert!(out.status.success(), "{}", stderr(&out));
    let tool = exe.parent().and_then(Path::parent).unwrap();
    let warnings: Vec<String> = log_lines(&out).into_iter().filter(|l| l.starts_with("[W ")).collect();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].starts_with(&format!(
            "[W K8sSpecInstaller] Installing to {}/share/jupyter/kernels, which is not in [",
            tool.display()
        )),
        "{}",
        warnings[0]
    );
    // With an active environment it installs there, on Jupyter's path: no warning.
    let out = run(Some(&sb.path("venv")));
    assert!(log_lines(&out).iter().all(|l| !l.starts_with("[W ")), "{:?}", log_lines(&out));
}
