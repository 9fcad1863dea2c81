//! The README's `console` examples, run as a reader would run them and compared with the output
//! the README shows, so that a default name or a message that changes fails here rather than
//! drifting from the README.
//!
//! Each block runs in a fresh sandbox (its own home, shown as `/home/jovyan`), its `$` lines one
//! after the other through bash, with this build first on `PATH` as `jupyter-k8s-spec`; stdout
//! and stderr are compared together. Each command must succeed (an example of a failure shows
//! its status with `; echo "exit status $?"`). In the expected text `[..]` stands for any text
//! within a line and a line `...` for any lines.

use std::fs;
use std::path::Path;
use std::process::Command;

mod common;
use common::Sandbox;

/// The home directory the README's examples show.
const SHOWN_HOME: &str = "/home/jovyan";

/// A `$` line and the output shown after it.
struct Example {
    line: usize,
    command: String,
    expected: Vec<String>,
}

/// The `console` blocks of `text`, each a list of examples.
fn console_blocks(text: &str) -> Vec<Vec<Example>> {
    let mut blocks = Vec::new();
    let mut current: Option<Vec<Example>> = None;
    for (n, line) in text.lines().enumerate() {
        match (&mut current, line) {
            (None, "```console") => current = Some(Vec::new()),
            (None, _) => {}
            (Some(_), "```") => blocks.push(current.take().unwrap_or_default()),
            (Some(block), _) => match line.strip_prefix("$ ") {
                Some(command) => {
                    block.push(Example { line: n + 1, command: command.to_string(), expected: Vec::new() })
                }
                None => match block.last_mut() {
                    Some(example) => example.expected.push(line.to_string()),
                    None => panic!("README.md:{}: output before any $ line", n + 1),
                },
            },
        }
    }
    assert!(current.is_none(), "README.md: a console block is not closed");
    blocks
}

/// Whether `line` matches `pattern`, where `[..]` matches any text.
fn line_matches(pattern: &str, line: &str) -> bool {
    let mut parts = pattern.split("[..]");
    let first = parts.next().unwrap_or("");
    let Some(mut rest) = line.strip_prefix(first) else { return false };
    let parts: Vec<&str> = parts.collect();
    for (i, part) in parts.iter().enumerate() {
        if i + 1 == parts.len() {
            return rest.ends_with(part);
        }
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.is_empty()
}

/// Whether `lines` match `expected`, where a line `...` matches any lines.
fn lines_match(expected: &[String], lines: &[&str]) -> bool {
    match expected.split_first() {
        None => lines.is_empty(),
        Some((first, rest)) if first == "..." => (0..=lines.len()).any(|skip| lines_match(rest, &lines[skip..])),
        Some((first, rest)) => lines.first().is_some_and(|l| line_matches(first, l)) && lines_match(rest, &lines[1..]),
    }
}

fn run_block(block: &[Example]) {
    let sb = Sandbox::new();
    let bin = sb.path("bin");
    fs::create_dir_all(&bin).unwrap();
    std::os::unix::fs::symlink(assert_cmd::cargo::cargo_bin("jupyter-k8s-spec"), bin.join("jupyter-k8s-spec")).unwrap();
    let home = sb.path("home").display().to_string();
    for example in block {
        let out = Command::new("bash")
            .args(["--norc", "--noprofile", "-c", &format!("exec 2>&1\n{}", example.command)])
            .env_clear()
            .env("HOME", &home)
            .env("PATH", format!("{}:/usr/bin:/bin", bin.display()))
            .env("TMPDIR", sb.path("tmp"))
            .env("VIRTUAL_ENV", sb.path("venv"))
            .current_dir(sb.path("work"))
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).replace(&home, SHOWN_HOME);
        let lines: Vec<&str> = text.lines().collect();
        assert!(
            out.status.success(),
            "README.md:{}: `{}` failed ({}):\n{text}",
            example.line,
            example.command,
            out.status
        );
        assert!(
            lines_match(&example.expected, &lines),
            "README.md:{}: `{}` printed\n{text}\nwhere the README shows\n{}",
            example.line,
            example.command,
            example.expected.join("\n")
        );
    }
}

#[test]
fn the_readmes_examples_print_what_it_shows() {
    let readme = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let blocks = console_blocks(&readme);
    assert!(blocks.len() >= 5, "the README's console examples: {}", blocks.len());
    for block in &blocks {
        run_block(block);
    }
}

#[test]
fn the_matching_rules() {
    assert!(line_matches("[I [..] K8sSpecInstaller] x", "[I 2026-01-02 03:04:05.678 K8sSpecInstaller] x"));
    assert!(!line_matches("[I [..] K8sSpecInstaller] x", "[I 2026 K8sSpecInstaller] y"));
    assert!(line_matches("a[..]", "abc") && line_matches("[..]c", "abc") && !line_matches("a", "ab"));
    let exp = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert!(lines_match(&exp(&["a", "...", "z"]), &["a", "b", "c", "z"]));
    assert!(lines_match(&exp(&["a", "...", "z"]), &["a", "z"]));
    assert!(!lines_match(&exp(&["a", "...", "z"]), &["a", "b"]));
    assert!(!lines_match(&exp(&["a"]), &["a", "b"]));
    let blocks = console_blocks("x\n```console\n$ a\nout\n$ b\n```\n```sh\n$ c\n```\n");
    assert_eq!(blocks.len(), 1);
    assert_eq!((blocks[0][0].command.as_str(), blocks[0][0].expected.clone()), ("a", vec!["out".to_string()]));
    assert!(blocks[0][1].expected.is_empty());
}
