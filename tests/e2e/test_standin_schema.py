"""The stand-in checks request bodies against the schema the binary ships for `--validate`
(k8s_schema.py reads the same files as src/launch/schema.rs) and answers as a real API server does:
400 BadRequest for values of the wrong type, 422 Invalid for missing required fields and for
custom resources against their CRD's schema, and a Warning header for each unknown field, which
it drops."""

import http.client
import json
import os
import subprocess
from urllib.parse import urlsplit

import pytest
import yaml

import k8s_schema
from conftest import installer_bin
from k8s_standin import NullRunner, StandIn

PODS = "/api/v1/namespaces/default/pods"
SECRETS = "/api/v1/namespaces/default/secrets"
APPS = "/apis/sparkoperator.k8s.io/v1beta2/namespaces/default/sparkapplications"
QUANTITY_RE = "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"


@pytest.fixture
def standin(tmp_path):
    s = StandIn(str(tmp_path), runner=NullRunner(), pending_seconds=0.1, namespaces=("default",))
    yield s
    s.close()


def request(standin, method, path, body=None):
    """(status, [Warning header values], parsed body)."""
    url = urlsplit(standin.url)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    try:
        conn.request(method, path, body=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
        resp = conn.getresponse()
        return resp.status, resp.headers.get_all("Warning") or [], json.loads(resp.read())
    finally:
        conn.close()


def pod(name="p1", labels=None, container=None, **spec):
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "labels": labels or {"kernel_id": "k1"}},
            "spec": {"containers": [{"name": "kernel", "image": "e2e.local/kernel:1", **(container or {})}], **spec}}


def app(spec):
    return {"apiVersion": "sparkoperator.k8s.io/v1beta2", "kind": "SparkApplication", "metadata": {"name": "a1"},
            "spec": spec}


def refused(standin, path, body, code, reason, message):
    status, warnings, answer = request(standin, "POST", path, body)
    assert (status, answer["kind"], answer["reason"], answer["code"], answer["message"]) == (
        code, "Status", reason, code, message)
    assert warnings == []
    assert standin.cluster.list("pods") == standin.cluster.list("secrets") == []
    assert standin.cluster.list("sparkapplications") == []
    [call] = standin.cluster.calls("POST")
    assert call["code"] == code and call["warnings"] == []


@pytest.mark.parametrize("labels, got", [({"kernel_id": "k1", "n": 1}, "number"),
                                         ({"kernel_id": "k1", "n": ["a"]}, "array"),
                                         ({"kernel_id": "k1", "n": True}, "bool")])
def test_label_values_that_are_not_strings_are_a_bad_request(standin, labels, got):
    refused(standin, PODS, pod(labels=labels), 400, "BadRequest",
            f'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal {got} into Go struct field '
            "ObjectMeta.metadata.labels of type string")


@pytest.mark.parametrize("change, message", [
    ({"spec": "x"}, "json: cannot unmarshal string into Go struct field Pod.spec of type v1.PodSpec"),
    ({"container": {"args": ["a", 2]}},
     "json: cannot unmarshal number into Go struct field Container.spec.containers.args of type string"),
    ({"securityContext": {"runAsUser": "1000"}},
     "json: cannot unmarshal string into Go struct field PodSecurityContext.spec.securityContext.runAsUser of type "
     "int64"),
    ({"container": {"resources": {"limits": {"cpu": "lots"}}}}, f"quantities must match the regular expression "
                                                                f"{QUANTITY_RE}"),
    ({"container": {"env": [{"name": "A", "value": 1}]}},
     "json: cannot unmarshal number into Go struct field EnvVar.spec.containers.env.value of type string"),
])
def test_pod_values_of_the_wrong_type_are_a_bad_request(standin, change, message):
    body = pod() if "spec" in change else pod(**{k: v for k, v in change.items()})
    if "spec" in change:
        body["spec"] = change["spec"]
    refused(standin, PODS, body, 400, "BadRequest", f'Pod in version "v1" cannot be handled as a Pod: {message}')


