"""The README's container recipe, built for real.

The README's "In a container image" section quotes docker/*.Dockerfile and the commands that
build them; these tests check that the quoted text is the files' text, then run those commands
(adding only --network=host, for pip, and the local base image as PYTHON_IMAGE, since no image
registry is reachable here) and look inside each image:

* jupyter-k8s-spec: FROM scratch, exactly one file, the static binary, which runs there alone;
* jupyter-host: `jupyter kernelspec list --json` shows the kernelspecs its RUN lines installed,
  each with its provisioner, written by our binary (which replaced gateway-provisioners' script);
* team-kernels: FROM jupyter-host, `install --replace` of a kernelspec that lives in a lower
  image layer (overlay2).
"""

import glob
import hashlib
import io
import json
import os
import re
import shlex
import subprocess
import tarfile

import pytest

from conftest import BUILD_TIMEOUT, REPO, cargo_version, run, sha256

KERNELS = "/usr/local/share/jupyter/kernels"
TEAM_IMAGE = "example.org/team/kernel-py:2.1"


def readme_section():
    with open(os.path.join(REPO, "README.md")) as f:
        text = f.read()
    start = text.index("### In a container image\n")
    end = text.index("\n##", start + 1)
    return text[start:end]


def code_blocks(text, lang):
    return re.findall(rf"^```{lang}\n(.*?)^```$", text, re.M | re.S)


def dockerfiles():
    return {os.path.relpath(p, REPO): open(p).read()
            for p in sorted(glob.glob(os.path.join(REPO, "docker", "*.Dockerfile")))}


def readme_commands():
    """The README's build commands, one argv each."""
    [block] = code_blocks(readme_section(), "sh")
    return [shlex.split(line) for line in block.splitlines() if line.strip()]


def test_readme_quotes_the_dockerfiles_the_tests_build():
    files = dockerfiles()
    assert set(files) == {"docker/jupyter-k8s-spec.Dockerfile", "docker/jupyter-host.Dockerfile",
                          "docker/team-kernels.Dockerfile"}
    quoted = code_blocks(readme_section(), "dockerfile")
    # Every quoted recipe is one of the files, verbatim, and every file is quoted once.
    assert sorted(quoted) == sorted(files.values())
    for path, text in files.items():
        assert text.startswith(f"# {path}: "), f"{path} should name itself on its first line"
    commands = readme_commands()
    assert commands[0] == ["scripts/build-static.sh"]
    assert [c[:3] for c in commands[1:]] == [["docker", "build", "-f"]] * 3
    assert [c[3] for c in commands[1:]] == ["docker/jupyter-k8s-spec.Dockerfile",
                                            "docker/jupyter-host.Dockerfile", "docker/team-kernels.Dockerfile"]
    # The distribution image takes the binary from where scripts/build-static.sh puts it, and the
    # build context holds nothing else.
    with open(os.path.join(REPO, ".dockerignore")) as f:
        ignore = [line for line in f.read().splitlines() if line and not line.startswith("#")]
    copied = re.search(r"^COPY (\S+) /jupyter-k8s-spec$", files["docker/jupyter-k8s-spec.Dockerfile"], re.M)
    assert ignore == ["*", f"!{copied.group(1)}"]


@pytest.fixture(scope="module")
def builds(docker, base_image, static_bin):
    """Runs the README's commands (static_bin ran its first); image tag -> the build's output."""
    commands = readme_commands()
    assert static_bin == os.path.join(REPO, "target/static/x86_64-unknown-linux-gnu/release/jupyter-k8s-spec")
    out = {}
    for argv in commands[1:]:
        tag = argv[argv.index("-t") + 1]
        with open(os.path.join(REPO, argv[argv.index("-f") + 1])) as f:
            base_arg = [f"--build-arg=PYTHON_IMAGE={base_image}"] if "\nARG PYTHON_IMAGE=" in f.read() else []
        argv = [docker.exe, *argv[1:-1], "--network=host", *base_arg, argv[-1]]
        proc = run(argv, cwd=REPO, timeout=BUILD_TIMEOUT, ok=False)
        proc.stdout = re.sub(r"\x1b\[[0-9;]*m", "", proc.stdout)  # the client colours the steps' stderr
        print(f"\n$ {shlex.join(argv)}\n{proc.stdout[-3000:]}{proc.stderr[-3000:]}")
        out[tag] = proc
    return out


def built(builds, tag):
    proc = builds[tag]
    assert proc.returncode == 0, f"docker build of {tag} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc


def local_kernel_json(static_bin, tmp_path, image_prefix, *args):
    """kernel.json as the same binary writes it outside any image, for a kernelspec installed
    with --prefix=image_prefix (the file names its launcher by absolute path)."""
    prefix = tmp_path / "local"
    run(["env", "-i", static_bin, "install", f"--prefix={prefix}", *args])
    [path] = glob.glob(str(prefix / "share/jupyter/kernels/*/kernel.json"))
    with open(path) as f:
        return f.read().replace(str(prefix), image_prefix)


