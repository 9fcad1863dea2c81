//! kernel.json with hard values — non-ASCII, quotes, backslashes, control and special characters
//! in every value an install writes — compared byte for byte with literal golden files
//! (`tests/golden/kernel_json/value_cases.json` says how each was captured from the reference;
//! `capture.sh` regenerates them).

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;

mod common;
use common::*;

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/kernel_json")
}

fn cases() -> Vec<Value> {
    let text = fs::read_to_string(golden_dir().join("value_cases.json")).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    doc["cases"].as_array().unwrap().clone()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array().unwrap().iter().map(|a| a.as_str().unwrap().to_string()).collect()
}

fn pairs(v: &Value) -> Vec<(String, String)> {
    v.as_object()
        .map(|m| m.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string())).collect())
        .unwrap_or_default()
}

/// Runs one case with our binary and returns its kernel.json, the sandbox written `{ROOT}`.
fn install(case: &Value) -> String {
    let name = case["name"].as_str().unwrap();
    let mut args = strings(&case["args"]);
    // A corrected case runs with the real values where the reference ran with placeholders.
    for (placeholder, value) in pairs(&case["corrected"]["values"]) {
        args = args.iter().map(|a| a.replace(&placeholder, &value)).collect();
    }
    let sb = Sandbox::new();
    for (file, text) in pairs(&case["files"]) {
        fs::write(sb.path("work").join(file), text).unwrap();
    }
    let prefix = sb.path(case["prefix"].as_str().unwrap_or("p"));
    let prefix_arg = format!("--prefix={}", prefix.display());
    let mut argv = vec!["install", prefix_arg.as_str()];
    argv.extend(args.iter().map(String::as_str));
    let env = pairs(&case["env"]);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let out = sb.run_env(&argv, &env);
    assert_eq!(out.status.code(), Some(0), "{name}: {}", stderr(&out));
    let kernels = prefix.join("share/jupyter/kernels");
    let entries: Vec<_> = fs::read_dir(&kernels).unwrap().flatten().collect();
    assert_eq!(entries.len(), 1, "{name}: one kernelspec, no leftovers");
    let text = fs::read_to_string(entries[0].path().join("kernel.json")).unwrap();
    let root = sb.path("work").parent().unwrap().display().to_string();
    text.replace(&root, "{ROOT}")
}

#[test]
fn hard_values_match_the_golden_files_byte_for_byte() {
    let cases = cases();
    let mut failures = Vec::new();
    for case in &cases {
        let name = case["name"].as_str().unwrap();
        let want = fs::read_to_string(golden_dir().join(format!("{name}.json"))).unwrap();
        let got = install(case);
        if got != want {
            failures.push(format!("--- {name}: golden\n{want}+++ {name}: ours\n{got}"));
        }
    }
    assert!(failures.is_empty(), "{} of {} cases differ:\n{}", failures.len(), cases.len(), failures.join("\n"));
    assert!(cases.len() >= 20, "{} cases", cases.len());
}

/// The goldens really hold what they are about: escaped non-ASCII text, quotes and backslashes,
/// and the corrected cases the reference's defect, so that a careless capture cannot turn them
/// into plain files.
#[test]
fn golden_files_hold_the_hard_values() {
    let all: String = cases()
        .iter()
        .map(|c| fs::read_to_string(golden_dir().join(format!("{}.json", c["name"].as_str().unwrap()))).unwrap())
        .collect();
    assert!(all.is_ascii(), "json.dump writes ASCII only");
    for escaped in [
        r#""\u00dcn\u00efc\u00f6d\u00e9 \u2603 \u4e2d\u6587 \ud83d\ude00""#,
        r#"del\u007f nel\u0085 nbsp\u00a0 ls\u2028 ps\u2029 bom\ufeff""#,
        r#""o\"brien\\x""#,
        r#""tab\there nl\nx \u0001""#,
        r#""Say \"hi\" C:\\kernels\\k \u00fcn\u00ef""#,
        r#""a\\\"b \\n \\\\ \\/ \\u00e9""#,
        r#""two\nlines\tand \u0001 \u001f""#,
        r#""{ROOT}/pr\u00ebfix \u2603/share/jupyter/kernels/k/scripts/launch_kubernetes.py""#,
    ] {
        assert!(all.contains(escaped), "no {escaped} in the golden files");
    }
}

/// Every file in the golden directory belongs to a case, so none is left unchecked.
#[test]
fn every_golden_file_is_checked() {
    let mut names: BTreeSet<String> = cases().iter().map(|c| c["name"].as_str().unwrap().to_string()).collect();
    let listed = fs::read_to_string(golden_dir().join("cases.txt")).unwrap();
    for line in listed.lines().filter(|l| !l.trim().is_empty() && !l.starts_with('#')) {
        assert!(names.insert(line.split_whitespace().next().unwrap().to_string()), "{line}: name used twice");
    }
    let files: BTreeSet<String> = fs::read_dir(golden_dir())
        .unwrap()
        .flatten()
        .filter_map(|e| e.file_name().to_str().and_then(|n| n.strip_suffix(".json")).map(String::from))
        .filter(|n| n != "value_cases")
        .collect();
    assert_eq!(files, names);
}
