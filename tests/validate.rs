//! Tests of `install --validate` (an extension): the kernelspec that would be installed is
//! rendered as a launch with default values renders it (as `preview` does) and checked against
//! the Kubernetes schema before anything is written. Each runs the binary in an isolated
//! environment, as tests/cli.rs does.

use std::fs;
use std::process::Output;

mod common;
use common::*;

const VARIANTS: &[&[&str]] =
    &[&[], &["--spark"], &["--spark", "--language=R"], &["--spark", "--language=Scala"], &["--spark", "--crd"]];

fn install(sb: &Sandbox, extra: &[&str], variant: &[&str]) -> Output {
    let mut args = vec!["install", "--user"];
    args.extend_from_slice(extra);
    args.extend_from_slice(variant);
    sb.run(&args)
}

#[test]
fn stock_kernelspecs_validate_and_install_as_without_the_flag() {
    for variant in VARIANTS {
        let sb = Sandbox::new();
        let plain = install(&sb, &[], variant);
        assert_eq!(plain.status.code(), Some(0), "{variant:?}: {}", stderr(&plain));
        let written = sb.snapshot_of(&sb.kernels());
        assert!(!written.is_empty());
        fs::remove_dir_all(sb.kernels()).unwrap();
        let validated = install(&sb, &["--validate"], variant);
        assert_eq!(validated.status.code(), Some(0), "{variant:?}: {}", stderr(&validated));
        assert_eq!(sb.snapshot_of(&sb.kernels()), written, "{variant:?}");
        assert_eq!(log_lines(&validated), log_lines(&plain), "{variant:?}");
        assert_eq!(stdout(&validated), "");
        // With --dry-run: validated, then the same report.
        let dry = install(&sb, &["--replace", "--dry-run"], variant);
        let dry_validated = install(&sb, &["--replace", "--validate", "--dry-run"], variant);
        assert_eq!(dry_validated.status.code(), Some(0), "{variant:?}: {}", stderr(&dry_validated));
        assert_eq!(stdout(&dry_validated), stdout(&dry), "{variant:?}");
        assert!(stdout(&dry).starts_with("would install kernelspec "));
        assert_eq!(sb.snapshot_of(&sb.kernels()), written, "{variant:?}");
    }
}

/// Ours with `restartPolicy` misspelled: it renders and keeps the labels, so the check of
/// `--kernel-pod-template` accepts it; only the schema finds the mistake.
fn misspelled() -> String {
    let file = k8s_spec::assets::files(k8s_spec::variant::Variant::Container(k8s_spec::variant::Language::Python))
        .into_iter()
        .find(|f| f.path == "scripts/kernel-pod.yaml.j2")
        .unwrap();
    let stock = String::from_utf8(file.bytes.to_vec()).unwrap();
    assert_eq!(stock.matches("  restartPolicy: Never\n").count(), 1);
    stock.replace("  restartPolicy: Never\n", "  restartPolcy: Never\n")
}

const REFUSED: [&str; 2] = [
    "[E K8sSpecInstaller] --validate: spec.restartPolcy: unknown field (did you mean 'restartPolicy'?)",
    "[E K8sSpecInstaller] --validate: the Pod of a launch with default values does not validate: 1 problem; \
     nothing was written",
];

#[test]
fn a_template_that_does_not_validate_writes_nothing() {
    let sb = Sandbox::new();
    fs::write(sb.path("work/bad.j2"), misspelled()).unwrap();
    let before = sb.snapshot();
    for extra in [&["--validate"][..], &["--validate", "--dry-run"], &["--json", "--validate"]] {
        let out = install(&sb, extra, &["--kernel-pod-template", "bad.j2"]);
        assert_eq!(out.status.code(), Some(1), "{extra:?}: {}", stderr(&out));
        assert_eq!(log_lines(&out), REFUSED, "{extra:?}");
        assert_eq!(stdout(&out), "", "{extra:?}");
        assert_eq!(sb.snapshot(), before, "{extra:?}");
    }

    // An existing kernelspec stays as it is, even with --replace.
    let out = install(&sb, &[], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let installed = sb.snapshot();
    let out = install(&sb, &["--replace", "--validate"], &["--kernel-pod-template=bad.j2"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(log_lines(&out), REFUSED);
    assert_eq!(sb.snapshot(), installed);

    // Without --validate the template installs: the template check asks only for what the
    // launcher and the provisioner need, not for a Pod Kubernetes accepts.
    let out = install(&sb, &["--replace"], &["--kernel-pod-template=bad.j2"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let written = fs::read_to_string(sb.kernels().join("k8s_python/scripts/kernel-pod.yaml.j2")).unwrap();
    assert_eq!(written, misspelled());
}

#[test]
fn the_flag_is_documented_and_an_exact_word() {
    let sb = Sandbox::new();
    let help = stdout(&sb.run(&["install", "--help-extensions"]));
    assert!(help.contains("\n--validate\n    Before writing anything, render the kernelspec"), "{help}");
    let bash = stdout(&sb.run(&["completions", "bash"]));
    assert!(bash.contains("--validate"));
    // Other spellings stay what they were for the reference: unknown options.
    let out = sb.run(&["install", "--user", "--validate=1", "--dry-run"]);
    let plain = sb.run(&["install", "--user", "--dry-run"]);
    assert_ne!(log_lines(&out), log_lines(&plain));
    // After `--` the word is an extra argument, as without the extension.
    let out = sb.run(&["install", "--user", "--dry-run", "--", "--validate"]);
    let plain = sb.run(&["install", "--user", "--dry-run", "--", "--anything"]);
    assert_eq!(out.status.code(), plain.status.code());
}