def test_distribution_image_holds_only_the_binary(docker, builds, static_bin, tmp_path):
    built(builds, "jupyter-k8s-spec")
    # Every layer of the saved image, every entry of each layer.
    saved = subprocess.run([docker.exe, "save", "jupyter-k8s-spec"], capture_output=True, timeout=120, check=True).stdout
    entries = []
    with tarfile.open(fileobj=io.BytesIO(saved)) as image:
        [manifest] = json.load(image.extractfile("manifest.json"))
        for layer in manifest["Layers"]:
            with tarfile.open(fileobj=image.extractfile(layer)) as tar:
                for member in tar.getmembers():
                    data = tar.extractfile(member).read() if member.isfile() else None
                    entries.append((member.name, member.type, member.mode & 0o7777, data))
        config = json.load(image.extractfile(manifest["Config"]))
    assert len(manifest["Layers"]) == 1
    assert [(name, kind, oct(mode)) for name, kind, mode, _ in entries] == [
        ("jupyter-k8s-spec", tarfile.REGTYPE, "0o755")]
    assert hashlib.sha256(entries[0][3]).hexdigest() == sha256(static_bin)
    assert config["config"]["Entrypoint"] == ["/jupyter-k8s-spec"]

    # It runs in that empty file system: no C library, no /etc/passwd, no HOME.
    assert docker.run("jupyter-k8s-spec", "--version").stdout == f"{cargo_version()}\n"
    out = tmp_path / "out"
    out.mkdir()
    proc = docker.run("jupyter-k8s-spec", "install", "--prefix=/out", volumes=[(out, "/out")])
    assert "Installed kernelspec k8s_python in /out/share/jupyter/kernels/k8s_python" in proc.stderr
    with open(out / "share/jupyter/kernels/k8s_python/kernel.json") as f:
        assert f.read() == local_kernel_json(static_bin, tmp_path, "/out")


def kernelspecs(docker, image):
    listing = json.loads(docker.run(image, "jupyter", "kernelspec", "list", "--json").stdout)
    return listing["kernelspecs"]


def test_host_image_lists_the_kernelspecs_it_installed(docker, builds, static_bin, tmp_path):
    # (What the images hold is checked, not the build's log: steps may come from the layer cache.)
    built(builds, "jupyter-host")
    specs = kernelspecs(docker, "jupyter-host")
    assert {name: (s["resource_dir"], s["spec"]["metadata"]["kernel_provisioner"]["provisioner_name"])
            for name, s in specs.items()} == {  # no python3: the host runs no local kernel
        "k8s_python": (f"{KERNELS}/k8s_python", "kubernetes-provisioner"),
        "k8s_python_spark_operator": (f"{KERNELS}/k8s_python_spark_operator", "spark-operator-provisioner"),
    }
    # Our binary replaced gateway-provisioners' Python script of the same name, and wrote exactly
    # what it writes anywhere else.
    assert docker.run("jupyter-host", "jupyter-k8s-spec", "--version").stdout == f"{cargo_version()}\n"
    assert docker.run("jupyter-host", "sha256sum", "/usr/local/bin/jupyter-k8s-spec").stdout.split()[0] == \
        sha256(static_bin)
    shown = docker.run("jupyter-host", "cat", f"{KERNELS}/k8s_python/kernel.json").stdout
    assert shown == local_kernel_json(static_bin, tmp_path, "/usr/local")


def test_derived_image_replaces_a_kernelspec_of_its_base(docker, builds, static_bin, tmp_path):
    """The kernelspec directory is in the base image's layer: renaming it fails with EXDEV on
    overlay2, so the replace has to work without an exchange of the two directories."""
    built(builds, "team-kernels")

    before, after = kernelspecs(docker, "jupyter-host"), kernelspecs(docker, "team-kernels")
    assert after["k8s_python"]["spec"]["metadata"]["kernel_provisioner"]["config"]["image_name"] == TEAM_IMAGE
    assert before["k8s_python"]["spec"]["metadata"]["kernel_provisioner"]["config"]["image_name"] != TEAM_IMAGE
    assert after["k8s_python_spark_operator"] == before["k8s_python_spark_operator"]
    assert docker.run("team-kernels", "ls", "-A", KERNELS).stdout.split() == ["k8s_python", "k8s_python_spark_operator"]
    shown = docker.run("team-kernels", "cat", f"{KERNELS}/k8s_python/kernel.json").stdout
    assert shown == local_kernel_json(static_bin, tmp_path, "/usr/local", f"--image-name={TEAM_IMAGE}")
