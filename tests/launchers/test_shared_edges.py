"""Edges of the launchers' shared code that mutation testing (scripts/mutation.sh) found no test
for: each test here fails with a mutant that survived the rest of tests/launchers."""

import json

import pytest

import test_fail_fast as ff
from test_fail_fast import tls  # noqa: F401  (fixture)

TEMPLATE_HEAD = """\
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: ns1}
spec:
"""
ENV = {"KERNEL_NAMESPACE": "ns1"}


def test_long_values_are_shortened_in_the_error_line(pod_template):
    """A value shown in an error is cut to 80 characters of its repr, ending in '...'."""
    value = "1" + "x" * 200
    result = pod_template({**ENV, "KERNEL_UID": value})
    assert result.proc.returncode == 1
    assert result.proc.stderr == (f"ERROR - KERNEL_UID must be a plain decimal integer, got {repr(value)[:77]}... "
                                  "- kernel launch terminating!\n")
    short = "1" + "x" * 75  # a repr of exactly 80 characters is shown whole
    result = pod_template({**ENV, "KERNEL_UID": short})
    assert result.proc.stderr == (f"ERROR - KERNEL_UID must be a plain decimal integer, got {short!r} "
                                  "- kernel launch terminating!\n")


@pytest.mark.parametrize("tail", ["", "\n", "  "], ids=["no-newline", "newline", "blanks"])
def test_placeholder_at_the_very_end_of_the_template(pod_template, tail):
    """The template's last token is a placeholder (no text after it, not even a newline)."""
    template = TEMPLATE_HEAD + "  containers:\n  - name: c\n    image: {{ kernel_image }}" + tail
    result = pod_template({**ENV, "KERNEL_IMAGE": "[x #y"}, template=template)  # not YAML: kept as text
    assert result.proc.returncode == 0, result.proc.stderr
    assert result.pod["spec"]["containers"][0]["image"] == "[x #y"


@pytest.mark.parametrize("tail, message", [
    ("{{", "unexpected 'end of template'"),
    ("{{ kernel_image", "unexpected end of template, expected 'end of print statement'."),
    ("{{ kernel_image }", "unexpected '}'"),
])
def test_a_placeholder_left_open_is_one_error_line(pod_template, tail, message):
    """A template that ends inside a placeholder is reported as Jinja reports it, on one line."""
    template = TEMPLATE_HEAD + "  containers:\n  - name: c\n    image: " + tail
    result = pod_template(ENV, template=template)
    assert result.proc.returncode == 1
    assert result.proc.stderr == f"ERROR - cannot render template 'kernel-pod.yaml.j2': {message}\n"
    assert result.pod is None


def test_floats_written_with_an_exponent_stay_numbers(pod_template):
    """repr() writes 1e+20 without a dot, which YAML 1.1 would read as text: the launcher adds one."""
    template = TEMPLATE_HEAD + ("  activeDeadlineSeconds: {{ kernel_deadline }}\n  priority: {{ kernel_tiny }}\n"
                                "  containers:\n  - name: c\n")
    result = pod_template({**ENV, "KERNEL_DEADLINE": "1.0e+20", "KERNEL_TINY": "-2.5e-07"}, template=template)
    assert result.proc.returncode == 0, result.proc.stderr
    spec = result.pod["spec"]
    assert (spec["activeDeadlineSeconds"], spec["priority"]) == (1e20, -2.5e-07)
    assert isinstance(spec["activeDeadlineSeconds"], float) and isinstance(spec["priority"], float)


@pytest.fixture
def cluster(tmp_path, tls):  # noqa: F811
    standin = ff.make_cluster(tmp_path / "cluster", tls)
    yield standin
    standin.close()


def test_an_unavailable_answer_does_not_make_someone_elses_object_ours(cluster, tmp_path):
    """503 means the create was not carried out: an AlreadyExists on the next attempt is an object
    that was there before -- not adopted, and so never deleted by this launch's cleanup."""
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "alice-k1-token"},
              "stringData": {"token": "theirs"}}
    cluster.cluster.handle("POST", "/api/v1/namespaces/default/secrets", {}, secret)
    cluster.cluster.faults.add("POST", "secrets", "503", count=1, retry_after=0)
    result = ff.launch(cluster, tmp_path, template=ff.OBJECTS + ff.pod_template())
    assert result.proc.returncode == 1
    assert result.lines[-1].startswith("ERROR - Kubernetes API error (409 Conflict): ")
    assert [(c["method"], c["code"]) for c in cluster.cluster.calls() if c["method"] != "GET"] == [
        ("POST", 503), ("POST", 409)]
    assert cluster.cluster.get("secrets", "default", "alice-k1-token")["stringData"] == {"token": "theirs"}


