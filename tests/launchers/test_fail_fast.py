"""The launchers wait for the kernel to start, fail fast when it cannot, ride out a busy API server
and clean up after themselves -- run against the cluster stand-in of the end-to-end suite (its
kubelet reports the waiting reasons a real one does; containers run nothing here: NullRunner).

Each launch runs the shipped launcher as a process, through the kubeconfig (the official client)
or, where marked, in-cluster (a service account in a private mount namespace, HTTPS)."""

import json
import os
import shutil
import subprocess
import sys
import threading
import time

import pytest

from conftest import CRD_SCRIPTS, K8S_SCRIPTS, REPO, install_spec, run_python

sys.path.insert(0, str(REPO / "tests" / "e2e"))
from k8s_standin import NullRunner, StandIn  # noqa: E402

IN_CLUSTER = REPO / "tests" / "support" / "in-cluster.sh"
TOKEN = "launch-test-token"
POD = "alice-k1"
POD_ENV = {
    "KERNEL_USERNAME": "alice", "KERNEL_ID": "k1", "KERNEL_POD_NAME": POD, "KERNEL_NAMESPACE": "default",
    "KERNEL_IMAGE": "e2e.local/kernel-py:1", "KERNEL_SERVICE_ACCOUNT_NAME": "default",
    "KERNEL_UID": "1000", "KERNEL_GID": "100", "KERNEL_LANGUAGE": "python",
}
APP_ENV = {**POD_ENV, "KERNEL_RESOURCE_NAME": POD, "KERNEL_EXECUTOR_IMAGE": "e2e.local/kernel-py:1",
           "KERNEL_CRD_GROUP": "sparkoperator.k8s.io", "KERNEL_CRD_VERSION": "v1beta2",
           "KERNEL_CRD_PLURAL": "sparkapplications"}
ARGS = ["--kernel-id", "k1", "--port-range", "0..0", "--response-address", "127.0.0.1:8877", "--public-key", "PK"]
OUR_AGENT = "k8s-spec-launcher"


@pytest.fixture(scope="module")
def tls(tmp_path_factory):
    d = tmp_path_factory.mktemp("tls")
    cert, key = d / "ca.crt", d / "tls.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True, timeout=60)
    return cert, key


def make_cluster(directory, tls, namespaces=("default",)):
    """The stand-in over HTTP (kubeconfig) and HTTPS (in-cluster, service account in sa_dir)."""
    directory.mkdir(parents=True, exist_ok=True)
    standin = StandIn(str(directory), tls=tuple(map(str, tls)), runner=NullRunner(), namespaces=namespaces,
                      pending_seconds=0.3, pull_backoff=(0.3, 1.0), config_retry=0.2)
    standin.kubeconfig = directory / "kubeconfig"
    standin.kubeconfig.write_text(json.dumps({
        "apiVersion": "v1", "kind": "Config", "current-context": "t",
        "clusters": [{"name": "t", "cluster": {"server": standin.url}}],
        "users": [{"name": "t", "user": {"token": "kubeconfig-token"}}],
        "contexts": [{"name": "t", "context": {"cluster": "t", "user": "t"}}],
    }))
    sa = directory / "serviceaccount"
    sa.mkdir()
    shutil.copy(tls[0], sa / "ca.crt")
    (sa / "token").write_text(TOKEN + "\n")
    (sa / "namespace").write_text("default")
    standin.sa_dir = sa
    return standin


@pytest.fixture
def cluster(tmp_path, tls):
    standin = make_cluster(tmp_path / "cluster", tls)
    yield standin
    standin.close()
    # The launchers send no field the API server does not know (it would answer with a Warning).
    assert [(r["method"], r["path"], r["warnings"]) for r in standin.cluster.calls() if r.get("warnings")] == []


class Result:
    def __init__(self, proc, seconds):
        self.proc, self.seconds = proc, seconds
        self.lines = proc.stderr.splitlines()


