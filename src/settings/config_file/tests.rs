use super::*;

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn lines(loaded: &Loaded) -> Vec<String> {
    loaded
        .log
        .iter()
        .map(|l| match l {
            LogLine::Debug(m) => format!("D {m}"),
            LogLine::Warning(m) => format!("W {m}"),
        })
        .collect()
}

fn no_python() -> Interpreter {
    Interpreter { candidates: vec![PathBuf::from("/nonexistent/python3")] }
}

fn python() -> Interpreter {
    Interpreter::for_environment(Path::new("/nonexistent"), std::env::var_os("PATH").as_deref())
}

fn load(name: &str, search: Search, cwd: &str, python: &Interpreter) -> Result<Loaded, ConfigError> {
    let var = |k: &str| (k == "CFG").then(|| "cfgdir".to_string());
    let ctx = Context { cwd, python, full: false, var: &var, home: Some("/home/u"), user_home: &|_| None };
    load_config_file(name, search, &ctx)
}

fn summary(loaded: &Loaded) -> Vec<String> {
    loaded.files.iter().map(|(f, c)| format!("{f}: {}", c.repr())).collect()
}

#[test]
fn search_path_order_and_collisions() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().to_str().unwrap().to_string();
    let (a, b, c) = (format!("{root}/a"), format!("{root}/b"), format!("{root}/c"));
    std::fs::create_dir_all(&b).unwrap();
    write(Path::new(&format!("{c}/jupyter_config.json")), r#"{"K8sSpecInstaller": {"image_name": "c"}}"#);
    write(
        Path::new(&format!("{a}/jupyter_config.py")),
        "c.K8sSpecInstaller.image_name = \"a'b\"\nc.BaseSpecApp.launch_timeout = 1\n\
         c.K8sSpecInstaller.authorized_users = ['x', 'é']\nc.BaseSpecApp.port_range = '1..2'\n",
    );
    write(
        Path::new(&format!("{a}/jupyter_config.json")),
        r#"{"BaseSpecApp": {"port_range": "3..4", "launch_timeout": 1.0},
            "K8sSpecInstaller": {"authorized_users": ["x"], "image_name": null}}"#,
    );
    // A directory where a file is expected: not a config file.
    std::fs::create_dir_all(format!("{c}/jupyter_config.py")).unwrap();
    let path = vec![a.clone(), b.clone(), c.clone()];
    let loaded = load("jupyter_config", Search::Path(&path), "/w", &no_python()).unwrap();
    assert_eq!(
        lines(&loaded),
        vec![
            format!("D Looking for jupyter_config in {c}"),
            format!("D Loaded config file: {c}/jupyter_config.json"),
            format!("D Looking for jupyter_config in {b}"),
            format!("D Looking for jupyter_config in {a}"),
            format!("D Loaded config file: {a}/jupyter_config.py"),
            format!("D Loaded config file: {a}/jupyter_config.json"),
            format!(
                "W Collisions detected in {a}/jupyter_config.py and {a}/jupyter_config.json config files. \
                 {a}/jupyter_config.json has higher priority: {{\n  \"K8sSpecInstaller\": {{\n    \
                 \"image_name\": \"\\\"a'b\\\" ignored, using None\",\n    \
                 \"authorized_users\": \"['x', '\\u00e9'] ignored, using ['x']\"\n  }},\n  \
                 \"BaseSpecApp\": {{\n    \"port_range\": \"'1..2' ignored, using '3..4'\"\n  }}\n}}"
            ),
        ]
    );
    assert_eq!(loaded.files.len(), 3);
    assert_eq!(loaded.found, 3);
}

