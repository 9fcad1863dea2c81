"""`jupyter-k8s-spec rbac` (an extension of ours): its YAML stream parses, every object uses only
fields the Kubernetes API defines (checked against the kubernetes client's models), the objects refer
to each other consistently, and the rules allow exactly the API calls the launchers we install make
(recorded by MockApi) and those the provisioner makes (launchers.md 3.5-3.10) -- and not, say,
reading secrets."""

import re
import subprocess
from urllib.parse import parse_qs, urlencode

import kubernetes.client
import pytest
import yaml

import test_custom_resource as crd
import test_fail_fast as ff
import test_launch_kubernetes as k8s
from test_fail_fast import tls  # noqa: F401  (fixture)
from test_installer_argv import installer_binary

SERVER_NS = "ns1"
SERVER_SA = "jupyter-server"
MODES = ("shared", "byo", "auto")
# The model class of each kind, as the kubernetes client names them.
MODELS = {
    "ServiceAccount": "V1ServiceAccount",
    "Role": "V1Role",
    "ClusterRole": "V1ClusterRole",
    "RoleBinding": "V1RoleBinding",
    "ClusterRoleBinding": "V1ClusterRoleBinding",
}
DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


def rbac(*args):
    return subprocess.run([installer_binary(), "rbac", *args], capture_output=True, text=True, timeout=30)


def manifest(mode, namespace=SERVER_NS, account=SERVER_SA):
    proc = rbac("--namespace-mode", mode, "--namespace", namespace, "--service-account", account)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    docs = list(yaml.safe_load_all(proc.stdout))
    assert docs and all(isinstance(d, dict) for d in docs), docs
    return proc.stdout, docs


# ----- schema: only fields the API knows, typed as it expects -----------------------------------------


def unknown_fields(data, type_name, where):
    """Paths of keys in `data` that the model `type_name` does not define, recursively."""
    # Older clients write list[X] and dict(str, X), newer ones List[X] and Dict[str, X].
    if type_name.lower().startswith("list["):
        assert isinstance(data, list), where
        return [p for i, item in enumerate(data) for p in unknown_fields(item, type_name[5:-1], f"{where}[{i}]")]
    if type_name.lower().startswith(("dict(", "dict[")):
        assert isinstance(data, dict), where
        value_type = type_name[5:-1].split(", ", 1)[1]
        return [p for k, v in data.items() for p in unknown_fields(v, value_type, f"{where}.{k}")]
    if type_name in ("str", "int", "bool", "datetime", "object"):
        expected = {"str": str, "int": int, "bool": bool}.get(type_name)
        if expected is not None:
            assert type(data) is expected, f"{where}: {data!r} is not {type_name}"
        return []
    model = getattr(kubernetes.client, type_name)
    json_to_attr = {v: k for k, v in model.attribute_map.items()}
    assert isinstance(data, dict), f"{where}: {data!r} is not a {type_name}"
    found = []
    for key, value in data.items():
        attr = json_to_attr.get(key)
        if attr is None:
            found.append(f"{where}.{key}")
        else:
            found += unknown_fields(value, model.openapi_types[attr], f"{where}.{key}")
    return found


@pytest.mark.parametrize("mode", MODES)
def test_every_field_is_known_and_objects_deserialize(mode):
    _, docs = manifest(mode)
    client = kubernetes.client.ApiClient()
    for doc in docs:
        model = MODELS[doc["kind"]]
        assert unknown_fields(doc, model, doc["kind"]) == []
        # The client's own deserializer checks required fields (verbs, roleRef, subject kind ...).
        obj = client._ApiClient__deserialize(doc, model)
        assert obj.metadata.name == doc["metadata"]["name"]
    assert unknown_fields({"kind": "Role", "rulez": []}, "V1Role", "Role") == ["Role.rulez"], "the check can fail"
    with pytest.raises(Exception):
        client._ApiClient__deserialize({"kind": "Role", "rules": [{"apiGroups": [""]}]}, "V1Role")


