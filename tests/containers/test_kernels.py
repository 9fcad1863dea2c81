"""Kernels in real containers: our kernelspecs launched by the real jupyter_client +
gateway-provisioners against the Kubernetes stand-in, whose kubelet (tests/e2e/container_kubelet.py)
runs each pod as a Docker container of a local kernel image (images/kernel-py.Dockerfile: ipykernel
and gateway-provisioners' own bootstrap-kernel.sh and launch_ipykernel.py, laid out as in
elyra/kernel-py). What the pod asks for is then applied by the kernel: the user and group, the
cgroup limits, the volumes, /dev/shm, the working directory.
"""

import json

from conftest import KERNEL_IMAGE, LABEL, SHM_SIZE

# Run in the kernel: what the kernel process itself sees.
INSIDE = r"""
import json, os, subprocess
def first(*paths):
    for path in paths:
        try:
            with open(path) as f:
                return f.read().split()
        except OSError:
            pass
df = subprocess.run(["df", "-B1", "--output=fstype,size", "/dev/shm"], capture_output=True, text=True).stdout
print(json.dumps({
    "uid": os.getuid(), "gid": os.getgid(), "groups": sorted(os.getgroups()), "cwd": os.getcwd(),
    "bootstrap": os.path.isfile("/usr/local/bin/bootstrap-kernel.sh"),
    "launcher": os.path.isfile("/usr/local/bin/kernel-launchers/python/scripts/launch_ipykernel.py"),
    "memory_limit": first("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"),
    "cpu_quota": first("/sys/fs/cgroup/cpu.max", "/sys/fs/cgroup/cpu/cpu.cfs_quota_us"),
    "cpu_period": first("/sys/fs/cgroup/cpu/cpu.cfs_period_us"),
    "cpu_shares": first("/sys/fs/cgroup/cpu/cpu.shares"),
    "shm": df.split()[-2:],
    "env": {k: v for k, v in os.environ.items() if k.startswith("KERNEL_")},
}))
"""

MiB = 2**20
# The launcher copies the gateway's whole environment into the pod (launchers.md 4.6), so the
# end-to-end gateway's KERNEL_LAUNCHERS_DIR (a directory on the gateway host, for the Spark
# scenarios) would send the image's bootstrap-kernel.sh looking for launch_ipykernel.py there.
# A gateway that sets it at all must set the kernel image's value.
IMAGE_ENV = {"KERNEL_LAUNCHERS_DIR": "/usr/local/bin/kernel-launchers"}


def inside(run, index=0):
    out = run.ok("execute", index)
    assert out["status"] == "ok", out
    return json.loads(out["stdout"])


def memory_limit(seen):
    """cgroup v1 memory.limit_in_bytes, or v2 memory.max ("max" when unlimited)."""
    [value] = seen["memory_limit"]
    return None if value == "max" or int(value) >= 2**62 else int(value)


def test_python_lifecycle_in_a_container(gateway, container_specs, docker):
    run = gateway("c_python", [
        "start",
        {"op": "execute", "code": INSIDE},
        {"op": "execute", "code": "x = 41"},
        "interrupt",
        {"op": "execute", "code": "print(x + 1)"},
        "restart",
        {"op": "execute", "code": "print('x' in dir())"},
        {"op": "execute", "code": INSIDE},
        "shutdown",
    ], client_env={"KERNEL_USERNAME": "alice"}, server_env=IMAGE_ENV)

    start = run.ok("start")
    kid = start["kernel_id"]
    seen = inside(run, 0)
    # gateway-provisioners' bootstrap in the image started the kernel, as the pod's defaults say:
    # runAsUser 1000, runAsGroup 100, fsGroup 100; no limit; Docker's (and the kubelet's) 64 MiB shm.
    assert (seen["bootstrap"], seen["launcher"]) == (True, True)
    assert (seen["uid"], seen["gid"], seen["groups"]) == (1000, 100, [100])
    assert seen["env"]["KERNEL_ID"] == kid and seen["env"]["KERNEL_IMAGE"] == KERNEL_IMAGE
    assert memory_limit(seen) is None
    assert seen["shm"] == ["tmpfs", str(64 * MiB)]

    assert run.ok("execute", 1) == {"stdout": "", "result": None, "status": "ok", "ename": None}
    interrupted = run.ok("interrupt")
    assert (interrupted["status"], interrupted["ename"]) == ("error", "KeyboardInterrupt")
    assert interrupted["interrupt_seconds"] < 5
    assert run.ok("execute", 2)["stdout"] == "42\n"
    restarted = run.ok("restart")
    assert (restarted["kernel_id"], restarted["alive"]) == (kid, True)
    assert run.ok("execute", 3)["stdout"] == "False\n"
    assert inside(run, 4)["env"]["KERNEL_ID"] == kid
    assert run.ok("shutdown") == {"alive": False}

    # Two pods, two containers of the kernel image, both gone; the real bootstrap's log line.
    pods = run.cluster.cluster.pod_history
    assert len(pods) == 2 and len({p["pid"] for p in pods}) == 2
    assert run.cluster.cluster.list("pods") == []
    assert docker("ps", "-a", "-q", f"--filter=label={LABEL}").stdout == ""
    assert run.pod_logs().count("/usr/local/bin/bootstrap-kernel.sh env: ") == 2, run.pod_logs()