def launch(cluster, tmp_path, env=None, template=None, crd=False, in_cluster=False, spec_name=None,
           python_flags=(), kernel_json=None):
    """Runs a shipped launcher in a fresh kernelspec directory (its kernel.json, unless given, says
    launch_timeout 20 unless KERNEL_LAUNCH_TIMEOUT lowers it)."""
    source, name, template_name, script = (
        (CRD_SCRIPTS, "k8s_python_spark_operator", "sparkoperator.k8s.io-v1beta2.yaml.j2", "launch_custom_resource.py")
        if crd else (K8S_SCRIPTS, "k8s_python", "kernel-pod.yaml.j2", "launch_kubernetes.py"))
    root = tmp_path / f"spec-{time.monotonic_ns()}"
    scripts = install_spec(root, source, spec_name or name, template, template_name)
    (scripts.parent / "kernel.json").write_text(json.dumps(
        {"metadata": {"kernel_provisioner": {"config": {"launch_timeout": 20}}}} if kernel_json is None
        else kernel_json))
    full = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8", **(APP_ENV if crd else POD_ENV),
            **(env or {})}
    if in_cluster:
        if os.geteuid() != 0 or shutil.which("unshare") is None:  # CI runs as root
            pytest.skip("in-cluster launches need a private mount namespace (root + unshare)")
        full.update(KUBERNETES_SERVICE_HOST="127.0.0.1", KUBERNETES_SERVICE_PORT=str(cluster.tls_port))
        cmd = [str(IN_CLUSTER), str(cluster.sa_dir), sys.executable, *python_flags, str(scripts / script), *ARGS]
    else:
        full["KUBECONFIG"] = str(cluster.kubeconfig)
        cmd = [sys.executable, *python_flags, str(scripts / script), *ARGS]
    started = time.monotonic()
    proc = subprocess.run(cmd, env=full, capture_output=True, text=True, timeout=120)
    return Result(proc, time.monotonic() - started)


def pods(cluster):
    return [(p["metadata"]["name"], p["status"]["phase"]) for p in cluster.cluster.list("pods")]


def mutations(cluster):
    return [(r["method"], r["path"], r["code"]) for r in cluster.cluster.requests if r["method"] != "GET"]


POD_TEMPLATE_TAIL = """\
apiVersion: v1
kind: Pod
metadata:
  name: "{{ kernel_pod_name }}"
  namespace: "{{ kernel_namespace }}"
  labels: {kernel_id: "{{ kernel_id }}", component: kernel}
spec:
  restartPolicy: Never
%s  containers:
  - name: kernel
    image: "{{ kernel_image }}"
%s"""


def pod_template(spec="", container=""):
    return POD_TEMPLATE_TAIL % (spec, container)


# ---- healthy starts --------------------------------------------------------------------------------

@pytest.mark.parametrize("in_cluster", [False, True], ids=["kubeconfig", "in-cluster"])
def test_healthy_start_exits_once_the_pod_runs(cluster, tmp_path, in_cluster):
    result = launch(cluster, tmp_path, in_cluster=in_cluster)
    assert result.proc.returncode == 0, result.proc.stderr
    assert result.proc.stdout == "" and result.proc.stderr == ""
    assert pods(cluster) == [(POD, "Running")]
    assert mutations(cluster) == [("POST", "/api/v1/namespaces/default/pods", 201)]
    # It followed the pod: a list, then a watch from the list's version, both by name.
    gets = cluster.cluster.calls("GET")
    assert [g["query"]["fieldSelector"] for g in gets] == [[f"metadata.name={POD}"]] * len(gets)
    assert gets[0].get("watch") is None and gets[1]["watch"] is True
    assert gets[1]["query"]["resourceVersion"][0].isdigit()
    for request in cluster.cluster.requests:
        assert request["user_agent"] == OUR_AGENT
        if in_cluster:
            assert (request["scheme"], request["authorization"]) == ("https", f"Bearer {TOKEN}")
        else:
            assert (request["scheme"], request["authorization"]) == ("http", "Bearer kubeconfig-token")
    # Running was reached after the stand-in's 0.3 s of Pending, and the launcher did not linger.
    assert result.seconds < 5


def test_in_cluster_launch_does_not_import_the_kubernetes_client(cluster, tmp_path):
    result = launch(cluster, tmp_path, in_cluster=True, python_flags=["-X", "importtime"])
    assert result.proc.returncode == 0, result.proc.stderr
    imported = {line.split("|")[-1].strip() for line in result.lines if line.startswith("import time:")}
    assert {"jinja2", "yaml", "ssl", "http.client"} <= imported  # the check sees imports at all
    assert not {m for m in imported if m.split(".")[0] in ("kubernetes", "urllib3", "requests")}