def test_missing_required_fields_are_invalid(standin):
    body = pod(container={"name": None, "ports": [{"name": "p"}]})
    refused(standin, PODS, body, 422, "Invalid", 'Pod "p1" is invalid: [spec.containers[0].ports[0].containerPort: '
                                                  "Required value, spec.containers[0].name: Required value]")


def test_spark_application_whose_spec_is_a_string_is_invalid(standin):
    refused(standin, APPS, app("x"), 422, "Invalid", 'SparkApplication.sparkoperator.k8s.io "a1" is invalid: spec: '
                                                     'Invalid value: "string": spec in body must be of type object: '
                                                     '"string"')


def test_spark_application_against_its_crd_schema(standin):
    spec = {"type": "Python", "sparkVersion": "3", "driver": {"cores": "1", "labels": ["a"]}}
    refused(standin, APPS, app(spec), 422, "Invalid",
            'SparkApplication.sparkoperator.k8s.io "a1" is invalid: [spec.driver.cores: Invalid value: "string": '
            'spec.driver.cores in body must be of type integer: "string", spec.driver.labels: Invalid value: "array": '
            'spec.driver.labels in body must be of type object: "array", spec.executor: Required value]')


@pytest.mark.parametrize("junk, message", [
    ({"data": {"token": "not base64!"}}, "illegal base64 data at input byte 3"),
    ({"stringData": ["token"]},
     "json: cannot unmarshal array into Go struct field Secret.stringData of type map[string]string"),
    ({"immutable": "yes"}, "json: cannot unmarshal string into Go struct field Secret.immutable of type bool"),
    ({"type": 1}, "json: cannot unmarshal number into Go struct field Secret.type of type string"),
])
def test_secret_with_junk_values_is_a_bad_request(standin, junk, message):
    refused(standin, SECRETS, {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s1"}, **junk},
            400, "BadRequest", f'Secret in version "v1" cannot be handled as a Secret: {message}')


def test_unknown_fields_draw_the_warning_and_are_dropped(standin):
    body = pod(hostPID=True, restartPolcy="Never", container={"imagePullPolcy": "Never"})
    status, warnings, answer = request(standin, "POST", PODS, body)
    assert status == 201
    # One Warning header per field, worded and quoted as the API server's (fieldValidation=Warn).
    assert warnings == ['299 - "unknown field \\"spec.containers[0].imagePullPolcy\\""',
                        '299 - "unknown field \\"spec.restartPolcy\\""']
    [call] = standin.cluster.calls("POST")
    assert call["warnings"] == ['unknown field "spec.containers[0].imagePullPolcy"',
                                'unknown field "spec.restartPolcy"']
    assert call["body"]["spec"]["restartPolcy"] == "Never"  # the request as sent
    stored = standin.cluster.get("pods", "default", "p1")["spec"]
    assert stored["hostPID"] is True and "restartPolcy" not in stored
    assert "imagePullPolcy" not in stored["containers"][0] and answer["spec"] == stored


def test_secret_with_unknown_fields_is_stored_without_them(standin):
    body = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s1", "lables": {"a": "b"}},
            "stringData": {"token": "t"}, "junk": {"x": 1}}
    status, warnings, _ = request(standin, "POST", SECRETS, body)
    assert (status, warnings) == (201, ['299 - "unknown field \\"metadata.lables\\""',  # in document order
                                        '299 - "unknown field \\"junk\\""'])
    stored = standin.cluster.get("secrets", "default", "s1")
    assert "junk" not in stored and "lables" not in stored["metadata"]


@pytest.mark.parametrize("validation, status, warnings", [
    ("Strict", 400, []), ("Ignore", 201, []), ("Warn", 201, ['299 - "unknown field \\"spec.restartPolcy\\""'])])
def test_field_validation_parameter(standin, validation, status, warnings):
    got = request(standin, "POST", f"{PODS}?fieldValidation={validation}", pod(restartPolcy="Never"))
    assert got[:2] == (status, warnings)
    if status == 400:
        assert got[2]["message"] == ('Pod in version "v1" cannot be handled as a Pod: strict decoding error: '
                                     'unknown field "spec.restartPolcy"')


