//! Behaviour of the reference (gateway-provisioners 0.5.0 on traitlets 5.16.1) that issue 13
//! asks us to reproduce, pinned with outputs captured from the reference (timestamps removed,
//! the sandbox written `{SB}`). tests/differential/parity-cases.json compares the same points
//! against the running reference.

mod common;

use std::ffi::OsStr;
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::process::Output;

use common::{log_lines, stdout, Sandbox};

fn norm(sb: &Sandbox, text: &str) -> String {
    text.replace(sb.path("").to_str().unwrap().trim_end_matches('/'), "{SB}")
}

fn logs(sb: &Sandbox, out: &Output) -> Vec<String> {
    log_lines(out).iter().map(|l| norm(sb, l)).collect()
}

/// The `"config": {...}` stanza of an installed kernel.json.
fn stanza(kernel_json: &str) -> &str {
    let i = kernel_json.find("\"config\": {").expect("config stanza");
    let j = kernel_json[i..].find('}').unwrap() + i;
    &kernel_json[i..=j]
}

fn write(sb: &Sandbox, rel: &str, text: &str) {
    let p = sb.path(rel);
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(p, text).unwrap();
}

const CFG_PY: &str = "home/.jupyter/jupyter_k8s_spec_config.py";
const CFG_JSON: &str = "home/.jupyter/jupyter_k8s_spec_config.json";
const INSTALLED: &str =
    "[I K8sSpecInstaller] Installed kernelspec k8s_python in {SB}/home/.local/share/jupyter/kernels/k8s_python";
const INSTALLING: &str = "[I K8sSpecInstaller] Installing kernel specification for 'Kubernetes Python'";

fn config(entries: &[(&str, &str)]) -> String {
    let lines: Vec<String> = entries.iter().map(|(k, v)| format!("        \"{k}\": {v}")).collect();
    format!("\"config\": {{\n{}\n      }}", lines.join(",\n"))
}

