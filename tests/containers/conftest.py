"""Fixtures of the container tests: the suite's own container runtime and the images it builds.

run.sh starts the runtime (scripts/setup/docker.sh: a dockerd of its own, host network only) and
exports DOCKER_HOST and DOCKER; when the runtime could not start, it exports
K8S_SPEC_DOCKER_ERROR instead, and every test here fails with that reason (none is skipped).
Containers get --network=host (they reach the package index through the host) or --network=none;
the tests never create a container network.
"""

import hashlib
import importlib.util
import json
import os
import re
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
BUILD_TIMEOUT = 900  # a cold release build, or a cold base image, on a small shared machine


def cargo_version():
    with open(os.path.join(REPO, "Cargo.toml")) as f:
        return re.search(r'^version = "([^"]+)"', f.read(), re.M).group(1)


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def run(cmd, timeout=120, ok=True, **kw):
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kw)
    if ok:
        assert proc.returncode == 0, (f"{cmd} exited {proc.returncode}\n--- stdout ---\n{proc.stdout[-4000:]}"
                                      f"\n--- stderr ---\n{proc.stderr[-4000:]}")
    return proc


class Docker:
    """The client of the suite's daemon (DOCKER_HOST from scripts/setup/docker.sh)."""

    def __init__(self, exe):
        self.exe = exe

    def __call__(self, *args, timeout=120, ok=True, **kw):
        return run([self.exe, *args], timeout=timeout, ok=ok, **kw)

    def run(self, image, *cmd, network="none", volumes=(), env=None, timeout=300, ok=True):
        """`docker run --rm` of one command; network is "none" or "host", nothing else."""
        assert network in ("none", "host"), network
        args = ["run", "--rm", f"--network={network}"]
        for host_path, container_path in volumes:
            args += ["-v", f"{host_path}:{container_path}"]
        for key, value in (env or {}).items():
            args += ["-e", f"{key}={value}"]
        return self(*args, image, *cmd, timeout=timeout, ok=ok)


@pytest.fixture(scope="session")
def docker():
    reason = os.environ.get("K8S_SPEC_DOCKER_ERROR")
    if reason:
        pytest.fail(f"no container runtime: {reason}", pytrace=False)
    if not os.environ.get("DOCKER_HOST"):
        pytest.fail("no container runtime: DOCKER_HOST is not set (run tests/containers/run.sh, "
                    "which starts one with scripts/setup/docker.sh)", pytrace=False)
    client = Docker(os.environ.get("DOCKER", "docker"))
    version = client("version", "--format", "{{.Server.Version}}", ok=False)
    if version.returncode != 0:
        pytest.fail(f"no container runtime: the daemon at {os.environ['DOCKER_HOST']} does not answer: "
                    f"{version.stderr.strip()}", pytrace=False)
    return client


@pytest.fixture(scope="session")
def base_image(docker):
    """The local stand-in for python:3.x-slim (scripts/setup/base-image.sh; built once, cached)."""
    proc = run(["bash", os.path.join(REPO, "scripts", "setup", "base-image.sh")], timeout=BUILD_TIMEOUT,
               ok=False)
    if proc.returncode != 0:
        pytest.fail(f"the base image could not be built: {proc.stderr.strip()[-2000:]}", pytrace=False)
    print("\n" + proc.stderr)
    return proc.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="session")
def static_bin():
    """scripts/build-static.sh, as the README tells users to run it."""
    proc = run(["bash", os.path.join(REPO, "scripts", "build-static.sh")], cwd=REPO, timeout=BUILD_TIMEOUT)
    path = proc.stdout.strip().splitlines()[-1]
    return path if os.path.isabs(path) else os.path.join(REPO, path)


# ---- kernels in containers: the end-to-end suite's gateway, with the container kubelet ---------

E2E = os.path.join(REPO, "tests", "e2e")
sys.path.insert(0, E2E)
_spec = importlib.util.spec_from_file_location("e2e_conftest", os.path.join(E2E, "conftest.py"))
e2e = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(e2e)
# The end-to-end suite's fixtures, used as they are: certificates, Spark home, the kernelspecs its
# installer writes, and the gateway (jupyter_client + gateway-provisioners in its own process).
tls, spark_home, specs, gateway = e2e.tls, e2e.spark_home, e2e.specs, e2e.gateway

from container_kubelet import LABEL, ContainerKubelet  # noqa: E402
from k8s_standin import StandIn  # noqa: E402

