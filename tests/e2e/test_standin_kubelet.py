"""The stand-in's kubelet, scheduler, watches and API faults behave as the real ones the launchers
react to (waiting reasons, messages, back-off, Events; 429/5xx/dropped connections; 422; the
schema checks of request bodies are in test_standin_schema.py)."""

import http.client
import json
import threading
import time
from urllib.parse import urlsplit

import pytest

from k8s_standin import NullRunner, StandIn, parse_image


@pytest.fixture
def standin(tmp_path):
    s = StandIn(str(tmp_path), runner=NullRunner(), pending_seconds=0.1, pull_backoff=(0.4, 1.6),
                namespaces=("default",))
    yield s
    s.close()


def request(standin, method, path, body=None, headers=None):
    """(status, headers, parsed body or None for a dropped connection)."""
    url = urlsplit(standin.url)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    try:
        data = json.dumps(body).encode() if body is not None else None
        conn.request(method, path, body=data, headers={"Content-Type": "application/json", **(headers or {})})
        resp = conn.getresponse()
        return resp.status, dict(resp.getheaders()), json.loads(resp.read() or b"null")
    except (http.client.RemoteDisconnected, ConnectionResetError):
        return None, {}, None
    finally:
        conn.close()


def pod(name="p1", image="e2e.local/kernel:1", **spec):
    container = {"name": "kernel", "image": image}
    container.update(spec.pop("container", {}))
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "labels": {"kernel_id": "k1"}},
            "spec": {"containers": [container], **spec}}


def wait_for(check, timeout=10):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"condition not met within {timeout} s")


def waiting(standin, name="p1"):
    status = standin.cluster.get("pods", "default", name)["status"]
    states = [cs["state"] for cs in status.get("containerStatuses") or []]
    return states[0].get("waiting") if states else None


def test_image_references():
    assert parse_image("elyra/kernel-py:0.5.0") == ("docker.io", "elyra/kernel-py", "0.5.0")
    assert parse_image("python") == ("docker.io", "library/python", "latest")
    assert parse_image("e2e.local:5000/a/b@sha256:" + "a" * 64) == ("e2e.local:5000", "a/b", "sha256:" + "a" * 64)
    for bad in ("Bad/Image:1", "e2e.local/Kernel:1", "a b", "img:", " img", "img::1", ""):
        assert parse_image(bad) is None, bad


def test_healthy_pod_runs_with_events(standin):
    assert request(standin, "POST", "/api/v1/namespaces/default/pods", pod())[0] == 201
    wait_for(lambda: standin.cluster.get("pods", "default", "p1")["status"]["phase"] == "Running")
    got = standin.cluster.get("pods", "default", "p1")
    assert got["spec"]["nodeName"] == "e2e-node"
    assert got["status"]["conditions"][0]["type"] == "PodScheduled"
    assert [e[1] for e in standin.cluster.events_of("default", "p1")] == [
        "Scheduled", "Pulling", "Pulled", "Created", "Started"]


def test_image_pull_failure_backs_off_and_repeats(standin):
    image = "e2e.local/kernel:2"
    standin.cluster.registry.fail(image, "dial tcp: lookup e2e.local: i/o timeout")
    request(standin, "POST", "/api/v1/namespaces/default/pods", pod(image=image))
    seen = []

    def record():
        state = waiting(standin)
        if state and state["reason"] != "ContainerCreating" and (not seen or seen[-1][0] != state["reason"]):
            seen.append((state["reason"], state.get("message"), time.monotonic()))
        return len(seen) >= 5

    wait_for(record, timeout=15)
    assert [s[0] for s in seen] == ["ErrImagePull", "ImagePullBackOff", "ErrImagePull", "ImagePullBackOff",
                                    "ErrImagePull"]
    assert seen[0][1] == "dial tcp: lookup e2e.local: i/o timeout"
    assert seen[1][1] == f'Back-off pulling image "{image}"'
    first_wait, second_wait = seen[2][2] - seen[1][2], seen[4][2] - seen[3][2]
    assert 0.3 < first_wait < second_wait  # the back-off grows (0.4 s, then 0.8 s)
    events = standin.cluster.events_of("default", "p1")
    assert ("Warning", "Failed", f'Failed to pull image "{image}": dial tcp: lookup e2e.local: i/o timeout', 2) \
        in [e[:3] + (min(e[3], 2),) for e in events]
    assert ("Normal", "BackOff", f'Back-off pulling image "{image}"') in [e[:3] for e in events]
    # Once the registry answers, the pod starts.
    standin.cluster.registry.heal(image)
    wait_for(lambda: standin.cluster.get("pods", "default", "p1")["status"]["phase"] == "Running")