def test_the_int_filter_reads_text_in_base_10_unless_told(pod_template):
    template = TEMPLATE_HEAD + ('  priority: {{ "42" | int }}\n  activeDeadlineSeconds: {{ "ff" | int(base=16) }}\n'
                                "  containers:\n  - name: c\n")
    result = pod_template(ENV, template=template)
    assert result.proc.returncode == 0, result.proc.stderr
    assert (result.pod["spec"]["priority"], result.pod["spec"]["activeDeadlineSeconds"]) == (42, 255)


def test_placeholder_after_an_escaped_quote_stays_in_its_string(pod_template):
    """`\\"` inside a double-quoted scalar does not end it: the value is escaped as part of it."""
    template = TEMPLATE_HEAD + ('  containers:\n  - name: c\n    workingDir: "say \\"{{ kernel_x }}\\" now"\n')
    value = 'x"\n  hostPID: true\n  y: "'
    result = pod_template({**ENV, "KERNEL_X": value}, template=template)
    assert result.proc.returncode == 0, result.proc.stderr
    assert result.pod["spec"]["containers"][0]["workingDir"] == f'say "{value}" now'
    assert "hostPID" not in result.pod["spec"]


def test_placeholder_in_a_comment_after_a_value(pod_template):
    """`# ...` after a value is a comment: a placeholder there renders harmlessly."""
    template = TEMPLATE_HEAD + "  restartPolicy: Never # for {{ kernel_username }}\n  containers:\n  - name: c\n"
    result = pod_template({**ENV, "KERNEL_USERNAME": "x y, z\nhostPID: true"}, template=template)
    assert result.proc.returncode == 0, result.proc.stderr
    assert result.pod["spec"] == {"restartPolicy": "Never", "containers": [result.pod["spec"]["containers"][0]]}


def test_launch_timeout_from_the_environment_without_one_in_kernel_json(cluster, tmp_path):
    """A kernel.json without launch_timeout: GP_LAUNCH_TIMEOUT is the budget, as for the provisioner."""
    result = ff.launch(cluster, tmp_path, env={"GP_LAUNCH_TIMEOUT": "3", "KERNEL_IMAGE": "registry.invalid/k:1",
                                               "K8S_SPEC_PULL_GRACE": "60"}, kernel_json={})
    assert result.proc.returncode == 1
    assert result.lines[-1].startswith("ERROR - kernel pod alice-k1 did not start within the launch timeout (3 s): ")
    assert result.seconds < 3


def test_an_unreadable_pod_is_reported_as_the_api_problem(cluster, tmp_path):
    """When the pod cannot be read while waiting, the timeout line names the API's answer."""
    from k8s_standin import ApiError

    handle = cluster.cluster.handle

    def refuse_reads(method, path, query, body):
        if method == "GET" and "/pods" in path:
            raise ApiError(400, "BadRequest", "reads refused")
        return handle(method, path, query, body)

    cluster.cluster.handle = refuse_reads
    result = ff.launch(cluster, tmp_path, env={"KERNEL_LAUNCH_TIMEOUT": "3"})
    assert result.proc.returncode == 1
    assert result.lines[-1].startswith(
        "ERROR - kernel pod alice-k1 did not start within the launch timeout (3 s): API unreachable: "
        "Kubernetes API error (400 Bad Request): "), result.lines
    assert cluster.cluster.list("pods") == []


@pytest.mark.parametrize("text", ["010", "1_000", " 42", "+1"])
def test_the_int_filter_takes_only_plain_decimal_text_in_base_10(pod_template, text):
    """Python's int() takes all of these; a plain number is what a KERNEL_* id must be."""
    template = TEMPLATE_HEAD + f'  priority: {{{{ "{text}" | int }}}}\n  containers:\n  - name: c\n'
    result = pod_template(ENV, template=template)
    assert result.proc.returncode == 1
    assert result.proc.stderr == f"ERROR - value {text!r} is not an integer - kernel launch terminating!\n"


def test_block_tags_leave_no_line_behind(pod_template):
    """trim_blocks and lstrip_blocks, as the provisioner's own launcher renders: a tag on a line of
    its own leaves nothing, which a literal block scalar would keep as a line."""
    template = (TEMPLATE_HEAD.replace("metadata: {name: p, namespace: ns1}",
                                      "metadata:\n  name: p\n  namespace: ns1\n  annotations:\n    note: |\n"
                                      "      {% if true %}\n      kept\n      {% endif %}\n      end")
                + "  containers:\n  - name: c\n")
    result = pod_template(ENV, template=template)
    assert result.proc.returncode == 0, result.proc.stderr
    assert result.pod["metadata"]["annotations"]["note"] == "kept\nend\n"