@pytest.mark.parametrize("mode", MODES)
def test_objects_refer_to_each_other(mode):
    _, docs = manifest(mode)
    by_kind = {}
    for doc in docs:
        by_kind.setdefault(doc["kind"], []).append(doc)
        assert doc["apiVersion"] == ("v1" if doc["kind"] == "ServiceAccount" else "rbac.authorization.k8s.io/v1")
        namespaced = doc["kind"] in ("ServiceAccount", "Role", "RoleBinding")
        assert ("namespace" in doc["metadata"]) == namespaced, doc
        if namespaced:
            assert doc["metadata"]["namespace"] == SERVER_NS
        assert doc["metadata"]["labels"]["app"] == "gateway-provisioners"
    [sa] = by_kind["ServiceAccount"]
    assert sa["metadata"]["name"] == SERVER_SA
    roles = {(d["kind"], d["metadata"]["name"]) for d in by_kind.get("Role", []) + by_kind.get("ClusterRole", [])}
    bindings = by_kind.get("RoleBinding", []) + by_kind.get("ClusterRoleBinding", [])
    assert bindings
    for b in bindings:
        assert (b["roleRef"]["kind"], b["roleRef"]["name"]) in roles
        assert b["roleRef"]["apiGroup"] == "rbac.authorization.k8s.io"
        assert b["subjects"] == [{"kind": "ServiceAccount", "name": SERVER_SA, "namespace": SERVER_NS}]
    bound = {(b["roleRef"]["kind"], b["roleRef"]["name"]) for b in bindings}
    unbound = roles - bound
    # Only the kernels' ClusterRole is left for the provisioner to bind, per kernel namespace.
    assert unbound == ({("ClusterRole", "kernel-controller")} if mode == "auto" else set())


def test_output_is_deterministic_and_names_are_quoted():
    first, _ = manifest("auto", "true", "null")
    second, docs = manifest("auto", "true", "null")
    assert first == second
    sa = docs[0]
    assert sa["metadata"] == {
        "name": "null",
        "namespace": "true",
        "labels": {"app": "gateway-provisioners", "component": "server"},
    }


# ----- the rules against the API calls actually made ----------------------------------------------------


def server_rules(docs, namespace):
    """The rules that apply to the server's account for objects in `namespace` (None: cluster-scoped)."""
    roles = {(d["kind"], d["metadata"]["name"]): d.get("rules", []) for d in docs if "rules" in d}
    rules = []
    for b in docs:
        in_namespace = b["kind"] == "RoleBinding" and b["metadata"]["namespace"] == namespace
        if b["kind"] == "ClusterRoleBinding" or in_namespace:
            rules += roles[(b["roleRef"]["kind"], b["roleRef"]["name"])]
    return rules


def request_attributes(method, path, query=""):
    """Kubernetes' request attributes for a REST call: (verb, api group, resource, namespace, name)."""
    parts = path.strip("/").split("/")
    group, rest = ("", parts[2:]) if parts[0] == "api" else (parts[1], parts[3:])
    namespace = None
    if len(rest) >= 3 and rest[0] == "namespaces":
        namespace, rest = rest[1], rest[2:]
    resource, name = rest[0], (rest[1] if len(rest) > 1 else None)
    if resource == "namespaces" and name and namespace is None:
        namespace = name  # a namespace object is its own namespace for authorization
    if method == "GET":
        verb = "get" if name else ("watch" if parse_qs(query).get("watch") == ["true"] else "list")
    else:
        delete = "delete" if name else "deletecollection"
        verb = {"POST": "create", "PUT": "update", "PATCH": "patch", "DELETE": delete}[method]
    return verb, group, resource, namespace, name


def allowed(docs, method, path, query=""):
    verb, group, resource, namespace, name = request_attributes(method, path, query)
    for r in server_rules(docs, namespace):
        if (
            group in r["apiGroups"]
            and resource in r["resources"]
            and verb in r["verbs"]
            and (not r.get("resourceNames") or name in r["resourceNames"])
        ):
            return True
    return False


