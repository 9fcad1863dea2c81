//! `jupyter-k8s-spec preview`: the exact output for the stock template, its errors, and
//! `--validate` on customised templates. Each test installs kernelspecs with the binary into a
//! temporary prefix and runs it in an empty environment. (tests/launchers/test_preview.py checks
//! that preview agrees with the launchers themselves.)

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;

struct Sandbox {
    dir: tempfile::TempDir,
}

impl Sandbox {
    /// A prefix with the default, Spark and Spark operator kernelspecs installed.
    fn new() -> Sandbox {
        let sandbox = Sandbox { dir: tempfile::tempdir().expect("temp dir") };
        let prefix = sandbox.dir.path().to_string_lossy().into_owned();
        for extra in [&[][..], &["--spark"], &["--crd", "--spark"]] {
            let mut args = vec!["install".to_string(), format!("--prefix={prefix}")];
            args.extend(extra.iter().map(|s| s.to_string()));
            let o = sandbox.cmd().args(&args).output().unwrap();
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        }
        sandbox
    }

    fn cmd(&self) -> Command {
        let mut c = Command::cargo_bin("jupyter-k8s-spec").unwrap();
        c.env_clear().env("HOME", self.dir.path()).env("PATH", "/usr/bin:/bin").current_dir(self.dir.path());
        c
    }

    fn spec(&self, name: &str) -> PathBuf {
        self.dir.path().join("share/jupyter/kernels").join(name)
    }

    fn preview(&self, dir: &Path, args: &[&str]) -> Output {
        self.cmd().arg("preview").arg(dir).args(args).output().unwrap()
    }

