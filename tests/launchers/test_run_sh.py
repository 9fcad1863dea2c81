"""bin/run.sh of the Spark kernelspecs (launchers.md section 7), against a stub spark-submit."""

import os
import shutil
import string
import subprocess

import pytest

from conftest import REPO, RUN_SH

# installer.md 7.4 with an empty --extra-spark-opts (hence the two spaces)
PY_SPARK_OPTS = (
    "--master k8s://https://${KUBERNETES_SERVICE_HOST}:${KUBERNETES_SERVICE_PORT} --deploy-mode cluster "
    "--name ${KERNEL_USERNAME}-${KERNEL_ID} --conf spark.kubernetes.namespace=${KERNEL_NAMESPACE} "
    "--conf spark.kubernetes.driver.label.app=kubernetes-kernel-provider "
    "--conf spark.kubernetes.driver.label.kernel_id=${KERNEL_ID} "
    "--conf spark.kubernetes.driver.label.component=kernel "
    "--conf spark.kubernetes.executor.label.app=kubernetes-kernel-provider "
    "--conf spark.kubernetes.executor.label.kernel_id=${KERNEL_ID} "
    "--conf spark.kubernetes.executor.label.component=worker "
    "--conf spark.kubernetes.driver.container.image=${KERNEL_IMAGE} "
    "--conf spark.kubernetes.executor.container.image=${KERNEL_EXECUTOR_IMAGE} "
    "--conf spark.kubernetes.authenticate.driver.serviceAccountName=${KERNEL_SERVICE_ACCOUNT_NAME} "
    "--conf spark.kubernetes.submission.waitAppCompletion=false "
    "--conf spark.kubernetes.pyspark.pythonVersion=3  ${KERNEL_EXTRA_SPARK_OPTS}"
)
R_SPARK_OPTS = PY_SPARK_OPTS.replace(" --conf spark.kubernetes.pyspark.pythonVersion=3", "")
TOREE_SPARK_OPTS = R_SPARK_OPTS.replace(
    "--conf spark.kubernetes.namespace=${KERNEL_NAMESPACE} ",
    "--conf spark.kubernetes.namespace=${KERNEL_NAMESPACE} --driver-memory 2G ",
)

SERVER_ENV = {"KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443"}
PROVISIONER_ENV = {  # added by the provisioner after jupyter_client's substitution
    "KERNEL_ID": "k1",
    "KERNEL_NAMESPACE": "ns1",
    "KERNEL_IMAGE": "img:1",
    "KERNEL_EXECUTOR_IMAGE": "eimg:1",
    "KERNEL_SERVICE_ACCOUNT_NAME": "default",
}


def expanded_opts(namespace="ns1", name="alice-k1", python=True, driver_memory=False):
    words = ["--master", "k8s://https://10.96.0.1:443", "--deploy-mode", "cluster", "--name", name,
             "--conf", f"spark.kubernetes.namespace={namespace}"]
    if driver_memory:
        words += ["--driver-memory", "2G"]
    for conf in [
        "spark.kubernetes.driver.label.app=kubernetes-kernel-provider",
        "spark.kubernetes.driver.label.kernel_id=k1",
        "spark.kubernetes.driver.label.component=kernel",
        "spark.kubernetes.executor.label.app=kubernetes-kernel-provider",
        "spark.kubernetes.executor.label.kernel_id=k1",
        "spark.kubernetes.executor.label.component=worker",
        "spark.kubernetes.driver.container.image=img:1",
        "spark.kubernetes.executor.container.image=eimg:1",
        "spark.kubernetes.authenticate.driver.serviceAccountName=default",
        "spark.kubernetes.submission.waitAppCompletion=false",
    ] + (["spark.kubernetes.pyspark.pythonVersion=3"] if python else []):
        words += ["--conf", conf]
    return words


# installer.md 7.3 argv tails after the provisioner's substitutions
PY_ARGS = ["--kernel-id", "k1", "--response-address", "10.0.0.5:8877", "--public-key", "PUB+KEY/=",
           "--spark-context-initialization-mode", "lazy", "--kernel-class-name", "ipykernel.ipkernel.IPythonKernel"]
