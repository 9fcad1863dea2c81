"""Kernelspecs installed with the pod options (--toleration, --node-selector, --image-pull-secret,
--pod-annotation, --pod-label; an extension of ours) launched end to end: the objects the launchers
create carry exactly the entries given, and the kernel runs."""

import copy
import os
import subprocess

import pytest

from conftest import installer_bin
from expect import PROBE, check_pod_body, probe

pytestmark = pytest.mark.skipif(os.environ.get("E2E_REFERENCE") == "1",
                                reason="the pod options are an extension the reference lacks")

NOTE = 'scheduled by "k8s-spec"\n{{ not jinja }} {% neither %}'
OPTIONS = [
    "--toleration", "dedicated=jupyter:NoSchedule",
    "--toleration=nvidia.com/gpu:NoExecute",
    "--node-selector", "disktype=ssd",
    "--image-pull-secret", "regcred",
    "--image-pull-secret=mirror-cred",
    f"--pod-annotation=example.com/note={NOTE}",
    "--pod-label", "team=e2e",
]
TOLERATIONS = [
    {"key": "dedicated", "operator": "Equal", "value": "jupyter", "effect": "NoSchedule"},
    {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoExecute"},
]
NODE_SELECTOR = {"disktype": "ssd"}


@pytest.fixture(scope="module")
def placed(specs):
    """Installs two kernelspecs with the options next to the session's (on the gateway's path)."""
    prefix = specs["_prefix"]
    installs = {
        "e2e_placed": ["--kernel-name=e2e_placed", "--display-name=E2E Placed"],
        "e2e_placed_operator": ["--kernel-name=e2e_placed_operator", "--crd", "--spark"],
    }
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": prefix, "LANG": "C.UTF-8"}
    for name, args in installs.items():
        cmd = [installer_bin(), "install", f"--prefix={prefix}", "--replace", *args, *OPTIONS]
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0, f"{cmd}: {proc.stderr}"
    return {name: os.path.join(prefix, "share", "jupyter", "kernels", name) for name in installs}


def test_kernel_pod_has_the_options(gateway, placed):
    run = gateway("e2e_placed", ["start", {"op": "execute", "code": PROBE}, "shutdown"],
                  client_env={"KERNEL_USERNAME": "pat"})
    kid = run.ok("start")["kernel_id"]
    pod = f"pat-{kid}"
    assert probe(run)["env"]["KERNEL_ID"] == kid  # the kernel runs in the pod
    assert run.ok("shutdown") == {"alive": False}

    [post] = run.calls("POST", r"/pods$")
    assert post["code"] == 201
    body = copy.deepcopy(post["body"])
    spec, meta = body["spec"], body["metadata"]
    assert spec.pop("tolerations") == TOLERATIONS
    assert spec.pop("nodeSelector") == NODE_SELECTOR
    assert spec.pop("imagePullSecrets") == [{"name": "regcred"}, {"name": "mirror-cred"}]
    assert meta["labels"].pop("team") == "e2e"
    assert meta["annotations"].pop("example.com/note") == NOTE
    # The rest is the stock pod: labels the provisioner finds it by, security context, container.
    check_pod_body(body, kernel_id=kid, name=pod, namespace="default", image="elyra/kernel-py:0.5.0")
    # The provisioner found and deleted it by its labels, as for any kernel.
    assert run.mutations() == [("POST", "/api/v1/namespaces/default/pods"),
                               ("DELETE", f"/api/v1/namespaces/default/pods/{pod}")]


def test_spark_application_has_the_options(gateway, placed):
    run = gateway("e2e_placed_operator", ["start", {"op": "execute", "code": PROBE}, "shutdown"],
                  client_env={"KERNEL_USERNAME": "pat"}, in_cluster=True)
    kid = run.ok("start")["kernel_id"]
    app = f"pat-{kid}"
    assert probe(run)["env"]["KERNEL_ID"] == kid
    run.ok("shutdown")

    apps = "/apis/sparkoperator.k8s.io/v1beta2/namespaces/default/sparkapplications"
    [post] = run.calls("POST", apps)
    assert post["code"] == 201
    spec = post["body"]["spec"]
    assert spec["imagePullSecrets"] == ["regcred", "mirror-cred"]
    for section, component in (("driver", "kernel"), ("executor", "worker")):
        part = spec[section]
        assert part["tolerations"] == TOLERATIONS, section
        assert part["nodeSelector"] == NODE_SELECTOR, section
        assert part["labels"] == {"kernel_id": kid, "app": "gateway-provisioners", "component": component,
                                  "team": "e2e"}, section
    assert spec["driver"]["annotations"] == {"cluster-autoscaler.kubernetes.io/safe-to-evict": "false",
                                             "example.com/note": NOTE}
    assert spec["executor"]["annotations"] == {"example.com/note": NOTE}
    # The stand-in operator started the driver pod and the provisioner found it by its labels
    # (applying tolerations and node selectors is the real operator's part, which needs a cluster).
    assert run.mutations() == [("POST", apps), ("DELETE", f"{apps}/{app}")]
