"""The stand-in answers the official kubernetes client like an API server would."""

import json
import time

import pytest
from kubernetes import client

from k8s_standin import StandIn


@pytest.fixture
def api(tmp_path):
    standin = StandIn(str(tmp_path), pending_seconds=0)
    conf = client.Configuration(host=standin.url)
    yield client.CoreV1Api(client.ApiClient(conf)), standin
    standin.close()


def status_of(err):
    body = json.loads(err.body)
    assert body["kind"] == "Status" and body["status"] == "Failure"
    return err.status, body["reason"]


def pod(name, image="img:1", containers=True):
    c = [{"name": name, "image": image}] if containers else []
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "labels": {"kernel_id": "k1"}},
            "spec": {"containers": c}}


def test_errors_are_status_objects(api):
    core, _ = api
    with pytest.raises(client.ApiException) as err:
        core.read_namespaced_pod("nope", "default")
    assert status_of(err.value) == (404, "NotFound")
    core.create_namespaced_pod("default", pod("p1"))
    with pytest.raises(client.ApiException) as err:
        core.create_namespaced_pod("default", pod("p1"))
    assert status_of(err.value) == (409, "AlreadyExists")
    for bad in (pod("p2", containers=False), pod("p3", image="")):
        with pytest.raises(client.ApiException) as err:
            core.create_namespaced_pod("default", bad)
        assert status_of(err.value) == (422, "Invalid")
    with pytest.raises(client.ApiException) as err:
        core.create_namespaced_pod("missing-ns", pod("p4"))
    assert status_of(err.value) == (404, "NotFound")


def test_pod_lifecycle_and_label_selector(api):
    core, standin = api
    # A container that exits at once: the emulator refuses to boot without KERNEL_LANGUAGE.
    core.create_namespaced_pod("default", pod("p1"))
    for _ in range(100):
        phase = core.read_namespaced_pod("p1", "default").status.phase
        if phase == "Failed":
            break
        time.sleep(0.1)
    assert phase == "Failed"
    assert [p.metadata.name for p in core.list_namespaced_pod("default", label_selector="kernel_id=k1").items] == ["p1"]
    assert core.list_namespaced_pod("default", label_selector="kernel_id=k2").items == []
    core.delete_namespaced_pod("p1", "default", body=client.V1DeleteOptions(grace_period_seconds=0))
    assert core.list_namespaced_pod("default").items == []
    recorded = [(r["method"], r["path"], r["code"]) for r in standin.cluster.requests]
    assert recorded[0] == ("POST", "/api/v1/namespaces/default/pods", 201)
    assert recorded[-2:] == [("DELETE", "/api/v1/namespaces/default/pods/p1", 200),
                             ("GET", "/api/v1/namespaces/default/pods", 200)]
