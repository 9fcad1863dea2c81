//! Tests of our extensions beyond the reference: `install --dry-run`, `install --json`,
//! `install --help-extensions` and `rbac`. Each runs the binary in an isolated environment, as
//! tests/cli.rs does.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;

mod common;
use common::*;

/// A reviewed expected output of ours (tests/golden/extensions/README.md).
fn expected(name: &str) -> String {
    fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/extensions").join(name)).unwrap()
}

fn json(o: &Output) -> Value {
    let text = stdout(o);
    assert_eq!(text.lines().count(), 1, "one JSON object on one line: {text}");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// The `files` of a JSON report as `(path, mode, bytes)`.
fn json_files(v: &Value) -> Vec<(String, String, u64)> {
    v["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            assert_eq!(f.as_object().unwrap().len(), 3, "{f}");
            (f["path"].as_str().unwrap().into(), f["mode"].as_str().unwrap().into(), f["bytes"].as_u64().unwrap())
        })
        .collect()
}

/// The dry-run text split into its first line, its file lines `(path, mode, bytes)` and the
/// kernel.json text after the marker line.
fn parse_dry_run(text: &str) -> (String, Vec<(String, String, u64)>, String) {
    let (head, kernel_json) = text.split_once("--- kernel.json ---\n").expect("marker line");
    let mut lines = head.lines();
    let first = lines.next().unwrap().to_string();
    let files = lines
        .map(|l| {
            assert!(l.starts_with("  "), "{l:?}");
            let words: Vec<&str> = l.split_whitespace().collect();
            assert_eq!(words.len(), 3, "{l:?}");
            (words[2].to_string(), words[0].to_string(), words[1].parse().unwrap())
        })
        .collect();
    (first, files, kernel_json.to_string())
}

const VARIANTS: &[&[&str]] = &[&[], &["--language=R"], &["--spark", "--language=scala"], &["--spark", "--crd"]];

#[test]
fn dry_run_touches_nothing() {
    let sb = Sandbox::new();
    // A staging directory left by a killed install: a real install would remove it.
    let stale = sb.kernels().join(".~k8s-spec-work/~000000000000");
    fs::create_dir_all(stale.join("scripts")).unwrap();
    fs::write(sb.path("work/cfg.json"), "{}").unwrap();
    for args in [
        &["install", "--user", "--dry-run"][..],
        &["install", "--prefix=new/deep/prefix", "--dry-run", "--spark"],
        &["install", "--sys-prefix", "--dry-run", "--json", "--crd", "--spark"],
        &["install", "--user", "--dry-run", "--replace", "--config=cfg.json", "--language=R"],
    ] {
        let before = sb.snapshot();
        let out = sb.run(args);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
        assert_eq!(sb.snapshot(), before, "{args:?}");
    }
    assert!(stale.exists());
    assert!(!sb.path("work/new").exists(), "no parent directory is created");
}

