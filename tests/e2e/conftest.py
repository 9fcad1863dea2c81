"""Fixtures of the end-to-end suite.

The cluster is the only thing stood in for (k8s_standin.py).  The kernelspecs come from the
installer under test (K8S_SPEC_BIN, default <repo>/target/release/jupyter-k8s-spec); each scenario
runs the hosting application (gateway_driver.py: jupyter_client + gateway-provisioners) in its own
process with a virtualenv made by setup_venvs.sh.
"""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
pytest.register_assert_rewrite("expect")  # detailed diffs from the shared assertion helpers

from k8s_standin import StandIn  # noqa: E402
sys.path.append(os.path.dirname(HERE))
from no_skips_in_ci import pytest_runtest_makereport  # noqa: E402,F401  (with CI set, a skip fails)

VENV_DIR = os.environ.get("E2E_VENV_DIR", os.path.join(REPO, "target", "e2e-venvs"))
VENVS = {"main": os.path.join(VENV_DIR, "main"), "auto": os.path.join(VENV_DIR, "auto")}
DRIVER_TIMEOUT = 180
SA_TOKEN = "e2e-service-account-token"

# Kernelspecs installed once per session: name -> extra install arguments.
INSTALLS = {
    "k8s_python": [],
    "k8s_r": ["--language=R"],
    "k8s_scala": ["--language=Scala"],
    "e2e_custom": ["--kernel-name=e2e_custom", "--display-name=E2E Custom",
                   "--image-name=e2e.local/kernel-py:42", "--port-range=40000..41000",
                   "--launch-timeout=25"],
    "e2e_template": ["--kernel-name=e2e_template", "--display-name=E2E Template"],
    "k8s_python_spark_operator": ["--crd", "--spark", "--executor-image-name=e2e.local/spark-exec:7"],
    "k8s_python_spark": ["--spark", "--spark-home={spark_home}", "--extra-spark-opts=--conf spark.e2e=1"],
    "k8s_r_spark": ["--spark", "--language=R", "--spark-home={spark_home}"],
    "k8s_scala_spark": ["--spark", "--language=Scala", "--spark-home={spark_home}"],
}


def installer_bin():
    return os.environ.get("K8S_SPEC_BIN") or os.path.join(REPO, "target", "release", "jupyter-k8s-spec")


def pytest_configure(config):
    config.addinivalue_line("markers", "hardening: needs the project's hardened or fixed launchers "
                            "(expected to fail against the reference, E2E_REFERENCE=1)")


def pytest_collection_modifyitems(config, items):
    # The RBAC check of the whole suite's traffic (test_rbac_traffic.py) runs after everything else.
    items.sort(key=lambda item: item.module.__name__ == "test_rbac_traffic")
    if os.environ.get("E2E_REFERENCE") == "1":
        for item in items:
            if item.get_closest_marker("hardening"):
                item.add_marker(pytest.mark.xfail(
                    strict=True, reason="the reference lacks this hardening or defect fix"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---- session-wide material --------------------------------------------------------------------

@pytest.fixture(scope="session")
def tls(tmp_path_factory):
    """Self-signed certificate for 127.0.0.1 (the stand-in's TLS listener) and its CA file."""
    d = tmp_path_factory.mktemp("tls")
    cert, key = str(d / "ca.crt"), str(d / "tls.key")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", key, "-out", cert], check=True, capture_output=True, timeout=60)
    sa = d / "serviceaccount"  # what a pod would find in /var/run/secrets/kubernetes.io/...
    sa.mkdir()
    shutil.copy(cert, sa / "ca.crt")
    (sa / "token").write_text(SA_TOKEN)
    (sa / "namespace").write_text("default")
    return {"cert": cert, "key": key, "sa_dir": str(sa)}


@pytest.fixture(scope="session")
def spark_home(tmp_path_factory):
    """A SPARK_HOME whose bin/spark-submit is the recording stub, and Toree jars for Scala."""
    home = tmp_path_factory.mktemp("spark")
    (home / "bin").mkdir()
    stub = home / "bin" / "spark-submit"
    with open(os.path.join(HERE, "spark_submit_stub.py")) as f:
        stub.write_text(f"#!{VENVS['main']}/bin/python\n" + f.read())
    stub.chmod(0o755)
    launchers = home / "kernel-launchers"
    (launchers / "scala" / "lib").mkdir(parents=True)
    for jar in ("toree-assembly-0.5.0.jar", "toree-launcher_2.12-0.5.0.jar"):
        (launchers / "scala" / "lib" / jar).write_bytes(b"")
    return {"home": str(home), "launchers": str(launchers)}


@pytest.fixture(scope="session")
def specs(tmp_path_factory, spark_home):
    """Installs every kernelspec variant with the installer under test; name -> directory."""
    binary = installer_bin()
    if not os.access(binary, os.X_OK):
        pytest.fail(f"installer not found: {binary} (build it or set K8S_SPEC_BIN)")
    prefix = tmp_path_factory.mktemp("prefix")
    home = tmp_path_factory.mktemp("installer-home")
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(home), "TMPDIR": str(home),
           "LANG": "C.UTF-8"}
    out = {}
    for name, args in INSTALLS.items():
        args = [a.format(spark_home=spark_home["home"]) for a in args]
        cmd = [binary, "install", f"--prefix={prefix}", *args]
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)
        spec_dir = os.path.join(str(prefix), "share", "jupyter", "kernels", name)
        assert proc.returncode == 0, f"{cmd} failed: {proc.stderr}"
        assert os.path.isfile(os.path.join(spec_dir, "kernel.json")), f"{cmd}: no kernel.json\n{proc.stderr}"
        out[name] = spec_dir
    # An operator's customisation: a Secret and the user's claim ahead of the pod (launchers.md 4.6, 5).
    template = os.path.join(out["e2e_template"], "scripts", "kernel-pod.yaml.j2")
    with open(template) as f:
        stock = f.read()
    with open(template, "w") as f:
        f.write(CUSTOM_TEMPLATE_DOCS + stock)
    out["_prefix"] = str(prefix)
    return out


