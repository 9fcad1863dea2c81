"""What goes to PyPI (scripts/build-wheel.sh), installed as users install it.

* the wheel: the static binary, tagged manylinux2014 / manylinux_2_17 after maturin's audit,
  installed with pip in a container of the local base image (Debian's glibc, not the build
  machine's environment) next to gateway-provisioners, then `jupyter k8s-spec install
  --sys-prefix` and `jupyter kernelspec list` there;
* the sdist: holds what cargo needs and nothing of the test suites, and `pip install` builds it
  from source into a fresh virtualenv.
"""

import json
import os
import re
import sys
import tarfile
import zipfile

import pytest

from conftest import BUILD_TIMEOUT, REPO, cargo_version, run, sha256

VERSION = cargo_version()
WHEEL_TAGS = ["py3-none-manylinux2014_x86_64", "py3-none-manylinux_2_17_x86_64"]
WHEEL = f"jupyter_k8s_spec-{VERSION}-py3-none-manylinux2014_x86_64.manylinux_2_17_x86_64.whl"
SDIST = f"jupyter_k8s_spec-{VERSION}.tar.gz"
KERNELS = "/usr/local/share/jupyter/kernels"


@pytest.fixture(scope="module")
def release(static_bin, tmp_path_factory):
    """scripts/build-wheel.sh into a fresh directory; {"wheel": path, "sdist": path}."""
    out = tmp_path_factory.mktemp("dist")
    proc = run(["bash", os.path.join(REPO, "scripts", "build-wheel.sh"), str(out)], cwd=REPO,
               timeout=BUILD_TIMEOUT)
    print("\n" + proc.stderr[-3000:])
    assert sorted(os.listdir(out)) == sorted([WHEEL, SDIST]), proc.stdout
    assert proc.stdout.split() == [str(out / name) for name in sorted([WHEEL, SDIST])]
    return {"wheel": str(out / WHEEL), "sdist": str(out / SDIST), "dir": str(out)}


def test_wheel_is_manylinux2014_and_holds_the_static_binary(release, static_bin, tmp_path):
    with zipfile.ZipFile(release["wheel"]) as z:
        names = z.namelist()
        wheel_meta = z.read(f"jupyter_k8s_spec-{VERSION}.dist-info/WHEEL").decode()
        meta = z.read(f"jupyter_k8s_spec-{VERSION}.dist-info/METADATA").decode()
        z.extract(f"jupyter_k8s_spec-{VERSION}.data/scripts/jupyter-k8s-spec", tmp_path)
    assert [line[5:] for line in wheel_meta.splitlines() if line.startswith("Tag: ")] == WHEEL_TAGS
    assert "Root-Is-Purelib: false" in wheel_meta.splitlines()
    assert [n for n in names if "/scripts/" in n] == [f"jupyter_k8s_spec-{VERSION}.data/scripts/jupyter-k8s-spec"]
    assert not any(line.startswith("Requires-Dist:") for line in meta.splitlines())

    # The very binary of scripts/build-static.sh: no shared library, no versioned glibc symbol,
    # so the only floor is the kernel glibc was built for, which manylinux2014 (CentOS 7's 3.10)
    # is above.
    binary = tmp_path / f"jupyter_k8s_spec-{VERSION}.data/scripts/jupyter-k8s-spec"
    assert sha256(binary) == sha256(static_bin)
    described = run(["file", "-b", str(binary)]).stdout
    assert re.search(r"static-pie linked|statically linked", described), described
    kernel = re.search(r"for GNU/Linux (\d+)\.(\d+)", described)
    assert kernel and (int(kernel.group(1)), int(kernel.group(2))) <= (3, 10), described