    /// A copy of the default kernelspec whose kernel-pod.yaml.j2 is `template`.
    fn custom(&self, name: &str, template: &str) -> PathBuf {
        let dir = self.dir.path().join(name);
        fs::create_dir_all(dir.join("scripts")).unwrap();
        let stock = self.spec("k8s_python");
        fs::copy(stock.join("kernel.json"), dir.join("kernel.json")).unwrap();
        fs::write(dir.join("scripts/kernel-pod.yaml.j2"), template).unwrap();
        dir
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

const STOCK_ENV: &[&str] = &[
    "--env",
    "KERNEL_USERNAME=alice",
    "--env",
    "KERNEL_NAMESPACE=team-a",
    "--env=KERNEL_ID=k1",
    "--env",
    "KERNEL_CPUS=500m",
    "--env",
    "KERNEL_MEMORY_LIMIT=2Gi",
    "--env",
    "KERNEL_VOLUMES=[{name: data, persistentVolumeClaim: {claimName: pvc1}}]",
    "--env",
    "KERNEL_VOLUME_MOUNTS=[{name: data, mountPath: /data}]",
];

const STOCK_POD: &str = "\
apiVersion: v1
kind: Pod
metadata:
  annotations:
    cluster-autoscaler.kubernetes.io/safe-to-evict: 'false'
  labels:
    app: gateway-provisioners
    component: kernel
    kernel_id: k1
    source: kernel-pod.yaml
  name: alice-k1
  namespace: team-a
spec:
  containers:
  - env:
    - name: KERNEL_USERNAME
      value: alice
    - name: KERNEL_NAMESPACE
      value: team-a
    - name: KERNEL_ID
      value: k1
    - name: KERNEL_CPUS
      value: 500m
    - name: KERNEL_MEMORY_LIMIT
      value: 2Gi
    - name: KERNEL_VOLUMES
      value: '[{name: data, persistentVolumeClaim: {claimName: pvc1}}]'
    - name: KERNEL_VOLUME_MOUNTS
      value: '[{name: data, mountPath: /data}]'
    - name: KERNEL_LANGUAGE
      value: python
    - name: KERNEL_IMAGE
      value: elyra/kernel-py:0.5.0
    - name: KERNEL_EXECUTOR_IMAGE
      value: elyra/kernel-py:0.5.0
    - name: KERNEL_UID
      value: '1000'
    - name: KERNEL_GID
      value: '100'
    - name: KERNEL_POD_NAME
      value: alice-k1
    - name: KERNEL_SERVICE_ACCOUNT_NAME
      value: default
    - name: PORT_RANGE
      value: 0..0
    - name: PUBLIC_KEY
      value: PUBLIC-KEY-PLACEHOLDER
    - name: RESPONSE_ADDRESS
      value: 127.0.0.1:8877
    - name: KERNEL_SPARK_CONTEXT_INIT_MODE
      value: none
    - name: KERNEL_CLASS_NAME
      value: ipykernel.ipkernel.IPythonKernel
    - name: KERNEL_NAME
      value: k8s_python
    image: elyra/kernel-py:0.5.0
    name: alice-k1
    resources:
      limits:
        memory: 2Gi
      requests:
        cpu: 500m
    volumeMounts:
    - mountPath: /data
      name: data
  restartPolicy: Never
  securityContext:
    fsGroup: 100
    runAsGroup: 100
    runAsUser: 1000
  serviceAccountName: default
  volumes:
  - name: data
    persistentVolumeClaim:
      claimName: pvc1
";

#[test]
fn stock_template_exact_output() {
    let s = Sandbox::new();
    let o = s.preview(&s.spec("k8s_python"), STOCK_ENV);
    assert_eq!(text(&o.stderr), "");
    assert_eq!(text(&o.stdout), STOCK_POD);
    assert!(o.status.success());
    // --validate accepts it, prints the same and confirms it in one line on stderr.
    let o = s.preview(&s.spec("k8s_python"), &[STOCK_ENV, &["--validate"]].concat());
    assert_eq!(
        (o.status.code(), text(&o.stdout), text(&o.stderr)),
        (
            Some(0),
            STOCK_POD.to_string(),
            "the Pod validates: 1 object checked against the Kubernetes schema shipped with this tool\n".to_string()
        )
    );
}

#[test]
fn defaults_are_deterministic_and_documented() {
    let s = Sandbox::new();
    let o = s.preview(&s.spec("k8s_python"), &[]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    for line in [
        "  name: jovyan-00000000-0000-0000-0000-000000000000\n",
        "  namespace: default\n",
        "    kernel_id: 00000000-0000-0000-0000-000000000000\n",
        "  serviceAccountName: default\n",
        "    image: elyra/kernel-py:0.5.0\n",
    ] {
        assert!(out.contains(line), "no {line:?} in\n{out}");
    }
    assert_eq!(out, text(&s.preview(&s.spec("k8s_python"), &[]).stdout));
    // GP_NAMESPACE / GP_DEFAULT_KERNEL_SERVICE_ACCOUNT_NAME are the provisioner's settings.
    let o = s
        .cmd()
        .env("GP_NAMESPACE", "jupyter")
        .env("GP_DEFAULT_KERNEL_SERVICE_ACCOUNT_NAME", "kernels")
        .args(["preview", &s.spec("k8s_python").to_string_lossy()])
        .output()
        .unwrap();
    let out = text(&o.stdout);
    assert!(out.contains("  namespace: jupyter\n") && out.contains("  serviceAccountName: kernels\n"), "{out}");
}

#[test]
fn spark_kernelspecs() {
    let s = Sandbox::new();
    let o = s.preview(&s.spec("k8s_python_spark"), &["--validate"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert!(out.starts_with("apiVersion: v1\nkind: Pod\n"), "{out}");
    assert!(out.contains("      value: elyra/kernel-spark-py:0.5.0\n") && out.contains("    - name: SPARK_OPTS\n"));
    assert!(out.contains("    - name: KERNEL_SPARK_CONTEXT_INIT_MODE\n      value: lazy\n"), "{out}");
    let o = s.preview(&s.spec("k8s_python_spark_operator"), &["--validate", "--env", "KERNEL_NAMESPACE=ns1"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert!(out.starts_with("apiVersion: sparkoperator.k8s.io/v1beta2\nkind: SparkApplication\n"), "{out}");
    assert!(out.contains("  - --kernel-id\n  - 00000000-0000-0000-0000-000000000000\n"), "{out}");
}

#[test]
fn errors() {
    let s = Sandbox::new();
    let err = |o: &Output| (o.status.code(), text(&o.stdout), text(&o.stderr));
    let work = s.dir.path().join("share");
    let o = s.preview(&work, &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).starts_with(&format!("error: '{}' is not a kernelspec directory: ", work.display())));
    assert_eq!(text(&o.stderr).lines().count(), 1);

    let o = s.preview(&s.dir.path().join("missing"), &[]);
    assert_eq!(
        err(&o),
        (Some(1), String::new(), format!("error: '{}' is not a directory\n", s.dir.path().join("missing").display()))
    );

    let dir = s.custom("no_template", "");
    fs::remove_file(dir.join("scripts/kernel-pod.yaml.j2")).unwrap();
    let o = s.preview(&dir, &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).starts_with("error: cannot read the template "), "{}", text(&o.stderr));

    let dir = s.custom("broken", "kind: Pod\nspec: {{ kernel_x ]] }}\n");
    let o = s.preview(&dir, &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).starts_with("error: cannot render template 'kernel-pod.yaml.j2': "), "{}", text(&o.stderr));

    let dir = s.custom("unquoted", "kind: Pod\nmetadata:\n  name: kernel-{{ kernel_username }}\n");
    let o = s.preview(&dir, &["--env", "KERNEL_USERNAME=a b"]);
    assert_eq!(
        err(&o),
        (
            Some(1),
            String::new(),
            "error: value 'a b' cannot be placed unquoted at template line 3; quote the placeholder in the template\n"
                .to_string()
        )
    );

    let o = s.preview(&s.spec("k8s_python"), &["--env", "KERNEL_UID=0x0"]);
    assert_eq!(
        text(&o.stderr),
        "error: KERNEL_UID must be a plain decimal integer, got '0x0' - kernel launch terminating!\n"
    );
    let o = s.preview(&s.spec("k8s_python"), &["--env", "KERNEL_UID=0"]);
    assert_eq!(text(&o.stderr), "error: Kernel's UID value of '0' has been denied via GP_PROHIBITED_UIDS!\n");

    // Usage errors: exit status 2.
    for (args, msg) in [
        (&["--env", "KERNEL_X"][..], "error: invalid --env 'KERNEL_X': expected NAME=VALUE\n"),
        (&["--env"][..], "error: option --env needs a value (NAME=VALUE)\n"),
        (&["--valid"][..], "error: unrecognized option '--valid'\n"),
        (&["x"][..], "error: unexpected argument 'x'\n"),
    ] {
        let o = s.preview(&s.spec("k8s_python"), args);
        assert_eq!(err(&o), (Some(2), String::new(), msg.to_string()), "{args:?}");
    }
    let o = s.cmd().arg("preview").output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        text(&o.stderr),
        "error: the kernelspec (its name, or its directory) is required: jupyter-k8s-spec preview KERNELSPEC\n"
    );
}

#[test]
fn help() {
    let s = Sandbox::new();
    for args in [&["preview", "--help"][..], &["preview", "x", "-h"], &["help", "preview"]] {
        let o = s.cmd().args(args).output().unwrap();
        assert!(o.status.success());
        let want =
            fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/extensions/preview_help.txt"))
                .unwrap();
        assert_eq!((text(&o.stdout), text(&o.stderr)), (want, String::new()), "{args:?}");
        assert!(text(&o.stdout)
            .starts_with("usage: jupyter-k8s-spec preview KERNELSPEC [--env NAME=VALUE ...] [--validate]\n"));
    }
}

const MISSPELLED: &str = "\
apiVersion: v1
kind: Pod
metadata:
  name: \"{{ kernel_pod_name }}\"
  labels:
    kernel_id: \"{{ kernel_id }}\"
    team: {{ kernel_team }}
spec:
  restartPolcy: Never
  containers:
  - name: kernel
    image: \"{{ kernel_image }}\"
    resources:
      limits:
        cpu: \"{{ kernel_cpus_limit }}\"
";

#[test]
fn validate_reports_fields_with_paths() {
    let s = Sandbox::new();
    let dir = s.custom("misspelled", MISSPELLED);
    // Without --validate the object is printed as rendered.
    let o = s.preview(&dir, &["--env", "KERNEL_CPUS_LIMIT=lots", "--env", "KERNEL_TEAM=7"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let o = s.preview(&dir, &["--env", "KERNEL_CPUS_LIMIT=lots", "--env", "KERNEL_TEAM=7", "--validate"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stdout).starts_with("apiVersion: v1\nkind: Pod\n"));
    assert_eq!(
        text(&o.stderr),
        "metadata.labels.team: expected a string, got integer 7\n\
         spec.restartPolcy: unknown field (did you mean 'restartPolicy'?)\n\
         spec.containers[0].resources.limits.cpu: invalid quantity 'lots'\n\
         error: the Pod does not validate: 3 problems\n"
    );
    let o = s.preview(&dir, &["--env", "KERNEL_CPUS_LIMIT=500m", "--env", "KERNEL_TEAM=blue", "--validate"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        text(&o.stderr),
        "spec.restartPolcy: unknown field (did you mean 'restartPolicy'?)\nerror: the Pod does not validate: 1 problem\n"
    );
    let fixed = s.custom("fixed", &MISSPELLED.replace("restartPolcy", "restartPolicy"));
    let o = s.preview(&fixed, &["--env", "KERNEL_CPUS_LIMIT=500m", "--env", "KERNEL_TEAM=blue", "--validate"]);
    // A valid result is confirmed in one line.
    assert_eq!(
        (o.status.code(), text(&o.stderr)),
        (Some(0), "the Pod validates: 1 object checked against the Kubernetes schema shipped with this tool\n".into())
    );
}
