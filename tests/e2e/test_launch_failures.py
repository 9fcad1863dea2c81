"""Kernel starts that can never succeed fail fast, a busy API server is ridden out, and a failed
launch leaves nothing behind -- through the real jupyter_client + gateway-provisioners 0.5.0,
with our launchers and, for comparison, the reference's (gateway-provisioners' own
kernel-launchers, used only here).

The stand-in's kubelet reports what a real one does (k8s_standin.py): InvalidImageName,
ErrImageNeverPull, ErrImagePull (the registry says "not found") then ImagePullBackOff,
CreateContainerConfigError (a Secret the pod needs is missing), Unschedulable (no node matches).
Each scenario prints one "TIMING" line (run pytest with -s to see them)."""

import glob
import os
import shutil
import subprocess
import threading
import time

import pytest

from conftest import VENVS, installer_bin
from expect import LAUNCHER_AGENT, PROBE, probe, provisioner_calls

pytestmark = pytest.mark.skipif(os.environ.get("E2E_REFERENCE") == "1",
                                reason="compares our launchers with the reference's itself")

REFERENCE_TIMEOUT = 10  # launch_timeout of the kernelspecs running the reference's launcher
OUR_TIMEOUT = 30  # the installer's default
SECRET_ENV = ('    - name: E2E_DB_PASSWORD\n      valueFrom:\n'
              '        secretKeyRef: {name: "{{ kernel_username }}-db", key: password}\n')


def with_secret_env(template):
    """The kernel container reads a password from a Secret (one the cluster does not have)."""
    assert template.count("    env:\n") == 1
    return template.replace("    env:\n", "    env:\n" + SECRET_ENV)


def never_pull(template):
    line = '  - image: "{{ kernel_image }}"\n'
    assert template.count(line) == 1
    return template.replace(line, line + "    imagePullPolicy: Never\n")


# name -> (installer options, template change, server env, waiting reason, message, seconds allowed)
CASES = {
    "invalid-image": (["--image-name=e2e.local/Kernel-Py:1"], None, {}, "InvalidImageName",
                      'Failed to apply default image tag "e2e.local/Kernel-Py:1": couldn\'t parse image name '
                      '"e2e.local/Kernel-Py:1": invalid reference format', 5),
    "never-pull": ([], never_pull, {}, "ErrImageNeverPull",
                   'Container image "elyra/kernel-py:0.5.0" is not present with pull policy of Never', 5),
    "missing-secret": ([], with_secret_env, {}, "CreateContainerConfigError", 'secret "ann-db" not found', 5),
    "image-not-found": (["--image-name=e2e.local/missing-kernel:1"], None, {}, "ErrImagePull",
                        'rpc error: code = NotFound desc = failed to pull and unpack image '
                        '"e2e.local/missing-kernel:1": failed to resolve reference "e2e.local/missing-kernel:1": '
                        "e2e.local/missing-kernel:1: not found", 15),
    # The registry cannot be reached: retryable, so it fails once the pull grace is over.
    "registry-unreachable": (["--image-name=registry.invalid/kernel-py:1"], None, {"K8S_SPEC_PULL_GRACE": "4"},
                             None, "dial tcp: lookup registry.invalid: no such host", 15),
}


def reference_launcher_dir():
    found = glob.glob(os.path.join(VENVS["main"], "lib", "python3*", "site-packages", "gateway_provisioners",
                                   "kernel-launchers", "kubernetes", "scripts"))
    assert len(found) == 1, found
    return found[0]