CUSTOM_TEMPLATE_DOCS = """\
apiVersion: v1
kind: Secret
metadata:
  name: "{{ kernel_pod_name }}-token"
  labels:
    kernel_id: "{{ kernel_id }}"
stringData:
  token: "e2e"
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: "{{ kernel_username }}-home"
spec:
  accessModes: ["ReadWriteOnce"]
  resources:
    requests:
      storage: "1Gi"
---
"""


# ---- per-test cluster and gateway -------------------------------------------------------------

@pytest.fixture
def cluster(tmp_path, tls):
    standin = StandIn(str(tmp_path), tls=(tls["cert"], tls["key"]),
                      namespaces=("default", "kube-system", "team-byo"))
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(json.dumps({
        "apiVersion": "v1", "kind": "Config", "current-context": "e2e",
        "clusters": [{"name": "e2e", "cluster": {"server": standin.url}}],
        "users": [{"name": "e2e", "user": {"token": "e2e-gateway-token"}}],
        "contexts": [{"name": "e2e", "context": {"cluster": "e2e", "user": "e2e"}}],
    }))
    standin.kubeconfig = str(kubeconfig)
    yield standin
    standin.close()
    # No request drew a warning: our templates and launchers (and the provisioner) send no field
    # the API server does not know (it would drop the field, and say so in a Warning header).
    assert [(r["method"], r["path"], r["warnings"]) for r in standin.cluster.calls() if r.get("warnings")] == []
    # The kubelet must not leave any pod process running.
    for pod in standin.cluster.pod_history:
        assert not pid_alive(pod["pid"]), f"pod process left behind: {pod}"


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is not alive
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def processes_with_marker(marker):
    needle = f"E2E_MARKER={marker}\0".encode()
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as f:
                if needle in f.read() and pid_alive(int(entry)):
                    found.append(int(entry))
        except OSError:
            continue
    return found


# In-cluster configuration: a private mount namespace gives the gateway process tree a
# /var/run/secrets/kubernetes.io/serviceaccount of its own (tests/support/in-cluster.sh).
IN_CLUSTER = os.path.join(REPO, "tests", "support", "in-cluster.sh")