#[test]
fn python_files_are_read_without_python_where_that_is_exact() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_str().unwrap().to_string();
    // A Jupyter Server configuration as people write it, with settings for the installer.
    write(
        Path::new(&format!("{dir}/jupyter_config.py")),
        "\"\"\"Server settings.\"\"\"\nimport os\nfrom pathlib import Path\nc = get_config()  # noqa\n\
         home = os.path.expanduser('~')\nc.ServerApp.root_dir = home\nc.ServerApp.max_buffer_size = 1024 * 1024\n\
         c.ServerApp.ip = os.environ.get('JUPYTER_IP', '0.0.0.0')\nc.ServerApp.port = 8888\n\
         if os.environ.get('DEV'):\n    c.ServerApp.open_browser = True\nelse:\n    c.ServerApp.open_browser = False\n\
         def helper(x):\n    return x * 2\n\nc.ServerApp.tornado_settings = {'a': helper(2)}\n\
         c.K8sSpecInstaller.image_name = 'img:1'; c.BaseSpecApp.launch_timeout = 60\n",
    );
    let path = vec![dir.clone()];
    let loaded = load("jupyter_config", Search::Path(&path), "/w", &no_python()).unwrap();
    assert!(loaded.skipped);
    assert_eq!(
        summary(&loaded),
        vec![format!(
            "{dir}/jupyter_config.py: {{'ServerApp': {{'port': 8888}}, 'K8sSpecInstaller': {{'image_name': 'img:1'}}, 'BaseSpecApp': {{'launch_timeout': 60}}}}"
        )]
    );
}

#[test]
fn python_files_that_need_python() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_str().unwrap().to_string();
    let file = format!("{dir}/jupyter_k8s_spec_config.py");
    let path = vec![dir.clone()];
    let cases = [
        (
            "import os\nc.K8sSpecInstaller.image_name = os.environ['IMG']\n",
            2,
            "`c.K8sSpecInstaller.image_name = os.environ['IMG']` is not a literal assignment",
        ),
        (
            "if True:\n    c.K8sSpecInstaller.image_name = 'x'\n",
            1,
            "`if True: c.K8sSpecInstaller.image_name = 'x'` uses the config object `c`",
        ),
        ("load_subconfig('other.py')\n", 1, "`load_subconfig('other.py')` uses `load_subconfig`"),
        (
            "import os\nos.environ['GP_IMAGE_NAME'] = 'x'\n",
            2,
            "`os.environ['GP_IMAGE_NAME'] = 'x'` may change the environment",
        ),
        ("cfg = c\ncfg.K8sSpecInstaller.image_name = 'x'\n", 1, "`cfg = c` uses the config object `c`"),
        (
            "c.K8sSpecInstaller.authorized_users.add('x')\n",
            1,
            "`c.K8sSpecInstaller.authorized_users.add('x')` uses the config object `c`",
        ),
        (
            "c.K8sSpecInstaller.image_name = f'img:{1}'\n",
            1,
            "`c.K8sSpecInstaller.image_name = f'img:{1}'` is not a literal assignment",
        ),
        ("c.K8sSpecInstaller.image_name = (\n", 1, "syntax error: '(' was never closed"),
    ];
    for (text, line, why) in cases {
        write(Path::new(&file), text);
        let err = load("jupyter_k8s_spec_config", Search::Path(&path), "/w", &no_python()).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("config file {file}:{line}: {why}; running it needs Python, and none was found (looked for /nonexistent/python3)"),
            "{text:?}"
        );
    }
    // A value Python refuses to put into a section: an error naming the file and line.
    write(Path::new(&file), "c.K8sSpecInstaller.Spark = True\n");
    let err = load("jupyter_k8s_spec_config", Search::Path(&path), "/w", &no_python()).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("error in config file {file}:1: ValueError: values whose keys begin with an uppercase char must be Config instances: 'Spark', True")
    );
}

