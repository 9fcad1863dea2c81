"""Hostile KERNEL_* values (launchers.md section 9): a value only ever feeds its own field."""

import copy

import pytest
import yaml

from conftest import K8S_SCRIPTS, base_env, install_spec, run_python

STOCK = {
    "KERNEL_POD_NAME": "alice-k1",
    "KERNEL_NAMESPACE": "ns1",
    "KERNEL_IMAGE": "img:1",
    "KERNEL_SERVICE_ACCOUNT_NAME": "default",
    "KERNEL_UID": "1000",
    "KERNEL_GID": "100",
    "KERNEL_CPUS": "1",
    "KERNEL_MEMORY_LIMIT": "1Gi",
    "KERNEL_WORKING_DIR": "/work",
}

# Where each text variable lands in the stock pod.
FIELDS = {
    "KERNEL_POD_NAME": [("metadata", "name"), ("spec", "containers", 0, "name")],
    "KERNEL_NAMESPACE": [("metadata", "namespace")],
    "KERNEL_IMAGE": [("spec", "containers", 0, "image")],
    "KERNEL_SERVICE_ACCOUNT_NAME": [("spec", "serviceAccountName")],
    "KERNEL_CPUS": [("spec", "containers", 0, "resources", "requests", "cpu")],
    "KERNEL_MEMORY_LIMIT": [("spec", "containers", 0, "resources", "limits", "memory")],
    "KERNEL_WORKING_DIR": [("spec", "containers", 0, "workingDir")],
    "KERNEL_ID": [("metadata", "labels", "kernel_id")],
}

W1_SERVICE_ACCOUNT = '"default\\"\n  hostPID: true\n  hostNetwork: true\n  schedulerName: \\"default-scheduler"'
W1_CPUS = '"500m\\"\n    securityContext:\n      privileged: true\n    terminationMessagePath: \\"/dev/termination-log"'

HOSTILE = [
    W1_SERVICE_ACCOUNT,
    W1_CPUS,
    'x"\n  hostPID: true',
    'x"\n  hostPID: true\n',
    'x"y',
    "it's",
    "a: b",
    "- x",
    "{a: b}",
    "[1, 2]",
    "&anchor x",
    "*alias",
    "!!str tagged",
    '!!python/object/apply:os.system ["touch /tmp/k8s-spec-pwned"]',
    "# comment",
    "x # trailing",
    "%TAG ! x",
    "@at",
    "`tick`",
    "|\n  block",
    ">-\n folded",
    "? key",
    "back\\slash \\n \\\" \\\\",
    "tab\there",
    "cr\r\nlf",
    "nel\x85sep",
    "ls\u2028ps\u2029",
    "bom\ufeff",
    "ctl\x01\x1f\x7f\x9f",
    "ünïcødé 😀 中文",
    "{{ 7*7 }}",
    "{% if true %}x{% endif %}",
    "}}",
    '"',
    "'",
    "\\",
    "",
    "~",
    "null",
    "true",
    "010",
    "2001-12-14",
    "  leading and trailing  ",
    "\n",
    "--- \n...\n---",
    "a" * 10000,
    ('x"\n- y: \\n "' * 1500)[:10000],
]


def as_template_text(raw):
    """Text a quoted placeholder must produce: the YAML-typed value printed like Jinja prints it."""
    try:
        value = yaml.safe_load(raw)
    except Exception:
        value = raw
    return str(value)


def put(document, path, value):
    for key in path[:-1]:
        document = document[key]
    document[path[-1]] = value