class Run:
    """Outcome of one gateway_driver run.

    Every step the driver carried out must be asserted by the test, either as having succeeded
    (ok) or as having failed the way the test expects (failed); the gateway fixture fails the test
    at teardown for a step neither was asked about (unchecked), and for a failed automatic shutdown
    after the plan.  So a test cannot accept a failed step by forgetting to look at it."""

    def __init__(self, results, log, cluster, marker, record_dir, requests):
        self.results, self.log, self.cluster, self.marker = results, log, cluster, marker
        self.record_dir = record_dir
        self.requests = requests  # (first, end): this run's part of the stand-in's request log
        self.asserted = set()  # indices into results

    def _find(self, op, index):
        matches = [i for i, r in enumerate(self.results) if r["op"] == op]
        assert len(matches) > index, f"no step {op}[{index}] in {self.results}\n{self.log[-4000:]}"
        return matches[index]

    def ok(self, op, index=0):
        """The step succeeded: its output."""
        i = self._find(op, index)
        self.asserted.add(i)
        entry = self.results[i]
        assert "error" not in entry, f"{op} failed: {entry['error']}\n--- gateway log ---\n{self.log[-6000:]}"
        return entry["out"]

    def failed(self, op, index=0):
        """The step failed, as the test expects: its error, {"type", "message"}."""
        i = self._find(op, index)
        self.asserted.add(i)
        entry = self.results[i]
        assert "error" in entry, f"{op} was expected to fail but succeeded: {entry['out']}\n{self.log[-4000:]}"
        return entry["error"]

    def seconds(self, op, index=0):
        """How long the step took (asserting nothing about its outcome)."""
        return self.results[self._find(op, index)]["seconds"]

    def unchecked(self):
        """Steps the test asserted neither as succeeded nor as failed (a successful automatic
        shutdown after the plan needs no assertion)."""
        return [r for i, r in enumerate(self.results) if i not in self.asserted
                and not (r["op"] == "cleanup-shutdown" and "error" not in r)]

    def calls(self, method=None, path_re=None):
        """The API requests made during this run (by the provisioner, launchers, spark-submit)."""
        everything = self.cluster.cluster.calls()
        mine = {id(r) for r in everything[self.requests[0]:self.requests[1]]}
        return [r for r in self.cluster.cluster.calls(method, path_re) if id(r) in mine]

    def mutations(self):
        """(method, path) of every non-GET request, in order."""
        return [(r["method"], r["path"]) for r in self.calls() if r["method"] != "GET"]

    def launch_cmds(self):
        """The launch commands logged by the provisioner, as lists."""
        import ast
        return [ast.literal_eval(m) for m in re.findall(r"kernel launched\. .*?cmd: '(\[.*\])'", self.log)]

    def spark_submits(self):
        files = sorted(f for f in os.listdir(self.record_dir) if f.startswith("spark-submit-"))
        out = []
        for name in files:
            with open(os.path.join(self.record_dir, name)) as f:
                out.append(json.load(f))
        return out

    def pod_logs(self):
        text = []
        for pod in self.cluster.cluster.pod_history:
            with open(pod["log"], errors="replace") as f:
                text.append(f"--- pod {pod['namespace']}/{pod['name']} ---\n{f.read()}")
        return "\n".join(text)

    def boots(self):
        """The E2E-BOOT records printed by the kernel image emulator, one per pod start."""
        out = []
        for pod in self.cluster.cluster.pod_history:
            with open(pod["log"], errors="replace") as f:
                for line in f:
                    if line.startswith("E2E-BOOT "):
                        out.append(json.loads(line[len("E2E-BOOT "):]))
        return out


# Every API request of every gateway run in this session, with the namespace mode of the run
# (test_rbac_traffic.py checks them against `jupyter-k8s-spec rbac`): dicts of the stand-in's
# request log plus "test", "mode" (shared, byo, auto) and "server_namespace".
RBAC_TRAFFIC = []


def namespace_mode(client_env, server_env):
    """The provisioner's namespace mode for a launch (launchers.md 3.5) and the server's namespace
    (GP_NAMESPACE), which in the shared mode is the kernels' namespace too."""
    server_namespace = server_env.get("GP_NAMESPACE") or "default"
    if client_env.get("KERNEL_NAMESPACE"):
        return "byo", server_namespace
    if server_env.get("GP_SHARED_NAMESPACE", "true").lower() != "true":
        return "auto", server_namespace
    return "shared", server_namespace


CALL_PASSED = pytest.StashKey[bool]()


class _CallOutcome:
    """Records whether a test's body passed, for fixtures that check more at teardown."""

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        outcome = yield
        if call.when == "call":
            item.stash[CALL_PASSED] = outcome.get_result().passed