@pytest.mark.parametrize("image, reason, message", [
    ("e2e.local/missing-kernel:1", "ErrImagePull",
     'rpc error: code = NotFound desc = failed to pull and unpack image "e2e.local/missing-kernel:1": failed to '
     'resolve reference "e2e.local/missing-kernel:1": e2e.local/missing-kernel:1: not found'),
    ("Bad/Image:1", "InvalidImageName",
     'Failed to apply default image tag "Bad/Image:1": couldn\'t parse image name "Bad/Image:1": invalid reference '
     "format"),
])
def test_images_that_cannot_be_had(standin, image, reason, message):
    request(standin, "POST", "/api/v1/namespaces/default/pods", pod(image=image))
    state = wait_for(lambda: waiting(standin) if (waiting(standin) or {}).get("reason") == reason else None)
    assert state == {"reason": reason, "message": message}
    assert standin.cluster.get("pods", "default", "p1")["status"]["phase"] == "Pending"


def test_never_pull(standin):
    request(standin, "POST", "/api/v1/namespaces/default/pods", pod(container={"imagePullPolicy": "Never"}))
    state = wait_for(lambda: waiting(standin) if (waiting(standin) or {}).get("reason") == "ErrImageNeverPull"
                     else None)
    assert state["message"] == 'Container image "e2e.local/kernel:1" is not present with pull policy of Never'


def test_missing_secret_then_created(standin):
    env = [{"name": "TOKEN", "valueFrom": {"secretKeyRef": {"name": "creds", "key": "token"}}}]
    request(standin, "POST", "/api/v1/namespaces/default/pods", pod(container={"env": env}))
    state = wait_for(lambda: waiting(standin) if (waiting(standin) or {}).get("reason") == "CreateContainerConfigError"
                     else None)
    assert state["message"] == 'secret "creds" not found'
    assert ("Warning", "Failed", 'Error: secret "creds" not found') in [
        e[:3] for e in standin.cluster.events_of("default", "p1")]
    request(standin, "POST", "/api/v1/namespaces/default/secrets",
            {"metadata": {"name": "creds"}, "stringData": {"other": "x"}})
    state = wait_for(lambda: (waiting(standin) or {}).get("message") == "couldn't find key token in Secret default/creds")
    request(standin, "DELETE", "/api/v1/namespaces/default/secrets/creds")
    request(standin, "POST", "/api/v1/namespaces/default/secrets",
            {"metadata": {"name": "creds"}, "stringData": {"token": "x"}})
    wait_for(lambda: standin.cluster.get("pods", "default", "p1")["status"]["phase"] == "Running")


def test_unschedulable_until_a_node_matches(standin):
    request(standin, "POST", "/api/v1/namespaces/default/pods", pod(nodeSelector={"disktype": "hdd"}))

    def condition():
        conds = standin.cluster.get("pods", "default", "p1")["status"].get("conditions") or []
        return conds[0] if conds and conds[0].get("reason") == "Unschedulable" else None

    cond = wait_for(condition)
    assert (cond["type"], cond["status"]) == ("PodScheduled", "False")
    assert cond["message"] == ("0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector. "
                               "preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.")
    time.sleep(0.6)
    assert standin.cluster.get("pods", "default", "p1")["status"]["phase"] == "Pending"
    scheduling = [e for e in standin.cluster.events_of("default", "p1") if e[1] == "FailedScheduling"]
    assert [e[:3] for e in scheduling] == [("Warning", "FailedScheduling", cond["message"])]
    standin.cluster.add_node("big-disk", {"disktype": "hdd"})
    wait_for(lambda: standin.cluster.get("pods", "default", "p1")["status"]["phase"] == "Running")
    assert standin.cluster.get("pods", "default", "p1")["spec"]["nodeName"] == "big-disk"