#[test]
fn python_files_run_by_python() {
    let python = python();
    assert!(python.find().is_some(), "the tests need python3 on PATH");
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_str().unwrap().to_string();
    let file = format!("{dir}/jupyter_k8s_spec_config.py");
    let path = vec![dir.clone()];
    write(
        Path::new(&file),
        "import os\nc.K8sSpecInstaller.image_name = os.environ.get('K8S_SPEC_TEST_NO_SUCH_VAR', 'fallback')\nload_subconfig('more.py')\n",
    );
    write(Path::new(&format!("{dir}/more.py")), "c.BaseSpecApp.launch_timeout = 7 * 6\n");
    let loaded = load("jupyter_k8s_spec_config", Search::Path(&path), "/w", &python).unwrap();
    assert_eq!(
        summary(&loaded),
        vec![format!(
            "{file}: {{'K8sSpecInstaller': {{'image_name': 'fallback'}}, 'BaseSpecApp': {{'launch_timeout': 42}}}}"
        )]
    );
    write(Path::new(&file), "import os\n\nc.K8sSpecInstaller.image_name = os.environ['K8S_SPEC_TEST_NO_SUCH_VAR']\n");
    let err = load("jupyter_k8s_spec_config", Search::Path(&path), "/w", &python).unwrap_err();
    assert_eq!(err.to_string(), format!("error in config file {file}:3: KeyError: 'K8S_SPEC_TEST_NO_SUCH_VAR'"));
}

#[test]
fn json_files() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_str().unwrap().to_string();
    let file = format!("{dir}/x.json");
    let path = vec![dir.clone()];
    let read = |text: &str| {
        write(Path::new(&file), text);
        load("x", Search::Path(&path), "/w", &no_python()).map(|l| summary(&l)).map_err(|e| e.to_string())
    };
    assert_eq!(
        read(r#"{"version": 1, "K8sSpecInstaller": {"spark": 1, "launch_timeout": 1e2, "Nested": {"a": NaN}}, "lower": 5}"#),
        Ok(vec![format!("{file}: {{'K8sSpecInstaller': {{'spark': 1, 'launch_timeout': 100.0, 'Nested': {{'a': nan}}}}, 'lower': 5}}")])
    );
    // A value under an upper-case key is kept (traitlets refuses it when it copies the config).
    assert_eq!(
        read(r#"{"K8sSpecInstaller": {"Spark": true}}"#),
        Ok(vec![format!("{file}: {{'K8sSpecInstaller': {{'Spark': True}}}}")])
    );
    let errors = [
        (
            "{\"A\": 5}",
            format!("invalid config file {file}: section \"A\" must be an object of trait values, not int 5"),
        ),
        ("{\"version\": 2}", format!("invalid config file {file}: Unknown version of JSON config file: 2")),
        ("[1]", format!("invalid config file {file}: expected an object of configuration sections")),
        (
            "{\"A\": {\"b\": 1,}}",
            format!("invalid JSON in config file {file}:1:15: expected a property name in double quotes"),
        ),
        (
            "{\n \"A\": {\"b\": \"\\ud800\"}}",
            format!("invalid JSON in config file {file}:2:20: unsupported character escape \\ud800"),
        ),
    ];
    for (text, want) in errors {
        assert_eq!(read(text), Err(want), "{text}");
    }
}

#[test]
fn explicit_and_relative_names() {
    let tmp = tempfile::tempdir().unwrap();
    let cwd = tmp.path().to_str().unwrap().to_string();
    write(Path::new(&format!("{cwd}/sub/my.py")), "c.A.x = 'py'\n");
    write(Path::new(&format!("{cwd}/sub/my.json")), r#"{"A": {"x": "json"}}"#);
    write(Path::new(&format!("{cwd}/cfgdir/other.json")), r#"{"A": {"y": 1}}"#);
    let loaded = load("my.json", Search::Dir("sub"), &cwd, &no_python()).unwrap();
    assert_eq!(lines(&loaded)[0], "D Looking for my in sub");
    assert_eq!(
        loaded.files.iter().map(|(f, _)| f.clone()).collect::<Vec<_>>(),
        [format!("{cwd}/sub/my.py"), format!("{cwd}/sub/my.json")]
    );
    let loaded = load("other", Search::Dir(""), &cwd, &no_python()).unwrap();
    assert_eq!((lines(&loaded)[0].clone(), loaded.found), (format!("D Looking for other in {cwd}"), 0));
    // `$VAR` in a search directory is expanded, as traitlets' filefind does.
    let path = vec!["$CFG".to_string()];
    let loaded = load("other", Search::Path(&path), &cwd, &no_python()).unwrap();
    assert_eq!(summary(&loaded), vec![format!("{cwd}/cfgdir/other.json: {{'A': {{'y': 1}}}}")]);
}
