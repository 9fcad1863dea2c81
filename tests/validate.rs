//! Tests of `install --validate` (an extension): the kernelspec that would be installed is
//! rendered as a launch with default values renders it (as `preview` does) and checked against
//! the Kubernetes schema before anything is written. Each runs the binary in an isolated
//! environment, as tests/cli.rs does.

use std::fs;
use std::path::Path;
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
    let stock = fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/kubernetes/scripts/kernel-pod.yaml.j2"),
    )
    .unwrap();
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
    // Other spellings stay what they were for the reference: `--validate=1` is an unknown alias
    // (a warning, no effect), and after `--` the word is an extra argument. Neither validates:
    // a template that fails validation installs.
    fs::write(sb.path("work/bad.j2"), misspelled()).unwrap();
    let installing = "[I K8sSpecInstaller] Installing kernel specification for 'Kubernetes Python'";
    let dest = sb.kernels().join("k8s_python");
    for (args, warning) in [
        (&["--validate=1"][..], Some("[W K8sSpecInstaller] Unrecognized alias: 'validate', it will have no effect.")),
        (&["--", "--validate"], None),
    ] {
        let mut all = vec!["install", "--user", "--kernel-pod-template=bad.j2", "--dry-run"];
        all.extend_from_slice(args);
        let out = sb.run(&all);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
        let want: Vec<String> = warning.into_iter().chain([installing]).map(String::from).collect();
        assert_eq!(log_lines(&out), want, "{args:?}");
        assert!(
            stdout(&out).starts_with(&format!("would install kernelspec k8s_python in {}\n", dest.display())),
            "{args:?}: {}",
            stdout(&out)
        );
        assert!(!dest.exists());
        let real: Vec<&str> = all.iter().copied().filter(|a| *a != "--dry-run").collect();
        let out = sb.run(&real);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
        assert_eq!(fs::read_to_string(dest.join("scripts/kernel-pod.yaml.j2")).unwrap(), misspelled(), "{args:?}");
        fs::remove_dir_all(&dest).unwrap();
    }
}
