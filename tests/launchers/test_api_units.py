"""The shipped launcher's small decisions, called directly: the launcher file as installed (with
the shared parts pasted in, or the copies K8S_SPEC_LAUNCHER_PARTS names) is imported as a module
in a child Python, as every launcher runs (scripts/mutation.py maps the lines a test executes in
the launcher processes it starts). These pin what whole launches reach only by timing or by a
rare answer."""

import json
import os
import subprocess
import sys
import textwrap

import pytest

from conftest import K8S_SCRIPTS

_PRELUDE = f"""\
import importlib.util, json, sys, time
from email.utils import formatdate
spec = importlib.util.spec_from_file_location("shipped_launch_kubernetes", {str(K8S_SCRIPTS / "launch_kubernetes.py")!r})
m = importlib.util.module_from_spec(spec)
spec.loader.exec_module(m)  # __main__ is not run
def outcome(f, *args):
    try:
        return ["value", f(*args)]
    except Exception as exc:
        return ["raised", type(exc).__name__, str(exc)]
"""


def in_launcher(code):
    """Runs `code` (which sets `result`) next to the shipped launcher imported as `m`; the JSON of
    `result`."""
    proc = subprocess.run([sys.executable, "-c", _PRELUDE + textwrap.dedent(code) + "\nprint(json.dumps(result))\n"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_flags_read_the_usual_words():
    got = in_launcher("""
        words = ["1", "true", "Yes", " ON ", "0", "FALSE", "no", "off", "maybe", " ", None]
        result = [outcome(m._flag, {} if w is None else {"F": w}, "F", "default") for w in words]
    """)
    assert got == [["value", True]] * 4 + [["value", False]] * 4 + [
        ["raised", "LaunchError", "F must be true or false, got 'maybe' - kernel launch terminating!"],
        ["value", "default"], ["value", "default"]]


def test_seconds_are_positive_finite_numbers():
    got = in_launcher("""result = [m._seconds(t) for t in ["1", "0.5", "30", "0", "-2", "inf", "nan", "x", None]]""")
    assert got == [1.0, 0.5, 30.0, None, None, None, None, None, None]


def test_retry_after_as_seconds_or_as_an_http_date():
    got = in_launcher("""
        result = [m._retry_after(v) for v in ["7", " 7 ", "", "soon", formatdate(time.time() - 600, usegmt=True)]]
        result.append(m._retry_after(formatdate(time.time() + 40, usegmt=True)))
    """)
    assert got[:5] == [7.0, 7.0, None, None, 0.0]
    assert 35.0 <= got[5] <= 40.0


def test_waiting_reasons_no_retry_cures():
    # The kubelet's reasons for a container that will never start as it is (pkg/kubelet/images,
    # kuberuntime): each one ends a fail-fast launch at once.
    got = in_launcher("result = sorted(m._TERMINAL_REASONS)")
    assert got == ["CreateContainerConfigError", "ErrImageNeverPull", "InvalidImageName", "SignatureValidationFailed"]


@pytest.mark.parametrize("environ,why", [
    ({"KUBERNETES_SERVICE_HOST": "h"}, "Service host/port is not set."),
    ({"KUBERNETES_SERVICE_HOST": "h", "KUBERNETES_SERVICE_PORT": ""}, "Service host/port is set but empty."),
    ({"KUBERNETES_SERVICE_HOST": "", "KUBERNETES_SERVICE_PORT": "443"}, "Service host/port is set but empty."),
    ({"KUBERNETES_SERVICE_HOST": "h", "KUBERNETES_SERVICE_PORT": "0"}, "Service port '0' is not a port number."),
])
def test_in_cluster_configuration_needs_host_and_port(tmp_path, environ, why):
    got = in_launcher(f"result = outcome(lambda: m.InClusterTransport({environ!r}, directory={str(tmp_path)!r}))")
    assert got == ["raised", "ConfigProblem", why]


def test_the_clock_starts_when_the_process_began():
    """The budget runs from the process's start (/proc/self/stat), before the interpreter's start-up,
    never later than the launcher's own first reading, and falls back to that reading when /proc
    cannot say."""
    got = in_launcher("""
        import builtins
        time.sleep(0.5)  # start-up that the launcher's first reading would not see
        now = time.monotonic()
        began = m.process_started(now)
        real_open = builtins.open
        def no_proc(path, *args, **kwargs):
            if path == "/proc/self/stat":
                raise PermissionError(13, "Permission denied", path)
            return real_open(path, *args, **kwargs)
        builtins.open = no_proc
        unreadable = m.process_started(now)
        builtins.open = real_open
        result = [now - began, unreadable == now, m.process_started(now - 30) == now - 30]
    """)
    age, unreadable_falls_back, never_later = got
    assert 0.5 <= age < 60
    assert unreadable_falls_back and never_later


def test_the_clock_reads_past_a_command_name_with_parentheses(tmp_path):
    """/proc/self/stat puts the command name in parentheses, and a name may hold ")" and spaces
    itself (the launcher's Python reached through a link named so): the fields are counted from
    the last ")"."""
    import site

    odd = tmp_path / "k8s) (spec"
    odd.symlink_to(sys.executable)
    code = _PRELUDE + ("time.sleep(0.5)\nnow = time.monotonic()\n"
                       "print(json.dumps([open('/proc/self/comm').read(), now - m.process_started(now)]))\n")
    env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "PYTHONPATH": os.pathsep.join(site.getsitepackages())}
    proc = subprocess.run([str(odd), "-c", code], capture_output=True, text=True, timeout=60, env=env)
    assert proc.returncode == 0, proc.stderr
    comm, age = json.loads(proc.stdout)
    assert comm == "k8s) (spec\n"  # the name the kernel keeps, parentheses and all
    assert 0.5 <= age < 60


_FAKE_API = """
import contextlib, io
class Clock:
    cleaning = False
    def __init__(self, left):
        self.seconds = left
    def left(self):
        return self.seconds
class FakeApi:
    def __init__(self, answers, left=30.0):
        self.answers, self.calls, self.clock = list(answers), [], Clock(left)
    def call(self, method, path, body=None):
        self.calls.append(method)
        answer = self.answers.pop(0) if self.answers else "200"
        if answer == "404":
            raise m.ApiError(404, "Not Found", b"{}")
        if answer == "refused":
            raise m.ConnectionProblem(ConnectionRefusedError(111, "Connection refused"))
        return {}, False
def cleanup(api):
    launch = m.Launch(api)
    launch.created.append(m.CreatedObject("Pod", "/api/v1/namespaces/ns/pods/p", "ns", "p"))
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        launch.remove_created()
    return [api.calls, err.getvalue().splitlines(), api.clock.cleaning]
"""


def test_a_deleted_pod_is_read_until_it_is_gone():
    """After the DELETE, the pod is read until a 404; a dropped connection meanwhile is read again."""
    got = in_launcher(_FAKE_API + """result = cleanup(FakeApi(["200", "200", "refused", "200", "404", "200"]))""")
    assert got == [["DELETE", "GET", "GET", "GET", "GET"], ["INFO - deleted what this launch created: Pod ns/p"], True]


def test_a_deleted_pod_that_stays_is_reported():
    """Still there after 5 s of reading it every 0.1 s (on a clock of the test's own, so no waiting):
    one warning, and the cleanup goes on."""
    got = in_launcher(_FAKE_API + textwrap.dedent("""
        class TestClock:
            now = 1000.0
            def monotonic(self):
                return self.now
            def sleep(self, seconds):
                self.now += seconds
        m.time = TestClock()
        calls, lines, cleaning = cleanup(FakeApi([]))
        result = [calls, lines, m.time.now - 1000.0]
    """))
    calls, lines, waited = got
    assert calls == ["DELETE"] + ["GET"] * 50
    assert lines == ["WARNING - Pod ns/p is still present after its deletion",
                     "INFO - deleted what this launch created: Pod ns/p"]
    assert 5.0 <= waited < 5.2


def test_no_reading_back_once_the_budget_is_spent():
    got = in_launcher(_FAKE_API + """result = cleanup(FakeApi([], left=0.05))""")
    assert got == [["DELETE"], ["WARNING - Pod ns/p is still present after its deletion",
                                "INFO - deleted what this launch created: Pod ns/p"], True]


def test_graces_are_seconds_or_a_word_for_never():
    got = in_launcher("""
        words = [None, "", "  ", "none", "never", "off", " Off ", "NEVER", "0", "2.5", "-1", "inf", "soon"]
        result = [outcome(m._grace, {} if w is None else {"G": w}, "G", 7.0) for w in words]
    """)
    bad = "G must be a number of seconds, got {} - kernel launch terminating!"
    assert got == [["value", 7.0]] * 3 + [["value", None]] * 5 + [["value", 0.0], ["value", 2.5]] + [
        ["raised", "LaunchError", bad.format("'-1'")], ["raised", "LaunchError", bad.format("'inf'")],
        ["raised", "LaunchError", bad.format("'soon'")]]
