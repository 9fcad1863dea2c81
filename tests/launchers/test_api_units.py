"""The shipped launcher's small decisions, called directly: the launcher file as installed
(with the shared parts pasted in, or the copies K8S_SPEC_LAUNCHER_PARTS names) is imported as a
module. These pin what whole launches reach only by timing or by a rare answer."""

import importlib.util
import time
from email.utils import formatdate

import pytest

from conftest import K8S_SCRIPTS


@pytest.fixture(scope="module")
def launcher():
    spec = importlib.util.spec_from_file_location("shipped_launch_kubernetes", K8S_SCRIPTS / "launch_kubernetes.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # __main__ is not run
    return module


@pytest.mark.parametrize("word,want", [("1", True), ("true", True), ("Yes", True), (" ON ", True),
                                       ("0", False), ("FALSE", False), ("no", False), ("off", False)])
def test_flags_read_the_usual_words(launcher, word, want):
    assert launcher._flag({"K8S_SPEC_FAIL_FAST": word}, "K8S_SPEC_FAIL_FAST", not want) is want


def test_a_flag_that_is_neither_is_refused(launcher):
    assert launcher._flag({}, "K8S_SPEC_FAIL_FAST", True) is True
    assert launcher._flag({"K8S_SPEC_FAIL_FAST": " "}, "K8S_SPEC_FAIL_FAST", False) is False
    with pytest.raises(launcher.LaunchError, match="^K8S_SPEC_FAIL_FAST must be true or false, got 'maybe'"):
        launcher._flag({"K8S_SPEC_FAIL_FAST": "maybe"}, "K8S_SPEC_FAIL_FAST", True)


@pytest.mark.parametrize("text,want", [("1", 1.0), ("0.5", 0.5), ("30", 30.0), ("0", None), ("-2", None),
                                       ("inf", None), ("nan", None), ("x", None), (None, None)])
def test_seconds_are_positive_finite_numbers(launcher, text, want):
    assert launcher._seconds(text) == want


def test_retry_after_as_seconds_or_as_an_http_date(launcher):
    assert launcher._retry_after("7") == 7.0
    assert launcher._retry_after(" 7 ") == 7.0
    assert launcher._retry_after("") is None
    assert launcher._retry_after("soon") is None
    later = launcher._retry_after(formatdate(time.time() + 40, usegmt=True))
    assert 35.0 <= later <= 40.0
    assert launcher._retry_after(formatdate(time.time() - 600, usegmt=True)) == 0.0


def test_waiting_reasons_no_retry_cures(launcher):
    # The kubelet's reasons for a container that will never start as it is (pkg/kubelet/images,
    # kuberuntime): each one ends a fail-fast launch at once.
    assert launcher._TERMINAL_REASONS == {"InvalidImageName", "ErrImageNeverPull", "CreateContainerConfigError",
                                          "SignatureValidationFailed"}


@pytest.mark.parametrize("environ,why", [
    ({"KUBERNETES_SERVICE_HOST": "h"}, "Service host/port is not set."),
    ({"KUBERNETES_SERVICE_HOST": "h", "KUBERNETES_SERVICE_PORT": ""}, "Service host/port is set but empty."),
    ({"KUBERNETES_SERVICE_HOST": "", "KUBERNETES_SERVICE_PORT": "443"}, "Service host/port is set but empty."),
    ({"KUBERNETES_SERVICE_HOST": "h", "KUBERNETES_SERVICE_PORT": "0"}, "Service port '0' is not a port number."),
])
def test_in_cluster_configuration_needs_host_and_port(launcher, tmp_path, environ, why):
    with pytest.raises(launcher.ConfigProblem) as caught:
        launcher.InClusterTransport(environ, directory=str(tmp_path))
    assert str(caught.value) == why
