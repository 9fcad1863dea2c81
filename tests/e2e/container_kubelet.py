"""A kubelet for the Kubernetes stand-in that runs each pod as a real Docker container.

The process kubelet of k8s_standin.py runs a pod's container as a local process with the pod's
env; this one runs it with Docker (the suite's own daemon, tests/containers/run.sh), so what a
pod asks for is applied by the kernel and not only written in YAML:

| pod field | container |
|---|---|
| `image`, `command`, `args`, `env`, `workingDir` | the image (never pulled), `--entrypoint` + arguments, `-e`, `-w` |
| `securityContext.runAsUser` / `runAsGroup` (pod, then container) | `--user UID:GID` |
| `securityContext.fsGroup`, `supplementalGroups` | `--group-add` |
| `resources.limits.memory` / `limits.cpu` / `requests.cpu` | `--memory` (and the same `--memory-swap`: no swap), `--cpus`, `--cpu-shares` |
| other resources (`nvidia.com/gpu`, ...) | none on this node: the pod stays Pending, Unschedulable |
| `emptyDir` (`medium: Memory`, `sizeLimit`) | a tmpfs of that size (of the memory limit without sizeLimit), also on `/dev/shm` |
| `emptyDir` on disk, `persistentVolumeClaim` | a directory of the pod / of the claim, bind-mounted |
| other volume types, `subPath`, `valueFrom` | not supported: the pod stays Pending, CreateContainerConfigError |
| network | always the host's (pod IP 127.0.0.1); no container network is created |

The pod's status comes from the container's state (running; terminated with its exit code,
OOMKilled); deleting the pod kills and removes the container (grace period 0). Only the first
container of a pod runs, as a kernel pod has one.

Interface: ContainerKubelet(docker, work_dir).start(namespace, name, pod) -> Container with
.pid, .log, .status(), .wait(timeout), .delete() (alias .kill()). It plugs into the stand-in as
its container runner: runner(pods) gives start(namespace, name, container, env, serial) ->
Container, for the stand-in's own kubelet, which schedules, pulls and resolves the env and only
hands the container over (StandIn(..., runner=...)).
"""

import copy
import datetime
import json
import os
import re
import shutil
import subprocess
import threading

LABEL = "io.k8s-spec.e2e.pod"
BINARY_SUFFIXES = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
DECIMAL_SUFFIXES = {"n": 1e-9, "u": 1e-6, "m": 1e-3, "": 1, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12,
                    "P": 1e15, "E": 1e18}
QUANTITY = re.compile(r"^([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]?)$")


class PodNotRunnable(Exception):
    """The pod cannot start here; reason is a kubelet/scheduler reason (ErrImageNeverPull,
    CreateContainerConfigError, Unschedulable, ...)."""

    def __init__(self, reason, message):
        super().__init__(message)
        self.reason = reason


def quantity(value):
    """A Kubernetes resource quantity ("500m", "2Gi", "1.5", "1e3") as a number."""
    match = QUANTITY.match(str(value))
    if not match:
        raise PodNotRunnable("CreateContainerConfigError", f"invalid quantity {value!r}")
    number, suffix = float(match.group(1)), match.group(2)
    return number * BINARY_SUFFIXES.get(suffix, DECIMAL_SUFFIXES.get(suffix, 1))