@pytest.fixture(scope="module")
def failing_specs(specs):
    """For each case a kernelspec with our launcher and one with the reference's, installed next to
    the session's (on the gateway's JUPYTER_PATH)."""
    prefix = specs["_prefix"]
    kernels = os.path.join(prefix, "share", "jupyter", "kernels")
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": prefix, "LANG": "C.UTF-8"}
    out = {}
    for case, (options, change, *_rest) in CASES.items():
        for side, timeout in (("ours", OUR_TIMEOUT), ("reference", REFERENCE_TIMEOUT)):
            name = f"e2e_ff_{case.replace('-', '_')}_{side}"
            cmd = [installer_bin(), "install", f"--prefix={prefix}", "--replace", f"--kernel-name={name}",
                   f"--launch-timeout={timeout}", *options]
            proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)
            assert proc.returncode == 0, f"{cmd}: {proc.stderr}"
            scripts = os.path.join(kernels, name, "scripts")
            if side == "reference":
                for f in ("launch_kubernetes.py", "kernel-pod.yaml.j2"):
                    shutil.copy(os.path.join(reference_launcher_dir(), f), os.path.join(scripts, f))
            if change:
                path = os.path.join(scripts, "kernel-pod.yaml.j2")
                with open(path) as f:
                    text = f.read()
                with open(path, "w") as f:
                    f.write(change(text))
            out[(case, side)] = name
    return out


def assert_nothing_left(run):
    cluster = run.cluster.cluster
    assert cluster.list("pods") == []
    assert cluster.procs == {}
    assert [p for p in cluster.pod_history if p["name"].startswith("ann-")] == []  # no kernel container ran


@pytest.mark.parametrize("case", list(CASES))
def test_pod_that_cannot_start_fails_the_start_fast(gateway, failing_specs, case):
    _, _, server_env, reason, message, allowed = CASES[case]
    # In-cluster, as in production (the launchers then talk to the API without the kubernetes client).
    ours = gateway(failing_specs[(case, "ours")], ["start"], client_env={"KERNEL_USERNAME": "ann"},
                   server_env=server_env, in_cluster=True)
    error = ours.failed("start")
    [[_, _, _, kid, *_]] = ours.launch_cmds()
    pod = f"ann-{kid}"
    # The provisioner reports the failure on its next poll: the launcher deleted the pod and exited 1.
    assert error == {"type": "RuntimeError", "message": f"Error occurred during launch of KernelID: {kid}.  "
                                                        "Check Enterprise Gateway log for more information."}
    seconds = ours.seconds("start")
    assert seconds <= allowed, seconds
    # The reason is in the server log (the launcher's stderr), on one line.
    errors = [line for line in ours.log.splitlines() if line.startswith("ERROR - ")]
    assert len(errors) == 1, errors
    if reason:
        assert errors[0] == f"ERROR - kernel pod {pod} cannot start: {reason}: {message}"
    else:  # repeated past the grace: ErrImagePull or ImagePullBackOff, with the registry's answer
        assert errors[0].startswith(f"ERROR - kernel pod {pod} cannot start: ")
        assert errors[0].endswith(f"{message} (still failing after 4 s)")
    assert f"INFO - deleted what this launch created: Pod default/{pod}" in ours.log
    # It was deleted with grace period 0 and gone before the launcher exited.
    ours_deletes = [c for c in ours.calls("DELETE") if c["user_agent"] == LAUNCHER_AGENT]
    assert [(d["path"], d["body"]["gracePeriodSeconds"]) for d in ours_deletes] == [
        (f"/api/v1/namespaces/default/pods/{pod}", 0)]
    assert_nothing_left(ours)

    reference = gateway(failing_specs[(case, "reference")], ["start"], client_env={"KERNEL_USERNAME": "ann"},
                        server_env=server_env, in_cluster=True)
    ref_error = reference.failed("start")
    [[_, _, _, ref_kid, *_]] = reference.launch_cmds()
    assert ref_error == {"type": "TimeoutError", "message": f"KernelID: '{ref_kid}' launch timeout due to: Waited too "
                                                            f"long ({REFERENCE_TIMEOUT}s) to get connection file"}
    ref_seconds = reference.seconds("start")
    assert ref_seconds >= REFERENCE_TIMEOUT
    assert [c["path"] for c in reference.calls("POST")] == ["/api/v1/namespaces/default/pods"]  # it did launch
    assert (reason or "ErrImagePull") not in reference.log  # the reason never reached the server log
    print(f"TIMING {case}: ours {seconds:.1f} s, reference {ref_seconds:.1f} s "
          f"(its launch_timeout {REFERENCE_TIMEOUT} s)")