#[test]
fn dry_run_with_replace_over_an_existing_kernelspec_touches_nothing() {
    let sb = Sandbox::new();
    assert!(sb.run(&["install", "--user", "--display-name=Old"]).status.success());
    fs::write(sb.kernels().join("k8s_python/extra.txt"), "old").unwrap();
    let before = sb.snapshot();
    let out = sb.run(&["install", "--user", "--replace", "--display-name=New", "--dry-run"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(sb.snapshot(), before);
    let dest = sb.kernels().join("k8s_python");
    let (first, _, kernel_json) = parse_dry_run(&stdout(&out));
    assert_eq!(
        first,
        format!("would install kernelspec k8s_python in {} (replacing the existing one)", dest.display())
    );
    assert!(kernel_json.contains("\"display_name\": \"New\""), "{kernel_json}");
    // No "Removing existing kernelspec" or "Installed kernelspec" line for what did not happen.
    assert_eq!(log_lines(&out), vec!["[I K8sSpecInstaller] Installing kernel specification for 'New'".to_string()]);

    let out = sb.run(&["install", "--user", "--replace", "--dry-run", "--json"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(json(&out)["replaced"], Value::Bool(true));
    assert_eq!(sb.snapshot(), before);
}

#[test]
fn dry_run_shows_exactly_what_an_install_writes() {
    for args in VARIANTS {
        let sb = Sandbox::new();
        let mut a = vec!["install", "--prefix=p", "--dry-run"];
        a.extend_from_slice(args);
        let dry = sb.run(&a);
        assert_eq!(dry.status.code(), Some(0), "{args:?}: {}", stderr(&dry));
        let real = sb.run(&a.iter().copied().filter(|w| *w != "--dry-run").collect::<Vec<_>>());
        assert_eq!(real.status.code(), Some(0), "{args:?}: {}", stderr(&real));
        assert_eq!(stdout(&real), "", "no output without the extension flags");

        let kernels = sb.path("work/p/share/jupyter/kernels");
        let dirs: Vec<PathBuf> = fs::read_dir(&kernels).unwrap().flatten().map(|e| e.path()).collect();
        assert_eq!(dirs.len(), 1);
        let dest = &dirs[0];
        let name = dest.file_name().unwrap().to_string_lossy().into_owned();
        let (first, files, kernel_json) = parse_dry_run(&stdout(&dry));
        assert_eq!(first, format!("would install kernelspec {name} in {}", dest.display()), "{args:?}");
        assert_eq!(files, installed_files(dest), "{args:?}");
        assert_eq!(kernel_json, fs::read_to_string(dest.join("kernel.json")).unwrap(), "{args:?}");
        // The same log lines on stderr, except the one announcing the finished install.
        let installed = format!("[I K8sSpecInstaller] Installed kernelspec {name} in {}", dest.display());
        let mut want = log_lines(&real);
        assert!(want.contains(&installed), "{want:?}");
        want.retain(|l| *l != installed);
        assert_eq!(log_lines(&dry), want, "{args:?}");
    }
}

#[test]
fn json_describes_the_installed_kernelspec() {
    type Case<'a> = (&'a [&'a str], &'a str, &'a str, &'a str, &'a str, &'a str);
    let cases: &[Case] = &[
        (&[], "k8s_python", "Kubernetes Python", "kubernetes-python", "python", "kubernetes-provisioner"),
        (&["--language=r"], "k8s_r", "Kubernetes R", "kubernetes-r", "R", "kubernetes-provisioner"),
        (
            &["--spark", "--language=Scala", "--kernel-name=My Scala", "--display-name=S \"q\""],
            "my_scala",
            "S \"q\"",
            "spark-scala",
            "scala",
            "kubernetes-provisioner",
        ),
        (
            &["--spark", "--crd", "--language=R"],
            "k8s_python_spark_operator",
            "Kubernetes Spark Operator",
            "spark-operator-python",
            "python",
            "spark-operator-provisioner",
        ),
    ];
    for (args, name, display, variant, language, provisioner) in cases {
        let sb = Sandbox::new();
        let mut a = vec!["install", "--user", "--json"];
        a.extend_from_slice(args);
        let out = sb.run(&a);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
        let v = json(&out);
        let dest = sb.kernels().join(name);
        let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "kernel_name",
                "display_name",
                "destination",
                "variant",
                "language",
                "provisioner",
                "replaced",
                "dry_run",
                "files"
            ]
        );
        assert_eq!(v["kernel_name"], *name);
        assert_eq!(v["display_name"], *display);
        assert_eq!(v["destination"], dest.display().to_string());
        assert_eq!(v["variant"], *variant);
        assert_eq!(v["language"], *language);
        assert_eq!(v["provisioner"], *provisioner);
        assert_eq!(v["replaced"], false);
        assert_eq!(v["dry_run"], false);
        assert_eq!(json_files(&v), installed_files(&dest), "{args:?}");
        let doc: Value = serde_json::from_str(&fs::read_to_string(dest.join("kernel.json")).unwrap()).unwrap();
        assert_eq!(doc["metadata"]["kernel_provisioner"]["provisioner_name"], *provisioner);
        assert_eq!(doc["language"], *language);

        a.push("--replace");
        let out = sb.run(&a);
        assert_eq!(out.status.code(), Some(0));
        let v = json(&out);
        assert_eq!((&v["replaced"], &v["dry_run"]), (&Value::Bool(true), &Value::Bool(false)));
    }
}

#[test]
fn dry_run_json_matches_the_later_install() {
    let sb = Sandbox::new();
    let before = sb.snapshot();
    let dry = sb.run(&["install", "--user", "--json", "--dry-run", "--spark"]);
    assert_eq!(dry.status.code(), Some(0), "{}", stderr(&dry));
    assert_eq!(sb.snapshot(), before);
    let dry = json(&dry);
    assert_eq!(dry["dry_run"], true);
    assert_eq!(dry["replaced"], false);
    let real = sb.run(&["install", "--user", "--json", "--spark"]);
    let mut real = json(&real);
    assert_eq!(real["dry_run"], false);
    real["dry_run"] = Value::Bool(true);
    assert_eq!(dry, real);
    assert_eq!(json_files(&dry), installed_files(&sb.kernels().join("k8s_python_spark")));
    assert_eq!(
        json_files(&dry).iter().map(|f| f.0.as_str()).collect::<Vec<_>>(),
        ["bin/run.sh", "kernel.json", "logo-64x64.png", "scripts/kernel-pod.yaml.j2", "scripts/launch_kubernetes.py"]
    );
    assert_eq!(json_files(&dry)[0].1, "0755");
}

#[test]
fn errors_are_unchanged_by_the_flags() {
    let cases: &[&[&str]] = &[
        &["--kernel-name=a/b"],
        &["--kernel-name=.."],
        &["--crd"],
        &["--language=Java"],
        &["--port-range=5..1"],
        &["--launch-timeout=soon"],
        &["--prefix=pfx"],
        &["--config=missing.json"],
        &["--display-name"],
        &["--spark=True"],
        &["--bogus-option-x"],
    ];
    for args in cases {
        for flags in [&["--dry-run"][..], &["--json"], &["--dry-run", "--json"], &["--json", "--dry-run"]] {
            let sb = Sandbox::new();
            let before = sb.snapshot();
            let mut plain = vec!["install", "--user"];
            plain.extend_from_slice(args);
            let want = sb.run(&plain);
            assert_ne!(want.status.code(), Some(0), "{args:?}");
            let mut with = plain.clone();
            with.extend_from_slice(flags);
            let got = sb.run(&with);
            assert_eq!(got.status.code(), want.status.code(), "{args:?} {flags:?}");
            assert_eq!(log_lines(&got), log_lines(&want), "{args:?} {flags:?}");
            assert_eq!(stdout(&got), "", "{args:?} {flags:?}");
            assert_eq!(sb.snapshot(), before, "{args:?} {flags:?}");
        }
    }
}

#[test]
fn existing_kernelspec_and_unusable_targets_fail_the_dry_run_too() {
    let sb = Sandbox::new();
    assert!(sb.run(&["install", "--user"]).status.success());
    fs::write(sb.path("work/file"), "x").unwrap();
    let before = sb.snapshot();
    for (args, code) in [
        (&["install", "--user"][..], 1),
        (&["install", "--prefix=file"], 1),
        (&["install", "--prefix=file/sub", "--replace"], 1),
    ] {
        let want = sb.run(args);
        assert_eq!(want.status.code(), Some(code), "{args:?}");
        for flags in [&["--dry-run"][..], &["--dry-run", "--json"]] {
            let mut with = args.to_vec();
            with.extend_from_slice(flags);
            let got = sb.run(&with);
            assert_eq!(got.status.code(), Some(code), "{with:?}");
            assert_eq!(log_lines(&got), log_lines(&want), "{with:?}");
            assert_eq!(stdout(&got), "");
        }
    }
    let dest = sb.kernels().join("k8s_python");
    let out = sb.run(&["install", "--user", "--dry-run"]);
    assert_eq!(
        stderr(&out),
        format!(
            "A kernel specification exists at '{}' and '--replace' has not been specified.  Terminating.\n",
            dest.display()
        )
    );
    let out = sb.run(&["install", "--prefix=file", "--dry-run"]);
    assert!(
        stderr(&out).contains(&format!(
            "K8sSpecInstaller] Cannot install the kernelspec into {}: Not a directory (os error 20)",
            sb.path("work/file/share/jupyter/kernels").display()
        )),
        "{}",
        stderr(&out)
    );
    assert_eq!(sb.snapshot(), before);
}

#[test]
fn flags_are_exact_words_before_double_dash() {
    let sb = Sandbox::new();
    // After `--` they are positional words, ignored as the reference ignores them: a real install.
    let out = sb.run(&["install", "--user", "--", "--dry-run", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), "");
    assert!(sb.kernels().join("k8s_python/kernel.json").exists());
    // Other spellings stay what the reference makes of them.
    let out = sb.run(&["install", "--user", "--dry-run=yes"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).ends_with("jupyter-k8s-spec: error: unrecognized arguments: --dry-run=yes\n"),
        "{}",
        stderr(&out)
    );
    let out = sb.run(&["install", "--user", "--dry"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).ends_with("jupyter-k8s-spec: error: argument --dry: expected one argument\n"));
}

#[test]
fn help_extensions() {
    let sb = Sandbox::new();
    for args in [&["install", "--help-extensions"][..], &["install", "--user", "--help-extensions"]] {
        let out = sb.run(args);
        assert_eq!(out.status.code(), Some(0));
        assert_eq!(stdout(&out), expected("install_help_extensions.txt"));
        assert_eq!(stderr(&out), "");
    }
    let text = &stdout(&sb.run(&["install", "--help-extensions"]));
    assert!(text.starts_with("Extensions of `jupyter-k8s-spec install` (not in gateway-provisioners 0.5.0)\n"));
    assert!(text.contains("\n--dry-run\n") && text.contains("\n--json\n"), "{text}");
    // The reference's help texts do not mention them.
    for args in [&["install", "--help"][..], &["install", "--help-all"], &["--help"], &["--help-all"]] {
        let out = sb.run(args);
        assert_eq!(out.status.code(), Some(0));
        assert!(!stdout(&out).contains("dry-run") && !stdout(&out).contains("rbac"), "{args:?}");
    }
}

// ----- rbac ---------------------------------------------------------------------------------------

/// One object of the manifest as this test reads our fixed layout.
#[derive(Debug, Default, PartialEq)]
struct Object {
    kind: String,
    name: String,
    namespace: Option<String>,
    /// `(apiGroups, resources, resourceNames, verbs)`, each a comma-joined list.
    rules: Vec<[String; 4]>,
    /// `kind/name` of the role a binding refers to.
    role_ref: Option<String>,
    /// `kind/namespace/name` of the bound subjects.
    subjects: Vec<String>,
}

fn flow_list(s: &str) -> String {
    let inner = s.strip_prefix('[').and_then(|s| s.strip_suffix(']')).unwrap_or_else(|| panic!("{s}"));
    inner.split(", ").map(|w| w.trim_matches('"')).collect::<Vec<_>>().join(",")
}

fn unquote(s: &str) -> String {
    s.strip_prefix('"').and_then(|s| s.strip_suffix('"')).unwrap_or_else(|| panic!("not quoted: {s}")).to_string()
}

fn objects(text: &str) -> Vec<Object> {
    let mut docs = text.split("---\n");
    let header = docs.next().unwrap();
    assert!(header.lines().all(|l| l.starts_with("# ")), "{header}");
    docs.map(|doc| {
        let mut o = Object::default();
        let mut section = "";
        for line in doc.lines() {
            let (key, value) = line.split_once(": ").map(|(k, v)| (k, v.to_string())).unwrap_or((line, String::new()));
            match key {
                "kind" => o.kind = value,
                "metadata" | "metadata:" | "roleRef:" | "subjects:" | "rules:" => section = key,
                "  name" if section == "metadata:" => o.name = unquote(&value),
                "  namespace" if section == "metadata:" => o.namespace = Some(unquote(&value)),
                "  kind" if section == "roleRef:" => o.role_ref = Some(value),
                "  name" if section == "roleRef:" => {
                    let kind = o.role_ref.take().unwrap();
                    o.role_ref = Some(format!("{kind}/{}", unquote(&value)));
                }
                "  - apiGroups" => o.rules.push([flow_list(&value), String::new(), String::new(), String::new()]),
                "    resources" => o.rules.last_mut().unwrap()[1] = flow_list(&value),
                "    resourceNames" => o.rules.last_mut().unwrap()[2] = flow_list(&value),
                "    verbs" => o.rules.last_mut().unwrap()[3] = flow_list(&value),
                "  - kind" => o.subjects.push(value),
                "    name" if section == "subjects:" => {
                    let s = o.subjects.last_mut().unwrap();
                    *s = format!("{s}/{}", unquote(&value));
                }
                "    namespace" if section == "subjects:" => {
                    let s = o.subjects.last_mut().unwrap();
                    let (kind, name) = s.split_once('/').unwrap();
                    *s = format!("{kind}/{}/{name}", unquote(&value));
                }
                _ => {}
            }
        }
        o
    })
    .collect()
}

fn rule(groups: &str, resources: &str, names: &str, verbs: &str) -> [String; 4] {
    [groups.into(), resources.into(), names.into(), verbs.into()]
}

const ALL: &str = "get,list,watch,create,delete";

fn namespace_rules() -> Vec<[String; 4]> {
    vec![
        rule("", "pods", "", ALL),
        rule("", "configmaps,services", "", ALL),
        rule("", "persistentvolumeclaims,secrets", "", "create,delete"),
        rule("sparkoperator.k8s.io", "sparkapplications", "", ALL),
    ]
}

fn rbac_ok(args: &[&str]) -> String {
    let sb = Sandbox::new();
    let mut a = vec!["rbac"];
    a.extend_from_slice(args);
    let out = sb.run(&a);
    assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
    assert_eq!(stderr(&out), "");
    stdout(&out)
}

#[test]
fn rbac_shared() {
    let text = rbac_ok(&["--namespace-mode", "shared", "--namespace=jupyter", "--service-account", "eg"]);
    assert_eq!(text, expected("rbac_shared.yaml"));
    let objs = objects(&text);
    let summary: Vec<(&str, &str, Option<&str>)> =
        objs.iter().map(|o| (o.kind.as_str(), o.name.as_str(), o.namespace.as_deref())).collect();
    assert_eq!(
        summary,
        [
            ("ServiceAccount", "eg", Some("jupyter")),
            ("Role", "eg", Some("jupyter")),
            ("RoleBinding", "eg", Some("jupyter")),
            ("ClusterRole", "jupyter:eg", None),
            ("ClusterRoleBinding", "jupyter:eg", None),
        ]
    );
    assert_eq!(objs[1].rules, namespace_rules());
    assert_eq!(objs[2].role_ref.as_deref(), Some("Role/eg"));
    assert_eq!(objs[3].rules, vec![rule("", "persistentvolumes", "", "create,delete")]);
    assert_eq!(objs[4].role_ref.as_deref(), Some("ClusterRole/jupyter:eg"));
    for b in [&objs[2], &objs[4]] {
        assert_eq!(b.subjects, ["ServiceAccount/jupyter/eg"]);
    }
    assert!(text.contains("\n# Server environment: GP_SHARED_NAMESPACE=True (the default), GP_NAMESPACE=jupyter.\n"));
    assert!(text.starts_with(
        "# RBAC for a Jupyter server (or Enterprise Gateway) launching kernels with gateway-provisioners.\n\
         # Generated by: jupyter-k8s-spec rbac --namespace-mode shared --namespace jupyter --service-account eg\n"
    ));
}

#[test]
fn rbac_byo() {
    let text = rbac_ok(&["--namespace-mode=byo"]);
    assert_eq!(text, expected("rbac_byo.yaml"));
    let objs = objects(&text);
    let summary: Vec<(&str, &str, Option<&str>)> =
        objs.iter().map(|o| (o.kind.as_str(), o.name.as_str(), o.namespace.as_deref())).collect();
    assert_eq!(
        summary,
        [
            ("ServiceAccount", "gateway-provisioners", Some("default")),
            ("ClusterRole", "default:gateway-provisioners", None),
            ("ClusterRoleBinding", "default:gateway-provisioners", None),
        ]
    );
    let mut want = namespace_rules();
    want.push(rule("", "persistentvolumes", "", "create,delete"));
    assert_eq!(objs[1].rules, want);
    assert_eq!(objs[2].role_ref.as_deref(), Some("ClusterRole/default:gateway-provisioners"));
    assert_eq!(objs[2].subjects, ["ServiceAccount/default/gateway-provisioners"]);
}

#[test]
fn rbac_auto() {
    let text = rbac_ok(&["--service-account=jupyter.hub", "--namespace-mode", "auto", "--namespace", "hub"]);
    assert_eq!(text, expected("rbac_auto.yaml"));
    let objs = objects(&text);
    let summary: Vec<(&str, &str, Option<&str>)> =
        objs.iter().map(|o| (o.kind.as_str(), o.name.as_str(), o.namespace.as_deref())).collect();
    assert_eq!(
        summary,
        [
            ("ServiceAccount", "jupyter.hub", Some("hub")),
            ("ClusterRole", "hub:jupyter.hub", None),
            ("ClusterRoleBinding", "hub:jupyter.hub", None),
            ("ClusterRole", "kernel-controller", None),
        ]
    );
    let mut want = namespace_rules();
    want.extend([
        rule("", "persistentvolumes", "", "create,delete"),
        rule("", "namespaces", "", "create,delete"),
        rule("rbac.authorization.k8s.io", "rolebindings", "", "create"),
        rule("rbac.authorization.k8s.io", "clusterroles", "kernel-controller", "bind"),
    ]);
    assert_eq!(objs[1].rules, want);
    assert_eq!(objs[2].subjects, ["ServiceAccount/hub/jupyter.hub"]);
    assert_eq!(
        objs[3].rules,
        vec![
            rule("", "pods", "", ALL),
            rule("", "configmaps", "", "list,create"),
            rule("", "persistentvolumeclaims,services", "", "list"),
        ]
    );
    assert!(
        text.contains("\n# Server environment: GP_SHARED_NAMESPACE=False, GP_KERNEL_CLUSTER_ROLE=kernel-controller\n")
    );
    // Deterministic.
    assert_eq!(text, rbac_ok(&["--service-account=jupyter.hub", "--namespace-mode", "auto", "--namespace", "hub"]));
}

#[test]
fn rbac_help_and_errors() {
    let sb = Sandbox::new();
    for args in [&["rbac", "--help"][..], &["rbac", "-h"], &["help", "rbac"], &["rbac", "--namespace-mode=x", "--help"]]
    {
        let out = sb.run(args);
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        assert_eq!(stdout(&out), expected("rbac_help.txt"), "{args:?}");
        assert_eq!(stderr(&out), "", "{args:?}");
    }
    assert!(expected("rbac_help.txt").starts_with(
        "usage: jupyter-k8s-spec rbac --namespace-mode {shared,byo,auto} [--namespace NS] [--service-account NAME]\n"
    ));
    let cases: &[(&[&str], &str)] = &[
        (&["--namespace-mode", "cluster"], "error: invalid --namespace-mode 'cluster': expected one of shared, byo, auto\n"),
        (&["--namespace-mode=Auto"], "error: invalid --namespace-mode 'Auto': expected one of shared, byo, auto\n"),
        (&[], "error: the option --namespace-mode is required (shared, byo or auto)\n"),
        (&["--namespace-mode"], "error: option --namespace-mode needs a value\n"),
        (&["--namespace-mode=auto", "--kernel-role=x"], "error: unrecognized option '--kernel-role=x'\n"),
        (&["--namespace-mode=auto", "yes"], "error: unexpected argument 'yes'\n"),
        (
            &["--namespace-mode=auto", "--namespace=Team"],
            "error: invalid --namespace 'Team': a namespace is 1 to 63 lower-case letters, digits or '-', starting and ending with a letter or digit\n",
        ),
        (
            &["--namespace-mode=byo", "--service-account", "a\nb"],
            "error: invalid --service-account 'a\\nb': a service account name is at most 253 characters of dot-separated parts of lower-case letters, digits or '-', each starting and ending with a letter or digit\n",
        ),
    ];
    for (args, want) in cases {
        let mut a = vec!["rbac"];
        a.extend_from_slice(args);
        let out = sb.run(&a);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert_eq!(stderr(&out), *want, "{args:?}");
        assert_eq!(stdout(&out), "", "{args:?}");
    }
}