@pytest.fixture
def gateway(cluster, specs, spark_home, tls, tmp_path, request):
    """Returns run(kernel_name, steps, client_env=None, server_env=None, venv='main',
    in_cluster=False, service_env=False, start_kwargs=None).

    in_cluster: the gateway sees a service-account mount (private mount namespace) and the
    KUBERNETES_SERVICE_* variables of the stand-in's TLS listener; service_env: only the latter.
    """
    markers = []

    def run(kernel_name, steps, client_env=None, server_env=None, venv="main", in_cluster=False,
            service_env=False, start_kwargs=None):
        marker = uuid.uuid4().hex
        markers.append(marker)
        modes.append((*namespace_mode(client_env or {}, server_env or {}), len(cluster.cluster.calls())))
        work = tmp_path / f"gw-{len(markers)}"
        for sub in ("home", "runtime", "ipython", "records", "kpt"):
            (work / sub).mkdir(parents=True)
        python = os.path.join(VENVS[venv], "bin", "python")
        env = {
            "PATH": f"{VENVS[venv]}/bin:/usr/local/bin:/usr/bin:/bin",
            "HOME": str(work / "home"),
            "LANG": "C.UTF-8",
            "E2E_MARKER": marker,
            "JUPYTER_PATH": os.path.join(specs["_prefix"], "share", "jupyter"),
            "JUPYTER_RUNTIME_DIR": str(work / "runtime"),
            "JUPYTER_DATA_DIR": str(work / "home" / "data"),
            "JUPYTER_CONFIG_DIR": str(work / "home" / "config"),
            "IPYTHONDIR": str(work / "ipython"),
            "KUBECONFIG": cluster.kubeconfig,
            "GP_USE_INCLUSTER_CONFIG": "false",
            "GP_RESPONSE_IP": "127.0.0.1",
            "GP_RESPONSE_PORT": str(free_port()),
            "GP_RESPONSE_PORT_RETRIES": "3",
            "GP_POD_TEMPLATE_DIR": str(work / "kpt"),
            # Spark (spark-submit runs on the gateway host; the master URL is the in-cluster API)
            "KUBERNETES_SERVICE_HOST": "127.0.0.1",
            "KUBERNETES_SERVICE_PORT": str(cluster.tls_port),
            "KERNEL_LAUNCHERS_DIR": spark_home["launchers"],
            "E2E_SPARK_RECORD_DIR": str(work / "records"),
            "E2E_STANDIN_CA": tls["cert"],
        }
        if not (in_cluster or service_env):  # a gateway outside the cluster has none
            del env["KUBERNETES_SERVICE_HOST"], env["KUBERNETES_SERVICE_PORT"]
        env.update(server_env or {})
        plan, result = work / "plan.json", work / "result.json"
        plan.write_text(json.dumps({"kernel_name": kernel_name, "client_env": client_env or {},
                                    "start_kwargs": start_kwargs or {},
                                    "steps": [s if isinstance(s, dict) else {"op": s} for s in steps]}))
        cmd = [python, os.path.join(HERE, "gateway_driver.py"), str(plan), str(result)]
        if in_cluster:
            if shutil.which("unshare") is None or os.geteuid() != 0:
                pytest.skip("in-cluster configuration needs a private mount namespace (root + unshare)")
            cmd = [IN_CLUSTER, tls["sa_dir"], *cmd]
        proc = subprocess.Popen(cmd, env=env, cwd=str(work), stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, start_new_session=True)
        try:
            log, _ = proc.communicate(timeout=DRIVER_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            log, _ = proc.communicate()
            pytest.fail(f"gateway driver timed out\n{log.decode(errors='replace')[-6000:]}")
        log = log.decode(errors="replace")
        assert proc.returncode == 0, f"gateway driver exited {proc.returncode}\n{log[-6000:]}"
        results = json.loads(result.read_text())
        requests = (modes[-1][2], len(cluster.cluster.calls()))
        runs.append(Run(results, log, cluster, marker, str(work / "records"), requests))
        return runs[-1]

    runs, modes = [], []
    if not request.config.pluginmanager.has_plugin("e2e-call-outcome"):  # (also for tests/containers)
        request.config.pluginmanager.register(_CallOutcome(), "e2e-call-outcome")
    yield run

    # Each run's requests (up to the next run's), for the RBAC check of the session.
    requests = cluster.cluster.calls()
    ends = [first for _, _, first in modes[1:]] + [len(requests)]
    for (mode, server_namespace, first), end in zip(modes, ends):
        RBAC_TRAFFIC.extend({**r, "test": request.node.nodeid, "mode": mode, "server_namespace": server_namespace}
                            for r in requests[first:end])

    # No process of any scenario (launcher, spark-submit, kernel, listener) may survive it.
    deadline = time.monotonic() + 10
    leftovers = []
    while time.monotonic() < deadline:
        leftovers = [p for m in markers for p in processes_with_marker(m)]
        if not leftovers:
            break
        time.sleep(0.2)
    for pid in leftovers:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    # Every step was asserted (only when the test's body passed: a failed or expected-to-fail body
    # stops at its first broken assertion).
    if request.node.stash.get(CALL_PASSED, False):
        for i, r in enumerate(runs):
            assert not r.unchecked(), (f"run {i + 1}: steps neither asserted ok() nor failed(): {r.unchecked()}"
                                       f"\n--- gateway log ---\n{r.log[-4000:]}")
    assert not leftovers, f"processes left behind: {leftovers}"
    assert not cluster.cluster.procs, f"pods still running: {list(cluster.cluster.procs)}"
