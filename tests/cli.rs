//! End-to-end tests of the `jupyter-k8s-spec` binary: each runs it in an isolated environment
//! (its own HOME, virtualenv prefix and temp dir, nothing inherited) and checks exit status,
//! output and the files written.

use std::fs;
use std::path::Path;

mod common;
use common::*;

fn golden(name: &str) -> String {
    fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/kernel_json").join(format!("{name}.json")),
    )
    .unwrap()
}

#[test]
fn kernel_json_matches_the_reference_byte_for_byte() {
    let cases =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/kernel_json/cases.txt")).unwrap();
    let mut checked = 0;
    for line in cases.lines().filter(|l| !l.trim().is_empty() && !l.starts_with('#')) {
        let mut words = line.split_whitespace();
        let name = words.next().unwrap();
        let sb = Sandbox::new();
        let prefix = sb.path("p");
        let prefix_arg = format!("--prefix={}", prefix.display());
        let mut args = vec!["install", prefix_arg.as_str()];
        args.extend(words);
        let out = sb.run(&args);
        assert!(out.status.success(), "{name}: {}", stderr(&out));
        let kernels = prefix.join("share/jupyter/kernels");
        let entries: Vec<_> = fs::read_dir(&kernels).unwrap().flatten().collect();
        assert_eq!(entries.len(), 1, "{name}: one kernelspec, no leftovers");
        let dir = entries[0].path();
        let text = fs::read_to_string(dir.join("kernel.json")).unwrap();
        assert_eq!(text.replace(&dir.display().to_string(), "{INSTALL_DIR}"), golden(name), "{name}");
        checked += 1;
    }
    assert!(checked >= 12);
}

#[test]
fn default_install_logs_and_files() {
    let sb = Sandbox::new();
    let out = sb.run(&["install", "--user"]);
    assert!(out.status.success());
    assert_eq!(stdout(&out), "");
    let dest = sb.kernels().join("k8s_python");
    assert_eq!(
        log_lines(&out),
        vec![
            "[I K8sSpecInstaller] Installing kernel specification for 'Kubernetes Python'".to_string(),
            format!("[I K8sSpecInstaller] Installed kernelspec k8s_python in {}", dest.display()),
        ]
    );
    // "path mode content" lines: keep path and mode.
    let names: Vec<String> =
        sb.snapshot_of(&dest).iter().map(|f| f.splitn(3, ' ').take(2).collect::<Vec<_>>().join(" ")).collect();
    assert_eq!(
        names,
        vec![
            "kernel.json 100644",
            "logo-64x64.png 100644",
            "scripts 40755",
            "scripts/kernel-pod.yaml.j2 100644",
            "scripts/launch_kubernetes.py 100644"
        ]
    );
}

#[test]
fn file_sets_per_variant() {
    let cases: &[(&[&str], &[&str])] = &[
        (
            &["--language=R"],
            &[
                "kernel.js",
                "kernel.json",
                "logo-64x64.png",
                "scripts/kernel-pod.yaml.j2",
                "scripts/launch_kubernetes.py",
            ],
        ),
        (
            &["--spark"],
            &[
                "bin/run.sh",
                "kernel.json",
                "logo-64x64.png",
                "scripts/kernel-pod.yaml.j2",
                "scripts/launch_kubernetes.py",
            ],
        ),
        (
            &["--spark", "--language=r"],
            &[
                "bin/run.sh",
                "kernel.js",
                "kernel.json",
                "logo-64x64.png",
                "scripts/kernel-pod.yaml.j2",
                "scripts/launch_kubernetes.py",
            ],
        ),
        // --crd always yields a Python kernelspec: no R resources.
        (
            &["--spark", "--crd", "--language=R"],
            &[
                "kernel.json",
                "logo-64x64.png",
                "scripts/launch_custom_resource.py",
                "scripts/sparkoperator.k8s.io-v1beta2.yaml.j2",
            ],
        ),
    ];
    for (args, want) in cases {
        let sb = Sandbox::new();
        let mut a = vec!["install", "--user", "--kernel-name=k"];
        a.extend_from_slice(args);
        let out = sb.run(&a);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        let dest = sb.kernels().join("k");
        // Regular files only (mode 100xxx).
        let names: Vec<String> = installed_files(&dest).into_iter().map(|(path, _, _)| path).collect();
        assert_eq!(names, *want, "{args:?}");
        if args.contains(&"--spark") && !args.contains(&"--crd") {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(dest.join("bin/run.sh")).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o755);
        }
    }
}