KERNEL_IMAGE = "k8s-spec-local/kernel-py:e2e"
SHM_SIZE = "256Mi"


@pytest.fixture(scope="session")
def kernel_image(docker, base_image, tmp_path_factory):
    """images/kernel-py.Dockerfile built on the base image, with the suite's pinned versions."""
    context = tmp_path_factory.mktemp("kernel-image")
    with open(os.path.join(E2E, "requirements.txt")) as f:  # as a constraints file: no extras
        (context / "constraints.txt").write_text(
            "".join(re.sub(r"\[[^]]*\]", "", line) for line in f if not line.startswith("#")))
    proc = docker("build", "--network=host", f"--build-arg=PYTHON_IMAGE={base_image}", "-t", KERNEL_IMAGE,
                  "-f", os.path.join(HERE, "images", "kernel-py.Dockerfile"), str(context),
                  timeout=BUILD_TIMEOUT, ok=False)
    if proc.returncode != 0:
        pytest.fail(f"the kernel image could not be built:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return KERNEL_IMAGE


def shm_template(stock):
    """The stock pod template with the seed's unconditional /dev/shm volume (deploy-kubernetes.md,
    "Unconditional Volume Mounts"), given a size."""
    mount = "    volumeMounts:\n"
    volume = "  volumes:\n"
    assert stock.count(mount) == 1 and stock.count(volume) == 1
    return (stock.replace(mount, mount + "    - mountPath: /dev/shm\n      name: dshm\n")
            .replace(volume, volume + f"  - name: dshm\n    emptyDir:\n      medium: Memory\n"
                                      f"      sizeLimit: {SHM_SIZE}\n"))


@pytest.fixture(scope="session")
def container_specs(specs, kernel_image, tmp_path_factory):
    """Kernelspecs naming the local kernel image, installed next to the suite's: c_python, and
    c_shm whose template gives the kernel a memory-backed /dev/shm."""
    binary = e2e.installer_bin()
    prefix = specs["_prefix"]
    base = ["install", f"--prefix={prefix}", f"--image-name={kernel_image}"]
    run([binary, *base, "--kernel-name=c_python", "--display-name=Container Python"])
    stock = os.path.join(prefix, "share", "jupyter", "kernels", "c_python", "scripts", "kernel-pod.yaml.j2")
    template = tmp_path_factory.mktemp("templates") / "shm-pod.yaml.j2"
    with open(stock) as f:
        template.write_text(shm_template(f.read()))
    run([binary, *base, "--kernel-name=c_shm", "--display-name=Container Python, large /dev/shm",
         f"--kernel-pod-template={template}"])
    return {name: os.path.join(prefix, "share", "jupyter", "kernels", name) for name in ("c_python", "c_shm")}


@pytest.fixture
def cluster(docker, tmp_path, tls):
    """The end-to-end suite's Kubernetes stand-in whose kubelet runs pods as containers."""
    kubelet_dir = tmp_path / "kubelet"
    kubelet = ContainerKubelet(docker.exe, str(kubelet_dir))
    # The stand-in's kubelet schedules, pulls and resolves the env itself and hands over only the
    # container to run; the pod (security context, volumes) is looked up in its state.
    holder = {}
    standin = StandIn(str(tmp_path), tls=(tls["cert"], tls["key"]), namespaces=("default",),
                      runner=kubelet.runner(lambda ns, name: holder["cluster"].get("pods", ns, name)))
    holder["cluster"] = standin.cluster
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(json.dumps({
        "apiVersion": "v1", "kind": "Config", "current-context": "containers",
        "clusters": [{"name": "containers", "cluster": {"server": standin.url}}],
        "users": [{"name": "gateway", "user": {"token": "containers-gateway-token"}}],
        "contexts": [{"name": "containers", "context": {"cluster": "containers", "user": "gateway"}}],
    }))
    standin.kubeconfig = str(kubeconfig)
    yield standin
    standin.close()
    assert [(r["method"], r["path"], r["warnings"]) for r in standin.cluster.calls() if r.get("warnings")] == []
    # Nothing of the test's pods may be left: no container (running or stopped), no volume.
    left = docker("ps", "-a", "-q", f"--filter=label={LABEL}").stdout.split()
    if left:
        docker("rm", "--force", *left, ok=False)
    assert left == [], "containers left behind"
    if kubelet_dir.exists():
        assert [p for p in os.listdir(kubelet_dir) if p.startswith("pod-") and not p.endswith(".log")] == []
