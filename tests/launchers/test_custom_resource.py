"""launch_custom_resource.py and sparkoperator.k8s.io-v1beta2.yaml.j2 (launchers.md section 6)."""

import pytest
import yaml

from conftest import CRD_SCRIPTS, base_env, env_list, install_spec, run_python, status_body

CRD_ENV = {
    "KERNEL_USERNAME": "alice",
    "KERNEL_ID": "k1",
    "KERNEL_LANGUAGE": "python",
    "KERNEL_IMAGE": "elyra/kernel-spark-py:0.5.0",
    "KERNEL_EXECUTOR_IMAGE": "elyra/kernel-spark-py:0.5.0",
    "KERNEL_POD_NAME": "alice-k1",
    "KERNEL_NAMESPACE": "ns1",
    "KERNEL_SERVICE_ACCOUNT_NAME": "default",
    "KERNEL_UID": "1000",
    "KERNEL_GID": "100",
    "KERNEL_RESOURCE_NAME": "alice-k1",
    "KERNEL_CRD_GROUP": "sparkoperator.k8s.io",
    "KERNEL_CRD_VERSION": "v1beta2",
    "KERNEL_CRD_PLURAL": "sparkapplications",
}

# installer.md 7.3, crd row, after the provisioner's substitutions
CRD_ARGS = [
    "--kernel-id", "k1",
    "--port-range", "0..0",
    "--response-address", "10.0.0.5:8877",
    "--public-key", "PUBKEY",
    "--transport-encryption", "",
    "--kernel-class-name", "ipykernel.ipkernel.IPythonKernel",
]
PATH = "/apis/sparkoperator.k8s.io/v1beta2/namespaces/ns1/sparkapplications"


def launch(mock_api, tmp_path, env, args=CRD_ARGS, template=None):
    scripts = install_spec(tmp_path / "spec", CRD_SCRIPTS, "spark_python_operator", template,
                           "sparkoperator.k8s.io-v1beta2.yaml.j2")
    full_env = {**base_env(mock_api.kubeconfig), **env}
    return run_python(scripts / "launch_custom_resource.py", list(args), full_env), full_env


def expected_application(env, arguments, config_map=None):
    app = {
        "apiVersion": "sparkoperator.k8s.io/v1beta2",
        "kind": "SparkApplication",
        "metadata": {"name": "alice-k1"},
        "spec": {
            "restartPolicy": {"type": "Never"},
            "type": "Python",
            "pythonVersion": "3",
            "sparkVersion": "2.4.5",
            "image": "elyra/kernel-spark-py:0.5.0",
            "mainApplicationFile": "local:///usr/local/bin/kernel-launchers/python/scripts/launch_ipykernel.py",
            "arguments": arguments,
            "driver": {
                "annotations": {"cluster-autoscaler.kubernetes.io/safe-to-evict": "false"},
                "env": env_list(env),
                "serviceAccount": "default",
                "labels": {"kernel_id": "k1", "app": "gateway-provisioners", "component": "kernel"},
                "cores": 1,
                "coreLimit": "1000m",
                "memory": "1g",
            },
            "executor": {
                "env": env_list(env),
                "labels": {"kernel_id": "k1", "app": "gateway-provisioners", "component": "worker"},
                "image": "elyra/kernel-spark-py:0.5.0",
                "instances": 2,
                "cores": 1,
                "coreLimit": "1000m",
                "memory": "1g",
            },
        },
    }
    if config_map is not None:
        app["spec"]["sparkConfigMap"] = config_map
    return app


def test_creates_spark_application(mock_api, tmp_path):
    proc, env = launch(mock_api, tmp_path, CRD_ENV)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "" and proc.stderr == ""
    assert [(r["method"], r["path"]) for r in mock_api.requests] == [("POST", PATH)]
    arguments = [
        "--kernel-id", "k1",
        "--spark-context-initialization-mode", "none",
        "--response-address", "10.0.0.5:8877",
        "--port-range", "0..0",
        "--public-key", "PUBKEY",
        "--kernel-class-name", "ipykernel.ipkernel.IPythonKernel",
    ]
    # the process env is not extended by this launcher (no PORT_RANGE, KERNEL_NAME, ...)
    assert mock_api.requests[0]["body"] == expected_application(env, arguments)


def test_transport_encryption_config_map_and_absent_arguments(mock_api, tmp_path):
    env = {**CRD_ENV, "KERNEL_SPARKAPP_CONFIG_MAP": "spark-conf"}
    proc, full_env = launch(mock_api, tmp_path, env, args=["--kernel-id", "k1", "--transport-encryption", "auto",
                                                           "--spark-context-initialization-mode", "eager"])
    assert proc.returncode == 0, proc.stderr
    arguments = [
        "--kernel-id", "k1",
        "--spark-context-initialization-mode", "eager",
        "--response-address", "None",
        "--port-range", "None",
        "--public-key", "None",
        "--kernel-class-name", "None",
        "--transport-encryption", "auto",
    ]
    assert mock_api.requests[0]["body"] == expected_application(full_env, arguments, "spark-conf")