def test_watch_streams_changes_from_a_version(standin):
    status, _, listing = request(standin, "GET", "/api/v1/namespaces/default/pods?fieldSelector=metadata.name%3Dp1")
    assert status == 200 and listing["items"] == []
    version = listing["metadata"]["resourceVersion"]
    url = urlsplit(standin.url)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    conn.request("GET", "/api/v1/namespaces/default/pods?watch=true&fieldSelector=metadata.name%3Dp1"
                        f"&resourceVersion={version}&timeoutSeconds=3")
    resp = conn.getresponse()
    assert resp.status == 200 and resp.getheader("Transfer-Encoding") == "chunked"
    threading.Timer(0.2, lambda: request(standin, "POST", "/api/v1/namespaces/default/pods", pod("p2"))).start()
    threading.Timer(0.3, lambda: request(standin, "POST", "/api/v1/namespaces/default/pods", pod())).start()
    threading.Timer(1.5, lambda: request(standin, "DELETE", "/api/v1/namespaces/default/pods/p1")).start()
    events = []
    for line in iter(resp.readline, b""):
        events.append(json.loads(line))
        if events[-1]["type"] == "DELETED":
            break
    conn.close()
    assert {e["object"]["metadata"]["name"] for e in events} == {"p1"}  # p2 is filtered out
    phases = [(e["type"], e["object"]["status"]["phase"]) for e in events]
    assert phases[0] == ("ADDED", "Pending") and phases[-1][0] == "DELETED"
    assert ("MODIFIED", "Running") in phases
    versions = [int(e["object"]["metadata"]["resourceVersion"]) for e in events]
    assert versions == sorted(versions) and versions[0] > int(version)


@pytest.mark.parametrize("mode, status", [("429", 429), ("503", 503), ("500", 500), ("drop", None)])
def test_faults_fail_the_first_requests_of_a_kind(standin, mode, status):
    standin.cluster.faults.add("POST", "pods", mode, count=2, retry_after=3)
    answers = [request(standin, "POST", "/api/v1/namespaces/default/pods", pod()) for _ in range(2)]
    assert [a[0] for a in answers] == [status, status]
    if status:
        assert answers[0][2]["kind"] == "Status" and answers[0][2]["code"] == status
        assert answers[0][1].get("Retry-After") == ("3" if status in (429, 503) else None)
    assert request(standin, "GET", "/api/v1/namespaces/default/pods")[0] == 200  # other kinds unaffected
    assert standin.cluster.list("pods") == []  # nothing was carried out
    assert request(standin, "POST", "/api/v1/namespaces/default/pods", pod())[0] == 201
    assert [c["code"] for c in standin.cluster.calls("POST")] == [status, status, 201]


def test_dropped_answer_after_the_work_was_done(standin):
    standin.cluster.faults.add("POST", "pods", "drop-after")
    assert request(standin, "POST", "/api/v1/namespaces/default/pods", pod())[0] is None
    assert [p["metadata"]["name"] for p in standin.cluster.list("pods")] == ["p1"]
    status, _, body = request(standin, "POST", "/api/v1/namespaces/default/pods", pod())
    assert (status, body["reason"]) == (409, "AlreadyExists")


@pytest.mark.parametrize("change, detail", [
    ({"container": {"env": [{"name": "1BAD", "value": "x"}]}}, 'spec.containers[0].env[0].name: Invalid value: "1BAD"'),
    ({"container": {"env": [{"name": "A", "value": "x", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}}]}},
     "spec.containers[0].env[0].valueFrom: Invalid value"),
    ({"container": {"imagePullPolicy": "Sometimes"}}, 'spec.containers[0].imagePullPolicy: Unsupported value'),
])
def test_invalid_pods_are_rejected(standin, change, detail):
    status, _, body = request(standin, "POST", "/api/v1/namespaces/default/pods", pod(**change))
    assert (status, body["reason"]) == (422, "Invalid")
    assert body["message"].startswith(f'Pod "p1" is invalid: {detail}')
    assert standin.cluster.list("pods") == []
