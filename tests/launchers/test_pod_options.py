"""The pod options of `install` (--toleration, --node-selector, --image-pull-secret, --pod-annotation,
--pod-label, --kernel-pod-template) through our real launchers: the binary writes the template, the
launcher renders it, and the pod (or SparkApplication) carries exactly the entries given, hostile
values arriving verbatim, whatever the launch variables."""

import copy
import os
import subprocess
from pathlib import Path

import pytest

from conftest import REPO
from test_custom_resource import CRD_ENV, launch as launch_crd
from test_launch_kubernetes import STOCK_ENV

BINARY = Path(os.environ.get("K8S_SPEC_BIN", REPO / "target/release/jupyter-k8s-spec"))

# Values no template text may reinterpret: quotes, escapes, YAML indicators, Jinja syntax, unicode,
# characters YAML treats as line breaks.
HOSTILE = [
    'he said "hi"',
    "it's",
    "line1\nline2\n",
    "back\\slash \\n \\x41",
    "{{ kernel_id }}",
    "{% if true %}yes{% endif %}",
    "{# comment #}",
    "{{",
    "{%- raw %}x{% endraw -%}",
    "#not a comment",
    "- dash: colon, [flow] {map} &anchor *alias !tag | > %",
    "  leading and trailing  ",
    "",
    "tab\there\r\n",
    "unicod\u00e9 \u2603 \U0001F600 \u00a0",
    "\x7f\x85\u2028\u2029\ufeff",
    "${KERNEL_ID} $(id) `id`",
    "---\n...\n",
]

TOLERATIONS = [
    ("dedicated=jupyter:NoSchedule",
     {"key": "dedicated", "operator": "Equal", "value": "jupyter", "effect": "NoSchedule"}),
    ("example.com/gpu:NoExecute",
     {"key": "example.com/gpu", "operator": "Exists", "effect": "NoExecute"}),
    ("empty-value=:PreferNoSchedule",
     {"key": "empty-value", "operator": "Equal", "value": "", "effect": "PreferNoSchedule"}),
]
NODE_SELECTOR = {"kubernetes.io/arch": "amd64", "yes": "true", "1": "0"}  # YAML 1.1 would type these unquoted
SECRETS = ["regcred", "other.registry-1"]
LABELS = {"team": "data-science", "example.com/cost_center": "4711", "null": "on"}
ANNOTATIONS = {f"example.com/hostile-{i}": value for i, value in enumerate(HOSTILE)}