#[test]
fn keys_that_are_not_class_trait_stop_with_the_references_bad_config() {
    let cases = [
        ("--k8sspecinstaller.spark=True", "Error loading argument k8sspecinstaller.spark=['True'], 'LazyConfigValue' object does not support item assignment"),
        ("--foo.bar=1", "Error loading argument foo.bar=['1'], 'LazyConfigValue' object does not support item assignment"),
        ("--a.b.c=1", "Error loading argument a.b.c=['1'], 'LazyConfigValue' object is not subscriptable"),
        ("--K8sSpecInstaller.Spark=True", "Error loading argument K8sSpecInstaller.Spark=['True'], values whose keys begin with an uppercase char must be Config instances: 'Spark', DeferredConfigString('True')"),
    ];
    for (arg, msg) in cases {
        let sb = Sandbox::new();
        let out = sb.run(&["install", "--user", arg]);
        assert_eq!(out.status.code(), Some(1), "{arg}");
        assert_eq!(
            logs(&sb, &out),
            vec![format!("[C K8sSpecInstaller] Bad config encountered during initialization: {msg}")]
        );
        assert!(!sb.kernels().exists(), "{arg}");
    }
    // In a JSON file the reference fails later, with a traceback; we stop with one line.
    let sb = Sandbox::new();
    write(&sb, CFG_JSON, r#"{"K8sSpecInstaller": {"Spark": true}}"#);
    let out = sb.run(&["install", "--user"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        logs(&sb, &out),
        vec!["[C K8sSpecInstaller] Bad config encountered during initialization: values whose keys begin with an uppercase char must be Config instances: 'Spark', True"]
    );
    assert!(!sb.kernels().exists());
}

#[test]
fn values_traitlets_accepts_are_written_as_the_reference_writes_them() {
    let json = |text: &str| vec![(CFG_JSON, text.to_string())];
    /// Arguments, config files, environment, the kernelspec installed and its config stanza.
    type Case<'a> = (Vec<&'a str>, Vec<(&'a str, String)>, Vec<(&'a str, &'a str)>, &'a str, String);
    let cases: Vec<Case> = vec![
        (
            vec![],
            json(r#"{"K8sSpecInstaller": {"spark": 1, "launch_timeout": 45.0}}"#),
            vec![],
            "k8s_python_spark",
            config(&[
                ("image_name", "\"elyra/kernel-spark-py:0.5.0\""),
                ("executor_image_name", "\"elyra/kernel-spark-py:0.5.0\""),
                ("launch_timeout", "45"),
            ]),
        ),
        (
            vec![],
            json(r#"{"K8sSpecInstaller": {"spark": 0, "launch_timeout": 1e2}}"#),
            vec![],
            "k8s_python",
            config(&[("image_name", "\"elyra/kernel-py:0.5.0\""), ("launch_timeout", "100")]),
        ),
        (
            vec!["--launch-timeout=9223372036854775808"],
            vec![],
            vec![],
            "k8s_python",
            config(&[("image_name", "\"elyra/kernel-py:0.5.0\""), ("launch_timeout", "9223372036854775808")]),
        ),
        (
            vec!["--launch-timeout=\u{664}\u{660}", "--port-range=\u{664}0000..\u{664}1000"],
            vec![],
            vec![],
            "k8s_python",
            config(&[
                ("image_name", "\"elyra/kernel-py:0.5.0\""),
                ("port_range", "\"\\u06640000..\\u06641000\""),
                ("launch_timeout", "40"),
            ]),
        ),
        (
            vec![],
            vec![],
            vec![("GP_LAUNCH_TIMEOUT", "\u{664}\u{665}")],
            "k8s_python",
            config(&[("image_name", "\"elyra/kernel-py:0.5.0\""), ("launch_timeout", "45")]),
        ),
    ];
    for (args, files, env, name, want) in cases {
        let sb = Sandbox::new();
        for (f, text) in &files {
            write(&sb, f, text);
        }
        let mut all = vec!["install", "--user"];
        all.extend(args.iter());
        let out = sb.run_env(&all, &env);
        assert_eq!(out.status.code(), Some(0), "{args:?} {files:?}: {}", common::stderr(&out));
        assert_eq!(stanza(&sb.read(name, "kernel.json")), want, "{args:?} {files:?} {env:?}");
    }
    let sb = Sandbox::new();
    write(&sb, CFG_JSON, r#"{"K8sSpecInstaller": {"launch_timeout": NaN}}"#);
    let out = sb.run(&["install", "--user"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        logs(&sb, &out),
        vec!["[C K8sSpecInstaller] Bad config encountered during initialization: The 'launch_timeout' trait of a K8sSpecInstaller instance expected an int, not the float nan."]
    );
}

#[test]
fn warnings_and_the_moment_the_log_level_changes() {
    let sb = Sandbox::new();
    write(&sb, CFG_PY, "c.K8sSpecInstaller.imagename = 'x'\n");
    let out = sb.run(&["install", "--user"]);
    assert_eq!(
        logs(&sb, &out),
        vec![
            "[W K8sSpecInstaller] Config option `imagename` not recognized by `K8sSpecInstaller`.  Did you mean one of: `executor_image_name, image_name`?",
            INSTALLING,
            INSTALLED,
        ]
    );

    // Set in a config file, DEBUG applies from after that file's load.
    let sb = Sandbox::new();
    write(&sb, CFG_PY, "c.Application.log_level = 'DEBUG'\n");
    let out = sb.run(&["install", "--user"]);
    assert_eq!(
        logs(&sb, &out),
        vec![
            INSTALLING,
            "[D K8sSpecInstaller] Installing kernelspec in {SB}/home/.local/share/jupyter/kernels/k8s_python",
            INSTALLED,
            "[D K8sSpecInstaller] Finalizing kernel json file for kernel: 'Kubernetes Python'",
        ]
    );

    // The command line's own warning comes before its --log-level takes effect.
    let sb = Sandbox::new();
    let out = sb.run(&["install", "--user", "--log-level=CRITICAL", "--K8sSpecInstaller.zz=1"]);
    assert_eq!(logs(&sb, &out), vec!["[W K8sSpecInstaller] Config option `zz` not recognized by `K8sSpecInstaller`."]);
}

#[test]
fn show_config_prints_the_loaded_config_and_installs_nothing() {
    let sb = Sandbox::new();
    write(
        &sb,
        CFG_PY,
        "c.K8sSpecInstaller.image_name = 'x'\nc.ServerApp.port = 8888\nc.BaseSpecApp.authorized_users = {'a'}\n\
         c.K8sSpecInstaller.extra_spark_opts = '--conf spark.driver.memory=4g --conf spark.executor.memory=8g --conf spark.executor.instances=4'\n",
    );
    let out = sb.run(&["install", "--user", "--Application.show_config=True", "--launch-timeout=5", "--Foo.bar=1"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        norm(&sb, &stdout(&out)),
        "Loaded config files:\n  {SB}/home/.jupyter/jupyter_k8s_spec_config.py\n\nBaseSpecApp\n  .authorized_users = {'a'}\n\
         Foo\n  .bar = DeferredConfigString('1')\nK8sSpecInstaller\n  .extra_spark_opts = ('--conf spark.driver.memory=4g \
         --conf spark.executor.memory=8g --conf '\n 'spark.executor.instances=4')\n  .image_name = 'x'\n  .launch_timeout = 5\n\
         \x20 .user = True\nServerApp\n  .port = 8888\n"
    );
    assert!(!sb.kernels().exists());

    let sb = Sandbox::new();
    write(
        &sb,
        CFG_PY,
        "c.K8sSpecInstaller.image_name = 'x'\nc.ServerApp.port = 8888\nc.BaseSpecApp.authorized_users = {'a'}\n",
    );
    let out =
        sb.run(&["install", "--user", "--Application.show_config_json=True", "--launch-timeout=5", "--Foo.bar=1"]);
    assert_eq!(
        stdout(&out),
        "{\n \"Application\": {},\n \"BaseSpecApp\": {\n  \"authorized_users\": \"{'a'}\"\n },\n \"Foo\": {\n  \"bar\": \"1\"\n },\n \
         \"K8sSpecInstaller\": {\n  \"image_name\": \"x\",\n  \"launch_timeout\": 5,\n  \"user\": true\n },\n \"ServerApp\": {\n  \"port\": 8888\n }\n}\n"
    );
    assert!(!sb.kernels().exists());
}

#[test]
fn generate_config_writes_the_references_file() {
    let sb = Sandbox::new();
    let out = sb.run_env(&["install", "--JupyterApp.generate_config=True"], &[("SPARK_HOME", "/sp/it's")]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        norm(&sb, &stdout(&out)),
        "Writing default config to: '{SB}/home/.jupyter/jupyter_k8s_spec_config.py'\n"
    );
    let written = fs::read_to_string(sb.path(CFG_PY)).unwrap();
    // The reference's file, with the launch_timeout help we correct everywhere.
    let golden = include_str!("golden/generate_config/jupyter_k8s_spec_config.py").replace(
        "Number of ports to try if the specified port is not available",
        "Number of seconds to wait for the kernel to start before its launch fails",
    );
    assert_eq!(written, golden);
    assert!(!sb.kernels().exists());

    // An existing file is replaced only when the answer is yes.
    fs::write(sb.path(CFG_PY), "mine\n").unwrap();
    let out = sb.run(&["install", "--JupyterApp.generate_config=True"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(fs::read_to_string(sb.path(CFG_PY)).unwrap(), "mine\n");
    let out = sb.cmd(&["install", "--JupyterApp.generate_config=True"]).write_stdin("no\n").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        norm(&sb, &stdout(&out)),
        "Overwrite '{SB}/home/.jupyter/jupyter_k8s_spec_config.py' with default config? [y/N]"
    );
    assert_eq!(fs::read_to_string(sb.path(CFG_PY)).unwrap(), "mine\n");
    let out = sb.run(&["install", "--JupyterApp.generate_config=True", "--JupyterApp.answer_yes=True"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(fs::read_to_string(sb.path(CFG_PY)).unwrap().lines().count(), 535);
}

#[test]
fn log_format_and_config_file_name() {
    let sb = Sandbox::new();
    let out = sb.run(&[
        "install",
        "--user",
        "--Application.log_format=[%(levelname)1.1s %(asctime)s %(name)s] %(message)s",
        "--Application.log_datefmt=at-install",
    ]);
    assert_eq!(
        norm(&sb, &common::stderr(&out)),
        "[I at-install K8sSpecInstaller] Installing kernel specification for 'Kubernetes Python'\n\
         [I at-install K8sSpecInstaller] Installed kernelspec k8s_python in {SB}/home/.local/share/jupyter/kernels/k8s_python\n"
    );

    let sb = Sandbox::new();
    write(&sb, "home/.jupyter/other.py", "c.K8sSpecInstaller.image_name = 'other/img:1'\n");
    write(&sb, CFG_PY, "c.K8sSpecInstaller.image_name = 'not/read'\n");
    let out = sb.run(&["install", "--user", "--JupyterApp.config_file_name=other"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        stanza(&sb.read("k8s_python", "kernel.json")),
        config(&[("image_name", "\"other/img:1\""), ("launch_timeout", "30")])
    );

    // logging_config adds a handler writing every level to a file.
    let sb = Sandbox::new();
    let log = sb.path("home/install.log");
    write(
        &sb,
        CFG_PY,
        &format!(
            "c.Application.logging_config = {{'handlers': {{'file': {{'class': 'logging.FileHandler', 'level': 'DEBUG', \
             'filename': {:?}}}}}, 'loggers': {{'K8sSpecInstaller': {{'level': 'DEBUG', 'handlers': ['console', 'file']}}}}}}\n",
            log.to_str().unwrap()
        ),
    );
    let out = sb.run(&["install", "--user"]);
    assert_eq!(logs(&sb, &out), vec![INSTALLING, INSTALLED]);
    let file = fs::read_to_string(&log).unwrap();
    assert_eq!(
        norm(&sb, &file),
        "Installing kernel specification for 'Kubernetes Python'\nInstalling kernelspec in {SB}/home/.local/share/jupyter/kernels/k8s_python\n\
         Installed kernelspec k8s_python in {SB}/home/.local/share/jupyter/kernels/k8s_python\n\
         Finalizing kernel json file for kernel: 'Kubernetes Python'\n"
    );
}

/// A Jupyter Server `jupyter_config.py` as people write it.
const SERVER_CONFIG: &str = "# Configuration file for jupyter-server.\nimport os\nfrom pathlib import Path\n\nc = get_config()  #noqa\n\n\
HOME = os.path.expanduser('~')\nc.ServerApp.root_dir = os.path.join(HOME, 'work')\n\
c.ServerApp.ip = os.environ.get('JUPYTER_IP', '0.0.0.0')\nc.ServerApp.port = int(os.environ.get('JUPYTER_PORT', 8888))\n\
c.ServerApp.max_buffer_size = 1024 * 1024 * 512\nc.ServerApp.open_browser = False\n\
c.ServerApp.tornado_settings = {'headers': {'Content-Security-Policy': \"frame-ancestors 'self'\"}}\n\
if os.environ.get('JUPYTER_TOKEN_FILE'):\n    with open(os.environ['JUPYTER_TOKEN_FILE']) as f:\n        c.IdentityProvider.token = f.read().strip()\n\
c.MappingKernelManager.cull_idle_timeout = 60 * 60\n";

#[test]
fn python_config_files() {
    // A server configuration does not stop the install, and needs no Python: with no Python on
    // PATH (and none in the environment) it is read all the same.
    let sb = Sandbox::new();
    write(
        &sb,
        "home/.jupyter/jupyter_config.py",
        &format!("{SERVER_CONFIG}c.K8sSpecInstaller.image_name = 'team/kernel:3'\n"),
    );
    let out = sb.run_env(&["install", "--user"], &[("PATH", "/nonexistent")]);
    assert_eq!(out.status.code(), Some(0), "{}", common::stderr(&out));
    assert_eq!(logs(&sb, &out), vec![INSTALLING, INSTALLED]);
    assert_eq!(
        stanza(&sb.read("k8s_python", "kernel.json")),
        config(&[("image_name", "\"team/kernel:3\""), ("launch_timeout", "30")])
    );

    // A setting of ours taken from the environment is evaluated by Python, as the reference does.
    let img = "import os\nc.K8sSpecInstaller.image_name = os.environ['IMG']\n";
    let sb = Sandbox::new();
    write(&sb, CFG_PY, img);
    let out = sb.run_env(&["install", "--user"], &[("IMG", "registry.example.com/team/py:7")]);
    assert_eq!(logs(&sb, &out), vec![INSTALLING, INSTALLED]);
    assert_eq!(
        stanza(&sb.read("k8s_python", "kernel.json")),
        config(&[("image_name", "\"registry.example.com/team/py:7\""), ("launch_timeout", "30")])
    );
    // Without IMG the file fails; the reference then ignores the whole file, we stop.
    let out = sb.run(&["install", "--user", "--replace"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(logs(&sb, &out), vec!["[E K8sSpecInstaller] error in config file {SB}/home/.jupyter/jupyter_k8s_spec_config.py:2: KeyError: 'IMG'"]);
    // Without any Python: an error naming the file, the line and why.
    let sb = Sandbox::new();
    write(&sb, CFG_PY, img);
    let out = sb.run_env(&["install", "--user"], &[("PATH", "/nonexistent"), ("IMG", "x")]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        logs(&sb, &out),
        vec!["[E K8sSpecInstaller] config file {SB}/home/.jupyter/jupyter_k8s_spec_config.py:2: `c.K8sSpecInstaller.image_name = os.environ['IMG']` \
              is not a literal assignment; running it needs Python, and none was found (looked for {SB}/venv/bin/python3, {SB}/venv/bin/python, python3 on PATH)"]
    );
    assert!(!sb.kernels().exists());
}

#[test]
fn paths_and_values_that_are_not_utf8_are_kept_byte_for_byte() {
    // --prefix=<sandbox>/p\xff --display-name=D\xfe
    let sb = Sandbox::new();
    let mut prefix = sb.path("").as_os_str().as_bytes().to_vec();
    prefix.extend_from_slice(b"p\xff");
    let mut arg = b"--prefix=".to_vec();
    arg.extend_from_slice(&prefix);
    let out = sb
        .cmd(&["install"])
        .arg(OsStr::from_bytes(&arg))
        .arg(OsStr::from_bytes(b"--display-name=D\xfe"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", common::stderr(&out));
    let dir = std::path::PathBuf::from(OsStr::from_bytes(&prefix)).join("share/jupyter/kernels/k8s_python");
    let kernel_json = norm(&sb, &fs::read_to_string(dir.join("kernel.json")).unwrap());
    assert!(
        kernel_json.contains("    \"{SB}/p\\udcff/share/jupyter/kernels/k8s_python/scripts/launch_kubernetes.py\",\n"),
        "{kernel_json}"
    );
    assert!(kernel_json.contains("  \"display_name\": \"D\\udcfe\",\n"), "{kernel_json}");
    let lines = logs(&sb, &out);
    assert_eq!(lines[0], "[I K8sSpecInstaller] Installing kernel specification for 'D\\udcfe'");
    assert_eq!(
        lines.last().unwrap(),
        "[I K8sSpecInstaller] Installed kernelspec k8s_python in {SB}/p\\udcff/share/jupyter/kernels/k8s_python"
    );

    // HOME=<sandbox>/h\xfe with --user.
    let sb = Sandbox::new();
    let mut home = sb.path("").as_os_str().as_bytes().to_vec();
    home.extend_from_slice(b"h\xfe");
    let home = std::path::PathBuf::from(OsStr::from_bytes(&home));
    fs::create_dir_all(&home).unwrap();
    let out = sb.cmd(&["install", "--user"]).env("HOME", &home).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", common::stderr(&out));
    assert_eq!(
        logs(&sb, &out),
        vec![INSTALLING.to_string(), "[I K8sSpecInstaller] Installed kernelspec k8s_python in {SB}/h\\udcfe/.local/share/jupyter/kernels/k8s_python".to_string()]
    );
    let kernel_json = fs::read_to_string(home.join(".local/share/jupyter/kernels/k8s_python/kernel.json")).unwrap();
    assert!(norm(&sb, &kernel_json)
        .contains("\"{SB}/h\\udcfe/.local/share/jupyter/kernels/k8s_python/scripts/launch_kubernetes.py\""));
}