def now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def docker_create_args(pod, pod_dir, claims_dir):
    """`docker create` arguments (after "create") for the first container of a pod, and the host
    directories to create for its volumes: (args, {directory: mode})."""
    spec = pod.get("spec") or {}
    containers = spec.get("containers") or []
    container = containers[0]
    args = ["--network=host"]

    for part in ("requests", "limits"):
        for resource in (container.get("resources") or {}).get(part) or {}:
            if resource not in ("cpu", "memory", "ephemeral-storage"):
                raise PodNotRunnable("Unschedulable", f"0/1 nodes are available: 1 Insufficient {resource}.")
    limits = (container.get("resources") or {}).get("limits") or {}
    requests = (container.get("resources") or {}).get("requests") or {}
    memory_limit = int(quantity(limits["memory"])) if "memory" in limits else None
    if memory_limit is not None:
        args += [f"--memory={memory_limit}", f"--memory-swap={memory_limit}"]
    if "cpu" in limits:
        args.append(f"--cpus={quantity(limits['cpu']):g}")
    if "cpu" in requests:  # the kubelet's shares: 1024 per CPU, at least 2
        args.append(f"--cpu-shares={max(2, int(quantity(requests['cpu']) * 1024))}")

    security = {**(spec.get("securityContext") or {}), **(container.get("securityContext") or {})}
    uid, gid = security.get("runAsUser"), security.get("runAsGroup")
    if uid is not None:
        args.append(f"--user={uid}" + (f":{gid}" if gid is not None else ""))
    elif gid is not None:
        raise PodNotRunnable("CreateContainerConfigError", "runAsGroup without runAsUser is not supported here")
    pod_security = spec.get("securityContext") or {}
    for group in [pod_security.get("fsGroup"), *(pod_security.get("supplementalGroups") or [])]:
        if group is not None:
            args.append(f"--group-add={group}")

    for entry in container.get("env") or []:
        if "valueFrom" in entry:
            raise PodNotRunnable("CreateContainerConfigError", f"env {entry['name']}: valueFrom is not supported here")
        args += ["-e", f"{entry['name']}={entry.get('value', '')}"]
    if container.get("workingDir"):
        args.append(f"--workdir={container['workingDir']}")

    volumes = {v.get("name"): v for v in spec.get("volumes") or []}
    directories = {}
    for mount in container.get("volumeMounts") or []:
        volume = volumes.get(mount.get("name"))
        if volume is None:
            raise PodNotRunnable("CreateContainerConfigError", f"volumeMount {mount.get('name')!r}: no such volume")
        if mount.get("subPath") or mount.get("subPathExpr"):
            raise PodNotRunnable("CreateContainerConfigError", "subPath is not supported here")
        target = mount["mountPath"]
        readonly = ",readonly" if mount.get("readOnly") else ""
        if "emptyDir" in volume and (volume["emptyDir"] or {}).get("medium") == "Memory":
            # The kubelet sizes a memory-backed emptyDir by its sizeLimit, else the memory limit.
            size = (volume["emptyDir"] or {}).get("sizeLimit")
            size = int(quantity(size)) if size is not None else memory_limit
            options = f",tmpfs-size={size}" if size else ""
            args += ["--mount", f"type=tmpfs,destination={target},tmpfs-mode=1777{options}{readonly}"]
        elif "emptyDir" in volume:
            source = os.path.join(pod_dir, "volumes", volume["name"])
            directories[source] = 0o777
            args += ["--mount", f"type=bind,source={source},destination={target}{readonly}"]
        elif "persistentVolumeClaim" in volume:
            claim = volume["persistentVolumeClaim"]["claimName"]
            source = os.path.join(claims_dir, pod["metadata"].get("namespace", "default"), claim)
            directories[source] = 0o777
            args += ["--mount", f"type=bind,source={source},destination={target}{readonly}"]
        else:
            kind = next((k for k in volume if k != "name"), "?")
            raise PodNotRunnable("CreateContainerConfigError",
                                 f"volume {volume.get('name')!r}: type {kind!r} is not supported here")

    command, cmd_args = container.get("command") or [], [str(a) for a in container.get("args") or []]
    if command:
        args.append(f"--entrypoint={command[0]}")
    args.append(container["image"])
    args += [str(c) for c in command[1:]] + cmd_args
    return args, directories


class Container:
    """One pod's container: created and started by ContainerKubelet.start."""

    def __init__(self, kubelet, container_id, log, pod_dir):
        self.kubelet, self.id, self.log, self.pod_dir = kubelet, container_id, log, pod_dir
        self.pid = None
        self.started_at = None
        self.exit_code = None
        self.state = None  # docker inspect's State once the container has ended
        self.done = threading.Event()

    def start(self):
        self.kubelet.docker("start", self.id)
        self.pid = int(self.kubelet.docker("inspect", "--format", "{{.State.Pid}}", self.id).strip())
        self.started_at = now()
        threading.Thread(target=self._wait, daemon=True).start()

    def _wait(self):
        try:
            code = self.kubelet.docker("wait", self.id, timeout=None).strip()
            self.state = self.kubelet.inspect_state(self.id)
            self.exit_code = int(code) if code.lstrip("-").isdigit() else self.state.get("ExitCode", 255)
            with open(self.log, "wb") as out:
                subprocess.run([self.kubelet.exe, "logs", self.id], stdout=out, stderr=subprocess.STDOUT,
                               timeout=60)
            self.kubelet.docker("rm", "--force", "--volumes", self.id, check=False)
        finally:
            shutil.rmtree(self.pod_dir, ignore_errors=True)
            self.done.set()

    def status(self):
        """The Kubernetes containerState: running, or terminated with exit code and reason."""
        if not self.done.is_set():
            return {"running": {"startedAt": self.started_at}}
        state = self.state or {}
        reason = "OOMKilled" if state.get("OOMKilled") else ("Completed" if self.exit_code == 0 else "Error")
        return {"terminated": {"exitCode": self.exit_code, "reason": reason, "startedAt": self.started_at,
                               "finishedAt": now()}}

    def wait(self, timeout=None):
        if not self.done.wait(timeout):
            raise TimeoutError(f"container {self.id} still running")
        return self.exit_code

    def delete(self):
        """Pod deletion with gracePeriodSeconds 0: SIGKILL, then the container is removed."""
        self.kubelet.docker("kill", "--signal=KILL", self.id, check=False)
        self.wait(timeout=60)

    kill = delete


