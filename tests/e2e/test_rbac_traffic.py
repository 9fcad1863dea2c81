"""`jupyter-k8s-spec rbac` against what the end-to-end suite actually asked the API server.

Every request of every gateway run of the session (the provisioner, our launchers, the
reference's launcher where a test compares with it, spark-submit; successful launches, failed ones
and their cleanup, watches) is recorded by the gateway fixture with the namespace mode of its run
(conftest.RBAC_TRAFFIC). The RBAC objects `rbac --namespace-mode MODE` prints for that mode must
allow each of them (rbac_eval.py plays the API server's RBAC authorizer). This test runs after
all others (conftest.pytest_collection_modifyitems); when the whole suite ran, it also checks that
the traffic covered every mode and the kinds of request the rules are there for."""

import os
import subprocess

import pytest
import yaml

import conftest
import rbac_eval
from conftest import installer_bin

pytestmark = pytest.mark.skipif(os.environ.get("E2E_REFERENCE") == "1",
                                reason="`rbac` is an extension the reference lacks")

ACCOUNT = "e2e-gateway"  # the server's service account in the generated objects
MODULES = {"test_kubernetes_kernels", "test_spark_kernels", "test_launch_failures", "test_pod_options"}
CORE, RBAC, SPARK = "", "rbac.authorization.k8s.io", "sparkoperator.k8s.io"
# (verb, group, resource) the whole suite must have made in each mode: what each rule is for.
EXPECTED = {
    "shared": {
        ("create", CORE, "pods"), ("list", CORE, "pods"), ("watch", CORE, "pods"), ("get", CORE, "pods"),
        ("delete", CORE, "pods"),  # the provisioner's shutdown; the launchers' cleanup and wait until gone
        ("create", SPARK, "sparkapplications"), ("get", SPARK, "sparkapplications"),
        ("list", SPARK, "sparkapplications"), ("watch", SPARK, "sparkapplications"),
        ("delete", SPARK, "sparkapplications"),
    },
    "byo": {
        ("create", CORE, "pods"), ("list", CORE, "pods"), ("watch", CORE, "pods"), ("delete", CORE, "pods"),
        ("create", CORE, "secrets"), ("create", CORE, "persistentvolumeclaims"),
        ("delete", CORE, "secrets"), ("delete", CORE, "persistentvolumeclaims"),  # a rejected pod's cleanup
    },
    "auto": {
        ("create", CORE, "namespaces"), ("delete", CORE, "namespaces"), ("create", RBAC, "rolebindings"),
        ("create", CORE, "pods"), ("list", CORE, "pods"), ("watch", CORE, "pods"), ("delete", CORE, "pods"),
    },
}


