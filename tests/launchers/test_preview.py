"""`jupyter-k8s-spec preview` agrees with the launchers it previews.

The same kernelspec and the same client variables go through both: `preview` in the binary,
and the installed launcher itself (launch_kubernetes.py in --pod-template mode; for the Spark
operator, launch_custom_resource.py against the recording MockApi) with the launch environment
gateway-provisioners would build (`provisioner_env` below: the client's variables, the
kernelspec's env stanza, then the provisioner's KERNEL_* defaults, as preview documents them).
Both results are parsed and compared; the Pod text is also compared byte for byte with the
launcher's --pod-template file.
"""

import copy
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from string import Template

import pytest
import yaml

from conftest import REPO, SHIPPED, base_env, run_python, write_kubeconfig
from test_safety import (BENIGN, COMMENT_AND_BLOCK, CONTEXTS, FRAGMENTS, HOSTILE, HOSTILE_MOUNTS, HOSTILE_VOLUMES, KEYS,
                         REFERENCE_STYLE, STRICT_INT)

BINARY = Path(os.environ.get("K8S_SPEC_BIN", REPO / "target/release/jupyter-k8s-spec"))
KERNEL_ID = "00000000-0000-0000-0000-000000000000"
RESPONSE_ADDRESS = "127.0.0.1:8877"
PUBLIC_KEY = "PUBLIC-KEY-PLACEHOLDER"
# GP_* settings for both sides: the provisioner reads them, and so does preview.
GP = {"GP_MIRROR_WORKING_DIRS": "true"}


def pod_name(raw):
    return re.sub(r"[^\da-z]+", "-", raw.lower()).strip("-")


def provisioner_env(spec, client):
    """The launch environment gateway-provisioners 0.5.0 builds (launchers.md 2.2, 3.2-3.5, 3.10)."""
    config = spec["metadata"]["kernel_provisioner"]["config"]
    env = dict(client)
    for name, value in spec.get("env", {}).items():
        env[name] = Template(value).safe_substitute(env)
    kernel_id = env.get("KERNEL_ID", KERNEL_ID)
    env["KERNEL_ID"] = kernel_id
    env.setdefault("KERNEL_LANGUAGE", spec["language"].lower())
    env.setdefault("KERNEL_USERNAME", "jovyan")
    env["KERNEL_IMAGE"] = config["image_name"]
    env["KERNEL_EXECUTOR_IMAGE"] = config.get("executor_image_name", config["image_name"])
    env.setdefault("KERNEL_UID", "1000")
    env.setdefault("KERNEL_GID", "100")
    env["KERNEL_POD_NAME"] = pod_name(env.get("KERNEL_POD_NAME", f"{env['KERNEL_USERNAME']}-{kernel_id}"))
    env.setdefault("KERNEL_SERVICE_ACCOUNT_NAME", "default")
    env.setdefault("KERNEL_NAMESPACE", "default")
    if spec["metadata"]["kernel_provisioner"]["provisioner_name"] == "spark-operator-provisioner":
        env["KERNEL_RESOURCE_NAME"] = env["KERNEL_POD_NAME"]
        env.update(KERNEL_CRD_GROUP="sparkoperator.k8s.io", KERNEL_CRD_VERSION="v1beta2",
                   KERNEL_CRD_PLURAL="sparkapplications")
    return env, kernel_id


def launcher_argv(spec, kernel_id):
    """The argv after the launcher script, placeholders filled as the provisioner fills them."""
    values = {"kernel_id": kernel_id, "port_range": "0..0", "response_address": RESPONSE_ADDRESS,
              "public_key": PUBLIC_KEY, "transport_encryption": ""}
    argv = [re.sub(r"{([A-Za-z0-9_]+)}", lambda m: values.get(m.group(1), m.group()), a) for a in spec["argv"]]
    start = next(i for i, a in enumerate(argv) if a.endswith(("launch_kubernetes.py", "launch_custom_resource.py",
                                                                "run.sh")))
    return argv[start + 1:]


class Outcome:
    def __init__(self, code, objects=None, text=None, error=None):
        self.code, self.objects, self.text, self.error = code, objects, text, error

    def __repr__(self):
        return f"Outcome({self.code}, {self.error!r})"


