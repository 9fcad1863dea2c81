"""The ways users install the installer, each done as a user does it.

* the wheel: ``pip wheel .`` (maturin, ``bindings = "bin"``), installed with pip into a fresh
  virtualenv next to jupyter_client, then ``jupyter k8s-spec install --sys-prefix`` through the
  real ``jupyter`` dispatcher and ``jupyter kernelspec list`` finding the result;
* ``cargo install --path .``;
* the static binary of ``scripts/build-static.sh``: no shared library, and it installs with an
  empty environment (``env -i``) and inside a bare chroot.

These build from the repository, whatever K8S_SPEC_BIN names; they are skipped when the suite
runs against the reference (E2E_REFERENCE=1).  Artifacts go to <repo>/target (cargo's usual
caches, so a rerun after an unchanged build only repackages).
"""

import json
import os
import re
import shutil
import stat
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
BUILD_TIMEOUT = 900  # a cold release build on a small machine; a warm one takes seconds

pytestmark = [
    pytest.mark.skipif(os.environ.get("E2E_REFERENCE") == "1",
                       reason="tests this repository's packaging, not the installer under test"),
    pytest.mark.skipif(shutil.which("cargo") is None, reason="needs cargo"),
    pytest.mark.timeout(BUILD_TIMEOUT + 300),
]


def cargo_version():
    with open(os.path.join(REPO, "Cargo.toml")) as f:
        return re.search(r'^version = "([^"]+)"', f.read(), re.M).group(1)


def constraints(path):
    """tests/e2e/requirements.txt as a pip constraints file (which takes no extras): the same
    versions of jupyter_client and friends as the rest of the suite."""
    with open(os.path.join(HERE, "requirements.txt")) as f:
        lines = [re.sub(r"\[[^]]*\]", "", line) for line in f if not line.startswith("#")]
    path.write_text("".join(lines))
    return str(path)


def run(cmd, env=None, timeout=120, ok=True, **kw):
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout, **kw)
    if ok:
        assert proc.returncode == 0, f"{cmd} exited {proc.returncode}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc


def isolated_env(root, path="/usr/bin:/bin"):
    """A user's environment with nothing of ours in it: its own HOME and XDG directories, no
    JUPYTER_*, VIRTUAL_ENV or CONDA_* variables, no activated virtualenv on PATH."""
    home = root / "home"
    home.mkdir(exist_ok=True)
    env = {"PATH": path, "HOME": str(home), "LANG": "C.UTF-8", "TMPDIR": str(home)}
    for var, sub in (("XDG_DATA_HOME", ".local/share"), ("XDG_CONFIG_HOME", ".config"),
                     ("XDG_CACHE_HOME", ".cache"), ("XDG_RUNTIME_DIR", "run")):
        env[var] = str(home / sub)
    return env