@pytest.mark.parametrize("payload", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_value_lands_verbatim_in_its_field(pod_template, payload):
    reference = pod_template(STOCK, args=["--kernel-id=k1"])
    assert reference.proc.returncode == 0, reference.proc.stderr
    hostile_env = {name: payload for name in STOCK if name not in ("KERNEL_UID", "KERNEL_GID")}
    kernel_id = payload or "k1"  # an empty --kernel-id sets nothing
    result = pod_template({**STOCK, **hostile_env}, args=[f"--kernel-id={kernel_id}"])
    assert result.proc.returncode == 0, result.proc.stderr

    expected = copy.deepcopy(reference.pod)
    for name, paths in FIELDS.items():
        raw = kernel_id if name == "KERNEL_ID" else hostile_env[name]
        for path in paths:
            put(expected, path, as_template_text(raw))
    env_values = {**reference.env, **hostile_env, "KERNEL_ID": kernel_id}
    for entry in expected["spec"]["containers"][0]["env"]:
        entry["value"] = env_values.get(entry["name"], entry["value"])
    assert result.pod == expected


HOSTILE_VOLUMES = (
    '[{name: "a\\"\\n  hostPID: true", hostPath: {path: "/x\\n- name: evil"}},'
    ' {"name\\": x\\nhostNetwork": true, "#": "&*!|>%@`", "k": [null, 1.5, 1e3, "}]"]}]'
)
HOSTILE_MOUNTS = '[{name: "- a: b", mountPath: "/\\u2028\\x85\\t\\"", readOnly: yes, subPath: null}]'


def test_structured_values_stay_structured(pod_template):
    env = {**STOCK, "KERNEL_VOLUMES": HOSTILE_VOLUMES, "KERNEL_VOLUME_MOUNTS": HOSTILE_MOUNTS}
    result = pod_template(env)
    assert result.proc.returncode == 0, result.proc.stderr
    assert result.pod["spec"]["volumes"] == yaml.safe_load(HOSTILE_VOLUMES)
    assert result.pod["spec"]["containers"][0]["volumeMounts"] == yaml.safe_load(HOSTILE_MOUNTS)
    assert set(result.pod["spec"]) == {"containers", "restartPolicy", "securityContext", "serviceAccountName", "volumes"}


def test_alias_expansion_is_bounded(pod_template):
    levels = ["&a [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        prev = chr(ord("a") + i - 1)
        levels.append(f"&{chr(ord('a') + i)} [" + ", ".join([f"*{prev}"] * 10) + "]")
    bomb = "[" + ", ".join(levels) + "]"
    result = pod_template({**STOCK, "KERNEL_VOLUMES": bomb})
    assert result.proc.returncode == 1
    assert result.proc.stderr == "ERROR - template value is too large\n"


def test_recursive_value_is_refused(pod_template):
    result = pod_template({**STOCK, "KERNEL_VOLUMES": "&a [*a]"})
    assert result.proc.returncode == 1
    assert result.proc.stderr == "ERROR - template value is nested too deeply\n"


@pytest.mark.parametrize("name", ["KERNEL_UID", "KERNEL_GID"])
@pytest.mark.parametrize(
    "value",
    ["00", "+0", " 0", "0 ", "0.0", "0x0", "-0", "0_0", "000", "abc", "1000abc", "", "null", "[1]",
     "1e3", "-1", "1000\n", "\u0661\u0660", "0o0", "true"],
)
def test_ids_must_be_plain_decimal_integers(pod_template, name, value):
    result = pod_template({**STOCK, name: value})
    assert result.proc.returncode == 1
    assert result.proc.stderr == (
        f"ERROR - {name} must be a plain decimal integer, got {value!r} - kernel launch terminating!\n"
    )
    assert result.pod is None


@pytest.mark.parametrize("uid, gid", [("0", "0"), ("1000", "100"), ("4294967295", "65534")])
def test_valid_ids(pod_template, uid, gid):
    result = pod_template({**STOCK, "KERNEL_UID": uid, "KERNEL_GID": gid})
    assert result.proc.returncode == 0, result.proc.stderr
    assert result.pod["spec"]["securityContext"] == {"fsGroup": 100, "runAsUser": int(uid), "runAsGroup": int(gid)}


# ----- templates customised for the reference keep working ------------------------------------

REFERENCE_STYLE = """\
# An operator's template in the style of the reference's kernel-pod.yaml.j2.
apiVersion: v1
kind: Pod
metadata:
  name: "{{ kernel_pod_name }}"
  namespace: "{{ kernel_namespace }}"
  labels:
    kernel_id: "{{ kernel_id }}"
    team: "{{ kernel_team }}"
    app: gateway-provisioners
    component: kernel
spec:
  restartPolicy: Never
  serviceAccountName: "{{ kernel_service_account_name }}"
  {% if kernel_uid is defined or kernel_gid is defined %}
  securityContext:
    {% if kernel_uid is defined %}
    runAsUser: {{ kernel_uid | int }}
    {% endif %}
    {% if kernel_gid is defined %}
    runAsGroup: {{ kernel_gid | int }}
    {% endif %}
    fsGroup: 100
  {% endif %}
  containers:
  - image: "{{ kernel_image }}"
    name: "{{ kernel_pod_name }}"
    args: ["--user", "{{ kernel_username }}", "--level", "{{ kernel_level }}"]
    env:
    - name: FIXED
      value: "fixed"
    - name: KERNEL_USERNAME
      value: "from-template"
    {% if kernel_cpus is defined %}
    resources:
      requests:
        cpu: "{{ kernel_cpus }}"
    {% endif %}
    volumeMounts:
    - name: home
      mountPath: /home/{{ kernel_username }}
    {% if kernel_volume_mounts is defined %}
      {% for volume_mount in kernel_volume_mounts %}
    - {{ volume_mount }}
      {% endfor %}
    {% endif %}
  volumes:
  - name: home
    emptyDir: {}
  {% if kernel_volumes is defined %}
    {% for volume in kernel_volumes %}
  - {{ volume }}
    {% endfor %}
  {% endif %}
---
apiVersion: v1
kind: Secret
metadata:
  name: '{{ kernel_pod_name }}-secret'
  namespace: {{ kernel_namespace }}
  # created for {{ kernel_username }}
  labels: {owner: {{ kernel_username }}, kernel_id: "{{ kernel_id }}"}
stringData:
  note: |
    user {{ kernel_username }}
    done
  team: {{ kernel_team }}
"""

BENIGN = {
    "KERNEL_USERNAME": "alice",
    "KERNEL_POD_NAME": "alice-k1",
    "KERNEL_NAMESPACE": "ns1",
    "KERNEL_IMAGE": "img:1",
    "KERNEL_SERVICE_ACCOUNT_NAME": "default",
    "KERNEL_UID": "1000",
    "KERNEL_GID": "100",
    "KERNEL_CPUS": "500m",
    "KERNEL_TEAM": "blue",
    "KERNEL_LEVEL": "3",
    "KERNEL_VOLUME_MOUNTS": "[{name: data, mountPath: /data}]",
    "KERNEL_VOLUMES": "[{name: data, persistentVolumeClaim: {claimName: pvc1, readOnly: true}}]",
}


def test_reference_style_template(pod_template):
    result = pod_template(BENIGN, template=REFERENCE_STYLE)
    assert result.proc.returncode == 0, result.proc.stderr
    env = result.pod["spec"]["containers"][0].pop("env")
    assert env[:2] == [{"name": "FIXED", "value": "fixed"}, {"name": "KERNEL_USERNAME", "value": "alice"}]
    assert [e["name"] for e in env[2:]] == [n for n in result.env if n != "KERNEL_USERNAME"] + [
        "KERNEL_ID", "KERNEL_SPARK_CONTEXT_INIT_MODE", "KERNEL_NAME"]
    assert result.pod == {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": "alice-k1",
            "namespace": "ns1",
            "labels": {"kernel_id": "k1", "team": "blue", "app": "gateway-provisioners", "component": "kernel"},
        },
        "spec": {
            "restartPolicy": "Never",
            "serviceAccountName": "default",
            "securityContext": {"runAsUser": 1000, "runAsGroup": 100, "fsGroup": 100},
            "containers": [{
                "image": "img:1",
                "name": "alice-k1",
                "args": ["--user", "alice", "--level", "3"],
                "resources": {"requests": {"cpu": "500m"}},
                "volumeMounts": [{"name": "home", "mountPath": "/home/alice"}, {"name": "data", "mountPath": "/data"}],
            }],
            "volumes": [
                {"name": "home", "emptyDir": {}},
                {"name": "data", "persistentVolumeClaim": {"claimName": "pvc1", "readOnly": True}},
            ],
        },
    }


def test_reference_style_template_secret_in_api_mode(mock_api, tmp_path):
    scripts = install_spec(tmp_path / "s", K8S_SCRIPTS, "k8s_python", REFERENCE_STYLE, "kernel-pod.yaml.j2")
    env = {**base_env(mock_api.kubeconfig), **BENIGN, "KERNEL_USERNAME": "bob.o'neil"}
    proc = run_python(scripts / "launch_kubernetes.py", ["--kernel-id", "k1"], env)
    assert proc.returncode == 1  # `/home/{{ kernel_username }}` is unquoted: an apostrophe is refused
    assert proc.stderr == (
        "ERROR - value \"bob.o'neil\" cannot be placed unquoted at template line 41; "
        "quote the placeholder in the template\n"
    )
    assert mock_api.requests == []

    env["KERNEL_USERNAME"] = "bob"
    proc = run_python(scripts / "launch_kubernetes.py", ["--kernel-id", "k1"], env)
    assert proc.returncode == 0, proc.stderr
    secret = mock_api.requests[1]["body"]
    assert mock_api.requests[1]["path"] == "/api/v1/namespaces/ns1/secrets"
    assert secret == {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "alice-k1-secret", "namespace": "ns1", "labels": {"owner": "bob", "kernel_id": "k1"}},
        "stringData": {"note": "user bob\ndone\n", "team": "blue"},
    }