def kernelspec(tmp_path, name, template=None, template_name="kernel-pod.yaml.j2"):
    spec_dir = tmp_path / name
    shutil.copytree(SHIPPED / name, spec_dir)
    if template is not None:
        (spec_dir / "scripts" / template_name).write_text(template)
    return spec_dir


def run_preview(spec_dir, env, extra=()):
    args = [str(BINARY), "preview", str(spec_dir), *(f"--env={k}={v}" for k, v in env.items()), *extra]
    proc = subprocess.run(args, capture_output=True, text=True, env={"PATH": os.environ.get("PATH", ""), **GP})
    if proc.returncode != 0:
        assert proc.stdout == ""
        assert proc.stderr.startswith("error: ") and proc.stderr.count("\n") == 1, proc.stderr
        return Outcome(proc.returncode, error=proc.stderr[len("error: "):-1])
    return Outcome(0, list(yaml.safe_load_all(proc.stdout)), proc.stdout)


def run_pod_launcher(spec_dir, client):
    spec = yaml.safe_load((spec_dir / "kernel.json").read_text())
    env, kernel_id = provisioner_env(spec, client)
    out = spec_dir.parent / f"{spec_dir.name}-pod.yaml"
    opts = spec_dir.parent / f"{spec_dir.name}-opts"
    args = [*launcher_argv(spec, kernel_id), "--pod-template", str(out), "--spark-opts-out", str(opts)]
    proc = run_python(spec_dir / "scripts" / "launch_kubernetes.py", args, env)
    if proc.returncode != 0:
        assert proc.stderr.startswith("ERROR - "), proc.stderr
        return Outcome(proc.returncode, error=proc.stderr[len("ERROR - "):].rstrip("\n"))
    text = out.read_text()
    return Outcome(0, [yaml.safe_load(text)], text)


def both(tmp_path, client, template=None, name="k8s_python"):
    """(preview, launcher) outcomes for the kernelspec `name` with `client` variables."""
    spec_dir = kernelspec(tmp_path, name, template)
    kubeconfig = write_kubeconfig(tmp_path)
    client = {**base_env(kubeconfig), **client}
    return run_preview(spec_dir, client), run_pod_launcher(spec_dir, client)


def assert_agree(preview, launcher):
    assert preview.code == launcher.code, (preview, launcher)
    if launcher.code != 0:
        if " is not valid YAML: " in launcher.error:
            # PyYAML's and yaml-rust2's wording of a parse error differ.
            assert preview.error.split(": ")[0] == launcher.error.split(": ")[0]
        elif launcher.error.startswith("cannot render template"):
            # Jinja2's and minijinja's own messages differ; the prefix and the file do not.
            assert preview.error.split(":")[0] == launcher.error.split(":")[0]
        else:
            assert preview.error == launcher.error
        return
    assert preview.objects[0] == launcher.objects[0]
    if len(preview.objects) == 1:
        assert preview.text == launcher.text


STOCK_CLIENT = {"KERNEL_USERNAME": "Alice.Smith@Example", "KERNEL_NAMESPACE": "ns1"}


@pytest.mark.parametrize("name", ["k8s_python", "k8s_python_spark", "k8s_r_spark", "k8s_scala_spark"])
@pytest.mark.parametrize(
    "client",
    [
        {},
        STOCK_CLIENT,
        {**STOCK_CLIENT, "KERNEL_CPUS": "500m", "KERNEL_MEMORY": "1Gi", "KERNEL_GPUS": "1", "KERNEL_CPUS_LIMIT": "1",
         "KERNEL_MEMORY_LIMIT": "2Gi", "KERNEL_GPUS_LIMIT": "2", "KERNEL_WORKING_DIR": "/home/jovyan/work",
         "KERNEL_VOLUME_MOUNTS": "[{name: data, mountPath: /data}]",
         "KERNEL_VOLUMES": "[{name: data, persistentVolumeClaim: {claimName: pvc1}}]",
         "KERNEL_ID": "11111111-2222-3333-4444-555555555555", "KERNEL_UID": "1001", "KERNEL_GID": "101"},
        {"KERNEL_POD_NAME": "My Pod", "KERNEL_SERVICE_ACCOUNT_NAME": "sa", "KUBERNETES_SERVICE_HOST_X": "x",
         "KERNEL_EXTRA_SPARK_OPTS": "--conf a=b", "OTHER": "val"},
    ],
    ids=["defaults", "user", "resources", "names"],
)
def test_stock_templates(tmp_path, name, client):
    preview, launcher = both(tmp_path, client, name=name)
    assert launcher.code == 0, launcher.error
    assert_agree(preview, launcher)