class ContainerKubelet:
    def __init__(self, docker, work_dir):
        self.exe = docker
        self.work_dir = work_dir
        os.makedirs(work_dir, exist_ok=True)
        self.claims_dir = os.path.join(work_dir, "claims")
        self.count = 0
        self.lock = threading.Lock()

    def docker(self, *args, timeout=120, check=True):
        proc = subprocess.run([self.exe, *args], capture_output=True, text=True, timeout=timeout)
        if check and proc.returncode != 0:
            raise RuntimeError(f"docker {' '.join(args[:2])} failed: {proc.stderr.strip()}")
        return proc.stdout

    def inspect_state(self, container_id):
        out = self.docker("inspect", "--format", "{{json .State}}", container_id, check=False)
        return json.loads(out) if out.strip() else {}

    def start(self, namespace, name, pod):
        """Creates and starts the pod's container; raises PodNotRunnable where a kubelet would
        leave the pod Pending."""
        with self.lock:
            self.count += 1
            seq = self.count
        pod_dir = os.path.join(self.work_dir, f"pod-{namespace}-{name}-{seq}")
        args, directories = docker_create_args(pod, pod_dir, self.claims_dir)
        image = pod["spec"]["containers"][0]["image"]
        if self.docker("image", "inspect", "--format", "{{.Id}}", image, check=False).strip() == "":
            raise PodNotRunnable("ErrImageNeverPull",
                                 f'Container image "{image}" is not present with pull policy of Never')
        for path, mode in directories.items():
            os.makedirs(path, exist_ok=True)
            os.chmod(path, mode)
        container_name = f"k8s-spec-e2e_{namespace}_{name}_{seq}"
        created = subprocess.run([self.exe, "create", f"--name={container_name}", f"--label={LABEL}={namespace}/{name}",
                                  *args], capture_output=True, text=True, timeout=120)
        if created.returncode != 0:
            shutil.rmtree(pod_dir, ignore_errors=True)
            raise PodNotRunnable("CreateContainerError", created.stderr.strip())
        container = Container(self, created.stdout.strip(), pod_dir + ".log", pod_dir)
        try:
            container.start()
        except RuntimeError:
            self.docker("rm", "--force", container.id, check=False)
            shutil.rmtree(pod_dir, ignore_errors=True)
            raise
        return container

    # ---- the stand-in's side -----------------------------------------------------------------
    def runner(self, pods):
        """A container runner: pods(namespace, name) returns the pod, whose securityContext and
        volumes apply; the container and its resolved env come with each start."""
        return _Runner(self, pods)


class _Runner:
    def __init__(self, kubelet, pods):
        self.kubelet, self.pods = kubelet, pods

    def start(self, namespace, name, container, env, serial):
        """The pod's container with this env as a Container; OSError when it cannot start (the
        stand-in then fails the pod with StartError)."""
        pod = copy.deepcopy(self.pods(namespace, name)) or {"metadata": {"name": name, "namespace": namespace}}
        pod.setdefault("spec", {})["containers"] = [
            {**container, "env": [{"name": key, "value": value} for key, value in env.items()]}]
        try:
            return self.kubelet.start(namespace, name, pod)
        except (PodNotRunnable, RuntimeError) as err:
            raise OSError(f"{getattr(err, 'reason', 'StartError')}: {err}") from err