def test_in_cluster_token_is_read_again_for_each_request(cluster, tmp_path):
    """Bound service-account tokens rotate: a new token in the file is used from then on."""
    def rotate():
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not cluster.cluster.calls("POST"):
            time.sleep(0.02)
        (cluster.sa_dir / "token").write_text("rotated-token")

    rotation = threading.Thread(target=rotate)
    rotation.start()
    # Unschedulable: the launcher keeps watching until its time is up, then deletes the pod.
    result = launch(cluster, tmp_path, in_cluster=True, env={"KERNEL_LAUNCH_TIMEOUT": "3"},
                    template=pod_template(spec="  nodeSelector: {disktype: hdd}\n"))
    rotation.join()
    assert result.proc.returncode == 1
    tokens = [r["authorization"] for r in cluster.cluster.requests]
    assert tokens[0] == f"Bearer {TOKEN}" and tokens[-1] == "Bearer rotated-token"
    assert cluster.cluster.calls("DELETE")[0]["authorization"] == "Bearer rotated-token"


def test_in_cluster_configuration_problems(cluster, tmp_path):
    (cluster.sa_dir / "token").write_text("")
    result = launch(cluster, tmp_path, in_cluster=True)
    assert (result.proc.returncode, result.lines) == (
        1, ["ERROR - cannot load the Kubernetes client configuration: Token file exists but empty."])
    (cluster.sa_dir / "token").write_text(TOKEN)
    (cluster.sa_dir / "ca.crt").unlink()
    result = launch(cluster, tmp_path, in_cluster=True)
    assert result.lines == ["ERROR - cannot load the Kubernetes client configuration: "
                            "Service certification file does not exist."]
    result = launch(cluster, tmp_path, in_cluster=True, env={"KUBERNETES_SERVICE_PORT": ""})
    assert result.lines[-1].startswith("ERROR - cannot load the Kubernetes client configuration: ")
    assert cluster.cluster.requests == []


def test_in_cluster_verifies_the_api_server_certificate(cluster, tmp_path, tls):
    other = tmp_path / "other-ca"
    other.mkdir()
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=x",
                    "-keyout", str(other / "k"), "-out", str(cluster.sa_dir / "ca.crt")],
                   check=True, capture_output=True, timeout=60)
    result = launch(cluster, tmp_path, in_cluster=True, env={"KERNEL_LAUNCH_TIMEOUT": "2"})
    assert result.proc.returncode == 1
    assert "CERTIFICATE_VERIFY_FAILED" in result.lines[-1]
    assert cluster.cluster.list("pods") == []


# ---- pods that can never start ------------------------------------------------------------------

TERMINAL = {
    "invalid-image": ({"KERNEL_IMAGE": "e2e.local/Kernel:1"}, None, "InvalidImageName",
                      'Failed to apply default image tag "e2e.local/Kernel:1": couldn\'t parse image name '
                      '"e2e.local/Kernel:1": invalid reference format'),
    "image-not-found": ({"KERNEL_IMAGE": "e2e.local/missing-kernel:1"}, None, "ErrImagePull",
                        'rpc error: code = NotFound desc = failed to pull and unpack image "e2e.local/missing-kernel:1": '
                        'failed to resolve reference "e2e.local/missing-kernel:1": e2e.local/missing-kernel:1: not found'),
    "pull-denied": ({"KERNEL_IMAGE": "e2e.local/private-kernel:1"}, None, "ErrImagePull",
                    'rpc error: code = Unknown desc = failed to pull and unpack image "e2e.local/private-kernel:1": '
                    'failed to resolve reference "e2e.local/private-kernel:1": pull access denied, repository does '
                    "not exist or may require authorization: server message: insufficient_scope: authorization "
                    "failed"),
    "never-pull": ({}, pod_template(container="    imagePullPolicy: Never\n"), "ErrImageNeverPull",
                   'Container image "e2e.local/kernel-py:1" is not present with pull policy of Never'),
    "missing-secret": ({}, pod_template(container="    env:\n    - name: DB_PASSWORD\n      valueFrom:\n"
                                                  "        secretKeyRef: {name: db, key: password}\n"),
                       "CreateContainerConfigError", 'secret "db" not found'),
}