def test_unschedulable_waits_and_starts_when_a_node_comes(gateway, specs, cluster):
    """Unschedulable is not terminal: the wait is explained once in the log, and the kernel starts
    when a node that fits joins (as a cluster autoscaler would add one)."""
    prefix = specs["_prefix"]
    cmd = [installer_bin(), "install", f"--prefix={prefix}", "--replace", "--kernel-name=e2e_ff_hdd",
           "--node-selector", "disktype=hdd"]
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": prefix, "LANG": "C.UTF-8"}
    assert subprocess.run(cmd, env=env, capture_output=True, timeout=60).returncode == 0

    def add_node_when_unschedulable():
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            for p in cluster.cluster.list("pods"):
                if any(c.get("reason") == "Unschedulable" for c in p["status"].get("conditions") or []):
                    time.sleep(2)
                    cluster.cluster.add_node("e2e-hdd-node", {"disktype": "hdd"})
                    return
            time.sleep(0.1)

    scaler = threading.Thread(target=add_node_when_unschedulable)
    scaler.start()
    run = gateway("e2e_ff_hdd", ["start", {"op": "execute", "code": "print(6 * 7)"}, "shutdown"],
                  client_env={"KERNEL_USERNAME": "ann"})
    scaler.join()
    start = run.ok("start")
    pod = f"ann-{start['kernel_id']}"
    assert run.ok("execute")["stdout"] == "42\n"
    assert run.ok("shutdown") == {"alive": False}
    waits = [line for line in run.log.splitlines() if line.startswith(f"WARNING - kernel pod {pod}: ")]
    assert waits == [f"WARNING - kernel pod {pod}: Unschedulable: 0/1 nodes are available: 1 node(s) didn't match "
                     "Pod's node affinity/selector. preemption: 0/1 nodes are available: 1 Preemption is not helpful "
                     "for scheduling."]
    assert cluster.cluster.list("pods") == []
    [boot] = run.boots()
    assert boot["kernel_id"] == start["kernel_id"]


def test_healthy_kernel_starts_runs_restarts_and_shuts_down(gateway):
    run = gateway("k8s_python", ["start", {"op": "execute", "code": PROBE}, "restart",
                                 {"op": "execute", "code": "print('again')"}, "shutdown"],
                  client_env={"KERNEL_USERNAME": "ann"})
    start = run.ok("start")
    pod = f"ann-{start['kernel_id']}"
    assert probe(run)["env"]["KERNEL_ID"] == start["kernel_id"]
    assert run.ok("restart")["pod_name"] == pod
    assert run.ok("execute", 1)["stdout"] == "again\n"
    assert run.ok("shutdown") == {"alive": False}
    assert run.seconds("start") < 5
    # Each launch followed its pod (list + watch by name) and changed nothing but creating it.
    ours = [c for c in run.calls() if c["user_agent"] == LAUNCHER_AGENT]
    assert [c["method"] for c in ours if c["method"] != "GET"] == ["POST", "POST"]
    watches = [c for c in ours if c.get("watch")]
    assert [w["query"]["fieldSelector"] for w in watches] == [[f"metadata.name={pod}"]] * 2
    assert not [line for line in run.log.splitlines() if line.startswith(("ERROR - ", "WARNING - "))]
    assert run.cluster.cluster.list("pods") == []


def test_throttled_and_unavailable_pod_create(gateway, cluster):
    cluster.cluster.faults.add("POST", "pods", "429", count=2, retry_after=1)
    cluster.cluster.faults.add("POST", "pods", "503", count=1, retry_after=1)
    run = gateway("k8s_python", ["start", {"op": "execute", "code": "print(1 + 1)"}, "shutdown"],
                  client_env={"KERNEL_USERNAME": "ann"})
    start = run.ok("start")
    assert run.ok("execute")["stdout"] == "2\n"
    assert run.ok("shutdown") == {"alive": False}
    posts = run.calls("POST")
    assert [p["code"] for p in posts] == [429, 429, 503, 201]
    assert {p["body"]["metadata"]["name"] for p in posts} == {f"ann-{start['kernel_id']}"}
    assert len(run.boots()) == 1  # exactly one pod ran
    retries = [line for line in run.log.splitlines() if line.startswith("WARNING - POST ")]
    assert len(retries) == 3


