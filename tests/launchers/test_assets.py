"""Static checks of the shipped files: they compile, logos are what make_logos.py draws, kernel.js parses."""

import importlib.util
import py_compile
import shutil
import struct
import subprocess
import zlib

import pytest

from conftest import ASSETS, CRD_SCRIPTS, K8S_SCRIPTS, REPO, RUN_SH

LAUNCHERS = [K8S_SCRIPTS / "launch_kubernetes.py", CRD_SCRIPTS / "launch_custom_resource.py"]


@pytest.mark.parametrize("path", LAUNCHERS + [ASSETS / "make_logos.py"], ids=lambda p: p.name)
def test_python_files_compile(path, tmp_path):
    py_compile.compile(str(path), cfile=str(tmp_path / "out.pyc"), doraise=True)


@pytest.mark.parametrize("lang", sorted(RUN_SH))
def test_run_sh_syntax(lang):
    subprocess.run(["bash", "-n", str(RUN_SH[lang])], check=True)


def test_launchers_ship_the_shared_parts_whole_and_self_contained():
    rendering = (REPO / "templates/common/launcher_shared.py").read_text()
    api = (REPO / "templates/common/launcher_api.py").read_text()
    for path in LAUNCHERS:
        text = path.read_text()
        assert "# @include" not in text, path
        assert text.count(rendering) == 1, path
        assert text.count(api) == 1, path
    assert "class YamlSafeExtension" in rendering
    assert "class InClusterTransport" in api


def test_templates_exist_with_the_installed_names():
    assert (K8S_SCRIPTS / "kernel-pod.yaml.j2").read_text().count("kind: Pod") == 1
    assert (CRD_SCRIPTS / "sparkoperator.k8s.io-v1beta2.yaml.j2").read_text().count("kind: SparkApplication") == 1
    assert sorted(p.name for p in K8S_SCRIPTS.iterdir() if p.is_file()) == ["kernel-pod.yaml.j2", "launch_kubernetes.py"]
    assert sorted(p.name for p in CRD_SCRIPTS.iterdir() if p.is_file()) == [
        "launch_custom_resource.py", "sparkoperator.k8s.io-v1beta2.yaml.j2"]


def read_png(path):
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks = 8, []
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        assert crc == zlib.crc32(kind + body) & 0xFFFFFFFF
        chunks.append((kind, body))
        pos += 12 + length
    assert [k for k, _ in chunks] == [b"IHDR", b"IDAT", b"IEND"]
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", chunks[0][1])
    raw = zlib.decompress(chunks[1][1])
    stride = width * 4
    rows = [raw[r * (stride + 1):(r + 1) * (stride + 1)] for r in range(height)]
    assert all(row[0] == 0 for row in rows)  # filter type "none", as make_logos writes
    return (width, height, depth, colour, interlace), b"".join(row[1:] for row in rows)


@pytest.fixture(scope="module")
def make_logos():
    spec = importlib.util.spec_from_file_location("make_logos", ASSETS / "make_logos.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("lang", ["python", "r", "scala"])
def test_logo_is_the_generated_drawing(make_logos, lang):
    header, pixels = read_png(ASSETS / lang / "logo-64x64.png")
    assert header == (64, 64, 8, 6, 0)  # 64x64, 8-bit RGBA, not interlaced
    assert pixels == make_logos.render(lang)
    alpha = pixels[3::4]
    assert alpha[0] == 0 and alpha[32 * 64 + 32] == 255  # transparent corner, opaque centre


def test_logos_differ(make_logos):
    images = {lang: (ASSETS / lang / "logo-64x64.png").read_bytes() for lang in ("python", "r", "scala")}
    assert len(set(images.values())) == 3


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_kernel_js_parses():
    subprocess.run(["node", "--check", str(ASSETS / "r" / "kernel.js")], check=True)


def test_kernel_js_registers_the_r_shortcuts():
    text = (ASSETS / "r" / "kernel.js").read_text()
    assert text.count("define(") == 1
    for needle in ['"Alt--"', '" <- "', '" %>% "', "-M`", '"F1"', "open_with_text.Pager", "MathJax.Hub.Queue"]:
        assert needle in text
