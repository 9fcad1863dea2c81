"""The argv the installer writes into kernel.json (installer.md 7.3) is accepted by the launcher or
run.sh it points at.  The second part runs the real installer (K8S_SPEC_BIN, else target/release or
target/debug; conftest.py builds it when missing) and uses its kernel.json verbatim."""

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import CRD_SCRIPTS, K8S_SCRIPTS, REPO, RUN_SH, base_env, install_spec, run_python
from test_run_sh import PROVISIONER_ENV, SERVER_ENV, Spark, jupyter_client_env

SUBSTITUTIONS = {
    "kernel_id": "11111111-2222-3333-4444-555555555555",
    "port_range": "0..0",
    "response_address": "10.0.0.5:8877",
    "public_key": "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC/+=",
}

K = "<install_dir>"
C = "ipykernel.ipkernel.IPythonKernel"
PY_LAUNCHER = ["python", f"{K}/scripts/launch_kubernetes.py", "--kernel-id", "{kernel_id}", "--port-range",
               "{port_range}", "--response-address", "{response_address}", "--public-key", "{public_key}"]
ARGV = {
    "python": PY_LAUNCHER + ["--transport-encryption", "{transport_encryption}", "--kernel-class-name", C],
    "r": PY_LAUNCHER,
    "scala": PY_LAUNCHER,
    "crd": ["python", f"{K}/scripts/launch_custom_resource.py", "--kernel-id", "{kernel_id}", "--port-range",
            "{port_range}", "--response-address", "{response_address}", "--public-key", "{public_key}",
            "--transport-encryption", "{transport_encryption}", "--kernel-class-name", C],
}

POD_ENV = {"KERNEL_USERNAME": "alice", "KERNEL_NAMESPACE": "ns1", "KERNEL_POD_NAME": "alice-k1",
           "KERNEL_IMAGE": "img:1", "KERNEL_EXECUTOR_IMAGE": "img:1", "KERNEL_SERVICE_ACCOUNT_NAME": "default",
           "KERNEL_UID": "1000", "KERNEL_GID": "100", "KERNEL_LANGUAGE": "python",
           "KERNEL_ID": SUBSTITUTIONS["kernel_id"]}
CRD_ENV = {**POD_ENV, "KERNEL_RESOURCE_NAME": "alice-k1", "KERNEL_CRD_GROUP": "sparkoperator.k8s.io",
           "KERNEL_CRD_VERSION": "v1beta2", "KERNEL_CRD_PLURAL": "sparkapplications"}


def substitute(argv, transport_encryption):
    """The provisioner's argv placeholder substitution (launchers.md 2.1)."""
    values = {**SUBSTITUTIONS, "transport_encryption": transport_encryption}
    return [re.sub(r"\{([A-Za-z0-9_]+)\}", lambda m: values.get(m.group(1), m.group(0)), a) for a in argv]


def run_launcher(argv, mock_api, env):
    script = Path(argv[1])
    return run_python(script, argv[2:], {**base_env(mock_api.kubeconfig), **env})


@pytest.mark.parametrize("variant", ["python", "r", "scala", "crd"])
@pytest.mark.parametrize("encryption", ["", "auto", "required"])
def test_launcher_argv_is_accepted(mock_api, tmp_path, variant, encryption):
    source, name = (CRD_SCRIPTS, "k8s_python_spark_operator") if variant == "crd" else (K8S_SCRIPTS, f"k8s_{variant}")
    scripts = install_spec(tmp_path, source, name)
    argv = [a.replace(K, str(scripts.parent)) for a in substitute(ARGV[variant], encryption)]
    proc = run_launcher(argv, mock_api, CRD_ENV if variant == "crd" else POD_ENV)
    assert proc.returncode == 0, proc.stderr
    assert len(mock_api.requests) == 1 and mock_api.requests[0]["method"] == "POST"
    body = mock_api.requests[0]["body"]
    if variant == "crd":
        args = body["spec"]["arguments"]
        assert args[:2] == ["--kernel-id", SUBSTITUTIONS["kernel_id"]]
        assert ("--transport-encryption" in args) == bool(encryption)
    else:
        env = {e["name"]: e["value"] for e in body["spec"]["containers"][0]["env"]}
        assert env["PUBLIC_KEY"] == SUBSTITUTIONS["public_key"] and env["KERNEL_NAME"] == name
        assert env.get("TRANSPORT_ENCRYPTION") == (encryption if variant == "python" and encryption else None)


# ----- against the installer's own kernel.json ------------------------------------------------------


def installer_binary():
    candidates = [os.environ.get("K8S_SPEC_BIN")] + [
        str(REPO / "target" / profile / "jupyter-k8s-spec") for profile in ("release", "debug")
    ]
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    pytest.fail(f"no jupyter-k8s-spec binary among {candidates} (cargo build --release)")


VARIANTS = {
    "python": [],
    "r": ["--language=R"],
    "scala": ["--language=scala"],
    "python_spark": ["--spark"],
    "r_spark": ["--spark", "--language=R"],
    "scala_spark": ["--spark", "--language=Scala"],
    "crd": ["--spark", "--crd"],
}


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_installed_kernel_json_argv(mock_api, tmp_path, variant):
    prefix = tmp_path / "prefix"
    subprocess.run([installer_binary(), "install", f"--prefix={prefix}", *VARIANTS[variant]],
                   check=True, capture_output=True, env={"PATH": os.environ["PATH"], "HOME": str(tmp_path)})
    (spec,) = (prefix / "share" / "jupyter" / "kernels").iterdir()
    kernel = json.loads((spec / "kernel.json").read_text())
    # run this repository's files (the binary may embed older copies)
    for source in (K8S_SCRIPTS, CRD_SCRIPTS):
        for item in source.iterdir():
            if (spec / "scripts" / item.name).exists():
                shutil.copyfile(item, spec / "scripts" / item.name)
    argv = substitute(kernel["argv"], "auto")
    if argv[0] == "python":
        proc = run_launcher(argv, mock_api, CRD_ENV if variant == "crd" else POD_ENV)
        assert proc.returncode == 0, proc.stderr
        assert len(mock_api.requests) == 1
        return
    lang = variant.split("_")[0]
    assert argv[0] == str(spec / "bin" / "run.sh")
    shutil.copyfile(RUN_SH[lang], argv[0])  # keeps the installed mode
    spark = Spark(tmp_path)
    if lang == "scala":
        spark.toree_jars()
    env = {**SERVER_ENV, "KERNEL_USERNAME": "alice"}
    env.update(jupyter_client_env(kernel["env"], env))
    env.update({**PROVISIONER_ENV, "SPARK_HOME": str(spark.home), "STUB_RECORD": str(spark.record),
                "KERNEL_LAUNCHERS_DIR": str(spark.launchers), "PATH": os.environ["PATH"]})
    proc = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    recorded = spark.record.read_text().split("\0")[:-1]
    assert recorded[-len(argv) + 1:] == argv[1:]
    assert "--name" in recorded and recorded[recorded.index("--name") + 1] == "alice-k1"