# Each placeholder context of the reference-style template with a hostile value.
CONTEXTS = """\
kind: Pod
metadata: {name: p, namespace: ns1}
spec: {containers: [{name: c}]}
dq: "pre {{ kernel_v }} post"
sq: 'pre {{ kernel_v }} post'
node: {{ kernel_v }}
seq:
- {{ kernel_v }}
flow: {a: {{ kernel_v }}, b: [{{ kernel_v }}, "z"]}
# comment {{ kernel_v }}
block: |
  first
  {{ kernel_v }}
  last
folded: >-
  {{ kernel_v }}
after: end
"""


def typed(raw):
    try:
        return yaml.safe_load(raw)
    except yaml.YAMLError:
        return raw


@pytest.mark.parametrize(
    "raw",
    ["plain", "x, hostPID: true", "a: b", "#c", "}, z: 1", "[1]", "*a", "&a b", "!!int 1", "x\n  hostPID: true",
     "x\nhostPID: true", "'q'", '"dq"', "\u00fcn\u00ef", "-", "? x", '"a\\nb: c"', "'it''s'", "x # y", "1.5",
     "x\u2028evil: 1", "a\u2029  b", "nel\x85evil: 1", "cr\revil: 1", "tab\tx"],
)
def test_every_context_keeps_the_value_in_place(pod_template, raw):
    result = pod_template({"KERNEL_NAMESPACE": "ns1", "KERNEL_V": raw}, template=CONTEXTS)
    value = typed(raw)
    text = str(value)
    if any(ch in text for ch in "\n\r\x85\u2028\u2029\t"):
        # a line break cannot be written into a single-quoted scalar: refused, never injected
        assert result.proc.returncode == 1
        assert result.proc.stderr.startswith("ERROR - value ")
        assert result.proc.stderr.endswith(" cannot be placed in the single-quoted scalar at template line 5\n")
        assert result.pod is None
        return
    assert result.proc.returncode == 0, result.proc.stderr
    document = dict(result.pod)
    document.pop("spec")
    assert document == {
        "kind": "Pod",
        "metadata": {"name": "p", "namespace": "ns1"},
        "dq": f"pre {text} post",
        "sq": f"pre {text} post",
        "node": value,
        "seq": [value],
        "flow": {"a": value, "b": [value, "z"]},
        "block": f"first\n{text}\nlast\n",
        "folded": text,
        "after": "end",
    }


