//! Tests of the pod options of `install` (an extension, src/pod_options.rs): `--toleration`,
//! `--node-selector`, `--image-pull-secret`, `--pod-annotation`, `--pod-label` and
//! `--kernel-pod-template`. Each runs the binary in an isolated environment, as tests/cli.rs does.

use std::fs;
use std::path::Path;

mod common;
use common::*;

/// A file of the repository: the stock templates as written in `templates/` (not as the binary
/// embeds them) and the expected outputs in `tests/golden/pod_options/` (see its README.md).
fn repo_file(path: &str) -> String {
    fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap()
}

fn stock_pod() -> String {
    repo_file("templates/kubernetes/scripts/kernel-pod.yaml.j2")
}

fn stock_app() -> String {
    repo_file("templates/operators/scripts/sparkoperator.k8s.io-v1beta2.yaml.j2")
}

fn expected(name: &str) -> String {
    repo_file(&format!("tests/golden/pod_options/{name}"))
}

const POD: &str = "scripts/kernel-pod.yaml.j2";
const APP: &str = "scripts/sparkoperator.k8s.io-v1beta2.yaml.j2";

/// `stock` with `anchor` (a whole line) followed by `added`.
fn with_after(stock: &str, anchor: &str, added: &str) -> String {
    assert_eq!(stock.matches(anchor).count(), 1, "{anchor}");
    stock.replace(anchor, &format!("{anchor}{added}"))
}

const OPTIONS: &[&str] = &[
    "--toleration",
    "dedicated=jupyter:NoSchedule",
    "--toleration=example.com/gpu:NoExecute",
    "--node-selector",
    "kubernetes.io/arch=amd64",
    "--image-pull-secret=regcred",
    "--pod-annotation",
    "note=say \"{{ hi }}\"\n{% if x %}\\",
    "--pod-label=team=data",
];