def test_spark_operator(tmp_path, mock_api):
    spec_dir = kernelspec(tmp_path, "k8s_python_spark_operator")
    spec = yaml.safe_load((spec_dir / "kernel.json").read_text())
    client = {**base_env(mock_api.kubeconfig), **STOCK_CLIENT, "KERNEL_SPARKAPP_CONFIG_MAP": "cm",
              "KERNEL_VOLUMES": "[{name: x, emptyDir: {}}]"}
    env, kernel_id = provisioner_env(spec, client)
    proc = run_python(spec_dir / "scripts" / "launch_custom_resource.py", launcher_argv(spec, kernel_id), env)
    assert proc.returncode == 0, proc.stderr
    sent = mock_api.requests[0]["body"]
    preview = run_preview(spec_dir, client)
    assert preview.code == 0, preview.error
    assert preview.objects == [sent]


HOSTILE_FIELDS = ["KERNEL_USERNAME", "KERNEL_POD_NAME", "KERNEL_NAMESPACE", "KERNEL_SERVICE_ACCOUNT_NAME",
                  "KERNEL_CPUS", "KERNEL_MEMORY_LIMIT", "KERNEL_WORKING_DIR"]
# U+2028 / U+2029 are line breaks for PyYAML (YAML 1.1), not for preview's YAML 1.2 scanner
# (README: Known differences): the launcher reads a value ending in U+2029 without it, preview
# keeps it.  The difference is asserted exactly: the value as each side reads it.
KNOWN_DIFFERENT = {"ls\u2028ps\u2029": "ls\u2028ps"}


# Where the template places a KERNEL_* value as YAML (the container's env list carries the raw text).
YAML_READ_FIELDS = [("metadata", "labels", "kernel_id"), ("metadata", "namespace"), ("spec", "serviceAccountName"),
                    ("spec", "containers", 0, "workingDir"), ("spec", "containers", 0, "resources", "requests", "cpu"),
                    ("spec", "containers", 0, "resources", "limits", "memory")]


@pytest.mark.parametrize("index", range(len(HOSTILE)))
def test_hostile_values(tmp_path, index):
    payload = HOSTILE[index]
    client = {name: payload for name in HOSTILE_FIELDS}
    client["KERNEL_VOLUMES"] = HOSTILE_VOLUMES
    client["KERNEL_VOLUME_MOUNTS"] = HOSTILE_MOUNTS
    if payload and not payload.startswith("-"):
        client["KERNEL_ID"] = payload
    preview, launcher = both(tmp_path, client)
    if payload in KNOWN_DIFFERENT:
        assert (preview.code, launcher.code) == (0, 0), (preview, launcher)
        # Both place the value in the same fields; only its reading as YAML differs.
        as_launcher_reads = copy.deepcopy(preview.objects[0])
        for path in YAML_READ_FIELDS:
            parent = as_launcher_reads
            for key in path[:-1]:
                parent = parent[key]
            assert parent[path[-1]] == payload, path
            parent[path[-1]] = KNOWN_DIFFERENT[payload]
        assert as_launcher_reads == launcher.objects[0]
        return
    assert_agree(preview, launcher)


def test_every_known_difference_is_in_the_corpus():
    assert set(KNOWN_DIFFERENT) <= set(HOSTILE)


def test_reference_style_template(tmp_path):
    # The Secret document is printed after the Pod (the launcher's file holds the Pod only).
    preview, launcher = both(tmp_path, BENIGN, REFERENCE_STYLE)
    assert_agree(preview, launcher)
    assert [o["kind"] for o in preview.objects] == ["Pod", "Secret"]
    preview, launcher = both(tmp_path / "b", {**BENIGN, "KERNEL_USERNAME": "bob.o'neil"}, REFERENCE_STYLE)
    assert launcher.code == 1 and "cannot be placed unquoted at template line 41" in launcher.error
    assert_agree(preview, launcher)


