"""The container kubelet's reading of a pod (tests/e2e/container_kubelet.py), without a daemon:
each pod field becomes the `docker create` option a kubelet's runtime would apply, and what it
cannot apply keeps the pod Pending with the kubelet's (or scheduler's) reason."""

import pytest

from container_kubelet import PodNotRunnable, docker_create_args, quantity


def pod(container=None, **spec):
    return {"metadata": {"name": "p", "namespace": "team"},
            "spec": {"containers": [{"name": "p", "image": "img:1", **(container or {})}], **spec}}


def test_every_supported_field():
    args, dirs = docker_create_args(pod(
        {"command": ["/bin/run", "-x"], "args": ["a", 2], "workingDir": "/w",
         "env": [{"name": "A", "value": "1\n2"}, {"name": "B"}],
         "resources": {"requests": {"cpu": "250m", "memory": "1Gi"}, "limits": {"cpu": "1.5", "memory": "512Mi"}},
         "securityContext": {"runAsUser": 7},
         "volumeMounts": [{"name": "shm", "mountPath": "/dev/shm"}, {"name": "m", "mountPath": "/m"},
                          {"name": "d", "mountPath": "/d", "readOnly": True},
                          {"name": "c", "mountPath": "/c"}]},
        securityContext={"runAsUser": 5, "runAsGroup": 6, "fsGroup": 100, "supplementalGroups": [9]},
        volumes=[{"name": "shm", "emptyDir": {"medium": "Memory", "sizeLimit": "1Gi"}},
                 {"name": "m", "emptyDir": {"medium": "Memory"}}, {"name": "d", "emptyDir": {}},
                 {"name": "c", "persistentVolumeClaim": {"claimName": "claim"}}]), "/pod", "/claims")
    assert args == [
        "--network=host", f"--memory={512 * 2**20}", f"--memory-swap={512 * 2**20}", "--cpus=1.5", "--cpu-shares=256",
        "--user=7:6", "--group-add=100", "--group-add=9", "-e", "A=1\n2", "-e", "B=", "--workdir=/w",
        "--mount", f"type=tmpfs,destination=/dev/shm,tmpfs-mode=1777,tmpfs-size={2**30}",
        "--mount", f"type=tmpfs,destination=/m,tmpfs-mode=1777,tmpfs-size={512 * 2**20}",  # the memory limit
        "--mount", "type=bind,source=/pod/volumes/d,destination=/d,readonly",
        "--mount", "type=bind,source=/claims/team/claim,destination=/c",
        "--entrypoint=/bin/run", "img:1", "-x", "a", "2",
    ]
    assert dirs == {"/pod/volumes/d": 0o777, "/claims/team/claim": 0o777}


def test_image_defaults_without_command_or_user():
    args, dirs = docker_create_args(pod({"args": ["--flag"]}), "/pod", "/claims")
    assert (args, dirs) == (["--network=host", "img:1", "--flag"], {})


@pytest.mark.parametrize("container, spec, reason, message", [
    ({"resources": {"limits": {"nvidia.com/gpu": "1"}}}, {}, "Unschedulable",
     "0/1 nodes are available: 1 Insufficient nvidia.com/gpu."),
    ({"volumeMounts": [{"name": "s", "mountPath": "/s"}]}, {"volumes": [{"name": "s", "secret": {"secretName": "x"}}]},
     "CreateContainerConfigError", "volume 's': type 'secret' is not supported here"),
    ({"volumeMounts": [{"name": "nope", "mountPath": "/s"}]}, {}, "CreateContainerConfigError",
     "volumeMount 'nope': no such volume"),
    ({"volumeMounts": [{"name": "d", "mountPath": "/s", "subPath": "x"}]}, {"volumes": [{"name": "d", "emptyDir": {}}]},
     "CreateContainerConfigError", "subPath is not supported here"),
    ({"env": [{"name": "T", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}}]}, {},
     "CreateContainerConfigError", "env T: valueFrom is not supported here"),
    ({"resources": {"limits": {"memory": "lots"}}}, {}, "CreateContainerConfigError", "invalid quantity 'lots'"),
])
def test_what_cannot_run_here_stays_pending(container, spec, reason, message):
    with pytest.raises(PodNotRunnable) as err:
        docker_create_args(pod(container, **spec), "/pod", "/claims")
    assert (err.value.reason, str(err.value)) == (reason, message)


@pytest.mark.parametrize("text, value", [
    ("500m", 0.5), ("2", 2), ("1.5Gi", 1.5 * 2**30), ("300Mi", 300 * 2**20), ("1e3", 1000), ("128M", 128e6),
    ("64Ki", 65536), (".5", 0.5),
])
def test_quantities(text, value):
    assert quantity(text) == value