COMMENT_AND_BLOCK = """\
kind: Pod
metadata: {name: p, namespace: ns1}
spec: {containers: [{name: c}]}
# note {{ kernel_v }}
text: |
  {{ kernel_v }}
    {{ kernel_v }}
after: end
"""


@pytest.mark.parametrize(
    "raw, block",
    [
        ('"line1\\nline2\\n  evil: 1\\n\\tend"', "line1\nline2\n  evil: 1\n\tend"),
        ('"a\\u2028evil: 1"', None),
        ('"a\\x85evil: 1"', None),
        ('"a\\revil: 1"', None),
        ("plain", "plain"),
    ],
)
def test_comments_and_block_scalars(pod_template, raw, block):
    result = pod_template({"KERNEL_NAMESPACE": "ns1", "KERNEL_V": raw}, template=COMMENT_AND_BLOCK)
    if block is None:  # other line breaks cannot be represented in a block scalar: refused
        assert result.proc.returncode == 1
        assert result.proc.stderr.startswith("ERROR - value ")
        assert result.proc.stderr.endswith(" cannot be placed in the block scalar at template line 6\n")
        return
    assert result.proc.returncode == 0, result.proc.stderr
    nested = "  " + block.replace("\n", "\n  ")  # the second placeholder is indented two more
    result.pod.pop("spec")
    assert result.pod == {
        "kind": "Pod",
        "metadata": {"name": "p", "namespace": "ns1"},
        "text": f"{block}\n{nested}\n",
        "after": "end",
    }