def test_sdist_holds_the_sources_and_builds_with_pip(release, tmp_path):
    with tarfile.open(release["sdist"]) as tar:
        names = {n.split("/", 1)[1] for n in tar.getnames() if "/" in n}
    for needed in ("Cargo.toml", "Cargo.lock", "pyproject.toml", "build.rs", "README.md", "LICENSE",
                   "src/main.rs", "templates/kubernetes/scripts/kernel-pod.yaml.j2", "schema/k8s-core.txt"):
        assert needed in names, needed
    for left_out in ("docker/", "tests/containers/", "tests/e2e/", "tests/launchers/", "scripts/", ".ci/"):
        assert not any(n.startswith(left_out) for n in names), left_out
    assert ".dockerignore" not in names

    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", str(venv)])
    # pip builds it with cargo (maturin comes from PyPI); the build directory under target/ keeps
    # the dependencies compiled between runs.
    env = dict(os.environ, CARGO_TARGET_DIR=os.path.join(REPO, "target", "sdist-build"))
    run([str(venv / "bin" / "pip"), "install", "-q", "--disable-pip-version-check", release["sdist"]], env=env,
        timeout=BUILD_TIMEOUT)
    exe = venv / "bin" / "jupyter-k8s-spec"
    assert run([str(exe), "--version"], env={"PATH": "/usr/bin:/bin"}).stdout == f"{VERSION}\n"
    proc = run([str(exe), "install", "--sys-prefix"], env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    assert f"Installed kernelspec k8s_python in {venv}/share/jupyter/kernels/k8s_python" in proc.stderr


def pinned(package):
    """The version tests/e2e/requirements.txt pins, so that the container installs what the rest
    of the suite runs."""
    with open(os.path.join(REPO, "tests", "e2e", "requirements.txt")) as f:
        return re.search(rf"^{re.escape(package)}(?:\[[^]]*\])?==(\S+)$", f.read(), re.M).group(1)


# One container, as a user's shell session: the provisioners first, then the wheel (which replaces
# gateway-provisioners' Python script of the same name), then the install through Jupyter's
# dispatcher. Each step's output follows a marker line.
SESSION = """
set -e
echo '@@ provisioners'; pip install -q gateway_provisioners=={gp} jupyter_client=={jc}
echo '@@ script before'; head -c 2 /usr/local/bin/jupyter-k8s-spec; echo
echo '@@ wheel'; pip install /dist/{wheel}
echo '@@ script after'; head -c 4 /usr/local/bin/jupyter-k8s-spec | od -An -c
echo '@@ version'; jupyter-k8s-spec --version
echo '@@ install'; jupyter k8s-spec install --sys-prefix 2>&1
echo '@@ list'; jupyter kernelspec list --json
"""


def test_wheel_installs_with_pip_in_a_container(docker, base_image, release, tmp_path):
    cache = os.path.join(REPO, "target", "containers", "pip-cache")
    os.makedirs(cache, exist_ok=True)
    script = SESSION.format(gp=pinned("gateway-provisioners"), jc=pinned("jupyter_client"), wheel=WHEEL)
    proc = docker.run(base_image, "sh", "-c", script, network="host", timeout=900,
                      volumes=[(release["dir"], "/dist:ro"), (cache, "/root/.cache/pip")])
    steps = dict(re.findall(r"^@@ ([^\n]+)\n(.*?)(?=^@@ |\Z)", proc.stdout, re.M | re.S))
    assert steps["script before"].strip() == "#!"  # gateway-provisioners' Python script
    assert f"Successfully installed jupyter-k8s-spec-{VERSION}" in steps["wheel"], steps["wheel"]
    assert steps["script after"].split() == ["177", "E", "L", "F"]
    assert steps["version"] == f"{VERSION}\n"
    assert f"Installed kernelspec k8s_python in {KERNELS}/k8s_python\n" in steps["install"]
    assert "[W " not in steps["install"], steps["install"]  # the kernel directory is on Jupyter's path
    listing = json.loads(steps["list"])["kernelspecs"]
    assert list(listing) == ["k8s_python"]
    assert listing["k8s_python"]["resource_dir"] == f"{KERNELS}/k8s_python"
    assert listing["k8s_python"]["spec"]["metadata"]["kernel_provisioner"]["provisioner_name"] == \
        "kubernetes-provisioner"