def test_delete_options_are_checked_too(standin):
    assert request(standin, "POST", PODS, pod())[0] == 201
    status, _, answer = request(standin, "DELETE", f"{PODS}/p1", {"gracePeriodSeconds": "0"})
    assert (status, answer["message"]) == (400, 'DeleteOptions in version "v1" cannot be handled as a DeleteOptions: '
                                                "json: cannot unmarshal string into Go struct field "
                                                "DeleteOptions.gracePeriodSeconds of type int64")
    status, warnings, _ = request(standin, "DELETE", f"{PODS}/p1", {"gracePeriodSeconds": 0, "grace": 1})
    assert (status, warnings) == (200, ['299 - "unknown field \\"grace\\""'])
    assert standin.cluster.list("pods") == []


# ---- one schema, two readers ---------------------------------------------------------------------

CORPUS = [
    # (variant, template text: one literal object, the installed template replaced by it)
    ("pod", yaml.safe_dump(pod(labels={"kernel_id": "k1", "n": 1}, hostPID=True, restartPolcy="Never",
                               securityContext={"runAsUser": "1000"},
                               container={"ports": [{"containerPort": 80.5}, {"name": "x"}],
                                          "resources": {"limits": {"cpu": "lots", "memory": "1Gi"}},
                                          "volumeMounts": [{"name": "v", "mountPath": "/v", "readOnly": "no"}]},
                               volumes=[{"name": "v", "emptyDir": {"sizeLimit": "1Gi", "medium": 3}}]))),
    ("pod", yaml.safe_dump(pod(container={"name": None, "stdin": 1, "envFrom": {"a": "b"}, "imagePullPolcy": "x"},
                               tolerations=[{"key": "k", "tolerationSeconds": "5"}], nodeSelector={"a": 1}))),
    ("crd", yaml.safe_dump(app({"type": "Python", "sparkVersion": "3", "imagePullSecrets": "x",
                                "driver": {"cores": 1.5, "labels": {"a": 1}, "serviceAcount": "s",
                                           "gpu": {"name": "nvidia.com/gpu"}},
                                "executor": {"instances": "2", "junk": True}}))),
]


def rust_problems(spec_dir):
    """`preview --validate` of the kernelspec: {path: problem} from the binary's reader."""
    proc = subprocess.run([installer_bin(), "preview", spec_dir, "--validate"], capture_output=True, text=True,
                          timeout=30)
    lines = proc.stderr.splitlines()
    assert proc.returncode == 1 and lines[-1].startswith("error: "), proc.stderr
    return [line.split(": ", 1) for line in lines[:-1]]


@pytest.mark.parametrize("variant, template", CORPUS, ids=["pod-types", "pod-required", "sparkapplication"])
def test_both_readers_find_the_same_problems(tmp_path, variant, template):
    """The binary's `preview --validate` and the stand-in's reader of the same schema files name
    the same unknown fields, values of the wrong type and missing required fields."""
    args = ["--crd", "--spark"] if variant == "crd" else []
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    subprocess.run([installer_bin(), "install", f"--prefix={tmp_path}", *args], env=env, check=True,
                   capture_output=True, timeout=30)
    name = "k8s_python_spark_operator" if variant == "crd" else "k8s_python"
    spec_dir = os.path.join(tmp_path, "share", "jupyter", "kernels", name)
    template_name = "sparkoperator.k8s.io-v1beta2.yaml.j2" if variant == "crd" else "kernel-pod.yaml.j2"
    with open(os.path.join(spec_dir, "scripts", template_name), "w") as f:
        f.write(template)
    rust = rust_problems(spec_dir)
    obj = yaml.safe_load(template)
    model = k8s_schema.root_model(obj["apiVersion"], obj["kind"])
    py = k8s_schema.check(obj, model, custom=variant == "crd")
    unknown = sorted(w.split('"')[1] for w in py.warnings)
    required = sorted(p.split(": ")[0] for p in py.invalid if p.endswith(": Required value"))
    assert sorted(p for p, what in rust if what.startswith("unknown field")) == unknown
    assert sorted(p for p, what in rust if what == "required field missing") == required
    assert sorted(p for p, what in rust if what.startswith(("expected ", "invalid quantity"))) == sorted(py.wrong_types)
    assert unknown and required and py.wrong_types  # each corpus entry has problems of all three kinds