@pytest.mark.parametrize("in_cluster", [False, True], ids=["kubeconfig", "in-cluster"])
@pytest.mark.parametrize("case", sorted(TERMINAL))
def test_terminal_reason_fails_fast_and_deletes_the_pod(cluster, tmp_path, case, in_cluster):
    env, template, reason, message = TERMINAL[case]
    result = launch(cluster, tmp_path, env=env, template=template, in_cluster=in_cluster)
    assert result.proc.returncode == 1
    assert result.lines == [
        f"INFO - deleted what this launch created: Pod default/{POD}",
        f"ERROR - kernel pod {POD} cannot start: {reason}: {message}",
    ]
    assert result.seconds < 5
    assert cluster.cluster.list("pods") == []
    [delete] = cluster.cluster.calls("DELETE")
    assert (delete["path"], delete["body"], delete["code"]) == (
        f"/api/v1/namespaces/default/pods/{POD}", {"gracePeriodSeconds": 0, "propagationPolicy": "Background"}, 200)
    # ... and made sure it is gone before exiting.
    assert cluster.cluster.calls("GET", f"/pods/{POD}$")[-1]["code"] == 404


def test_pull_failure_that_keeps_repeating_fails_after_the_grace(cluster, tmp_path):
    image = "registry.invalid/kernel:1"
    result = launch(cluster, tmp_path, env={"KERNEL_IMAGE": image, "K8S_SPEC_PULL_GRACE": "2"})
    assert result.proc.returncode == 1
    no_host = (f'failed to pull and unpack image "{image}": failed to resolve reference "{image}": failed to do '
               'request: Head "https://registry.invalid/v2/kernel/manifests/1": dial tcp: lookup registry.invalid: '
               "no such host")
    # Each state is logged once, although the kubelet went through it several times.
    pulls = [e for e in cluster.cluster.events_of("default", POD) if e[1] == "Pulling"]
    assert pulls[0][3] >= 2
    assert result.lines[:2] == [
        f"WARNING - kernel pod {POD}: ErrImagePull: {no_host}",
        f"WARNING - kernel pod {POD}: ImagePullBackOff: Back-off pulling image \"{image}\"",
    ]
    assert result.lines[2] == f"INFO - deleted what this launch created: Pod default/{POD}"
    # The grace ends in one of the two states the kubelet alternates between; the registry's
    # answer is named either way.
    assert result.lines[3] in (
        f"ERROR - kernel pod {POD} cannot start: ErrImagePull: {no_host} (still failing after 2 s)",
        f'ERROR - kernel pod {POD} cannot start: ImagePullBackOff: Back-off pulling image "{image}"; '
        f"last error: ErrImagePull: {no_host} (still failing after 2 s)",
    )
    assert len(result.lines) == 4
    assert 2 < result.seconds < 6
    assert cluster.cluster.list("pods") == []


def after(condition, action, delay=0.5):
    """Runs action `delay` seconds after condition() first holds (checked for up to 20 s)."""
    def watch():
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if condition():
                time.sleep(delay)
                action()
                return
            time.sleep(0.02)
    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    return thread


def waiting_reason(cluster):
    pod = cluster.cluster.get("pods", "default", POD) or {}
    statuses = (pod.get("status") or {}).get("containerStatuses") or [{}]
    return ((statuses[0].get("state") or {}).get("waiting") or {}).get("reason")


def unschedulable(cluster):
    pod = cluster.cluster.get("pods", "default", POD) or {}
    return any(c.get("reason") == "Unschedulable" for c in (pod.get("status") or {}).get("conditions") or [])


def test_pull_failure_that_heals_within_the_grace(cluster, tmp_path):
    image = "e2e.local/flaky:1"
    cluster.cluster.registry.fail(image, "dial tcp 10.0.0.1:443: i/o timeout")
    healer = after(lambda: waiting_reason(cluster) == "ImagePullBackOff", lambda: cluster.cluster.registry.heal(image))
    result = launch(cluster, tmp_path, env={"KERNEL_IMAGE": image})
    healer.join()
    assert result.proc.returncode == 0, result.proc.stderr
    assert result.lines[0] == f"WARNING - kernel pod {POD}: ErrImagePull: dial tcp 10.0.0.1:443: i/o timeout"
    assert pods(cluster) == [(POD, "Running")]


