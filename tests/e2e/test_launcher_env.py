"""Which environment variables reach the kernel pod: the launcher's whole environment, exactly as
the reference's launcher passes it on (launchers.md 4.6, weaknesses W4 and L10).

The provisioner starts the launcher with the server's environment plus the kernel's variables;
both launchers append every variable of their environment to the kernel container's env, so a
variable meant for the server (a secret, KERNEL_LAUNCHERS_DIR of the Spark kernelspecs, PATH)
reaches the pod too.  We keep the reference's contract -- kernel images rely on it -- and the
README's "Kernel launches" section says what follows from it.  Both launchers write the pod here
(--pod-template mode, no API server needed), from the same environment."""

import glob
import os
import shutil
import subprocess

import pytest
import yaml

from conftest import VENVS, installer_bin

pytestmark = pytest.mark.skipif(os.environ.get("E2E_REFERENCE") == "1",
                                reason="compares our launcher with the reference's itself")

ARGS = ["--kernel-id", "k1", "--port-range", "0..0", "--response-address", "127.0.0.1:8877", "--public-key", "PK",
        "--kernel-class-name", "ipykernel.ipkernel.IPythonKernel"]


def pod_env(scripts, env, out):
    proc = subprocess.run([os.path.join(VENVS["main"], "bin", "python"), os.path.join(scripts, "launch_kubernetes.py"),
                           *ARGS, "--pod-template", str(out)], env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    with open(out) as f:
        pod = yaml.safe_load(f)
    return pod["spec"]["containers"][0]["env"]


def test_the_pod_gets_the_launchers_whole_environment_as_the_reference_gives_it(tmp_path):
    ours_prefix = tmp_path / "ours"
    subprocess.run([installer_bin(), "install", f"--prefix={ours_prefix}"], check=True, capture_output=True,
                   env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}, timeout=60)
    ours = ours_prefix / "share/jupyter/kernels/k8s_python/scripts"
    reference = tmp_path / "reference/k8s_python/scripts"  # the same kernelspec name: KERNEL_NAME
    reference.mkdir(parents=True)
    [source] = glob.glob(os.path.join(VENVS["main"], "lib", "python3*", "site-packages", "gateway_provisioners",
                                      "kernel-launchers", "kubernetes", "scripts"))
    for name in ("launch_kubernetes.py", "kernel-pod.yaml.j2"):
        shutil.copy(os.path.join(source, name), reference / name)
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(yaml.safe_dump({
        "apiVersion": "v1", "kind": "Config", "current-context": "c",
        "clusters": [{"name": "c", "cluster": {"server": "http://127.0.0.1:1"}}],
        "users": [{"name": "u", "user": {"token": "t"}}],
        "contexts": [{"name": "c", "context": {"cluster": "c", "user": "u"}}]}))
    env = {
        # the server's own environment ...
        "PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/home/gateway", "LANG": "C.UTF-8",
        "KUBECONFIG": str(kubeconfig), "GATEWAY_DB_PASSWORD": "s3cret",
        "KERNEL_LAUNCHERS_DIR": "/opt/gateway/kernel-launchers",  # set for the Spark kernelspecs
        # ... and what the provisioner adds for the kernel
        "KERNEL_USERNAME": "alice", "KERNEL_ID": "k1", "KERNEL_NAMESPACE": "default", "KERNEL_POD_NAME": "alice-k1",
        "KERNEL_IMAGE": "elyra/kernel-py:0.5.0", "KERNEL_SERVICE_ACCOUNT_NAME": "default", "KERNEL_UID": "1000",
        "KERNEL_GID": "100", "KERNEL_LANGUAGE": "python",
    }
    got = pod_env(ours, env, tmp_path / "ours.yaml")
    assert got == pod_env(reference, env, tmp_path / "reference.yaml")
    # Every variable, in the environment's order, then those the launcher sets itself.
    assert [e["name"] for e in got] == [*env, "PORT_RANGE", "PUBLIC_KEY", "RESPONSE_ADDRESS",
                                        "KERNEL_SPARK_CONTEXT_INIT_MODE", "KERNEL_CLASS_NAME", "KERNEL_NAME"]
    values = {e["name"]: e["value"] for e in got}
    assert (values["GATEWAY_DB_PASSWORD"], values["KERNEL_LAUNCHERS_DIR"], values["PATH"]) == (
        "s3cret", "/opt/gateway/kernel-launchers", "/usr/local/bin:/usr/bin:/bin")