def may_bind(docs, cluster_role):
    """RBAC's escalation check for creating a RoleBinding to `cluster_role`: the 'bind' verb on it."""
    return any(
        "rbac.authorization.k8s.io" in r["apiGroups"]
        and "clusterroles" in r["resources"]
        and "bind" in r["verbs"]
        and cluster_role in r.get("resourceNames", [cluster_role])
        for r in server_rules(docs, None)
    )


def launcher_calls(mock_api, tmp_path, namespace):
    """Every request our two launchers make: launch_kubernetes.py with a template creating each kind
    it supports, and launch_custom_resource.py; then the launcher's AlreadyExists lookup."""
    env = {"KERNEL_NAMESPACE": namespace, "KERNEL_POD_NAME": "p1", "KERNEL_IMAGE": "img", "KERNEL_TOKEN": "t"}
    proc, _ = k8s.launch(mock_api, tmp_path / "pod", env, template=k8s.MULTI)
    assert proc.returncode == 0, proc.stderr
    proc, _ = crd.launch(mock_api, tmp_path / "crd", {**crd.CRD_ENV, "KERNEL_NAMESPACE": namespace})
    assert proc.returncode == 0, proc.stderr
    calls = [(r["method"], r["path"], r["query"]) for r in mock_api.requests]
    assert {c[0] for c in calls} == {"POST"} and len(calls) == 5, calls
    # The pod lookup after a 409 (test_launch_kubernetes covers the flow itself).
    calls.append(("GET", f"/api/v1/namespaces/{namespace}/pods", "labelSelector=kernel_id=k1"))
    return calls


def provisioner_calls(namespace):
    """What the provisioners call (launchers.md 3.5, 3.6, 3.8, 3.10), not recorded here."""
    app = "/apis/sparkoperator.k8s.io/v1beta2/namespaces/{ns}/sparkapplications/alice-k1"
    return [
        ("GET", f"/api/v1/namespaces/{namespace}/pods", "labelSelector=kernel_id=k1,component=kernel"),
        ("DELETE", f"/api/v1/namespaces/{namespace}/pods/alice-k1", ""),
        ("GET", app.format(ns=namespace), ""),
        ("DELETE", app.format(ns=namespace), ""),
    ]


def test_launcher_and_provisioner_calls_are_allowed(mock_api, tmp_path):
    # The launchers run once (they are slow to start); their calls are then moved to each mode's
    # kernel namespace: shared, the server's; byo, a client's; auto, one created per kernel.
    recorded = launcher_calls(mock_api, tmp_path, "kernel-ns")
    for mode, namespace in (("shared", SERVER_NS), ("byo", "team-a"), ("auto", "alice-k1")):
        _, docs = manifest(mode)
        moved = [(m, p.replace("/namespaces/kernel-ns/", f"/namespaces/{namespace}/"), q) for m, p, q in recorded]
        assert all(f"/namespaces/{namespace}/" in c[1] for c in moved if "persistentvolumes" not in c[1])
        for call in moved + provisioner_calls(namespace):
            assert allowed(docs, *call), f"{mode}: {call} is denied"
        auto_calls = [
            ("POST", "/api/v1/namespaces", ""),  # creates the namespace named in the body
            ("POST", f"/apis/rbac.authorization.k8s.io/v1/namespaces/{namespace}/rolebindings", ""),
            ("DELETE", f"/api/v1/namespaces/{namespace}", ""),
        ]
        assert [allowed(docs, *c) for c in auto_calls] == [mode == "auto"] * 3, mode
        assert may_bind(docs, "kernel-controller") == (mode == "auto")
        assert not may_bind(docs, "cluster-admin")