RS_ARGS = ["--kernel-id", "k1", "--port-range", "0..0", "--response-address", "10.0.0.5:8877",
           "--public-key", "PUB+KEY/=", "--spark-context-initialization-mode", "lazy"]


def jupyter_client_env(spec_env, launch_env):
    """jupyter_client: safe ${NAME} substitution of the kernelspec env from the launch env."""
    return {k: string.Template(v).safe_substitute(launch_env) for k, v in spec_env.items()}


class Spark:
    def __init__(self, tmp_path):
        self.root = tmp_path
        self.home = tmp_path / "spark home"
        (self.home / "bin").mkdir(parents=True)
        stub = self.home / "bin" / "spark-submit"
        stub.write_text('#!/usr/bin/env bash\nprintf "%s\\0" "$0" "$@" > "$STUB_RECORD"\n')
        stub.chmod(0o755)
        self.record = tmp_path / "argv"
        self.launchers = tmp_path / "launchers"

    def run(self, lang, args, env):
        spec_bin = self.root / f"spec_{lang}" / "bin"
        spec_bin.mkdir(parents=True, exist_ok=True)
        script = spec_bin / "run.sh"
        shutil.copy(RUN_SH[lang], script)
        script.chmod(0o755)
        if self.record.exists():
            self.record.unlink()
        full_env = {"PATH": os.environ["PATH"], "SPARK_HOME": str(self.home), "STUB_RECORD": str(self.record),
                    "KERNEL_LAUNCHERS_DIR": str(self.launchers), **env}
        proc = subprocess.run([str(script), *args], env=full_env, capture_output=True, text=True, timeout=60)
        proc.argv = self.record.read_text().split("\0")[:-1] if self.record.exists() else None
        return proc

    def toree_jars(self):
        lib = self.launchers / "scala" / "lib"
        lib.mkdir(parents=True, exist_ok=True)
        (lib / "toree-assembly-0.5.0.jar").write_text("")
        (lib / "toree-launcher_2.12-0.5.0.jar").write_text("")
        return lib


@pytest.fixture
def spark(tmp_path):
    return Spark(tmp_path)


def kernel_env(spark_opts_key, spark_opts, client_env, extra_spec_env=None):
    spec_env = {"SPARK_HOME": "", spark_opts_key: spark_opts, "LAUNCH_OPTS": "", **(extra_spec_env or {})}
    env = {**SERVER_ENV, **client_env}
    env.update(jupyter_client_env(spec_env, env))
    env.pop("SPARK_HOME")  # Spark.run sets the stub's home
    env.update(PROVISIONER_ENV)
    return env