def test_env_entries_of_the_template_are_updated(mock_api, tmp_path):
    template = """\
apiVersion: "sparkoperator.k8s.io/v1beta2"
kind: SparkApplication
metadata: {name: "{{ kernel_resource_name }}-{{ kernel_name }}"}
spec:
  driver:
    env:
    - {name: KERNEL_IMAGE, value: "x"}
    - {name: ONLY_HERE, value: "kept"}
  executor: {}
"""
    proc, env = launch(mock_api, tmp_path, CRD_ENV, template=template)
    assert proc.returncode == 0, proc.stderr
    body = mock_api.requests[0]["body"]
    assert body["metadata"]["name"] == "alice-k1-spark_python_operator"
    assert body["spec"]["driver"]["env"][:2] == [{"name": "KERNEL_IMAGE", "value": "elyra/kernel-spark-py:0.5.0"},
                                                 {"name": "ONLY_HERE", "value": "kept"}]
    assert body["spec"]["driver"]["env"][2:] == [e for e in env_list(env) if e["name"] != "KERNEL_IMAGE"]
    assert body["spec"]["executor"]["env"] == env_list(env)


def test_operator_not_installed(mock_api, tmp_path):
    mock_api.respond("POST", PATH, (404, status_body(404, "NotFound", "the server could not find the requested resource")))
    proc, _ = launch(mock_api, tmp_path, CRD_ENV)
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert proc.stderr == (
        "\nERROR: The Kubernetes Operator for Apache Spark does not appear to be installed.  "
        "See 'https://github.com/GoogleCloudPlatform/spark-on-k8s-operator#installation' for "
        "instructions, then retry the operation.\n\n"
    )


def test_other_api_error(mock_api, tmp_path):
    mock_api.respond("POST", PATH, (422, status_body(422, "Invalid", "bad spec")))
    proc, _ = launch(mock_api, tmp_path, CRD_ENV)
    assert proc.returncode == 1
    head = "ERROR processing Kubernetes Operator CRD - kernel launch terminating!\n"
    assert proc.stdout.startswith(head)
    rendered = yaml.safe_load(proc.stdout[len(head):])
    assert rendered["metadata"] == {"name": "alice-k1"} and rendered["spec"]["driver"]["env"] is None
    assert proc.stderr.startswith("ERROR - Kubernetes API error (422 Unprocessable Entity): {")
    assert proc.stderr.count("\n") == 1


@pytest.mark.parametrize("missing", ["KERNEL_CRD_GROUP", "KERNEL_CRD_VERSION", "KERNEL_CRD_PLURAL", "KERNEL_NAMESPACE"])
def test_required_variables(mock_api, tmp_path, missing):
    proc, _ = launch(mock_api, tmp_path, {k: v for k, v in CRD_ENV.items() if k != missing})
    assert proc.returncode == 1
    assert proc.stderr == f"ERROR - {missing} is not set - kernel launch terminating!\n"
    assert mock_api.requests == []


def test_template_name_cannot_leave_the_directory(mock_api, tmp_path):
    proc, _ = launch(mock_api, tmp_path, {**CRD_ENV, "KERNEL_CRD_GROUP": "../../etc"})
    assert proc.returncode == 1
    assert proc.stderr == "ERROR - invalid custom resource group/version '../../etc/v1beta2'\n"


def test_unknown_template(mock_api, tmp_path):
    proc, _ = launch(mock_api, tmp_path, {**CRD_ENV, "KERNEL_CRD_GROUP": "example.com"})
    assert proc.returncode == 1
    assert proc.stderr.startswith(
        "ERROR - cannot render template 'example.com-v1beta2.yaml.j2': 'example.com-v1beta2.yaml.j2' not found"
    )


def test_in_cluster_configuration_when_in_a_cluster(mock_api, tmp_path):
    proc, _ = launch(mock_api, tmp_path, {**CRD_ENV, "KUBERNETES_SERVICE_HOST": "10.96.0.1",
                                                 "KUBERNETES_SERVICE_PORT": "443"})
    assert proc.returncode == 1
    assert proc.stderr == (
        "ERROR - cannot load the Kubernetes client configuration: Service token file does not exist.\n"
    )
    assert mock_api.requests == []


def test_unknown_option(mock_api, tmp_path):
    proc, _ = launch(mock_api, tmp_path, CRD_ENV, args=["--pod-template", "x"])
    assert proc.returncode == 2
    assert "unrecognized arguments: --pod-template x" in proc.stderr


@pytest.mark.parametrize(
    "payload",
    ['x"\n  hostPID: true', 'a, b: c', "{evil: 1}", "x # y", '"q\\"\\n  driver: {}"', "- z", "ünï\u2028"],
)
def test_hostile_values_stay_in_their_fields(mock_api, tmp_path, payload):
    env = {**CRD_ENV, "KERNEL_RESOURCE_NAME": payload, "KERNEL_SPARKAPP_CONFIG_MAP": payload,
           "KERNEL_IMAGE": payload, "KERNEL_SERVICE_ACCOUNT_NAME": payload}
    proc, full_env = launch(mock_api, tmp_path, env, args=["--kernel-id", payload, "--public-key", payload])
    assert proc.returncode == 0, proc.stderr
    try:
        text = str(yaml.safe_load(payload))
    except yaml.YAMLError:
        text = payload
    body = mock_api.requests[0]["body"]
    assert body["metadata"] == {"name": text}
    assert body["spec"]["image"] == text
    assert body["spec"]["sparkConfigMap"] == text
    assert body["spec"]["driver"]["serviceAccount"] == text
    assert body["spec"]["arguments"][:2] == ["--kernel-id", "k1"]  # KERNEL_ID from the env wins
    assert body["spec"]["arguments"][9] == payload  # factory values are raw strings
    assert sorted(body["spec"]) == ["arguments", "driver", "executor", "image", "mainApplicationFile",
                                    "pythonVersion", "restartPolicy", "sparkConfigMap", "sparkVersion", "type"]