def test_kernel_uid_and_gid_are_applied(gateway, container_specs):
    run = gateway("c_python", ["start", {"op": "execute", "code": INSIDE}, "shutdown"],
                  client_env={"KERNEL_USERNAME": "bob", "KERNEL_UID": "1234", "KERNEL_GID": "2345"},
                  server_env=IMAGE_ENV)
    run.ok("start")
    seen = inside(run)
    assert run.ok("shutdown") == {"alive": False}
    assert (seen["uid"], seen["gid"]) == (1234, 2345)
    assert seen["groups"] == [100, 2345]  # fsGroup 100 from the template, as a kubelet adds it
    [post] = run.calls("POST")
    assert post["body"]["spec"]["securityContext"] == {"runAsUser": 1234, "runAsGroup": 2345, "fsGroup": 100}


def test_memory_and_cpu_limits_are_the_containers_cgroup(gateway, container_specs):
    run = gateway("c_python", ["start", {"op": "execute", "code": INSIDE}, "shutdown"],
                  client_env={"KERNEL_USERNAME": "carol", "KERNEL_MEMORY_LIMIT": "300Mi",
                              "KERNEL_CPUS_LIMIT": "500m", "KERNEL_CPUS": "250m", "KERNEL_MEMORY": "100Mi"},
                  server_env=IMAGE_ENV)
    run.ok("start")
    seen = inside(run)
    assert run.ok("shutdown") == {"alive": False}
    assert memory_limit(seen) == 300 * MiB
    if len(seen["cpu_quota"]) == 2:  # cgroup v2 cpu.max: "quota period"
        quota, period = (int(v) for v in seen["cpu_quota"])
    else:
        quota, period = int(seen["cpu_quota"][0]), int(seen["cpu_period"][0])
        assert seen["cpu_shares"] == ["256"]  # requests.cpu 250m, as the kubelet computes shares
    assert quota / period == 0.5
    [post] = run.calls("POST")
    assert post["body"]["spec"]["containers"][0]["resources"] == {
        "requests": {"cpu": "250m", "memory": "100Mi"}, "limits": {"cpu": "500m", "memory": "300Mi"}}


WRITE = ("import os\n"
         "open('notes.txt', 'w').write('kept')\n"
         "open('/scratch/tmp.txt', 'w').write('dropped')\n"
         "print(os.getcwd(), os.path.ismount(os.getcwd()), os.path.ismount('/scratch'))")
READ = "import os\nprint(os.getcwd(), sorted(os.listdir('.')), sorted(os.listdir('/scratch')))"


def test_working_dir_mirrored_onto_mounted_volumes(gateway, container_specs):
    """KERNEL_WORKING_DIR on a claim's volume (kept across pods), an emptyDir beside it (not)."""
    workdir = "/home/jovyan/work"
    run = gateway("c_python", [
        "start", {"op": "execute", "code": WRITE}, "restart", {"op": "execute", "code": READ}, "shutdown",
    ], client_env={
        "KERNEL_USERNAME": "dave", "KERNEL_WORKING_DIR": workdir,
        "KERNEL_VOLUMES": "[{name: work, persistentVolumeClaim: {claimName: dave-work}},"
                          " {name: scratch, emptyDir: {}}]",
        "KERNEL_VOLUME_MOUNTS": f"[{{name: work, mountPath: {workdir}}}, {{name: scratch, mountPath: /scratch}}]",
    }, server_env={**IMAGE_ENV, "GP_MIRROR_WORKING_DIRS": "true"})
    kid = run.ok("start")["kernel_id"]
    assert run.ok("execute", 0)["stdout"] == f"{workdir} True True\n"
    assert run.ok("restart")["kernel_id"] == kid
    assert run.ok("execute", 1)["stdout"] == f"{workdir} ['notes.txt'] []\n"
    assert run.ok("shutdown") == {"alive": False}
    posts = run.calls("POST")
    assert [p["body"]["spec"]["containers"][0]["workingDir"] for p in posts] == [workdir, workdir]


def test_memory_backed_dev_shm_from_the_template(gateway, container_specs):
    """The seed's unconditional /dev/shm volume (emptyDir, medium Memory), with a sizeLimit."""
    run = gateway("c_shm", ["start", {"op": "execute", "code": INSIDE}, "shutdown"],
                  client_env={"KERNEL_USERNAME": "erin"}, server_env=IMAGE_ENV)
    run.ok("start")
    seen = inside(run)
    assert run.ok("shutdown") == {"alive": False}
    assert seen["shm"] == ["tmpfs", str(256 * MiB)]
    [post] = run.calls("POST")
    spec = post["body"]["spec"]
    assert {"name": "dshm", "emptyDir": {"medium": "Memory", "sizeLimit": SHM_SIZE}} in spec["volumes"]
    assert {"mountPath": "/dev/shm", "name": "dshm"} in spec["containers"][0]["volumeMounts"]