/// Arguments, environment variables, and the text the one-line error must contain.
type BadInputCase<'a> = (&'a [&'a str], &'a [(&'a str, &'a str)], &'a str);

#[test]
fn invalid_input_is_refused_and_nothing_is_written() {
    let cases: &[BadInputCase] = &[
        (&["--kernel-name=../../x"], &[], "Invalid kernel name '../../x'"),
        (&["--kernel-name=a/b"], &[], "Invalid kernel name 'a/b'"),
        (&["--kernel-name=.."], &[], "Invalid kernel name '..'"),
        (&["--kernel-name=."], &[], "Invalid kernel name '.'"),
        (&["--kernel-name="], &[], "Invalid kernel name ''"),
        (&["--kernel-name=ké"], &[], "Invalid kernel name"),
        (&["--crd"], &[], "--crd requires a specifying option (e.g., --spark)"),
        (&["--language=Java"], &[], "Invalid language value Java, not in ['python', 'scala', 'r']"),
        (&["--spark", "--spark-init-mode=sometimes"], &[], "Invalid Spark initialization mode value 'sometimes'"),
        (&["--launch-timeout=soon"], &[], "expected an int, not the str 'soon'"),
        (&["--launch-timeout=-5"], &[], "-5"),
        (&[], &[("GP_LAUNCH_TIMEOUT", "abc")], "GP_LAUNCH_TIMEOUT"),
        (&[], &[("KERNEL_LAUNCH_TIMEOUT", "1.5")], "KERNEL_LAUNCH_TIMEOUT"),
        (&["--port-range=abc"], &[], "Invalid port range 'abc'"),
        (&["--port-range=5..1"], &[], "Invalid port range '5..1'"),
        (&[], &[("GP_PORT_RANGE", "100..2000")], "Invalid port range '100..2000'"),
        (&["--prefix=pfx"], &[], "Can't specify both user and prefix. Please choose one or the other."),
        (
            &["--log-level=LOUD"],
            &[],
            "expected any of [0, 10, 20, 30, 40, 50, 'DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL']",
        ),
    ];
    for (args, env, want) in cases {
        let sb = Sandbox::new();
        let before = sb.snapshot();
        let mut a = vec!["install", "--user"];
        a.extend_from_slice(args);
        let out = sb.run_env(&a, env);
        assert_eq!(out.status.code(), Some(1), "{args:?} {env:?}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(err.contains(want), "{args:?} {env:?}: {err}");
        assert_eq!(err.lines().count(), 1, "one line: {err}");
        assert!(!err.contains("Traceback"));
        assert_eq!(sb.snapshot(), before, "{args:?}: nothing written");
    }
}

#[test]
fn argparse_style_errors_exit_2_with_usage() {
    let sb = Sandbox::new();
    let out = sb.run(&["install", "--user", "--display-name"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.starts_with("usage: jupyter-k8s-spec"), "{err}");
    assert!(err.ends_with("jupyter-k8s-spec: error: argument --K8sSpecInstaller.display_name: expected one argument\n"));
    let out = sb.run(&["install", "--spark=True"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).ends_with("jupyter-k8s-spec: error: argument --spark: ignored explicit argument 'True'\n"));
}

#[test]
fn existing_kernelspec_needs_replace() {
    let sb = Sandbox::new();
    assert!(sb.run(&["install", "--user", "--kernel-name=mykernel"]).status.success());
    let before = sb.snapshot();
    // The check uses the lower-cased name, as the install does.
    for name in ["--kernel-name=mykernel", "--kernel-name=MyKernel"] {
        let out = sb.run(&["install", "--user", name, "--display-name=Second"]);
        assert_eq!(out.status.code(), Some(1));
        let dest = sb.kernels().join("mykernel");
        assert_eq!(
            stderr(&out),
            format!(
                "A kernel specification exists at '{}' and '--replace' has not been specified.  Terminating.\n",
                dest.display()
            )
        );
        assert_eq!(sb.snapshot(), before);
    }
    fs::write(sb.kernels().join("mykernel/extra.txt"), "old").unwrap();
    let out = sb.run(&["install", "--user", "--kernel-name=MyKernel", "--replace", "--display-name=Say \"hi\" C:\\k"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let dest = sb.kernels().join("mykernel");
    assert!(
        log_lines(&out).contains(&format!("[I K8sSpecInstaller] Removing existing kernelspec in {}", dest.display()))
    );
    assert!(!dest.join("extra.txt").exists(), "a replaced kernelspec is replaced whole");
    let doc: serde_json::Value = serde_json::from_str(&fs::read_to_string(dest.join("kernel.json")).unwrap()).unwrap();
    assert_eq!(doc["display_name"], "Say \"hi\" C:\\k");
    let names: Vec<_> = fs::read_dir(sb.kernels()).unwrap().flatten().map(|e| e.file_name()).collect();
    assert_eq!(names, vec!["mykernel"]);
}

#[test]
fn unwritable_or_non_directory_targets_fail() {
    let sb = Sandbox::new();
    fs::write(sb.path("work/file"), "x").unwrap();
    let before = sb.snapshot();
    let out = sb.run(&["install", "--prefix=file"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("Cannot install the kernelspec into"), "{}", stderr(&out));
    assert_eq!(sb.snapshot(), before);
    fs::create_dir_all(sb.path("work/k/share/jupyter/kernels/k8s_python")).unwrap();
    fs::remove_dir(sb.path("work/k/share/jupyter/kernels/k8s_python")).unwrap();
    fs::write(sb.path("work/k/share/jupyter/kernels/k8s_python"), "not a dir").unwrap();
    let out = sb.run(&["install", "--prefix=k", "--replace"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("exists and is not a directory"), "{}", stderr(&out));
}

#[test]
fn environment_defaults_and_sorted_users() {
    let sb = Sandbox::new();
    let out = sb.run_env(
        &["install", "--user", "--authorized-users=zoe", "--authorized-users=adam", "--authorized-users=mia"],
        &[("GP_IMAGE_NAME", "env/img:7"), ("GP_PORT_RANGE", "30000..31000"), ("GP_UNAUTHORIZED_USERS", "root,bob")],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let doc: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(sb.kernels().join("k8s_python/kernel.json")).unwrap()).unwrap();
    assert_eq!(
        doc["metadata"]["kernel_provisioner"]["config"],
        serde_json::json!({"image_name": "env/img:7", "authorized_users": ["adam", "mia", "zoe"], "port_range": "30000..31000", "launch_timeout": 30})
    );
    // An empty GP_AUTHORIZED_USERS restricts nobody.
    let out = sb.run_env(&["install", "--user", "--replace"], &[("GP_AUTHORIZED_USERS", "")]);
    assert!(out.status.success());
    let text = fs::read_to_string(sb.kernels().join("k8s_python/kernel.json")).unwrap();
    assert!(!text.contains("authorized_users"), "{text}");
}

#[test]
fn sys_prefix_uses_the_python_environment() {
    let sb = Sandbox::new();
    let out = sb.run(&["install", "--sys-prefix"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(sb.path("venv/share/jupyter/kernels/k8s_python/kernel.json").exists());
    // In the environment's own path, so no "not in the Jupyter path" warning.
    assert!(!stderr(&out).contains("[W "), "{}", stderr(&out));
}

#[test]
fn argcomplete_never_installs() {
    let sb = Sandbox::new();
    let before = sb.snapshot();
    let out = sb.run_env(&["install", "--user"], &[("_ARGCOMPLETE", "1"), ("COMP_LINE", "jupyter k8s-spec ")]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(sb.snapshot(), before);
}

#[test]
fn version_everywhere() {
    let sb = Sandbox::new();
    for args in [&["--version"][..], &["-V"], &["install", "--version"], &["install", "-V"]] {
        let out = sb.run(args);
        assert!(out.status.success());
        assert_eq!(stdout(&out), format!("{}\n", env!("CARGO_PKG_VERSION")));
    }
}

#[test]
fn no_subcommand_and_unknown_words() {
    let sb = Sandbox::new();
    for args in [&[][..], &["foo"], &["INSTALL"]] {
        let out = sb.run(args);
        assert_eq!(out.status.code(), Some(1));
        assert!(
            stdout(&out).starts_with("No subcommand specified. Must specify one of: ['install']\n"),
            "{}",
            stdout(&out)
        );
    }
}