def install(tmp_path, *args):
    """Installs with the binary under test into a fresh prefix; returns the kernels directory."""
    prefix = Path(tmp_path) / f"prefix{len(list(Path(tmp_path).glob('prefix*')))}"
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path)}
    proc = subprocess.run([str(BINARY), "install", f"--prefix={prefix}", *args], env=env,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return prefix / "share/jupyter/kernels"


def option_args(annotations=ANNOTATIONS):
    args = []
    for text, _ in TOLERATIONS:
        args.append(f"--toleration={text}")
    for k, v in NODE_SELECTOR.items():
        args += ["--node-selector", f"{k}={v}"]
    for name in SECRETS:
        args.append(f"--image-pull-secret={name}")
    for k, v in annotations.items():
        args.append(f"--pod-annotation={k}={v}")
    for k, v in LABELS.items():
        args += ["--pod-label", f"{k}={v}"]
    return args


@pytest.fixture(scope="module")
def templates(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("pod-options")
    kernels = install(tmp, *option_args())
    operator = install(tmp, "--crd", "--spark", *option_args())
    return {
        "pod": (kernels / "k8s_python/scripts/kernel-pod.yaml.j2").read_text(),
        "app": (operator / "k8s_python_spark_operator/scripts/sparkoperator.k8s.io-v1beta2.yaml.j2").read_text(),
    }


ENVS = {
    "stock": STOCK_ENV,
    "no-ids": {k: v for k, v in STOCK_ENV.items() if k not in ("KERNEL_UID", "KERNEL_GID")},
    "uid-only": {k: v for k, v in STOCK_ENV.items() if k != "KERNEL_GID"},
    "resources-volumes-workdir": {
        **STOCK_ENV,
        "KERNEL_CPUS": "500m", "KERNEL_MEMORY_LIMIT": "2Gi", "KERNEL_GPUS": "1",
        "KERNEL_WORKING_DIR": "/home/jovyan/work",
        "KERNEL_VOLUME_MOUNTS": "[{name: data, mountPath: /data}]",
        "KERNEL_VOLUMES": "[{name: data, emptyDir: {}}]",
    },
    "hostile-kernel-values": {
        **STOCK_ENV,
        "KERNEL_SERVICE_ACCOUNT_NAME": '"sa\\"\\n  hostPID: true\\n  x: \\"',
        "KERNEL_POD_NAME": "{{ 7 * 7 }}",
        "KERNEL_IMAGE": "img\n  hostNetwork: true",
    },
}


@pytest.mark.parametrize("env_name", list(ENVS))
def test_pod_has_exactly_the_entries_given(pod_template, templates, env_name):
    env = ENVS[env_name]
    plain = pod_template(env)
    assert plain.proc.returncode == 0, plain.proc.stderr
    result = pod_template(env, template=templates["pod"])
    assert result.proc.returncode == 0, result.proc.stderr
    pod = copy.deepcopy(result.pod)
    spec = pod["spec"]
    assert spec.pop("tolerations") == [t for _, t in TOLERATIONS]
    assert spec.pop("nodeSelector") == NODE_SELECTOR
    assert spec.pop("imagePullSecrets") == [{"name": n} for n in SECRETS]
    labels, annotations = pod["metadata"]["labels"], pod["metadata"]["annotations"]
    for k, v in LABELS.items():
        assert labels.pop(k) == v
    for k, v in ANNOTATIONS.items():
        assert annotations.pop(k) == v, k
    # Everything else is the pod our unchanged template gives for the same launch.
    assert pod == plain.pod
    assert "hostPID" not in spec and "hostNetwork" not in spec


def test_each_hostile_value_alone(pod_template, tmp_path):
    """Each hostile annotation on its own (no neighbour entries to lean on)."""
    for i, value in enumerate(HOSTILE):
        kernels = install(tmp_path, f"--pod-annotation=a={value}", f"--kernel-name=k{i}")
        text = (kernels / f"k{i}/scripts/kernel-pod.yaml.j2").read_text()
        result = pod_template(STOCK_ENV, template=text)
        assert result.proc.returncode == 0, (value, result.proc.stderr)
        assert result.pod["metadata"]["annotations"] == {
            "cluster-autoscaler.kubernetes.io/safe-to-evict": "false", "a": value}


def test_safe_to_evict_annotation_replaces_the_templates(pod_template, tmp_path):
    kernels = install(tmp_path, "--pod-annotation=cluster-autoscaler.kubernetes.io/safe-to-evict=true",
                      "--pod-annotation=b=2")
    result = pod_template(STOCK_ENV, template=(kernels / "k8s_python/scripts/kernel-pod.yaml.j2").read_text())
    assert result.proc.returncode == 0, result.proc.stderr
    assert result.pod["metadata"]["annotations"] == {
        "cluster-autoscaler.kubernetes.io/safe-to-evict": "true", "b": "2"}


def test_spark_application_has_exactly_the_entries_given(mock_api, tmp_path, templates):
    proc, _ = launch_crd(mock_api, tmp_path / "plain", CRD_ENV)
    assert proc.returncode == 0, proc.stderr
    plain_api_body = mock_api.requests[-1]["body"]
    proc, _ = launch_crd(mock_api, tmp_path / "custom", CRD_ENV, template=templates["app"])
    assert proc.returncode == 0, proc.stderr
    body = copy.deepcopy(mock_api.requests[-1]["body"])
    spec = body["spec"]
    assert spec.pop("imagePullSecrets") == SECRETS
    for section in ("driver", "executor"):
        part = spec[section]
        assert part.pop("tolerations") == [t for _, t in TOLERATIONS]
        assert part.pop("nodeSelector") == NODE_SELECTOR
        for k, v in LABELS.items():
            assert part["labels"].pop(k) == v
        for k, v in ANNOTATIONS.items():
            assert part["annotations"].pop(k) == v, (section, k)
    assert spec["executor"].pop("annotations") == {}  # the executor had none of its own
    assert body == plain_api_body


def test_operators_template_is_rendered_by_the_launcher(pod_template, tmp_path):
    """A template accepted by --kernel-pod-template renders in the real launcher."""
    stock = pod_template(STOCK_ENV)
    template = (
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: \"{{ kernel_pod_name }}-token\"\n"
        "stringData: {token: x}\n---\n"
        + Path(install(tmp_path) / "k8s_python/scripts/kernel-pod.yaml.j2").read_text().replace(
            "    source: kernel-pod.yaml\n", "    source: kernel-pod.yaml\n    owner: \"{{ kernel_username }}\"\n")
    )
    file = tmp_path / "operator.yaml.j2"
    file.write_text(template)
    kernels = install(tmp_path, f"--kernel-pod-template={file}")
    installed = (kernels / "k8s_python/scripts/kernel-pod.yaml.j2").read_text()
    assert installed == template
    result = pod_template(STOCK_ENV, template=installed)
    assert result.proc.returncode == 0, result.proc.stderr
    assert result.pod["metadata"]["labels"].pop("owner") == "alice"
    assert result.pod == stock.pod


def test_refused_template_is_not_installed(tmp_path):
    file = tmp_path / "bad.yaml.j2"
    file.write_text("kind: Pod\nmetadata:\n  labels: {component: kernel}\nspec:\n  containers: [{name: c}]\n")
    prefix = tmp_path / "p"
    proc = subprocess.run([str(BINARY), "install", f"--prefix={prefix}", f"--kernel-pod-template={file}"],
                          env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path)},
                          capture_output=True, text=True)
    assert proc.returncode == 1
    assert proc.stderr.endswith(
        f"K8sSpecInstaller] --kernel-pod-template {file}: the Pod must have the label kernel_id: "
        "\"{{ kernel_id }}\" (the provisioner finds the kernel's pod by it)\n")
    assert not prefix.exists()