def test_unschedulable_is_not_terminal(cluster, tmp_path):
    """A cluster autoscaler may add a node: the launcher says why it waits, and goes on waiting."""
    scaler = after(lambda: unschedulable(cluster), lambda: cluster.cluster.add_node("big-disk", {"disktype": "hdd"}),
                   delay=1.0)
    result = launch(cluster, tmp_path, template=pod_template(spec="  nodeSelector: {disktype: hdd}\n"))
    scaler.join()
    assert result.proc.returncode == 0, result.proc.stderr
    assert result.lines == [
        f"WARNING - kernel pod {POD}: Unschedulable: 0/1 nodes are available: 1 node(s) didn't match Pod's node "
        "affinity/selector. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling."]
    assert pods(cluster) == [(POD, "Running")]
    assert cluster.cluster.get("pods", "default", POD)["spec"]["nodeName"] == "big-disk"


def test_unschedulable_until_the_launch_timeout(cluster, tmp_path):
    result = launch(cluster, tmp_path, env={"KERNEL_LAUNCH_TIMEOUT": "4"},
                    template=pod_template(spec="  nodeSelector: {disktype: hdd}\n"))
    assert result.proc.returncode == 1
    unschedulable = ("Unschedulable: 0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector. "
                     "preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.")
    assert result.lines == [
        f"WARNING - kernel pod {POD}: {unschedulable}",
        f"INFO - deleted what this launch created: Pod default/{POD}",
        f"ERROR - kernel pod {POD} did not start within the launch timeout (4 s): {unschedulable}",
    ]
    assert 2 < result.seconds < 4  # gone before the provisioner gives up
    assert cluster.cluster.list("pods") == []


def test_unschedulable_grace(cluster, tmp_path):
    result = launch(cluster, tmp_path, env={"K8S_SPEC_UNSCHEDULABLE_GRACE": "1"},
                    template=pod_template(spec="  nodeSelector: {disktype: hdd}\n"))
    assert result.proc.returncode == 1
    assert result.lines[-1].startswith(f"ERROR - kernel pod {POD} cannot start: Unschedulable: 0/1 nodes are")
    assert result.lines[-1].endswith("(still failing after 1 s)")
    assert result.seconds < 5


def test_launch_timeout_comes_from_the_kernelspec(cluster, tmp_path):
    """No KERNEL_LAUNCH_TIMEOUT: the kernelspec's launch_timeout (what the provisioner waits)."""
    template = pod_template(spec="  nodeSelector: {disktype: hdd}\n")
    spec = install_spec(tmp_path / "own", K8S_SCRIPTS, "k8s_python", template, "kernel-pod.yaml.j2").parent
    (spec / "kernel.json").write_text(json.dumps({"metadata": {"kernel_provisioner": {"config": {"launch_timeout": 3}}}}))
    env = {"PATH": os.environ["PATH"], "LANG": "C.UTF-8", "KUBECONFIG": str(cluster.kubeconfig), **POD_ENV}
    started = time.monotonic()
    proc = run_python(spec / "scripts" / "launch_kubernetes.py", ARGS, env)
    assert proc.returncode == 1
    assert "did not start within the launch timeout (3 s)" in proc.stderr
    assert time.monotonic() - started < 3


class FailingRunner:
    """A container runtime that cannot start the container: the pod fails without running."""

    def start(self, *args):
        raise OSError("exec format error")


def test_failed_pod_is_kept_for_its_logs(cluster, tmp_path):
    """A pod that failed (phase Failed): the provisioner reports that phase itself; the pod stays,
    as the evidence, until the kernel's cleanup deletes it."""
    cluster.cluster.runner = FailingRunner()
    result = launch(cluster, tmp_path)
    assert result.proc.returncode == 1
    assert result.lines == [f"ERROR - kernel pod {POD} failed before the kernel was running (kept for its logs): "
                            "StartError: container start failed: exec format error"]
    assert pods(cluster) == [(POD, "Failed")]
    assert cluster.cluster.calls("DELETE") == []


def test_fail_fast_off_creates_and_exits(cluster, tmp_path):
    result = launch(cluster, tmp_path, env={"K8S_SPEC_FAIL_FAST": "false", "KERNEL_IMAGE": "e2e.local/missing:1"})
    assert (result.proc.returncode, result.proc.stderr) == (0, "")
    assert mutations(cluster) == [("POST", "/api/v1/namespaces/default/pods", 201)]
    assert cluster.cluster.calls("GET") == []
    assert [p[0] for p in pods(cluster)] == [POD]