def test_python(spark):
    env = kernel_env("SPARK_OPTS", PY_SPARK_OPTS,
                     {"KERNEL_USERNAME": "alice", "KERNEL_EXTRA_SPARK_OPTS": '--conf spark.x="a b"'})
    proc = spark.run("python", PY_ARGS, env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "\nStarting IPython kernel for Spark in Kubernetes mode on behalf of user alice\n\n"
    expected = [str(spark.home / "bin" / "spark-submit"), *expanded_opts(), "--conf", "spark.x=a b",
                f"local://{spark.launchers}/python/scripts/launch_ipykernel.py", *PY_ARGS]
    assert proc.argv == expected
    assert len(proc.argv) == 44  # spark-submit + the 43 arguments observed for the reference
    assert "+ exec " in proc.stderr  # command traced on stderr


def test_r(spark):
    env = kernel_env("SPARK_OPTS", R_SPARK_OPTS, {"KERNEL_USERNAME": "alice"})
    proc = spark.run("r", RS_ARGS, env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "\nStarting IRkernel for Spark in Kubernetes mode on behalf of user alice\n\n"
    assert proc.argv == [str(spark.home / "bin" / "spark-submit"), *expanded_opts(python=False),
                         f"local://{spark.launchers}/R/scripts/launch_IRkernel.R", *RS_ARGS]


def test_scala(spark):
    lib = spark.toree_jars()
    env = kernel_env("__TOREE_SPARK_OPTS__", TOREE_SPARK_OPTS, {"KERNEL_USERNAME": "alice"},
                     {"__TOREE_OPTS__": "--alternate-sigint USR2", "DEFAULT_INTERPRETER": "Scala"})
    proc = spark.run("scala", RS_ARGS, env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "\nStarting Toree kernel for Spark in Kubernetes mode on behalf of user alice\n\n"
    assert proc.argv == [
        str(spark.home / "bin" / "spark-submit"), *expanded_opts(python=False, driver_memory=True),
        "--jars", f"local://{lib}/toree-assembly-0.5.0.jar", "--class", "launcher.ToreeLauncher",
        f"local://{lib}/toree-launcher_2.12-0.5.0.jar", "--alternate-sigint", "USR2", *RS_ARGS,
    ]


def test_scala_runtime_options_take_precedence(spark):
    lib = spark.toree_jars()
    env = {**PROVISIONER_ENV, "__TOREE_SPARK_OPTS__": "--install opts", "__TOREE_OPTS__": "--alternate-sigint USR2",
           "SPARK_OPTS": "--driver-java-options=-Dx=1", "TOREE_OPTS": "--toree 'a b'", "LAUNCH_OPTS": "--launch 1"}
    proc = spark.run("scala", ["--kernel-id", "k1"], env)
    assert proc.returncode == 0, proc.stderr
    assert proc.argv[1:] == [
        "--driver-java-options=-Dx=1", "--jars", f"local://{lib}/toree-assembly-0.5.0.jar",
        "--class", "launcher.ToreeLauncher", f"local://{lib}/toree-launcher_2.12-0.5.0.jar",
        "--toree", "a b", "--launch", "1", "--kernel-id", "k1",
    ]


def test_scala_missing_jars(spark):
    proc = spark.run("scala", [], PROVISIONER_ENV)
    assert proc.returncode == 1
    assert proc.stdout.endswith(
        f"Toree assembly '{spark.launchers}/scala/lib/toree-assembly-*.jar' is missing.  Exiting...\n"
    )
    lib = spark.launchers / "scala" / "lib"
    lib.mkdir(parents=True)
    (lib / "toree-assembly-0.5.0.jar").write_text("")
    proc = spark.run("scala", [], PROVISIONER_ENV)
    assert proc.returncode == 1
    assert proc.stdout.endswith(
        f"Scala launcher jar '{spark.launchers}/scala/lib/toree-launcher*.jar' is missing.  Exiting...\n"
    )
    assert proc.argv is None


@pytest.mark.parametrize("lang, kind", [("python", "IPython kernel"), ("r", "IRkernel"), ("scala", "Toree kernel")])
def test_checks_and_banner(spark, lang, kind):
    proc = spark.run(lang, [], {"GP_IMPERSONATION_ENABLED": "True", "KERNEL_USERNAME": "bob", "SPARK_HOME": ""})
    assert proc.returncode == 1
    assert proc.stdout == (
        f"\nStarting {kind} for Spark in Kubernetes mode as user bob\n\n"
        "SPARK_HOME must be set to the location of a Spark distribution!\n"
    )
    proc = spark.run(lang, [], {"GP_IMPERSONATION_ENABLED": "true"})
    assert proc.returncode == 1
    assert proc.stdout == (
        f"\nStarting {kind} for Spark in Kubernetes mode on behalf of user UNSPECIFIED\n\n"
        "KERNEL_ID must be set for discovery and lifecycle management!\n"
    )
    assert proc.argv is None


def test_launchers_dir_default(spark):
    env = {**PROVISIONER_ENV, "SPARK_OPTS": "", "KERNEL_LAUNCHERS_DIR": ""}
    proc = spark.run("python", [], env)
    assert proc.returncode == 0, proc.stderr
    assert proc.argv[1:] == ["local:///usr/local/bin/kernel-launchers/python/scripts/launch_ipykernel.py"]


def test_arguments_are_passed_verbatim(spark):
    args = ["--public-key", "a b $(touch x) `y` ${KERNEL_ID} 'q'", "", "--x"]
    proc = spark.run("r", args, {**PROVISIONER_ENV, "SPARK_OPTS": "", "LAUNCH_OPTS": "--l \"1 2\""})
    assert proc.returncode == 0, proc.stderr
    assert proc.argv[1:] == [f"local://{spark.launchers}/R/scripts/launch_IRkernel.R", "--l", "1 2", *args]


def test_expansions_are_split_but_not_reparsed(spark):
    env = {**PROVISIONER_ENV, "SPARK_OPTS": "${KERNEL_EXTRA_SPARK_OPTS} \"${KERNEL_EXTRA_SPARK_OPTS}\" x${EMPTY}y $UNSET",
           "KERNEL_EXTRA_SPARK_OPTS": ' --conf b="c d" ', "EMPTY": ""}
    proc = spark.run("python", [], env)
    assert proc.returncode == 0, proc.stderr
    assert proc.argv[1:-1] == ["--conf", 'b="c', 'd"', ' --conf b="c d" ', "xy"]


def test_unterminated_quote(spark):
    proc = spark.run("python", [], {**PROVISIONER_ENV, "SPARK_OPTS": "--conf 'a=b"})
    assert proc.returncode == 1
    assert proc.stderr.endswith("SPARK_OPTS has an unterminated quote: --conf 'a=b\n")
    assert proc.argv is None


@pytest.mark.parametrize("lang", ["python", "r", "scala"])
def test_client_text_is_never_executed(spark, tmp_path, lang):
    if lang == "scala":
        spark.toree_jars()
    m = {i: tmp_path / f"PWNED{i}" for i in range(1, 7)}
    client = {
        "KERNEL_USERNAME": f"bob$(touch {m[1]})",
        "KERNEL_EXTRA_SPARK_OPTS": f"`touch {m[2]}` $(touch {m[3]})",
        "KERNEL_NAMESPACE": f"ns;touch {m[4]}",
    }
    opts = {"python": PY_SPARK_OPTS, "r": R_SPARK_OPTS, "scala": TOREE_SPARK_OPTS}[lang]
    key = "__TOREE_SPARK_OPTS__" if lang == "scala" else "SPARK_OPTS"
    env = kernel_env(key, opts, client)  # client values pasted into the options by jupyter_client
    env.update({"KERNEL_NAMESPACE": client["KERNEL_NAMESPACE"], "KERNEL_IMAGE": f"i$(touch {m[5]})",
                "KERNEL_SERVICE_ACCOUNT_NAME": f"`touch {m[6]}`"})  # and expanded at run time
    proc = spark.run(lang, ["--kernel-id", "k1"], env)
    assert proc.returncode == 0, proc.stderr
    assert not any(path.exists() for path in m.values())
    words = proc.argv
    assert words[5:8] == ["--name", "bob$(touch", f"{m[1]})-k1"]
    assert words[8:11] == ["--conf", "spark.kubernetes.namespace=ns;touch", str(m[4])]
    assert "spark.kubernetes.driver.container.image=i$(touch" in words and f"{m[5]})" in words
    assert "spark.kubernetes.authenticate.driver.serviceAccountName=`touch" in words and f"{m[6]}`" in words
    extra = words.index("`touch")  # KERNEL_EXTRA_SPARK_OPTS, pasted by jupyter_client
    assert words[extra:extra + 4] == ["`touch", f"{m[2]}`", "$(touch", f"{m[3]})"]


@pytest.mark.parametrize("lang", ["python", "r", "scala"])
def test_syntax_and_shebang(lang):
    subprocess.run(["bash", "-n", str(RUN_SH[lang])], check=True)
    assert RUN_SH[lang].read_text().startswith("#!/usr/bin/env bash\n")
    assert "eval" not in RUN_SH[lang].read_text().replace("never reach eval", "")


def test_shared_part_is_shipped_whole_in_each_run_sh():
    shared = (REPO / "templates/common/run_shared.sh").read_text()
    for lang, path in RUN_SH.items():
        text = path.read_text()
        assert "# @include" not in text, lang
        assert text.count(shared) == 1, lang