def test_comment_cannot_be_ended_by_a_line_separator(pod_template):
    template = "kind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c}]}\n# {{ kernel_v }}\n"
    for raw in ['"x\\u2028evil: 1"', '"x\\u2029evil: 1"', '"x\\x85evil: 1"', '"x\\revil: 1"', '"x\\nevil: 1"']:
        result = pod_template({"KERNEL_NAMESPACE": "ns1", "KERNEL_V": raw}, template=template)
        assert result.proc.returncode == 0, result.proc.stderr
        assert set(result.pod) == {"kind", "metadata", "spec"}, raw


KEYS = """\
kind: Pod
metadata: {name: p, namespace: ns1}
spec: {containers: [{name: c}]}
{{ kernel_v }}: key
"{{ kernel_v }}": quoted-key
"""


@pytest.mark.parametrize("raw", ["k", '"a: b"', '"x\\n  hostPID: true"', "'#c'", '"- y"', "'{z}'"])
def test_key_context(pod_template, raw):
    result = pod_template({"KERNEL_NAMESPACE": "ns1", "KERNEL_V": raw}, template=KEYS)
    assert result.proc.returncode == 0, result.proc.stderr
    value = yaml.safe_load(raw)
    document = dict(result.pod)
    assert document.pop(value) == "quoted-key"  # same key twice: the later one wins
    assert set(document) == {"kind", "metadata", "spec"}


FRAGMENTS = """\
kind: Pod
metadata: {name: p, namespace: ns1}
spec: {containers: [{name: c}]}
path: /home/{{ kernel_v }}/work
"""


@pytest.mark.parametrize("raw", ["alice", "a.b-c_d@example.com", "ünï", "x:y", "1000", "~"])
def test_fragment_accepts_harmless_values(pod_template, raw):
    result = pod_template({"KERNEL_NAMESPACE": "ns1", "KERNEL_V": raw}, template=FRAGMENTS)
    assert result.proc.returncode == 0, result.proc.stderr
    assert result.pod["path"] == f"/home/{as_template_text(raw)}/work"


# YAML-quoted where the plain form would be typed to something harmless (e.g. "a #b" -> "a")
@pytest.mark.parametrize(
    "raw",
    ["a b", "a: b", '"a #b"', '"x\\ny"', "a,b", '"[x"', "x]", '"{x"', "a'b", 'a"b', '"x:"', '"&x"', '"*x"', '"!x"'],
)
def test_fragment_refuses_other_values(pod_template, raw):
    result = pod_template({"KERNEL_NAMESPACE": "ns1", "KERNEL_V": raw}, template=FRAGMENTS)
    assert result.proc.returncode == 1
    assert result.proc.stderr.startswith("ERROR - value ")
    assert result.proc.stderr.endswith(
        " cannot be placed unquoted at template line 4; quote the placeholder in the template\n"
    )
    assert result.pod is None


STRICT_INT = """\
kind: Pod
metadata: {name: p, namespace: ns1}
spec: {containers: [{name: c}]}
{% if kernel_v is defined %}
plain: {{ kernel_v | int }}
{% endif %}
with_default: {{ kernel_w | int(5) }}
hex: {{ "0x1F" | int(0, 16) }}
"""


def test_int_filter_is_strict(pod_template):
    result = pod_template({"KERNEL_NAMESPACE": "ns1", "KERNEL_V": "42", "KERNEL_W": "abc"}, template=STRICT_INT)
    assert result.proc.returncode == 0, result.proc.stderr
    assert (result.pod["plain"], result.pod["with_default"], result.pod["hex"]) == (42, 5, 31)
    for bad in ["abc", "0.0", "1e3", "", "true", "[1]"]:
        result = pod_template({"KERNEL_NAMESPACE": "ns1", "KERNEL_V": bad}, template=STRICT_INT)
        assert result.proc.returncode == 1, bad
        assert result.proc.stderr.startswith("ERROR - value ") and "is not an integer" in result.proc.stderr


def test_unsafe_yaml_tags_are_not_constructed(pod_template, tmp_path):
    marker = tmp_path / "pwned"
    payload = f'!!python/object/apply:os.system ["touch {marker}"]'
    result = pod_template({**STOCK, "KERNEL_IMAGE": payload, "KERNEL_VOLUMES": payload})
    assert not marker.exists()
    assert result.proc.returncode == 0, result.proc.stderr
    assert result.pod["spec"]["containers"][0]["image"] == payload