CONTEXT_VALUES = ["plain", "x, hostPID: true", "a: b", "#c", "}, z: 1", "[1]", "*a", "&a b", "!!int 1",
                  "x\n  hostPID: true", "x\nhostPID: true", "'q'", '"dq"', "\u00fcn\u00ef", "-", "? x", '"a\\nb: c"',
                  "'it''s'", "x # y", "1.5", "nel\x85evil: 1", "cr\revil: 1", "tab\tx", "", "~", "yes", "010",
                  "2001-12-14", "2001-12-14 21:59:43.10 -5", "1e400", "[a, {b: [c, 1.5e+3]}]", "0x1F", "1:30",
                  "{<<: {a: 1}, b: 2}"]


# Every value in the template with every context; a sample in the others (each case runs the
# launcher, which takes about half a second to start).
SAMPLE = ["plain", "a: b", "x\nhostPID: true", "'it''s'", "x # y", "", "yes", "[a, {b: [c, 1.5e+3]}]"]
CONTEXT_CASES = [("contexts", CONTEXTS, raw) for raw in CONTEXT_VALUES] + [
    (name, template, raw)
    for name, template in [("comment-block", COMMENT_AND_BLOCK), ("keys", KEYS), ("fragments", FRAGMENTS),
                           ("strict-int", STRICT_INT)]
    for raw in SAMPLE
]


@pytest.mark.parametrize("name, template, raw", CONTEXT_CASES, ids=[f"{n}-{r!r}" for n, _, r in CONTEXT_CASES])
def test_every_context(tmp_path, name, template, raw):
    preview, launcher = both(tmp_path, {"KERNEL_NAMESPACE": "ns1", "KERNEL_V": raw, "KERNEL_W": raw}, template)
    assert_agree(preview, launcher)


LOOPS = """\
apiVersion: v1
kind: Pod
metadata:
  name: "{{ kernel_pod_name }}"
  namespace: {{ kernel_namespace }}
  labels:
    kernel_id: "{{ kernel_id }}"
{% for key, value in (kernel_labels | default({}, true)).items() %}
    {{ key }}: "{{ value }}"
{% endfor %}
spec:
  containers:
  - name: kernel
    image: {{ kernel_image }}
    args: [{% for a in kernel_args | default([], true) %}"{{ a }}"{% if not loop.last %}, {% endif %}{% endfor %}]
{% if kernel_volumes is defined and kernel_volumes %}
  volumes:
{% for v in kernel_volumes %}
  - {{ v }}
{% endfor %}
{% endif %}
  {#- a comment that strips #}
  nodeSelector: {{ kernel_node_selector | default({'disk': 'ssd'}) }}
{% raw %}
  # {{ not a placeholder }}
{% endraw %}
"""


@pytest.mark.parametrize(
    "extra",
    [{}, {"KERNEL_ARGS": "[a, 'b c', 1]", "KERNEL_VOLUMES": "[{name: v, emptyDir: {}}]"},
     {"KERNEL_NODE_SELECTOR": "{zone: a}", "KERNEL_VOLUMES": "[]"}],
)
def test_loops_and_defaults(tmp_path, extra):
    preview, launcher = both(tmp_path, {"KERNEL_NAMESPACE": "ns1", **extra}, LOOPS)
    assert_agree(preview, launcher)


@pytest.mark.parametrize(
    "template, client",
    [
        ("apiVersion: v1\nkind: Service\n", {}),
        ("apiVersion: v1\nkind: Pod\nspec: {}\n", {}),
        ("a: [1\n", {}),
        ("{{ kernel_v | int }}\n", {"KERNEL_V": "abc"}),
        ("kind: Pod\n---\n", {}),
    ],
)
def test_failures_agree(tmp_path, template, client):
    preview, launcher = both(tmp_path, client, template)
    assert launcher.code == 1
    assert_agree(preview, launcher)


def test_ids_are_checked(tmp_path):
    preview, launcher = both(tmp_path, {"KERNEL_UID": "00"})
    assert launcher.code == 1
    assert_agree(preview, launcher)


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q"]))
