"""install --priority-class-name through our real launchers: the binary writes the entry into
the kernelspec's template, the launcher renders it, and the pod (or the SparkApplication's driver
and executors) carries spec.priorityClassName and nothing else changes, whatever the launch
variables."""

import copy

import pytest

from test_custom_resource import CRD_ENV, launch as launch_crd
from test_launch_kubernetes import STOCK_ENV
from test_pod_options import ENVS, install

NAME = "interactive-high"


@pytest.fixture(scope="module")
def templates(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("priority-class")
    kernels = install(tmp, f"--priority-class-name={NAME}")
    operator = install(tmp, "--crd", "--spark", f"--priority-class-name={NAME}")
    return {
        "pod": (kernels / "k8s_python/scripts/kernel-pod.yaml.j2").read_text(),
        "app": (operator / "k8s_python_spark_operator/scripts/sparkoperator.k8s.io-v1beta2.yaml.j2").read_text(),
    }


@pytest.mark.parametrize("env_name", list(ENVS))
def test_pod_has_the_priority_class(pod_template, templates, env_name):
    env = ENVS[env_name]
    plain = pod_template(env)
    assert plain.proc.returncode == 0, plain.proc.stderr
    result = pod_template(env, template=templates["pod"])
    assert result.proc.returncode == 0, result.proc.stderr
    pod = copy.deepcopy(result.pod)
    assert pod["spec"].pop("priorityClassName") == NAME
    assert pod == plain.pod


def test_spark_application_has_the_priority_class(mock_api, tmp_path, templates):
    proc, _ = launch_crd(mock_api, tmp_path / "plain", CRD_ENV)
    assert proc.returncode == 0, proc.stderr
    plain_body = mock_api.requests[-1]["body"]
    proc, _ = launch_crd(mock_api, tmp_path / "custom", CRD_ENV, template=templates["app"])
    assert proc.returncode == 0, proc.stderr
    body = copy.deepcopy(mock_api.requests[-1]["body"])
    for section in ("driver", "executor"):
        assert body["spec"][section].pop("priorityClassName") == NAME, section
    assert body == plain_body


def test_stock_env_renders_the_entry_unquoted_away(pod_template, templates):
    """The entry is a quoted YAML string in the template, a plain string in the pod."""
    assert f'  priorityClassName: "{NAME}"\n' in templates["pod"]
    result = pod_template(STOCK_ENV, template=templates["pod"])
    assert result.proc.returncode == 0, result.proc.stderr
    assert isinstance(result.pod["spec"]["priorityClassName"], str)