def test_lost_answer_to_the_pod_create(gateway, cluster):
    cluster.cluster.faults.add("POST", "pods", "drop-after")
    run = gateway("k8s_python", ["start", {"op": "execute", "code": "print(3)"}, "shutdown"],
                  client_env={"KERNEL_USERNAME": "ann"})
    run.ok("start")
    assert run.ok("execute")["stdout"] == "3\n"
    assert run.ok("shutdown") == {"alive": False}
    assert [p["code"] for p in run.calls("POST")] == [201, 409]
    assert len(run.boots()) == 1


def test_rejected_pod_leaves_no_secret_or_claim(gateway):
    """The customised template creates a Secret and a claim before the Pod, which the API rejects."""
    run = gateway("e2e_template", ["start"], client_env={"KERNEL_USERNAME": "kim", "KERNEL_NAMESPACE": "team-byo",
                                                          "KERNEL_CPUS": "lots"})
    error = run.failed("start")
    [[_, _, _, kid, *_]] = run.launch_cmds()
    assert error == {"type": "RuntimeError", "message": f"Error occurred during launch of KernelID: {kid}.  "
                                                        "Check Enterprise Gateway log for more information."}
    assert run.seconds("start") <= 5
    base = "/api/v1/namespaces/team-byo"
    ours = [(c["method"], c["path"]) for c in run.calls() if c["user_agent"] == LAUNCHER_AGENT and c["method"] != "GET"]
    assert ours == [
        ("POST", f"{base}/secrets"), ("POST", f"{base}/persistentvolumeclaims"), ("POST", f"{base}/pods"),
        ("DELETE", f"{base}/persistentvolumeclaims/kim-home"), ("DELETE", f"{base}/secrets/kim-{kid}-token"),
    ]
    assert [c["code"] for c in run.calls("POST")] == [201, 201, 400]
    assert (f"INFO - deleted what this launch created: PersistentVolumeClaim team-byo/kim-home, "
            f"Secret team-byo/kim-{kid}-token") in run.log
    cluster = run.cluster.cluster
    assert (cluster.list("secrets"), cluster.list("persistentvolumeclaims"), cluster.list("pods")) == ([], [], [])


def test_spark_operator_driver_image_cannot_be_pulled(gateway, specs):
    prefix = specs["_prefix"]
    cmd = [installer_bin(), "install", f"--prefix={prefix}", "--replace", "--kernel-name=e2e_ff_spark", "--crd",
           "--spark", "--image-name=e2e.local/missing-spark-py:1"]
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": prefix, "LANG": "C.UTF-8"}
    assert subprocess.run(cmd, env=env, capture_output=True, timeout=60).returncode == 0
    run = gateway("e2e_ff_spark", ["start"], client_env={"KERNEL_USERNAME": "ann"}, in_cluster=True)
    error = run.failed("start")
    [[_, _, _, kid, *_]] = run.launch_cmds()
    app = f"ann-{kid}"
    assert error == {"type": "RuntimeError", "message": f"Error occurred during launch of KernelID: {kid}.  "
                                                        "Check Enterprise Gateway log for more information."}
    assert run.seconds("start") <= 15
    errors = [line for line in run.log.splitlines() if line.startswith("ERROR - ")]
    assert len(errors) == 1 and errors[0].startswith(
        f"ERROR - kernel pod {app}-driver (Spark driver of {app}) cannot start: ErrImagePull: rpc error: code = "
        'NotFound desc = failed to pull and unpack image "e2e.local/missing-spark-py:1"')
    apps = "/apis/sparkoperator.k8s.io/v1beta2/namespaces/default/sparkapplications"
    ours = [(c["method"], c["path"]) for c in run.calls() if c["user_agent"] == LAUNCHER_AGENT and c["method"] != "GET"]
    assert ours == [("POST", apps), ("DELETE", f"{apps}/{app}"),
                    ("DELETE", f"/api/v1/namespaces/default/pods/{app}-driver")]
    assert run.cluster.cluster.list("sparkapplications") == [] and run.cluster.cluster.list("pods") == []
    # The provisioner followed the application until the launcher's exit status was known.
    assert len(provisioner_calls(run, "GET", f"^{apps}/{app}$")) >= 1
    print(f"TIMING spark-operator driver image not found: ours {run.seconds('start'):.1f} s")