@pytest.mark.parametrize("name, value, message", [
    ("K8S_SPEC_FAIL_FAST", "sometimes", "K8S_SPEC_FAIL_FAST must be true or false, got 'sometimes'"),
    ("K8S_SPEC_PULL_GRACE", "soon", "K8S_SPEC_PULL_GRACE must be a number of seconds, got 'soon'"),
])
def test_bad_settings(cluster, tmp_path, name, value, message):
    result = launch(cluster, tmp_path, env={name: value})
    assert result.lines == [f"ERROR - {message} - kernel launch terminating!"]
    assert cluster.cluster.requests == []


# ---- a busy API server ---------------------------------------------------------------------------------

def test_at_most_ten_attempts(cluster, tmp_path):
    """An API server that keeps answering 503 (Retry-After: 0, so no waiting) is asked 10 times,
    as the README says, then the launch fails with its answer."""
    cluster.cluster.faults.add("POST", "pods", "503", count=50, retry_after=0)
    result = launch(cluster, tmp_path)
    assert result.proc.returncode == 1
    path = "/api/v1/namespaces/default/pods"
    assert [p["code"] for p in cluster.cluster.calls("POST")] == [503] * 10
    assert [line.split(";")[0] for line in result.lines[:-1]] == [
        f"WARNING - POST {path}: 503 Service Unavailable: the server is currently unable to handle the request (503)"
    ] * 9
    assert result.lines[-1].startswith("ERROR - Kubernetes API error (503 Service Unavailable): ")
    assert pods(cluster) == []


def test_throttled_and_unavailable_create_is_retried(cluster, tmp_path):
    cluster.cluster.faults.add("POST", "pods", "429", count=2, retry_after=1)
    cluster.cluster.faults.add("POST", "pods", "503", count=1, retry_after=0)
    result = launch(cluster, tmp_path, in_cluster=True)
    assert result.proc.returncode == 0, result.proc.stderr
    posts = cluster.cluster.calls("POST")
    assert [p["code"] for p in posts] == [429, 429, 503, 201]
    assert posts[1]["time"] - posts[0]["time"] >= 1.0 and posts[2]["time"] - posts[1]["time"] >= 1.0  # Retry-After
    assert pods(cluster) == [(POD, "Running")]
    path = "/api/v1/namespaces/default/pods"
    assert [line.split(";")[0] for line in result.lines] == [
        f"WARNING - POST {path}: 429 Too Many Requests: the server is currently unable to handle the request (429)",
        f"WARNING - POST {path}: 429 Too Many Requests: the server is currently unable to handle the request (429)",
        f"WARNING - POST {path}: 503 Service Unavailable: the server is currently unable to handle the request (503)",
    ]


@pytest.mark.parametrize("in_cluster", [False, True], ids=["kubeconfig", "in-cluster"])
def test_lost_answer_to_the_create_still_gives_one_pod(cluster, tmp_path, in_cluster):
    cluster.cluster.faults.add("POST", "pods", "drop-after")
    result = launch(cluster, tmp_path, in_cluster=in_cluster)
    assert result.proc.returncode == 0, result.proc.stderr
    assert [p["code"] for p in cluster.cluster.calls("POST")] == [201, 409]
    # The AlreadyExists is checked: a pod labelled with this kernel's id.
    lookup = cluster.cluster.calls("GET")[0]
    assert lookup["query"] == {"labelSelector": ["kernel_id=k1"]}
    assert pods(cluster) == [(POD, "Running")]
    assert len(result.lines) == 1 and result.lines[0].startswith("WARNING - POST /api/v1/namespaces/default/pods: ")


def test_dropped_connections_while_watching_are_ridden_out(cluster, tmp_path):
    cluster.cluster.faults.add("GET", "pods", "drop", count=2)
    cluster.cluster.faults.add("GET", "pods", "500", count=1)
    result = launch(cluster, tmp_path, in_cluster=True)
    assert result.proc.returncode == 0, result.proc.stderr
    assert [g["code"] for g in cluster.cluster.calls("GET")][:3] == [None, None, 500]
    assert pods(cluster) == [(POD, "Running")]