def test_placeholder_after_a_doubled_quote_stays_in_its_string(pod_template):
    """`''` inside a single-quoted scalar is a quote, not its end: the value after it is placed
    in the same scalar (its own quotes doubled), not refused as unquoted text."""
    template = TEMPLATE_HEAD + "  containers:\n  - name: c\n    workingDir: 'it''s {{ kernel_x }} now'\n"
    value = "Bob's work, /home/bob"
    result = pod_template({**ENV, "KERNEL_X": value}, template=template)
    assert result.proc.returncode == 0, result.proc.stderr
    assert result.pod["spec"]["containers"][0]["workingDir"] == f"it's {value} now"


@pytest.mark.parametrize("rest", ["tail", "{% raw %}tail{% endraw %}", "{# note #}tail"],
                         ids=["plain", "raw", "comment"])
def test_text_after_a_placeholder_on_the_templates_last_line(pod_template, rest):
    """Text after a placeholder on the template's last line goes on its scalar, also when a raw
    block or a comment separates it: the value is a piece of that scalar, not a whole value."""
    template = TEMPLATE_HEAD + "  containers:\n  - name: c\n    image: {{ kernel_image }} " + rest
    result = pod_template({**ENV, "KERNEL_IMAGE": "reg/k:1"}, template=template)
    assert result.proc.returncode == 0, result.proc.stderr
    assert result.pod["spec"]["containers"][0]["image"] == "reg/k:1 tail"
    result = pod_template({**ENV, "KERNEL_IMAGE": "reg/k:1 x"}, template=template)
    assert result.proc.returncode == 1
    assert result.proc.stderr == ("ERROR - value 'reg/k:1 x' cannot be placed unquoted at template line 7; "
                                  "quote the placeholder in the template\n")


def test_a_deleted_custom_resource_is_waited_for_until_gone(cluster, tmp_path):
    """Cleanup deletes the SparkApplication and, as for a pod, reads it until the API answers 404
    (an operator's finalizer can hold it a moment): the launcher exits once it is gone."""
    handle, app = cluster.cluster.handle, f"{ff.APPS}/{ff.POD}"
    terminating = []

    def delete_slowly(method, path, query, body):
        if path == app and method == "DELETE":
            code, obj = handle(method, path, query, body)
            terminating[:] = [obj, obj]  # still there for the next two reads
            return code, obj
        if path == app and method == "GET" and terminating:
            return 200, terminating.pop()
        return handle(method, path, query, body)

    cluster.cluster.handle = delete_slowly
    result = ff.launch(cluster, tmp_path, crd=True, env={"KERNEL_IMAGE": "e2e.local/missing-spark:1"})
    assert result.proc.returncode == 1
    assert result.lines[0] == (f"INFO - deleted what this launch created: SparkApplication default/{ff.POD}, "
                               f"Pod default/{ff.POD}-driver")
    assert len(result.lines) == 2
    assert [c["code"] for c in cluster.cluster.calls("GET", f"/sparkapplications/{ff.POD}$")] == [200, 200, 404]


def watch_ending_in_error(cluster, status, resource="pods"):
    """The first watch of `resource` ends at once with an ERROR event carrying `status`."""
    watch, sent = cluster.cluster.watch, []

    def watch_once_with_error(path, query, timeout=None):
        events = watch(path, query, timeout)
        if path.endswith(f"/{resource}") and not sent:
            sent.append(path)
            return iter([{"type": "ERROR", "object": status}])
        return events

    cluster.cluster.watch = watch_once_with_error


def test_a_watch_that_expired_is_listed_again(cluster, tmp_path):
    """An ERROR event with 410 (the version watched from is compacted away) means: list again, then
    watch from the new list's version."""
    watch_ending_in_error(cluster, {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                                    "message": "too old resource version: 1 (7)", "reason": "Expired", "code": 410})
    result = ff.launch(cluster, tmp_path)
    assert result.proc.returncode == 0, result.proc.stderr
    assert result.proc.stderr == ""
    assert [bool(g.get("watch")) for g in cluster.cluster.calls("GET")][:4] == [False, True, False, True]
    assert ff.pods(cluster) == [(ff.POD, "Running")]


def test_a_watch_error_event_is_reported_with_its_status(cluster, tmp_path):
    """Any other ERROR event is that Status's API error: a 404 for the watched applications (their
    resource definition removed meanwhile) means the launch cannot be followed, and says why."""
    status = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
              "message": "the server could not find the requested resource", "reason": "NotFound", "code": 404}
    watch_ending_in_error(cluster, status, resource="sparkapplications")
    cluster.cluster.operator = False  # no driver pod that could run before the event is read
    result = ff.launch(cluster, tmp_path, crd=True)
    assert result.proc.returncode == 0, result.proc.stderr
    assert result.lines == [f"WARNING - cannot follow SparkApplication {ff.POD} (Kubernetes API error (404 NotFound): "
                            f"{json.dumps(status)}); not waiting for it to start"]
