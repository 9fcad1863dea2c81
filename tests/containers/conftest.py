"""Fixtures of the container tests: the suite's own container runtime and the images it builds.

run.sh starts the runtime (scripts/setup/docker.sh: a dockerd of its own, host network only) and
exports DOCKER_HOST and DOCKER; when the runtime could not start, it exports
K8S_SPEC_DOCKER_ERROR instead, and every test here fails with that reason (none is skipped).
Containers get --network=host (they reach the package index through the host) or --network=none;
the tests never create a container network.
"""

import hashlib
import os
import re
import subprocess

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