#[test]
fn a_combination_is_written_into_the_pod_template() {
    let sb = Sandbox::new();
    let mut args = vec!["install", "--user"];
    args.extend_from_slice(OPTIONS);
    let out = sb.run(&args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(sb.read("k8s_python", POD), expected("kernel-pod.combination.yaml.j2"));
    // Everything else is what an install without the options writes.
    let plain = Sandbox::new();
    assert_eq!(plain.run(&["install", "--user"]).status.code(), Some(0));
    for file in ["kernel.json", "scripts/launch_kubernetes.py"] {
        let relative = |s: &Sandbox| s.read("k8s_python", file).replace(&s.path("").display().to_string(), "");
        assert_eq!(relative(&sb), relative(&plain), "{file}");
    }
    assert_eq!(plain.read("k8s_python", POD), stock_pod());
    // R and Scala pods get the same template.
    let out = sb.run(&["install", "--user", "--language=R", "--pod-label=team=data"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(sb.read("k8s_r", POD), expected("kernel-pod.label.yaml.j2"));
    let out = sb.run(&["install", "--user", "--language=Scala", "--pod-label=team=data"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(sb.read("k8s_scala", POD), expected("kernel-pod.label.yaml.j2"));
}

#[test]
fn a_combination_is_written_into_the_spark_application() {
    let sb = Sandbox::new();
    let mut args = vec!["install", "--user", "--crd", "--spark"];
    args.extend_from_slice(OPTIONS);
    args.push("--pod-annotation=cluster-autoscaler.kubernetes.io/safe-to-evict=true");
    let out = sb.run(&args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(sb.read("k8s_python_spark_operator", APP), expected("sparkoperator.combination.yaml.j2"));
}

#[test]
fn refusals_write_nothing() {
    let sb = Sandbox::new();
    let before = sb.snapshot();
    let cases: &[(&[&str], &str)] = &[
        (&["--toleration=gpu"], "[E K8sSpecInstaller] --toleration 'gpu': expected KEY[=VALUE]:EFFECT"),
        (
            &["--toleration", "gpu:Never"],
            "[E K8sSpecInstaller] --toleration 'gpu:Never': the effect must be NoSchedule, PreferNoSchedule or NoExecute, not 'Never'",
        ),
        (
            &["--node-selector", "a=b c"],
            "[E K8sSpecInstaller] --node-selector 'a=b c': invalid value 'b c': it must consist of letters, digits, '-', '_' or '.', and start and end with a letter or digit (or be empty)",
        ),
        (
            &["--image-pull-secret=Reg"],
            "[E K8sSpecInstaller] --image-pull-secret 'Reg': not a valid Secret name: it must be a DNS subdomain: at most 253 characters, lower-case letters, digits, '-' and '.', starting and ending with a letter or digit",
        ),
        (
            &["--pod-annotation", "bad key=x"],
            "[E K8sSpecInstaller] --pod-annotation 'bad key=x': invalid key 'bad key': the name must consist of letters, digits, '-', '_' or '.', and start and end with a letter or digit",
        ),
        (
            &["--pod-label=kernel_id=x"],
            "[E K8sSpecInstaller] --pod-label 'kernel_id=x': the label 'kernel_id' is set by the kernelspec's template (kernel_id, app, component and source are reserved)",
        ),
        (
            &["--pod-label=a=1", "--pod-label=a=2"],
            "[E K8sSpecInstaller] --pod-label: the key 'a' is given twice",
        ),
        (
            &["--spark", "--toleration=a:NoSchedule"],
            "[E K8sSpecInstaller] --toleration has no effect with --spark: spark-submit creates the kernel's pods and does not use scripts/kernel-pod.yaml.j2 (pass Spark's spark.kubernetes.* settings with --extra-spark-opts)",
        ),
        (
            &["--spark", "--crd", "--kernel-pod-template=t.j2"],
            "[E K8sSpecInstaller] --kernel-pod-template: a Spark operator kernelspec (--crd) has no pod template (its scripts/sparkoperator.k8s.io-v1beta2.yaml.j2 describes a SparkApplication)",
        ),
        (
            &["--kernel-pod-template=t.j2", "--pod-label=a=b"],
            "[E K8sSpecInstaller] --kernel-pod-template cannot be combined with --pod-label: write those fields into the template",
        ),
    ];
    for (extra, line) in cases {
        for dry_run in [false, true] {
            let mut args = vec!["install", "--user"];
            args.extend_from_slice(extra);
            if dry_run {
                args.push("--dry-run");
            }
            let out = sb.run(&args);
            assert_eq!(out.status.code(), Some(1), "{args:?}: {}", stderr(&out));
            assert_eq!(log_lines(&out), vec![line.to_string()], "{args:?}");
            assert_eq!(stdout(&out), "");
            assert_eq!(sb.snapshot(), before, "{args:?} wrote something");
        }
    }
    // A missing value: one line, exit status 2, before anything else is looked at.
    for (args, line) in [
        (
            &["install", "--user", "--toleration"][..],
            "error: argument --toleration: expected one argument (KEY[=VALUE]:EFFECT)\n",
        ),
        (&["install", "--pod-label", "--user"], "error: argument --pod-label: expected one argument (KEY=VALUE)\n"),
        (
            &["install", "--kernel-pod-template", "--", "t.j2"],
            "error: argument --kernel-pod-template: expected one argument (FILE)\n",
        ),
    ] {
        let out = sb.run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert_eq!(stderr(&out), line);
        assert_eq!(stdout(&out), "");
    }
    assert_eq!(sb.snapshot(), before);
}

#[test]
fn without_the_options_nothing_changes() {
    let sb = Sandbox::new();
    // After `--` the words are positional and ignored, as the reference ignores them.
    let out = sb.run(&["install", "--user", "--", "--toleration", "x", "--pod-label=app=x"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(sb.read("k8s_python", POD), stock_pod());
    let out = sb.run(&["install", "--user", "--crd", "--spark"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(sb.read("k8s_python_spark_operator", APP), stock_app());
    // Other spellings stay what the reference's parser makes of them: an unknown alias.
    let out = sb.run(&["install", "--user", "--kernel-name=other", "--tolerations=x"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(log_lines(&out)[0], "[W K8sSpecInstaller] Unrecognized alias: 'tolerations', it will have no effect.");
    assert_eq!(sb.read("other", POD), stock_pod());
}

#[test]
fn dry_run_and_json_show_the_changed_size() {
    let sb = Sandbox::new();
    let mut args = vec!["install", "--user", "--dry-run", "--json"];
    args.extend_from_slice(OPTIONS);
    let out = sb.run(&args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let predicted: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert!(!sb.spec("k8s_python").exists());
    let mut args = vec!["install", "--user", "--json"];
    args.extend_from_slice(OPTIONS);
    let out = sb.run(&args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let actual: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(predicted["files"], actual["files"]);
    let size = fs::metadata(sb.spec("k8s_python").join(POD)).unwrap().len();
    let entry = actual["files"].as_array().unwrap().iter().find(|f| f["path"] == POD).unwrap().clone();
    assert_eq!(entry["bytes"], size);
    assert_eq!(size as usize, expected("kernel-pod.combination.yaml.j2").len());
    // The text report too.
    let mut args = vec!["install", "--user", "--replace", "--dry-run", "--pod-label=team=data"];
    args.push("--kernel-name=other");
    let out = sb.run(&args);
    let line = format!("  0644  {:>5}  {POD}", expected("kernel-pod.label.yaml.j2").len());
    assert!(stdout(&out).lines().any(|l| l == line), "{}", stdout(&out));
}

/// An operator's template: ours with a Secret ahead of the pod and a label of theirs.
fn custom_template() -> String {
    let pod = stock_pod()
        .replace("    source: kernel-pod.yaml\n", "    source: kernel-pod.yaml\n    team: \"{{ kernel_username }}\"\n");
    format!("kind: Secret\nmetadata:\n  name: \"{{{{ kernel_pod_name }}}}\"\n---\n{pod}")
}

#[test]
fn kernel_pod_template_is_installed_as_given() {
    let sb = Sandbox::new();
    let text = custom_template();
    fs::create_dir_all(sb.path("work/t")).unwrap();
    fs::write(sb.path("work/t/pod.yaml.j2"), &text).unwrap();
    // A relative name is found from the working directory.
    let out = sb.run(&["install", "--user", "--kernel-pod-template", "t/pod.yaml.j2"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(sb.read("k8s_python", POD), text);
    let absolute = format!("--kernel-pod-template={}", sb.path("work/t/pod.yaml.j2").display());
    let out = sb.run(&["install", "--user", "--language=Scala", "--json", &absolute]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(sb.read("k8s_scala", POD), text);
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let entry = report["files"].as_array().unwrap().iter().find(|f| f["path"] == POD).unwrap().clone();
    assert_eq!(entry["bytes"], text.len());
}

#[test]
fn kernel_pod_template_problems_write_nothing() {
    let sb = Sandbox::new();
    let good = stock_pod();
    let files: &[(&str, &[u8], &str)] = &[
        ("missing.j2", b"", "cannot read it: No such file or directory (os error 2)"),
        ("latin1.j2", b"kind: Pod # caf\xe9\n", "not UTF-8 text (invalid bytes at offset 15)"),
        (
            "jinja.j2",
            b"{% for x in y %}\nkind: Pod\n",
            "rendering it failed: cannot render template 'kernel-pod.yaml.j2': unexpected end of input, expected end of block (line 2)",
        ),
        ("filter.j2", b"kind: {{ 'Pod' | nosuchfilter }}\n", "rendering it failed: cannot render template 'kernel-pod.yaml.j2': filter nosuchfilter is unknown (line 1)"),
        (
            "yaml.j2",
            b"kind: Pod\nmetadata: {labels: [}\n",
            "rendered with sample values, it is not valid YAML: while parsing a node, did not find expected node content (line 2, column 21)",
        ),
        ("service.j2", b"kind: Service\n", "rendered with sample values, its YAML document 1 is a 'Service'; the launcher creates only Pod, Secret, PersistentVolumeClaim and PersistentVolume objects"),
        ("nopod.j2", b"kind: Secret\n---\n", "rendered with sample values, it has no Pod (kind: Pod)"),
    ];
    let labels_dropped = good.replace("    kernel_id: \"{{ kernel_id }}\"\n", "");
    let component = good.replace("    component: kernel\n", "    component: \"{{ kernel_language }}\"\n");
    let before_files = sb.snapshot();
    for (name, bytes, _) in files {
        if *name != "missing.j2" {
            fs::write(sb.path("work").join(name), bytes).unwrap();
        }
    }
    fs::write(sb.path("work/labels.j2"), &labels_dropped).unwrap();
    fs::write(sb.path("work/component.j2"), &component).unwrap();
    fs::create_dir(sb.path("work/dir.j2")).unwrap();
    let mut cases: Vec<(String, String)> = files.iter().map(|(n, _, e)| (n.to_string(), e.to_string())).collect();
    cases.push((
        "labels.j2".into(),
        "the Pod must have the label kernel_id: \"{{ kernel_id }}\" (the provisioner finds the kernel's pod by it)"
            .into(),
    ));
    cases.push((
        "component.j2".into(),
        "the Pod must have the label component: kernel (the provisioner finds the kernel's pod by it)".into(),
    ));
    cases.push(("dir.j2".into(), "not a regular file".into()));
    let before = sb.snapshot();
    assert_ne!(before, before_files);
    for (name, problem) in cases {
        let out = sb.run(&["install", "--user", &format!("--kernel-pod-template={name}")]);
        assert_eq!(out.status.code(), Some(1), "{name}: {}", stderr(&out));
        assert_eq!(log_lines(&out), vec![format!("[E K8sSpecInstaller] --kernel-pod-template {name}: {problem}")]);
        assert_eq!(sb.snapshot(), before, "{name}");
    }
}

/// The template is rendered exactly as our launcher renders it at a launch: what the launcher
/// refuses is refused at install (before, plain Jinja accepted this template), and a whole
/// unquoted value, which the launcher writes as a quoted YAML string, is accepted.
#[test]
fn kernel_pod_template_is_rendered_as_the_launcher_renders_it() {
    let sb = Sandbox::new();
    let good = stock_pod();
    // Text placed unquoted inside a longer plain scalar: the launcher cannot quote it there.
    let fragment = with_after(
        &good,
        "    source: kernel-pod.yaml\n",
        "    owner: user {{ kernel_username ~ ' in ' ~ kernel_namespace }}\n",
    );
    assert_ne!(fragment, good);
    fs::write(sb.path("work/fragment.j2"), &fragment).unwrap();
    let before = sb.snapshot();
    let out = sb.run(&["install", "--user", "--kernel-pod-template", "fragment.j2"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(
        log_lines(&out),
        vec!["[E K8sSpecInstaller] --kernel-pod-template fragment.j2: rendering it failed: value 'jovyan in default' \
              cannot be placed unquoted at template line 22; quote the placeholder in the template"
            .to_string()]
    );
    assert_eq!(sb.snapshot(), before);
    assert!(!sb.spec("k8s_python").exists());

    // `image: {{ kernel_image }}` is a whole value: the launcher quotes it, so it installs.
    let whole = good.replace("  - image: \"{{ kernel_image }}\"\n", "  - image: {{ kernel_image }}\n");
    assert_ne!(whole, good);
    fs::write(sb.path("work/whole.j2"), &whole).unwrap();
    let out = sb.run(&["install", "--user", "--kernel-pod-template", "whole.j2"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(sb.read("k8s_python", POD), whole);
}

#[test]
fn help_completions_and_manual_name_the_options() {
    let sb = Sandbox::new();
    let help = stdout(&sb.run(&["install", "--help-extensions"]));
    let bash = stdout(&sb.run(&["completions", "bash"]));
    let man = stdout(&sb.run(&["man"]));
    for (option, metavar) in [
        ("--toleration", "KEY[=VALUE]:EFFECT"),
        ("--node-selector", "KEY=VALUE"),
        ("--image-pull-secret", "NAME"),
        ("--pod-annotation", "KEY=VALUE"),
        ("--pod-label", "KEY=VALUE"),
        ("--kernel-pod-template", "FILE"),
    ] {
        assert!(help.contains(&format!("\n{option} {metavar}\n")), "help: {option}");
        assert!(bash.contains(&format!(" {option} ")) || bash.contains(&format!(" {option}\"")), "bash: {option}");
        let roff = format!("\\fB{}\\fR", option.replace('-', "\\-"));
        assert!(man.contains(&roff), "man: {roff}");
    }
    // The reference's help texts stay as they are.
    let out = sb.run(&["install", "--help-all"]);
    assert!(!stdout(&out).contains("toleration"));
}
