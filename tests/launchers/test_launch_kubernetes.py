"""launch_kubernetes.py and the stock kernel-pod.yaml.j2 (launchers.md sections 4 and 5)."""

import re
import time

import pytest

from conftest import K8S_SCRIPTS, base_env, env_list, install_spec, run_python, status_body, write_kubeconfig

STOCK_ENV = {
    "KERNEL_USERNAME": "alice",
    "KERNEL_POD_NAME": "alice-k1",
    "KERNEL_NAMESPACE": "ns1",
    "KERNEL_IMAGE": "elyra/kernel-py:0.5.0",
    "KERNEL_SERVICE_ACCOUNT_NAME": "default",
    "KERNEL_UID": "1000",
    "KERNEL_GID": "100",
}

# argv of the default Python kernelspec after the provisioner's substitutions (launchers.md 2.1)
PY_ARGS = [
    "--kernel-id", "k1",
    "--port-range", "0..0",
    "--response-address", "10.0.0.5:8877",
    "--public-key", "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC+/abc=",
    "--transport-encryption", "",
    "--kernel-class-name", "ipykernel.ipkernel.IPythonKernel",
]


def expected_pod(env, added, containers_extra=None, spec_extra=None, name="alice-k1", ns="ns1",
                 image="elyra/kernel-py:0.5.0", sa="default", kernel_id="k1"):
    """The stock template's pod; `added` are the variables the launcher appends to the env."""
    container = {"env": env_list({**env, **added}), "image": image, "name": name, "volumeMounts": None}
    container.update(containers_extra or {})
    spec = {
        "containers": [container],
        "restartPolicy": "Never",
        "securityContext": {"fsGroup": 100, "runAsGroup": 100, "runAsUser": 1000},
        "serviceAccountName": sa,
        "volumes": None,
    }
    spec.update(spec_extra or {})
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "annotations": {"cluster-autoscaler.kubernetes.io/safe-to-evict": "false"},
            "labels": {"app": "gateway-provisioners", "component": "kernel", "kernel_id": kernel_id,
                       "source": "kernel-pod.yaml"},
            "name": name,
            "namespace": ns,
        },
        "spec": spec,
    }


PY_ADDED = {
    "PORT_RANGE": "0..0",
    "PUBLIC_KEY": "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC+/abc=",
    "RESPONSE_ADDRESS": "10.0.0.5:8877",
    "KERNEL_ID": "k1",
    "KERNEL_SPARK_CONTEXT_INIT_MODE": "none",
    "KERNEL_CLASS_NAME": "ipykernel.ipkernel.IPythonKernel",
    "KERNEL_NAME": "k8s_python",
}