def test_waiting_and_cleanup_calls_are_allowed(tmp_path, tls):
    """What the launchers call while they wait for the kernel and when they clean up after a failed
    launch (recorded by the cluster stand-in): list and watch the pod or the SparkApplication,
    delete what they created, and check it is gone."""
    calls = []
    for is_crd, env, template in (
        (False, {"KERNEL_IMAGE": "e2e.local/missing:1"}, ff.OBJECTS + ff.pod_template()),  # cannot start
        (False, {"KERNEL_CPUS": "lots"},  # rejected pod: the PV too
         "apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: pv-k1}\nspec: {}\n---\n" + ff.OBJECTS
         + ff.pod_template(container='    resources: {requests: {cpu: "{{ kernel_cpus }}"}}\n')),
        (True, {"KERNEL_IMAGE": "e2e.local/missing:1"}, None),  # driver pod cannot start
    ):
        cluster = ff.make_cluster(tmp_path / f"c{len(calls)}", tls, namespaces=("kernel-ns",))
        try:
            result = ff.launch(cluster, tmp_path, env={**env, "KERNEL_NAMESPACE": "kernel-ns"}, template=template,
                               crd=is_crd)
            assert result.proc.returncode == 1, result.proc.stderr
            calls += [(r["method"], r["path"], urlencode(r["query"], doseq=True)) for r in cluster.cluster.requests]
        finally:
            cluster.close()
    verbs = {request_attributes(*c)[:3] for c in calls}
    assert {("watch", "", "pods"), ("list", "", "pods"), ("get", "", "pods"), ("delete", "", "pods"),
            ("delete", "", "secrets"), ("delete", "", "persistentvolumeclaims"), ("delete", "", "persistentvolumes"),
            ("watch", "sparkoperator.k8s.io", "sparkapplications"),
            ("delete", "sparkoperator.k8s.io", "sparkapplications")} <= verbs
    for mode, namespace in (("shared", SERVER_NS), ("byo", "team-a"), ("auto", "alice-k1")):
        _, docs = manifest(mode)
        for method, path, query in calls:
            path = path.replace("/namespaces/kernel-ns/", f"/namespaces/{namespace}/")
            assert allowed(docs, method, path, query), f"{mode}: {method} {path}?{query} is denied"


@pytest.mark.parametrize("mode", MODES)
def test_what_is_not_granted(mode):
    _, docs = manifest(mode)
    other = "elsewhere"
    denied = [
        ("GET", f"/api/v1/namespaces/{SERVER_NS}/secrets/s"),  # secrets are only ever created
        ("GET", f"/api/v1/namespaces/{SERVER_NS}/secrets"),
        ("GET", "/api/v1/persistentvolumes"),
        ("PATCH", f"/api/v1/namespaces/{SERVER_NS}/pods/p"),
        ("DELETE", f"/api/v1/namespaces/{SERVER_NS}/pods"),
        ("POST", f"/apis/rbac.authorization.k8s.io/v1/namespaces/{SERVER_NS}/roles"),
        ("POST", "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings"),
    ]
    if mode == "shared":
        denied.append(("POST", f"/api/v1/namespaces/{other}/pods"))
    for call in denied:
        assert not allowed(docs, *call), f"{mode}: {call} is granted"


def test_kernel_cluster_role_is_what_spark_drivers_need():
    _, docs = manifest("auto")
    [role] = [d for d in docs if d["metadata"]["name"] == "kernel-controller"]
    assert role["kind"] == "ClusterRole"
    assert [(r["resources"], r["verbs"]) for r in role["rules"]] == [
        (["pods"], ["get", "list", "watch", "create", "delete"]),
        (["configmaps"], ["list", "create"]),
        (["persistentvolumeclaims", "services"], ["list"]),
    ]


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ["--namespace-mode", "everywhere"],
            "error: invalid --namespace-mode 'everywhere': expected one of shared, byo, auto\n",
        ),
        (["--namespace-mode=shared", "--namespace=Team_A"], "error: invalid --namespace 'Team_A': "),
        (["--namespace-mode=shared", "--service-account=a/b"], "error: invalid --service-account 'a/b': "),
    ],
)
def test_invalid_arguments(args, message):
    proc = rbac(*args)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.startswith(message) and proc.stderr.count("\n") == 1