def tree(root):
    """Every file and directory below root with its mode and content, for comparisons."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = os.path.join(dirpath, name)
            st = os.lstat(p)
            rel = os.path.relpath(p, root)
            if stat.S_ISDIR(st.st_mode):
                out[rel] = (oct(st.st_mode), None)
            else:
                with open(p, "rb") as f:
                    out[rel] = (oct(st.st_mode), f.read())
    return out


# ---- the wheel ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def wheel():
    """Builds the wheel the way a user does (pip runs maturin from PyPI, maturin runs cargo)."""
    out = os.path.join(REPO, "target", "packaging", "wheel")
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--disable-pip-version-check", "-q",
         "-w", out, REPO], timeout=BUILD_TIMEOUT)
    wheels = [f for f in os.listdir(out) if f.endswith(".whl")]
    assert len(wheels) == 1, wheels
    print(f"\nwheel: {wheels[0]} {os.path.getsize(os.path.join(out, wheels[0]))} bytes")
    return os.path.join(out, wheels[0])


def test_wheel_names_the_command_and_the_cargo_version(wheel):
    import zipfile
    name = os.path.basename(wheel)
    assert re.fullmatch(rf"jupyter_k8s_spec-{re.escape(cargo_version())}-py3-none-[a-z0-9_.]+\.whl", name), name
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
        meta = z.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    assert f"jupyter_k8s_spec-{cargo_version()}.data/scripts/jupyter-k8s-spec" in names
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names), names
    for line in ("Name: jupyter-k8s-spec", "License-Expression: BSD-3-Clause", "Requires-Python: >=3.8",
                 "Classifier: Framework :: Jupyter"):
        assert line in meta.splitlines(), line
    assert not any(line.startswith("Requires-Dist:") for line in meta.splitlines())


def test_wheel_in_a_fresh_venv_through_the_jupyter_dispatcher(wheel, tmp_path):
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", str(venv)])
    py = str(venv / "bin" / "python")
    # A Jupyter host: jupyter_client (with jupyter_core's `jupyter` dispatcher) and the
    # provisioners, without which `jupyter kernelspec list` hides our kernelspecs.
    pip = [py, "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    run([*pip, "-c", constraints(tmp_path / "constraints.txt"), "jupyter_client", "gateway_provisioners"],
        timeout=600)
    # gateway-provisioners has a Python `jupyter-k8s-spec` script of its own; pip lets the wheel
    # installed last replace it without a word, so ours goes in second (as on a real host).
    assert "Python script" in run(["file", "-b", str(venv / "bin" / "jupyter-k8s-spec")]).stdout
    run([*pip, wheel])

    exe = venv / "bin" / "jupyter-k8s-spec"
    assert exe.is_file() and os.access(exe, os.X_OK)
    assert "stripped" in run(["file", "-b", str(exe)]).stdout, "maturin should ship the release binary"
    env = isolated_env(tmp_path)  # the venv is not activated: bin/jupyter finds its neighbours
    assert run([str(exe), "--version"], env=env).stdout == f"{cargo_version()}\n"

    proc = run([str(venv / "bin" / "jupyter"), "k8s-spec", "install", "--sys-prefix"], env=env)
    kernels = os.path.join(str(venv), "share", "jupyter", "kernels")
    spec_dir = os.path.join(kernels, "k8s_python")
    assert f"Installed kernelspec k8s_python in {spec_dir}" in proc.stderr, proc.stderr
    assert "[W " not in proc.stderr, proc.stderr  # the env's kernel dir is on Jupyter's path

    listing = json.loads(run([str(venv / "bin" / "jupyter"), "kernelspec", "list", "--json"], env=env).stdout)
    found = listing["kernelspecs"]["k8s_python"]
    assert os.path.realpath(found["resource_dir"]) == os.path.realpath(spec_dir)
    assert found["spec"]["display_name"] == "Kubernetes Python"
    assert found["spec"]["metadata"]["kernel_provisioner"]["provisioner_name"] == "kubernetes-provisioner"

    # --sys-prefix is --prefix=<the environment the binary is installed in>.
    via_sys_prefix = tree(spec_dir)
    run([str(exe), "install", f"--prefix={venv}", "--replace"], env=env)
    assert tree(spec_dir) == via_sys_prefix

    # Uninstalling removes the command, gateway-provisioners' too (they share the file).
    run([py, "-m", "pip", "uninstall", "-y", "-q", "jupyter-k8s-spec"])
    assert not exe.exists()


# ---- cargo install -----------------------------------------------------------------------------

def test_cargo_install(tmp_path):
    root = tmp_path / "cargo-root"
    env = dict(os.environ, CARGO_TARGET_DIR=os.path.join(REPO, "target"))  # reuse the release build
    run(["cargo", "install", "--locked", "--quiet", "--path", REPO, "--root", str(root)], env=env,
        timeout=BUILD_TIMEOUT)
    exe = root / "bin" / "jupyter-k8s-spec"
    clean = isolated_env(tmp_path)
    assert run([str(exe), "--version"], env=clean).stdout == f"{cargo_version()}\n"
    run([str(exe), "install", f"--prefix={tmp_path / 'prefix'}"], env=clean)
    assert (tmp_path / "prefix" / "share" / "jupyter" / "kernels" / "k8s_python" / "kernel.json").is_file()


# ---- the static binary -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def static_bin():
    proc = run(["bash", os.path.join(REPO, "scripts", "build-static.sh")], cwd=REPO, timeout=BUILD_TIMEOUT)
    print("\n" + proc.stderr)
    path = proc.stdout.strip().splitlines()[-1]
    return path if os.path.isabs(path) else os.path.join(REPO, path)


def test_static_binary_needs_no_shared_library(static_bin):
    assert "static" in run(["file", "-b", static_bin]).stdout  # "static-pie linked" or "statically linked"
    ldd = run(["ldd", static_bin], ok=False)
    assert re.search(r"not a dynamic executable|statically linked", ldd.stdout + ldd.stderr), ldd


def test_static_binary_installs_with_an_empty_environment(static_bin, tmp_path):
    prefix = tmp_path / "prefix"
    proc = run(["env", "-i", static_bin, "install", f"--prefix={prefix}"])
    spec_dir = prefix / "share" / "jupyter" / "kernels" / "k8s_python"
    assert f"Installed kernelspec k8s_python in {spec_dir}" in proc.stderr
    # The same files as the dynamic build writes.
    dynamic = os.path.join(REPO, "target", "release", "jupyter-k8s-spec")
    if os.access(dynamic, os.X_OK):
        written = tree(spec_dir)
        run(["env", "-i", dynamic, "install", f"--prefix={prefix}", "--replace"])
        assert tree(spec_dir) == written


@pytest.mark.skipif(os.geteuid() != 0 or not os.path.exists("/usr/sbin/chroot"), reason="needs root and chroot")
def test_static_binary_in_a_bare_chroot(static_bin, tmp_path):
    """Nothing but the binary and an /etc/passwd: no C library, no NSS modules, no HOME."""
    root = tmp_path / "root"
    for d in ("bin", "etc", "tmp", "home/alice"):
        (root / d).mkdir(parents=True)
    shutil.copy(static_bin, root / "bin" / "jupyter-k8s-spec")
    (root / "etc" / "passwd").write_text("root:x:0:0:root:/home/alice:/bin/sh\n")

    def install(*args):
        return run(["env", "-i", "/usr/sbin/chroot", str(root), "/bin/jupyter-k8s-spec", "install", *args])

    # No HOME: --user goes to the home directory /etc/passwd gives the user.
    install("--user")
    assert (root / "home/alice/.local/share/jupyter/kernels/k8s_python/kernel.json").is_file()
    # ~user is looked up in /etc/passwd too.
    install("--prefix=~root/pfx")
    assert (root / "home/alice/pfx/share/jupyter/kernels/k8s_python/kernel.json").is_file()
    # Neither: the system directory, as jupyter_client's default.
    install()
    assert (root / "usr/local/share/jupyter/kernels/k8s_python/kernel.json").is_file()