def drop_nulls(value):
    """What the kubernetes client sends: mapping entries with null values are omitted."""
    if isinstance(value, dict):
        return {k: drop_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [drop_nulls(v) for v in value]
    return value


def test_default_python_spec_pod(pod_template):
    result = pod_template(STOCK_ENV, args=PY_ARGS)
    assert result.proc.returncode == 0, result.proc.stderr
    assert result.proc.stdout == "" and result.proc.stderr == ""
    assert result.pod == expected_pod(result.env, PY_ADDED)
    path = result.pod_path
    assert result.spark_opts == (
        f"--conf spark.kubernetes.driver.podTemplateFile={path} "
        f"--conf spark.kubernetes.executor.podTemplateFile={path} "
    )


def test_pod_template_is_block_style_with_sorted_keys(pod_template):
    result = pod_template(STOCK_ENV)
    text = result.pod_text
    assert text.startswith("apiVersion: v1\nkind: Pod\nmetadata:\n  annotations:\n")
    assert "{" not in text.replace("{}", "")  # no flow collections
    assert "  restartPolicy: Never\n  securityContext:\n    fsGroup: 100\n    runAsGroup: 100\n" in text


def test_resources_working_dir_and_volumes(pod_template):
    env = {
        **STOCK_ENV,
        "KERNEL_CPUS": "500m",
        "KERNEL_MEMORY": "1Gi",
        "KERNEL_GPUS": "1",
        "KERNEL_CPUS_LIMIT": "1",
        "KERNEL_MEMORY_LIMIT": "2Gi",
        "KERNEL_GPUS_LIMIT": "2",
        "KERNEL_WORKING_DIR": "/home/jovyan/work",
        "KERNEL_VOLUME_MOUNTS": "[{name: data, mountPath: /data}, {name: x, mountPath: /x y, readOnly: true}]",
        "KERNEL_VOLUMES": "[{name: data, persistentVolumeClaim: {claimName: pvc1}}, {name: x, emptyDir: {}}]",
    }
    result = pod_template(env)
    assert result.proc.returncode == 0, result.proc.stderr
    added = {"KERNEL_ID": "k1", "KERNEL_SPARK_CONTEXT_INIT_MODE": "none", "KERNEL_NAME": "k8s_python"}
    assert result.pod == expected_pod(
        result.env,
        added,
        containers_extra={
            "resources": {
                "limits": {"cpu": "1", "memory": "2Gi", "nvidia.com/gpu": "2"},
                "requests": {"cpu": "500m", "memory": "1Gi", "nvidia.com/gpu": "1"},
            },
            "volumeMounts": [
                {"mountPath": "/data", "name": "data"},
                {"mountPath": "/x y", "name": "x", "readOnly": True},
            ],
            "workingDir": "/home/jovyan/work",
        },
        spec_extra={
            "volumes": [
                {"name": "data", "persistentVolumeClaim": {"claimName": "pvc1"}},
                {"name": "x", "emptyDir": {}},
            ]
        },
    )
    path = result.pod_path
    assert result.spark_opts == (
        f"--conf spark.kubernetes.driver.podTemplateFile={path} "
        f"--conf spark.kubernetes.executor.podTemplateFile={path} "
        "--conf spark.driver.cores=500m --conf spark.executor.cores=500m "
        "--conf spark.driver.memory=1Gi --conf spark.executor.memory=1Gi "
        "--conf spark.kubernetes.driver.limit.cores=1 --conf spark.kubernetes.executor.limit.cores=1 "
        "--conf spark.driver.memory=2Gi --conf spark.executor.memory=2Gi "
    )


@pytest.mark.parametrize(
    "extra, requests, limits, opts",
    [
        ({"KERNEL_MEMORY": "1Gi"}, {"memory": "1Gi"}, None,
         "--conf spark.driver.memory=1Gi --conf spark.executor.memory=1Gi "),
        ({"KERNEL_CPUS_LIMIT": "2"}, None, {"cpu": "2"},
         "--conf spark.kubernetes.driver.limit.cores=2 --conf spark.kubernetes.executor.limit.cores=2 "),
        ({"KERNEL_GPUS": "1", "KERNEL_GPUS_LIMIT": "1"}, {"nvidia.com/gpu": "1"}, {"nvidia.com/gpu": "1"}, ""),
    ],
)
def test_partial_resources(pod_template, extra, requests, limits, opts):
    result = pod_template({**STOCK_ENV, **extra})
    assert result.proc.returncode == 0, result.proc.stderr
    resources = {}
    if requests:
        resources["requests"] = requests
    if limits:
        resources["limits"] = limits
    assert result.pod["spec"]["containers"][0]["resources"] == resources
    path = result.pod_path
    assert result.spark_opts == (
        f"--conf spark.kubernetes.driver.podTemplateFile={path} "
        f"--conf spark.kubernetes.executor.podTemplateFile={path} " + opts
    )


def test_spark_opts_printed_without_opts_file(pod_template):
    result = pod_template({**STOCK_ENV, "KERNEL_CPUS": "2"}, opts_file=False)
    assert result.proc.returncode == 0, result.proc.stderr
    path = result.pod_path
    assert result.proc.stdout == (
        f"--conf spark.kubernetes.driver.podTemplateFile={path} "
        f"--conf spark.kubernetes.executor.podTemplateFile={path} "
        "--conf spark.driver.cores=2 --conf spark.executor.cores=2 \n"
    )


def test_security_context_only_when_ids_defined(pod_template):
    env = {k: v for k, v in STOCK_ENV.items() if k not in ("KERNEL_UID", "KERNEL_GID")}
    result = pod_template(env)
    assert "securityContext" not in result.pod["spec"]
    result = pod_template({**env, "KERNEL_GID": "100"})
    assert result.pod["spec"]["securityContext"] == {"fsGroup": 100, "runAsGroup": 100}
    result = pod_template({**env, "KERNEL_UID": "0"})
    assert result.pod["spec"]["securityContext"] == {"fsGroup": 100, "runAsUser": 0}


def test_existing_variables_keep_their_position(pod_template):
    env = {"KERNEL_ID": "old", **STOCK_ENV, "PUBLIC_KEY": "old-key"}
    result = pod_template(env, args=["--kernel-id", "k1", "--public-key", "new-key"])
    assert result.proc.returncode == 0, result.proc.stderr
    names = [e["name"] for e in result.pod["spec"]["containers"][0]["env"]]
    assert names == [*base_env("x"), "KERNEL_ID", *STOCK_ENV, "PUBLIC_KEY",
                     "KERNEL_SPARK_CONTEXT_INIT_MODE", "KERNEL_NAME"]
    values = {e["name"]: e["value"] for e in result.pod["spec"]["containers"][0]["env"]}
    assert values["KERNEL_ID"] == "k1" and values["PUBLIC_KEY"] == "new-key"
    assert result.pod["metadata"]["labels"]["kernel_id"] == "k1"


def test_launcher_env_variables(pod_template):
    args = ["--kernel-id", "k2", "--port-range", "40000..41000", "--response-address", "1.2.3.4:5",
            "--public-key", "PK", "--spark-context-initialization-mode", "lazy",
            "--kernel-class-name", "my.Kernel", "--transport-encryption", "auto"]
    result = pod_template(STOCK_ENV, args=args, spec_name="My_Spec")
    assert result.proc.returncode == 0, result.proc.stderr
    env = result.pod["spec"]["containers"][0]["env"]
    assert env[len(result.env):] == env_list({
        "PORT_RANGE": "40000..41000",
        "PUBLIC_KEY": "PK",
        "RESPONSE_ADDRESS": "1.2.3.4:5",
        "KERNEL_ID": "k2",
        "KERNEL_SPARK_CONTEXT_INIT_MODE": "lazy",
        "KERNEL_CLASS_NAME": "my.Kernel",
        "TRANSPORT_ENCRYPTION": "auto",
        "KERNEL_NAME": "My_Spec",
    })


def test_bare_and_empty_options_set_nothing(pod_template):
    args = ["--kernel-id", "k1", "--port-range", "", "--spark-context-initialization-mode",
            "--transport-encryption", "", "--kernel-class-name"]
    result = pod_template(STOCK_ENV, args=args)
    assert result.proc.returncode == 0, result.proc.stderr
    env = result.pod["spec"]["containers"][0]["env"]
    assert env[len(result.env):] == env_list({"KERNEL_ID": "k1", "KERNEL_NAME": "k8s_python"})


def test_unknown_option_is_an_argparse_error(pod_template):
    result = pod_template(STOCK_ENV, args=["--kernel-id", "k1", "--bogus", "x"])
    assert result.proc.returncode == 2
    assert "unrecognized arguments: --bogus x" in result.proc.stderr
    assert result.proc.stderr.startswith("usage: launch_kubernetes.py")
    assert result.pod is None


def test_in_cluster_config_is_loaded_first(pod_template):
    result = pod_template({**STOCK_ENV, "KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443"})
    assert result.proc.returncode == 1
    assert result.proc.stderr == (
        "ERROR - cannot load the Kubernetes client configuration: Service token file does not exist.\n"
    )
    assert result.pod is None


def test_missing_kubeconfig(pod_template, tmp_path):
    result = pod_template({**STOCK_ENV, "KUBECONFIG": str(tmp_path / "nothing")})
    assert result.proc.returncode == 1
    assert result.proc.stderr == (
        "ERROR - cannot load the Kubernetes client configuration: Invalid kube-config file. No configuration found.\n"
    )


@pytest.mark.parametrize("value", ["", "''", '""', "~", "null"])
def test_empty_namespace_creates_nothing(mock_api, tmp_path, value):
    """An empty KERNEL_NAMESPACE (as YAML reads it: nothing, an empty quoted string, null) would make
    an API path without a namespace: refused up front."""
    proc, _ = launch(mock_api, tmp_path, {**STOCK_ENV, "KERNEL_NAMESPACE": value})
    assert proc.returncode == 1
    assert proc.stderr == "ERROR - KERNEL_NAMESPACE is empty - kernel launch terminating!\n"
    assert mock_api.requests == []


def test_missing_namespace(pod_template):
    env = {k: v for k, v in STOCK_ENV.items() if k != "KERNEL_NAMESPACE"}
    result = pod_template(env)
    assert result.proc.returncode == 1
    assert result.proc.stderr == "ERROR - KERNEL_NAMESPACE is not set - kernel launch terminating!\n"


def test_yaml_typing_of_template_variables(pod_template):
    template = """\
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: ns1}
spec:
  containers:
  - name: c
values:
  plain: {{ kernel_plain }}
  octal: {{ kernel_octal }}
  sexagesimal: {{ kernel_sexa }}
  hex: {{ kernel_hex }}
  truthy: {{ kernel_yes }}
  empty: {{ kernel_empty }}
  list: {{ kernel_list }}
  map: {{ kernel_map }}
  broken: {{ kernel_broken }}
  mixed_case: {{ kernel_mixed }}
  not_kernel: {{ port_range }}
  quoted_yes: "{{ kernel_yes }}"
  quoted_empty: "{{ kernel_empty }}"
  quoted_list: "{{ kernel_list }}"
  defined_empty: {{ kernel_empty is defined }}
  defined_missing: {{ kernel_missing is defined }}
"""
    env = {
        "KERNEL_NAMESPACE": "ns1",
        "KERNEL_PLAIN": "1e3",
        "KERNEL_OCTAL": "010",
        "KERNEL_SEXA": "1:30",
        "KERNEL_HEX": "0x1F",
        "KERNEL_YES": "yes",
        "KERNEL_EMPTY": "",
        "KERNEL_LIST": "[a, 1]",
        "KERNEL_MAP": "a: b",
        "KERNEL_BROKEN": "a: b: c",
        "KERNEL_Mixed": "m",
    }
    result = pod_template(env, template=template, args=["--kernel-id", "k1", "--port-range", "0..0"])
    assert result.proc.returncode == 0, result.proc.stderr
    assert result.pod["values"] == {
        "plain": "1e3",
        "octal": 8,
        "sexagesimal": 90,
        "hex": 31,
        "truthy": True,
        "empty": None,
        "list": ["a", 1],
        "map": {"a": "b"},
        "broken": "a: b: c",  # not valid YAML: kept as the raw string
        "mixed_case": "m",
        "not_kernel": None,
        "quoted_yes": "True",
        "quoted_empty": "None",
        "quoted_list": "['a', 1]",
        "defined_empty": True,
        "defined_missing": False,
    }


def test_malformed_unrelated_variable_does_not_stop_the_launch(pod_template):
    result = pod_template({**STOCK_ENV, "KERNEL_FOO": "a: b: c", "KERNEL_BAR": "`x`", "KERNEL_BAZ": "'open"})
    assert result.proc.returncode == 0, result.proc.stderr
    values = {e["name"]: e["value"] for e in result.pod["spec"]["containers"][0]["env"]}
    assert values["KERNEL_FOO"] == "a: b: c" and values["KERNEL_BAZ"] == "'open"


def test_kernel_name_is_the_spec_directory(pod_template):
    template = "kind: Pod\nspec: {containers: [{name: c}]}\nname: \"{{ kernel_name }}\"\n"
    result = pod_template({"KERNEL_NAMESPACE": "n"}, template=template, spec_name="K8s_Python_Spark")
    assert result.pod["name"] == "K8s_Python_Spark"


TWO_KINDS = """\
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: "{{ kernel_namespace }}"}
spec: {containers: [{name: c, image: i}]}
---
apiVersion: v1
kind: Service
metadata: {name: s}
"""


def test_unhandled_kind(pod_template):
    result = pod_template({"KERNEL_NAMESPACE": "ns1"}, template=TWO_KINDS)
    assert result.proc.returncode == 1
    assert result.proc.stdout == ""
    assert result.proc.stderr == (
        "ERROR - Unhandled Kubernetes object kind 'Service' found in yaml file - kernel launch terminating!\n"
    )
    assert result.pod is None


def test_document_without_kind(pod_template):
    template = "apiVersion: v1\nmetadata: {name: x}\n"
    result = pod_template({"KERNEL_NAMESPACE": "ns1"}, template=template)
    assert result.proc.returncode == 1
    assert result.proc.stdout == (
        "ERROR processing Kubernetes yaml file - kernel launch terminating!\n" + template.rstrip("\n") + "\n"
    )
    assert result.proc.stderr == (
        "ERROR - Unknown Kubernetes object '{'apiVersion': 'v1', 'metadata': {'name': 'x'}}' "
        "found in yaml file - kernel launch terminating!\n"
    )


def test_trailing_empty_document_is_skipped(pod_template):
    template = "---\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c}]}\n---\n"
    result = pod_template({"KERNEL_NAMESPACE": "ns1"}, template=template)
    assert result.proc.returncode == 0, result.proc.stderr
    assert result.pod["metadata"] == {"name": "p"}


def test_invalid_rendered_yaml(pod_template):
    """PyYAML's problem, and where it is, counted from 1: Jinja drops the template's last newline, so
    the stream ends right after "[unclosed" (PyYAML's mark: line 1, column 15, counted from 0)."""
    result = pod_template({"KERNEL_NAMESPACE": "ns1"}, template="kind: Pod\nspec: [unclosed\n")
    assert result.proc.returncode == 1
    assert result.proc.stderr == ("ERROR - the rendered kernel-pod.yaml.j2 is not valid YAML: expected ',' or ']', "
                                  "but got '<stream end>' (line 2, column 16)\n")


def test_template_syntax_error(pod_template):
    result = pod_template({"KERNEL_NAMESPACE": "ns1"}, template="kind: {% if %}\n")
    assert result.proc.returncode == 1
    assert result.proc.stderr.startswith("ERROR - cannot render template 'kernel-pod.yaml.j2': ")


# ----- normal mode against a recording API server -------------------------------------------------


def launch(mock_api, tmp_path, env, template=None, args=("--kernel-id", "k1")):
    scripts = install_spec(tmp_path / "spec", K8S_SCRIPTS, "k8s_python", template, "kernel-pod.yaml.j2")
    full_env = {**base_env(mock_api.kubeconfig), **env}
    return run_python(scripts / "launch_kubernetes.py", list(args), full_env), full_env


def test_creates_pod(mock_api, tmp_path):
    proc, env = launch(mock_api, tmp_path, STOCK_ENV, args=PY_ARGS)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "" and proc.stderr == ""
    assert [(r["method"], r["path"]) for r in mock_api.requests] == [("POST", "/api/v1/namespaces/ns1/pods")]
    assert mock_api.requests[0]["body"] == drop_nulls(expected_pod(env, PY_ADDED))


MULTI = """\
apiVersion: v1
kind: PersistentVolume
metadata: {name: "pv-{{ kernel_id }}"}
spec: {capacity: {storage: 1Gi}, accessModes: [ReadWriteOnce], hostPath: {path: /tmp/pv}}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: "claim-{{ kernel_id }}", namespace: "{{ kernel_namespace }}"}
spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
---
apiVersion: v1
kind: Secret
metadata: {name: "secret-{{ kernel_id }}", namespace: "{{ kernel_namespace }}"}
stringData: {token: "{{ kernel_token }}"}
---
apiVersion: v1
kind: Pod
metadata: {name: "{{ kernel_pod_name }}", namespace: "{{ kernel_namespace }}", labels: {kernel_id: "{{ kernel_id }}"}}
spec:
  containers:
  - name: kernel
    image: "{{ kernel_image }}"
    env:
    - {name: FIXED, value: "from-template"}
    - {name: KERNEL_IMAGE, value: "replaced"}
"""


def test_creates_every_supported_kind(mock_api, tmp_path):
    env = {"KERNEL_NAMESPACE": "ns1", "KERNEL_POD_NAME": "p1", "KERNEL_IMAGE": "img", "KERNEL_TOKEN": "s3cret"}
    proc, full_env = launch(mock_api, tmp_path, env, template=MULTI)
    assert proc.returncode == 0, proc.stderr
    assert [(r["method"], r["path"]) for r in mock_api.requests] == [
        ("POST", "/api/v1/persistentvolumes"),
        ("POST", "/api/v1/namespaces/ns1/persistentvolumeclaims"),
        ("POST", "/api/v1/namespaces/ns1/secrets"),
        ("POST", "/api/v1/namespaces/ns1/pods"),
    ]
    assert mock_api.requests[0]["body"]["metadata"] == {"name": "pv-k1"}
    assert mock_api.requests[2]["body"]["stringData"] == {"token": "s3cret"}
    assert "env" not in mock_api.requests[2]["body"]
    pod_env = mock_api.requests[3]["body"]["spec"]["containers"][0]["env"]
    assert pod_env == [{"name": "FIXED", "value": "from-template"}, {"name": "KERNEL_IMAGE", "value": "img"}] + [
        e for e in env_list({**full_env, "KERNEL_ID": "k1", "KERNEL_SPARK_CONTEXT_INIT_MODE": "none",
                             "KERNEL_NAME": "k8s_python"}) if e["name"] != "KERNEL_IMAGE"
    ]


def test_pod_already_exists_looks_up_the_kernel_pod(mock_api, tmp_path):
    mock_api.respond("POST", "/api/v1/namespaces/ns1/pods",
                     (409, status_body(409, "AlreadyExists", 'pods "alice-k1" already exists')))
    mock_api.respond("GET", "/api/v1/namespaces/ns1/pods", (200, {
        "kind": "PodList", "apiVersion": "v1", "metadata": {},
        "items": [{"metadata": {"name": "alice-k1", "namespace": "ns1", "labels": {"kernel_id": "k1"}}}],
    }))
    proc, _ = launch(mock_api, tmp_path, STOCK_ENV)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert [(r["method"], r["path"], r["query"]) for r in mock_api.requests] == [
        ("POST", "/api/v1/namespaces/ns1/pods", ""),
        ("GET", "/api/v1/namespaces/ns1/pods", "labelSelector=kernel_id=k1"),
    ]


def test_pod_already_exists_but_not_for_this_kernel(mock_api, tmp_path):
    mock_api.respond("POST", "/api/v1/namespaces/ns1/pods",
                     (409, status_body(409, "AlreadyExists", 'pods "alice-k1" already exists')))
    proc, _ = launch(mock_api, tmp_path, STOCK_ENV)
    assert proc.returncode == 1
    assert proc.stderr == (
        "ERROR - a Pod named 'alice-k1' already exists in namespace 'ns1' but none is labelled "
        "kernel_id=k1 - kernel launch terminating!\n"
    )


def test_other_conflicts_fail(mock_api, tmp_path):
    mock_api.respond("POST", "/api/v1/namespaces/ns1/pods",
                     (409, status_body(409, "Conflict", "Operation cannot be fulfilled")))
    proc, _ = launch(mock_api, tmp_path, STOCK_ENV)
    assert proc.returncode == 1
    assert proc.stderr.startswith("ERROR - Kubernetes API error (409 Conflict): {")
    assert proc.stderr.endswith(" - kernel launch terminating!\n") and proc.stderr.count("\n") == 1
    assert len(mock_api.requests) == 1


def test_existing_claim_is_reused(mock_api, tmp_path):
    mock_api.respond("POST", "/api/v1/namespaces/ns1/persistentvolumeclaims",
                     (409, status_body(409, "AlreadyExists", "exists", "claim-k1", "persistentvolumeclaims")))
    proc, _ = launch(mock_api, tmp_path, {"KERNEL_NAMESPACE": "ns1", "KERNEL_POD_NAME": "p1", "KERNEL_IMAGE": "i"},
                     template=MULTI)
    assert proc.returncode == 0, proc.stderr
    assert [r["path"] for r in mock_api.requests][-1] == "/api/v1/namespaces/ns1/pods"


def test_existing_secret_fails_and_what_was_created_is_deleted(mock_api, tmp_path):
    mock_api.respond("POST", "/api/v1/namespaces/ns1/secrets",
                     (409, status_body(409, "AlreadyExists", "exists", "secret-k1", "secrets")))
    proc, _ = launch(mock_api, tmp_path, {"KERNEL_NAMESPACE": "ns1", "KERNEL_POD_NAME": "p1", "KERNEL_IMAGE": "i"},
                     template=MULTI)
    assert proc.returncode == 1
    info, error = proc.stderr.splitlines()
    assert info == "INFO - deleted what this launch created: PersistentVolumeClaim ns1/claim-k1, PersistentVolume pv-k1"
    assert error.startswith("ERROR - Kubernetes API error (409 Conflict): ")
    assert [(r["method"], r["path"]) for r in mock_api.requests] == [
        ("POST", "/api/v1/persistentvolumes"),
        ("POST", "/api/v1/namespaces/ns1/persistentvolumeclaims"),
        ("POST", "/api/v1/namespaces/ns1/secrets"),
        ("DELETE", "/api/v1/namespaces/ns1/persistentvolumeclaims/claim-k1"),
        ("DELETE", "/api/v1/persistentvolumes/pv-k1"),
    ]
    assert [r["body"] for r in mock_api.requests[3:]] == [{"propagationPolicy": "Background"}] * 2


def test_reused_claim_is_never_deleted(mock_api, tmp_path):
    mock_api.respond("POST", "/api/v1/namespaces/ns1/persistentvolumeclaims",
                     (409, status_body(409, "AlreadyExists", "exists", "claim-k1", "persistentvolumeclaims")))
    mock_api.respond("POST", "/api/v1/namespaces/ns1/pods", (403, status_body(403, "Forbidden", "no")))
    proc, _ = launch(mock_api, tmp_path, {"KERNEL_NAMESPACE": "ns1", "KERNEL_POD_NAME": "p1", "KERNEL_IMAGE": "i"},
                     template=MULTI)
    assert proc.returncode == 1
    assert proc.stderr.splitlines()[:2] == [
        "INFO - deleted what this launch created: Secret ns1/secret-k1, PersistentVolume pv-k1",
        "INFO - kept PersistentVolumeClaim ns1/claim-k1: it existed before this launch",
    ]
    assert proc.stderr.splitlines()[2].startswith("ERROR - Kubernetes API error (403 Forbidden): ")
    deletes = [r["path"] for r in mock_api.requests if r["method"] == "DELETE"]
    assert deletes == ["/api/v1/namespaces/ns1/secrets/secret-k1", "/api/v1/persistentvolumes/pv-k1"]


def test_forbidden(mock_api, tmp_path):
    mock_api.respond("POST", "/api/v1/namespaces/ns1/pods", (403, status_body(403, "Forbidden", "no")))
    proc, _ = launch(mock_api, tmp_path, STOCK_ENV)
    assert proc.returncode == 1
    assert proc.stderr.startswith("ERROR - Kubernetes API error (403 Forbidden): ")


def test_unhandled_kind_creates_nothing(mock_api, tmp_path):
    """Every document is checked before the first object is created."""
    proc, _ = launch(mock_api, tmp_path, {"KERNEL_NAMESPACE": "ns1"}, template=TWO_KINDS)
    assert proc.returncode == 1
    assert proc.stderr == (
        "ERROR - Unhandled Kubernetes object kind 'Service' found in yaml file - kernel launch terminating!\n"
    )
    assert mock_api.requests == []


def test_unreachable_api_server(tmp_path):
    """Connection errors are retried until the launch timeout is nearly up, then one ERROR line."""
    scripts = install_spec(tmp_path / "spec", K8S_SCRIPTS, "k8s_python")
    env = {**base_env(write_kubeconfig(tmp_path)), **STOCK_ENV, "KERNEL_LAUNCH_TIMEOUT": "3"}
    started = time.monotonic()
    proc = run_python(scripts / "launch_kubernetes.py", ["--kernel-id", "k1"], env, timeout=120)
    elapsed = time.monotonic() - started
    assert proc.returncode == 1
    *retries, error = proc.stderr.splitlines()
    assert error.startswith("ERROR - NewConnectionError: ") and error.endswith(" - kernel launch terminating!")
    assert "Connection refused" in error
    assert len(retries) >= 1  # retried (how often depends on how long the start took)
    assert all(r.startswith("WARNING - POST /api/v1/namespaces/ns1/pods: NewConnectionError: ") for r in retries)
    assert elapsed < 3.0  # gone before the launch timeout
    # It slept every announced delay, and gave up only when the next one could no longer fit: the
    # back-off after len(retries) failures is at least half its ceiling, and the launcher stops once
    # that exceeds what is left of its 2.4 s budget (3 s timeout, 20% kept for cleanup) minus 0.1 s.
    delays = [float(re.search(r"; retrying in ([0-9.]+) s$", r).group(1)) for r in retries]
    ceiling = min(4.0, 0.25 * 2 ** len(retries))
    assert elapsed > sum(delays) - 0.05 * len(delays)  # delays are shown rounded to 0.1 s
    assert elapsed > 2.4 - 0.1 - ceiling  # not given up while a retry still fitted