def test_retries_end_within_the_launch_timeout(cluster, tmp_path):
    cluster.cluster.faults.add("POST", "pods", "503", count=100, retry_after=0)
    result = launch(cluster, tmp_path, env={"KERNEL_LAUNCH_TIMEOUT": "3"})
    assert result.proc.returncode == 1
    assert result.lines[-1].startswith("ERROR - Kubernetes API error (503 Service Unavailable): ")
    assert result.seconds < 3
    assert 3 <= len(cluster.cluster.calls("POST")) <= 10
    assert cluster.cluster.list("pods") == []


def test_client_errors_are_not_retried(cluster, tmp_path):
    result = launch(cluster, tmp_path, env={"KERNEL_CPUS": "lots"})
    assert result.proc.returncode == 1
    assert [p["code"] for p in cluster.cluster.calls("POST")] == [400]
    assert result.lines == [result.lines[-1]] and "400 Bad Request" in result.lines[0]


# ---- cleanup after a failed launch ----------------------------------------------------------------------

OBJECTS = """\
apiVersion: v1
kind: Secret
metadata: {name: "{{ kernel_pod_name }}-token", labels: {kernel_id: "{{ kernel_id }}"}}
stringData: {token: "t"}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: "{{ kernel_username }}-home"}
spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
---
"""


@pytest.mark.parametrize("claim_exists", [False, True], ids=["new-claim", "existing-claim"])
def test_rejected_pod_leaves_no_secret_or_new_claim(cluster, tmp_path, claim_exists):
    if claim_exists:
        cluster.cluster.handle("POST", "/api/v1/namespaces/default/persistentvolumeclaims", {},
                               {"metadata": {"name": "alice-home"}, "spec": {}})
    result = launch(cluster, tmp_path, env={"KERNEL_CPUS": "lots"}, template=OBJECTS + pod_template(
        container='    resources: {requests: {cpu: "{{ kernel_cpus }}"}}\n'))
    assert result.proc.returncode == 1
    if claim_exists:
        assert result.lines[:2] == [
            "INFO - deleted what this launch created: Secret default/alice-k1-token",
            "INFO - kept PersistentVolumeClaim default/alice-home: it existed before this launch"]
        assert [c["metadata"]["name"] for c in cluster.cluster.list("persistentvolumeclaims")] == ["alice-home"]
    else:
        assert result.lines[0] == ("INFO - deleted what this launch created: PersistentVolumeClaim "
                                   "default/alice-home, Secret default/alice-k1-token")
        assert cluster.cluster.list("persistentvolumeclaims") == []
    assert result.lines[-1].startswith("ERROR - Kubernetes API error (400 Bad Request): ")
    assert cluster.cluster.list("secrets") == [] and cluster.cluster.list("pods") == []


def test_pod_that_cannot_start_takes_its_secret_along(cluster, tmp_path):
    result = launch(cluster, tmp_path, env={"KERNEL_IMAGE": "e2e.local/missing:1"},
                    template=OBJECTS + pod_template())
    assert result.proc.returncode == 1
    assert result.lines[0] == ("INFO - deleted what this launch created: Pod default/alice-k1, PersistentVolumeClaim "
                               "default/alice-home, Secret default/alice-k1-token")
    assert (cluster.cluster.list("pods"), cluster.cluster.list("secrets"),
            cluster.cluster.list("persistentvolumeclaims")) == ([], [], [])


# ---- the Spark operator's custom resource ------------------------------------------------------------------

APPS = "/apis/sparkoperator.k8s.io/v1beta2/namespaces/default/sparkapplications"


@pytest.mark.parametrize("in_cluster", [False, True], ids=["kubeconfig", "in-cluster"])
def test_spark_application_waits_for_its_driver(cluster, tmp_path, in_cluster):
    result = launch(cluster, tmp_path, crd=True, in_cluster=in_cluster)
    assert result.proc.returncode == 0, result.proc.stderr
    assert result.proc.stderr == ""
    assert pods(cluster) == [(f"{POD}-driver", "Running")]
    assert mutations(cluster) == [("POST", APPS, 201)]
    watched = {(g["path"], g["query"].get("labelSelector", g["query"].get("fieldSelector"))[0])
               for g in cluster.cluster.calls("GET")}
    assert watched == {(APPS, f"metadata.name={POD}"),
                       ("/api/v1/namespaces/default/pods", "kernel_id=k1,component=kernel")}