def manifest(mode, namespace):
    proc = subprocess.run([installer_bin(), "rbac", "--namespace-mode", mode, "--namespace", namespace,
                           "--service-account", ACCOUNT], capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0, proc.stderr
    return [d for d in yaml.safe_load_all(proc.stdout) if d]


def whole_suite_ran(config, items):
    return (not config.getoption("keyword") and not config.getoption("markexpr")
            and MODULES <= {item.module.__name__ for item in items})


def test_rbac_allows_every_request_the_suite_made(request):
    traffic = conftest.RBAC_TRAFFIC
    assert traffic, "no gateway run recorded any request (run the suite, not this test alone)"
    manifests, denied, seen = {}, [], {}
    for r in traffic:
        key = (r["mode"], r["server_namespace"])
        if key not in manifests:
            manifests[key] = manifest(*key)
        attrs = rbac_eval.attributes(r["method"], r["path"], r["query"])
        seen.setdefault(r["mode"], set()).add(attrs.key())
        why = rbac_eval.denied(manifests[key], ACCOUNT, r["server_namespace"], r["method"], r["path"], r["query"],
                               r["body"])
        if why:
            denied.append(f"{r['test']} ({r['mode']}, {r['user_agent'] or 'no user agent'}): {why}")
    assert denied == []
    print("\nRBAC-checked requests by mode: " + ", ".join(
        f"{mode} {sum(r['mode'] == mode for r in traffic)}" for mode in sorted(seen)))
    if whole_suite_ran(request.config, request.session.items):
        for mode, expected in EXPECTED.items():
            assert expected - seen.get(mode, set()) == set(), f"{mode}: the suite no longer makes these requests"


# ---- the evaluator itself ---------------------------------------------------------------------

def test_request_attributes():
    a = rbac_eval.attributes
    cases = [
        (("POST", "/api/v1/namespaces", {}), ("create", "", "namespaces", "", "", "")),
        (("DELETE", "/api/v1/namespaces/k1", {}), ("delete", "", "namespaces", "", "k1", "k1")),
        (("GET", "/api/v1/namespaces/ns/pods", {"labelSelector": ["a=b"]}), ("list", "", "pods", "", "ns", "")),
        (("GET", "/api/v1/namespaces/ns/pods", "watch=true&fieldSelector=metadata.name%3Dp1"),
         ("watch", "", "pods", "", "ns", "p1")),
        (("GET", "/api/v1/namespaces/ns/pods/p1/log", {}), ("get", "", "pods", "log", "ns", "p1")),
        (("DELETE", "/apis/sparkoperator.k8s.io/v1beta2/namespaces/ns/sparkapplications", {}),
         ("deletecollection", SPARK, "sparkapplications", "", "ns", "")),
        (("POST", "/api/v1/persistentvolumes", {}), ("create", "", "persistentvolumes", "", "", "")),
        (("PATCH", "/api/v1/namespaces/ns/pods/p1", {}), ("patch", "", "pods", "", "ns", "p1")),
    ]
    for args, expected in cases:
        got = a(*args)
        assert (got.verb, got.group, got.resource, got.subresource, got.namespace, got.name) == expected, args


@pytest.mark.parametrize("mode", ["shared", "byo", "auto"])
def test_what_each_mode_denies(mode):
    """The evaluator can say no: requests no mode grants, and each mode's limits."""
    docs = manifest(mode, "jupyter")
    ns = "jupyter" if mode == "shared" else "team-a"

    def denied(method, path, query="", body=None, account=ACCOUNT, account_ns="jupyter"):
        return rbac_eval.denied(docs, account, account_ns, method, path, query, body) is not None

    assert not denied("POST", f"/api/v1/namespaces/{ns}/pods")
    assert not denied("GET", f"/api/v1/namespaces/{ns}/pods", "watch=1&fieldSelector=metadata.name%3Dp")
    assert denied("POST", f"/api/v1/namespaces/{ns}/pods", account="other")  # not bound to another account
    assert denied("POST", f"/api/v1/namespaces/{ns}/pods", account_ns="elsewhere")
    assert denied("GET", f"/api/v1/namespaces/{ns}/secrets/s")  # secrets are created and deleted, never read
    assert denied("GET", f"/api/v1/namespaces/{ns}/pods/p/log")  # a subresource needs its own rule
    assert denied("PATCH", f"/api/v1/namespaces/{ns}/pods/p")
    assert denied("DELETE", f"/api/v1/namespaces/{ns}/pods")  # deletecollection
    assert denied("POST", f"/api/v1/namespaces/{ns}/configmaps/x/y")  # not a resource the rules name
    assert denied("POST", "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings")
    binding = {"roleRef": {"kind": "ClusterRole", "name": "kernel-controller"}}
    rolebindings = f"/apis/rbac.authorization.k8s.io/v1/namespaces/{ns}/rolebindings"
    assert denied("POST", rolebindings, body=binding) == (mode != "auto")
    assert denied("POST", rolebindings, body={"roleRef": {"kind": "ClusterRole", "name": "cluster-admin"}})
    assert denied("POST", "/api/v1/namespaces") == (mode != "auto")
    if mode == "shared":  # a Role in the server's namespace only
        assert denied("POST", "/api/v1/namespaces/team-a/pods")
        assert not denied("POST", "/api/v1/persistentvolumes")
