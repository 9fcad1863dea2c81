"""Assertion helpers shared by the scenarios (exact expectations from launchers.md)."""

import json
import re

POD_LABELS = {"app": "gateway-provisioners", "component": "kernel", "source": "kernel-pod.yaml"}
POD_ANNOTATIONS = {"cluster-autoscaler.kubernetes.io/safe-to-evict": "false"}
DELETE_OPTIONS = {"gracePeriodSeconds": 0, "propagationPolicy": "Background"}
PUBLIC_KEY = re.compile(r"^MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQ[A-Za-z0-9+/=]+$")

# Printed by a kernel to show what it runs with.
PROBE = (
    "import os, json\n"
    "print(json.dumps({'cwd': os.getcwd(), 'env': {k: v for k, v in os.environ.items()"
    " if k.startswith('KERNEL_') or k in ('HOSTNAME', 'PORT_RANGE', 'RESPONSE_ADDRESS', 'PUBLIC_KEY')}}))"
)


def probe(run, index=0):
    out = run.ok("execute", index)
    assert out["status"] == "ok", out
    return json.loads(out["stdout"])


def compact(obj):
    """Drops keys whose value is None or an empty list/dict (the API treats them as absent)."""
    if isinstance(obj, dict):
        return {k: compact(v) for k, v in obj.items() if v not in (None, [], {})}
    if isinstance(obj, list):
        return [compact(v) for v in obj]
    return obj


def env_of(container):
    entries = container.get("env") or []
    names = [e["name"] for e in entries]
    assert len(names) == len(set(names)), f"duplicate env names: {names}"
    for e in entries:
        assert set(e) <= {"name", "value"}, e
        assert isinstance(e.get("value", ""), str), e
    return {e["name"]: e.get("value", "") for e in entries}


def check_pod_body(body, *, kernel_id, name, namespace, image, service_account="default",
                   uid=1000, gid=100, container_extra=None, spec_extra=None):
    """Asserts the exact shape of a kernel pod created by launch_kubernetes.py; returns its env."""
    body = compact(body)
    assert body["apiVersion"] == "v1" and body["kind"] == "Pod"
    assert body["metadata"] == {
        "name": name, "namespace": namespace,
        "labels": {"kernel_id": kernel_id, **POD_LABELS},
        "annotations": POD_ANNOTATIONS,
    }
    spec = dict(body["spec"])
    containers = spec.pop("containers")
    assert spec == {
        "restartPolicy": "Never",
        "serviceAccountName": service_account,
        "securityContext": {"runAsUser": uid, "runAsGroup": gid, "fsGroup": 100},
        **(spec_extra or {}),
    }
    assert len(containers) == 1
    container = dict(containers[0])
    env = env_of(container)
    container.pop("env")
    assert container == {"image": image, "name": name, **(container_extra or {})}
    return env


def check_kernel_env(env, *, kernel_id, username, namespace, pod, language, image, kernel_name,
                     response_address, port_range="0..0", service_account="default",
                     uid="1000", gid="100", class_name="ipykernel.ipkernel.IPythonKernel"):
    """The pod env the kernel image relies on (launchers.md 3.2, 4.3, 8.1)."""
    expected = {
        "KERNEL_ID": kernel_id, "KERNEL_USERNAME": username, "KERNEL_NAMESPACE": namespace,
        "KERNEL_POD_NAME": pod, "KERNEL_LANGUAGE": language, "KERNEL_IMAGE": image,
        "KERNEL_SERVICE_ACCOUNT_NAME": service_account, "KERNEL_UID": uid, "KERNEL_GID": gid,
        "KERNEL_NAME": kernel_name, "RESPONSE_ADDRESS": response_address,
        "PORT_RANGE": port_range, "KERNEL_SPARK_CONTEXT_INIT_MODE": "none",
    }
    got = {k: env.get(k) for k in expected}
    assert got == expected
    assert PUBLIC_KEY.match(env.get("PUBLIC_KEY", "")), env.get("PUBLIC_KEY")
    if class_name is None:
        assert "KERNEL_CLASS_NAME" not in env
    else:
        assert env.get("KERNEL_CLASS_NAME") == class_name
    assert "TRANSPORT_ENCRYPTION" not in env  # empty policy is not passed on


def launch_argv(run):
    """The single substituted argv of each launch, with its response address and public key."""
    cmds = run.launch_cmds()
    assert cmds, f"no launch logged\n{run.log[-4000:]}"
    return cmds


LAUNCHER_AGENT = "k8s-spec-launcher"  # the User-Agent of our launchers' requests


def provisioner_calls(run, method=None, path_re=None):
    """Requests not made by our launchers (they follow the kernel's pod themselves)."""
    return [c for c in run.calls(method, path_re) if c.get("user_agent") != LAUNCHER_AGENT]


def check_pod_lookups(run, namespace, kernel_id):
    gets = provisioner_calls(run, "GET", rf"^/api/v1/namespaces/{re.escape(namespace)}/pods$")
    assert len(gets) >= 2, "the provisioner polls the pod until it runs"
    for g in gets:
        assert g["query"] == {"labelSelector": [f"kernel_id={kernel_id},component=kernel"]}, g


def check_pod_deletes(run, namespace, pod, count):
    deletes = run.calls("DELETE", rf"^/api/v1/namespaces/{re.escape(namespace)}/pods/")
    assert [d["path"] for d in deletes] == [f"/api/v1/namespaces/{namespace}/pods/{pod}"] * count
    for d in deletes:
        assert {k: d["body"].get(k) for k in DELETE_OPTIONS} == DELETE_OPTIONS
        assert d["code"] == 200