def test_spark_driver_image_that_cannot_be_pulled(cluster, tmp_path):
    result = launch(cluster, tmp_path, crd=True, env={"KERNEL_IMAGE": "e2e.local/missing-spark:1"})
    assert result.proc.returncode == 1
    assert result.lines[0] == (f"INFO - deleted what this launch created: SparkApplication default/{POD}, "
                               f"Pod default/{POD}-driver")
    assert result.lines[1].startswith(
        f"ERROR - kernel pod {POD}-driver (Spark driver of {POD}) cannot start: ErrImagePull: rpc error: code = "
        "NotFound desc = ")
    assert len(result.lines) == 2 and result.seconds < 5
    assert cluster.cluster.list("sparkapplications") == [] and cluster.cluster.list("pods") == []


def test_spark_application_failed_state(cluster, tmp_path):
    """The operator could not create the driver (a Pod the API rejects): the application FAILED."""
    result = launch(cluster, tmp_path, crd=True, env={"KERNEL_RESOURCE_NAME": "Alice_K1"})
    assert result.proc.returncode == 1
    assert result.lines[-1].startswith(
        "ERROR - SparkApplication Alice_K1 failed before the kernel was running (kept for its logs): FAILED: "
        'Exception: Pod "Alice_K1-driver" is invalid')
    assert [a["status"]["applicationState"]["state"] for a in cluster.cluster.list("sparkapplications")] == ["FAILED"]


def test_interpreter_start_up_counts_against_the_launch_timeout(cluster, tmp_path):
    """The provisioner's launch timeout runs from the spawn: a launcher whose interpreter took 2 s to
    start (a sitecustomize that sleeps) still ends within the 4 s, its budget counted from the
    process's start rather than from its first line."""
    slow = tmp_path / "slow-start"
    slow.mkdir()
    (slow / "sitecustomize.py").write_text("import time\ntime.sleep(2)\n")
    result = launch(cluster, tmp_path, env={"KERNEL_LAUNCH_TIMEOUT": "4", "PYTHONPATH": str(slow)},
                    template=pod_template(spec="  nodeSelector: {disktype: hdd}\n"))
    assert result.proc.returncode == 1
    assert result.lines[-1].startswith(f"ERROR - kernel pod {POD} did not start within the launch timeout (4 s): ")
    assert 2 < result.seconds < 4  # about 2.6 s; with the clock started after the sleep, about 4.5 s
    assert cluster.cluster.list("pods") == []


# ---- the kernel's objects deleted, or never a reason, while waiting -----------------------------------

def test_a_pod_deleted_while_waiting_fails_the_start(cluster, tmp_path):
    """Someone deletes the kernel pod before it runs: the launch fails at once, saying so."""
    cluster.cluster.pending_seconds = 30
    path = f"/api/v1/namespaces/default/pods/{POD}"
    deleter = after(lambda: pods(cluster), lambda: cluster.cluster.handle("DELETE", path, {}, {"gracePeriodSeconds": 0}),
                    delay=0.3)
    result = launch(cluster, tmp_path)
    deleter.join()
    assert result.proc.returncode == 1
    assert result.lines == [f"ERROR - kernel pod {POD} was deleted before the kernel was running"]
    assert pods(cluster) == []


def test_a_spark_application_deleted_while_waiting_fails_the_start(cluster, tmp_path):
    """Someone deletes the SparkApplication before its driver runs: the launch fails at once."""
    cluster.cluster.pending_seconds = 30
    path = f"{APPS}/{POD}"
    deleter = after(lambda: cluster.cluster.list("sparkapplications"),
                    lambda: cluster.cluster.handle("DELETE", path, {}, {}), delay=0.3)
    result = launch(cluster, tmp_path, crd=True)
    deleter.join()
    assert result.proc.returncode == 1
    assert result.lines[-1] == f"ERROR - SparkApplication {POD} was deleted before the kernel was running"
    assert cluster.cluster.list("sparkapplications") == []


def test_a_pod_pending_without_a_reason_until_the_timeout(cluster, tmp_path):
    """No reason was ever given (the kubelet never got to the pod): the timeout line says Pending."""
    cluster.cluster.pending_seconds = 30
    result = launch(cluster, tmp_path, env={"KERNEL_LAUNCH_TIMEOUT": "3"})
    assert result.proc.returncode == 1
    assert result.lines == [
        f"INFO - deleted what this launch created: Pod default/{POD}",
        f"ERROR - kernel pod {POD} did not start within the launch timeout (3 s): Pending",
    ]
    assert pods(cluster) == []
