"""Fixtures for the tests of the files shipped into kernelspecs (launchers, templates, run.sh).

The files under test are the ones the binary ships (templates/ after build.rs pasted in the shared
parts): they are installed once per session with K8S_SPEC_BIN (default target/release/
jupyter-k8s-spec, built if missing).  The launchers are run as subprocesses with the interpreter
running pytest, which must have the packages of requirements.txt.  Nothing outside 127.0.0.1 is contacted: the kubeconfig points either
at a closed port (template-only mode) or at MockApi, a small recording HTTP server.
"""

import atexit
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml

sys.dont_write_bytecode = True  # keep __pycache__ out of assets/ and templates/

REPO = Path(__file__).resolve().parents[2]
ASSETS = REPO / "assets"

sys.path.append(str(REPO / "tests"))
from no_skips_in_ci import pytest_runtest_makereport  # noqa: E402,F401  (with CI set, a skip fails)


def _shipped_kernels():
    """Installs every variant with the binary into a temporary prefix; returns its kernels dir."""
    binary = Path(os.environ.get("K8S_SPEC_BIN", REPO / "target/release/jupyter-k8s-spec"))
    if "K8S_SPEC_BIN" not in os.environ and not binary.exists():
        subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=REPO, check=True)
    prefix = Path(tempfile.mkdtemp(prefix="k8s-spec-shipped-"))
    atexit.register(shutil.rmtree, prefix, True)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(prefix)}
    variants = [[], ["--crd", "--spark"]] + [["--spark", f"--language={lang}"] for lang in ("Python", "R", "Scala")]
    for extra in variants:
        subprocess.run([str(binary), "install", f"--prefix={prefix}", *extra], env=env, check=True,
                       stderr=subprocess.DEVNULL)
    return prefix / "share/jupyter/kernels"


def _replace_shared_parts(kernels, parts):
    """Mutation testing (scripts/mutation.sh): the shared parts of every installed launcher are
    replaced by the files of the same name in `parts`, between the markers build.rs frames them
    with, so that a mutated copy is tested without rebuilding the binary."""
    for script in kernels.glob("*/scripts/*.py"):
        text = script.read_text()
        for part in Path(parts).glob("*.py"):
            begin = f"# ----- begin shared part ({part.name}) -----\n"
            end = f"# ----- end shared part ({part.name}) -----\n"
            if begin in text:
                head, rest = text.split(begin, 1)
                text = head + begin + part.read_text() + end + rest.split(end, 1)[1]
        script.write_text(text)


SHIPPED = _shipped_kernels()
if os.environ.get("K8S_SPEC_LAUNCHER_PARTS"):
    _replace_shared_parts(SHIPPED, os.environ["K8S_SPEC_LAUNCHER_PARTS"])
K8S_SCRIPTS = SHIPPED / "k8s_python" / "scripts"
CRD_SCRIPTS = SHIPPED / "k8s_python_spark_operator" / "scripts"
RUN_SH = {lang: SHIPPED / f"{name}" / "bin" / "run.sh"
          for lang, name in (("python", "k8s_python_spark"), ("r", "k8s_r_spark"), ("scala", "k8s_scala_spark"))}

KUBECONFIG_TEXT = """\
apiVersion: v1
kind: Config
clusters:
- name: test
  cluster:
    server: {server}
users:
- name: test
  user:
    token: not-a-secret
contexts:
- name: test
  context:
    cluster: test
    user: test
current-context: test
"""


def write_kubeconfig(directory, server="http://127.0.0.1:1"):
    path = Path(directory) / "kubeconfig"
    path.write_text(KUBECONFIG_TEXT.format(server=server))
    return str(path)


def base_env(kubeconfig):
    """A minimal, ordered launch environment.  LANG keeps Python from adding LC_CTYPE.
    K8S_SPEC_FAIL_FAST=false: the launchers create their objects and exit, without waiting for
    the pod to run (MockApi has no pods; waiting is tested against the stand-in, test_fail_fast)."""
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8", "KUBECONFIG": kubeconfig,
            "K8S_SPEC_FAIL_FAST": "false"}


def install_spec(root, source, name, template=None, template_name=None):
    """Copy launcher files into <root>/<name>/scripts like the installer does; optionally replace
    the template's text.  Returns the scripts directory."""
    scripts = Path(root) / name / "scripts"
    scripts.mkdir(parents=True)
    for item in source.iterdir():
        if item.is_file():
            shutil.copy(item, scripts / item.name)
    if template is not None:
        (scripts / template_name).write_text(template)
    return scripts


def run_python(script, args, env, timeout=60):
    return subprocess.run(
        [sys.executable, str(script), *args], env=env, capture_output=True, text=True, timeout=timeout
    )


class Launch:
    """Result of a launch_kubernetes.py --pod-template run."""

    def __init__(self, proc, pod_path, opts_path):
        self.proc = proc
        self.pod = yaml.safe_load(Path(pod_path).read_text()) if Path(pod_path).exists() else None
        self.pod_text = Path(pod_path).read_text() if Path(pod_path).exists() else None
        self.spark_opts = Path(opts_path).read_text() if opts_path and Path(opts_path).exists() else None


@pytest.fixture
def pod_template(tmp_path):
    """render(env, args=..., template=..., spec_name=...) runs launch_kubernetes.py in
    --pod-template mode in a fresh kernelspec directory; env is added to base_env()."""
    counter = [0]
    kubeconfig = write_kubeconfig(tmp_path)

    def render(env, args=("--kernel-id", "k1"), template=None, spec_name="k8s_python", opts_file=True):
        counter[0] += 1
        root = tmp_path / f"run{counter[0]}"
        scripts = install_spec(root, K8S_SCRIPTS, spec_name, template, "kernel-pod.yaml.j2")
        pod_path = root / "pod.yaml"
        opts_path = root / "spark-opts" if opts_file else None
        argv = [*args, "--pod-template", str(pod_path)]
        if opts_file:
            argv += ["--spark-opts-out", str(opts_path)]
        full_env = {**base_env(kubeconfig), **env}
        proc = run_python(scripts / "launch_kubernetes.py", argv, full_env)
        result = Launch(proc, pod_path, opts_path)
        result.env = full_env
        result.pod_path = str(pod_path)
        return result

    return render


class MockApi:
    """Records every request; answers from `responses` ((method, path) -> list of (status, body),
    used in order) or with a default: POST echoes the body with 201, GET returns an empty list."""

    def __init__(self):
        self.requests = []
        self.responses = {}
        api = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                body = json.loads(raw) if raw else None
                api.requests.append(
                    {"method": self.command, "path": parts.path, "query": unquote(parts.query), "body": body}
                )
                queue = api.responses.get((self.command, parts.path))
                if queue:
                    status, payload = queue.pop(0) if len(queue) > 1 else queue[0]
                elif self.command == "POST":
                    status, payload = 201, body
                else:
                    status, payload = 200, {"kind": "List", "apiVersion": "v1", "metadata": {}, "items": []}
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _handle

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def respond(self, method, path, *answers):
        self.responses[(method, path)] = list(answers)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def mock_api(tmp_path):
    api = MockApi()
    api.kubeconfig = write_kubeconfig(tmp_path, api.url)
    yield api
    api.close()


def status_body(code, reason, message, name="alice-k1", kind="pods"):
    """A Status object as the API server returns it for errors."""
    return {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
        "details": {"name": name, "kind": kind},
        "code": code,
    }


def env_list(env):
    return [{"name": k, "value": v} for k, v in env.items()]
