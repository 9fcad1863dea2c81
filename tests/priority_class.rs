//! `install --priority-class-name NAME` (an option of ours, added as one entry of the option
//! table plus its effect in `render::pod_template`): the installed template gives the kernel's
//! pod `spec.priorityClassName`, `--validate` accepts it, `preview` shows it, and bad values or
//! kernelspecs without a pod template are refused with nothing written.

mod common;
use common::*;

const ENTRY: &str = "  priorityClassName: \"interactive-high\"\n";

#[test]
fn the_pod_gets_the_priority_class() {
    let sb = Sandbox::new();
    let out = sb.run(&["install", "--user", "--priority-class-name", "interactive-high", "--validate"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let template = sb.read("k8s_python", "scripts/kernel-pod.yaml.j2");
    assert!(template.contains(&format!("  restartPolicy: Never\n{ENTRY}")), "{template}");
    // Nothing else changes: the stock template with the one line.
    let stock = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/kubernetes/scripts/kernel-pod.yaml.j2"),
    )
    .unwrap();
    assert_eq!(template.replacen(ENTRY, "", 1), stock);
    let out = sb.run(&["preview", "k8s_python", "--validate"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("\n  priorityClassName: interactive-high\n"), "{}", stdout(&out));
    assert_eq!(
        stderr(&out),
        "the Pod validates: 1 object checked against the Kubernetes schema shipped with this tool\n"
    );
}

#[test]
fn the_spark_operator_driver_and_executors_get_it() {
    let sb = Sandbox::new();
    let out = sb.run(&["install", "--user", "--spark", "--crd", "--priority-class-name=batch", "--validate"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let app = stdout(&sb.run(&["preview", "k8s_python_spark_operator"]));
    assert_eq!(app.matches("\n    priorityClassName: batch\n").count(), 2, "{app}");
}

#[test]
fn refusals_write_nothing() {
    let sb = Sandbox::new();
    for (args, error) in [
        (
            &["--priority-class-name=High"][..],
            "[E K8sSpecInstaller] --priority-class-name 'High': not a valid PriorityClass name: it must be a DNS subdomain: \
             at most 253 characters, lower-case letters, digits, '-' and '.', starting and ending with a letter or digit",
        ),
        (
            &["--priority-class-name=a", "--priority-class-name=b"],
            "[E K8sSpecInstaller] --priority-class-name is given twice",
        ),
        (
            &["--spark", "--priority-class-name=a"],
            "[E K8sSpecInstaller] --priority-class-name has no effect with --spark: spark-submit creates the kernel's pods \
             and does not use scripts/kernel-pod.yaml.j2 (pass Spark's spark.kubernetes.* settings with --extra-spark-opts)",
        ),
    ] {
        let out = sb.run(&[&["install", "--user"][..], args].concat());
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert_eq!(log_lines(&out).last().map(String::as_str), Some(error), "{args:?}");
        assert!(!sb.kernels().exists(), "{args:?}");
    }
    let out = sb.run(&["install", "--user", "--priority-class-name"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stderr(&out), "error: argument --priority-class-name: expected one argument (NAME)\n");
}
