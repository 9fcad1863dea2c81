"""A small stand-in for a Kubernetes cluster, on 127.0.0.1 only.

Parts (each a class below, so that one can be replaced without touching the others):

* Cluster -- the API server: the REST paths the provisioner, the launchers and the Spark stub use
  (core v1 namespaces/pods/secrets/configmaps/persistentvolumeclaims/persistentvolumes/events/nodes,
  rbac v1 rolebindings, sparkoperator.k8s.io v1beta2 sparkapplications), list with label and field
  selectors, watch (chunked JSON lines from a resourceVersion), errors as Status objects, and a
  record of every request.  Request bodies are checked against the schema the binary ships for
  `--validate` (k8s_schema.py reads the same files): wrong types 400 BadRequest, missing required
  fields 422 Invalid (a custom resource: both 422, as its CRD's schema says), unknown fields a
  `Warning: 299 - "unknown field \"spec.x\""` header (fieldValidation=Warn, a real server's
  default; Strict and Ignore are honoured); then a few admission checks (422 Invalid).
* Faults -- makes the API fail the first K requests of a kind: 429 with Retry-After, a 5xx, or a
  dropped connection (before or after the request was carried out).
* Scheduler and Kubelet -- a created Pod is scheduled onto a node whose labels match its
  nodeSelector (else PodScheduled=False, reason Unschedulable, until a matching node is added),
  its images are checked and "pulled" from the Registry (InvalidImageName, ErrImageNeverPull,
  ErrImagePull then ImagePullBackOff with a growing back-off), the Secrets/ConfigMaps its env
  refers to are checked (CreateContainerConfigError until they exist), then its container is
  started by a Runner; phase Pending -> Running -> Succeeded or Failed; each step also as an
  Event, as a real kubelet reports it.
* Registry -- which images can be pulled and how a pull fails.
* Runners -- ProcessRunner runs a container as a local process (kernel_image.py with the pod's env,
  args and workingDir); NullRunner runs nothing (the pod just runs until deleted).
* The Spark operator -- a SparkApplication gets a driver pod and applicationState
  SUBMITTED -> RUNNING (FAILED when the driver pod fails or cannot be created).

Plain HTTP serves kubeconfig clients; an optional TLS listener (same state) serves in-cluster ones.
"""

import base64
import copy
import datetime
import json
import os
import re
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import k8s_schema

HERE = os.path.dirname(os.path.abspath(__file__))
KERNEL_IMAGE = os.path.join(HERE, "kernel_image.py")

DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
ENV_NAME = re.compile(r"^[-._a-zA-Z][-._a-zA-Z0-9]*$")

# (api prefix, resource) -> (kind, namespaced)
RESOURCES = {
    ("/api/v1", "namespaces"): ("Namespace", False),
    ("/api/v1", "nodes"): ("Node", False),
    ("/api/v1", "pods"): ("Pod", True),
    ("/api/v1", "secrets"): ("Secret", True),
    ("/api/v1", "configmaps"): ("ConfigMap", True),
    ("/api/v1", "persistentvolumeclaims"): ("PersistentVolumeClaim", True),
    ("/api/v1", "persistentvolumes"): ("PersistentVolume", False),
    ("/api/v1", "events"): ("Event", True),
    ("/apis/rbac.authorization.k8s.io/v1", "rolebindings"): ("RoleBinding", True),
    ("/apis/sparkoperator.k8s.io/v1beta2", "sparkapplications"): ("SparkApplication", True),
}
CLUSTER_SCOPED = ("namespaces", "nodes", "persistentvolumes")
NAMESPACED = {resource: namespaced for (_, resource), (_, namespaced) in RESOURCES.items()}

# The default node.  disktype=ssd: kernelspecs installed with --node-selector disktype=ssd schedule.
DEFAULT_NODES = ({"name": "e2e-node", "labels": {"kubernetes.io/hostname": "e2e-node", "kubernetes.io/os": "linux",
                                                  "kubernetes.io/arch": "amd64", "disktype": "ssd"}},)


def now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class ApiError(Exception):
    def __init__(self, code, reason, message, name=None, kind=None):
        super().__init__(message)
        self.code, self.reason, self.name, self.kind = code, reason, name, kind

    def status(self):
        body = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                "message": str(self), "reason": self.reason, "code": self.code}
        if self.name is not None:
            body["details"] = {"name": self.name, "kind": self.kind}
        return body


def resource_word(kind):
    return kind.lower() + "s"


def field(obj, path):
    """The value at a dotted path (field selectors), as text; '' when absent."""
    value = obj
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return "" if value is None else str(value)


def selected(obj, query):
    """Whether an object matches the labelSelector and fieldSelector of a list or watch query."""
    for param, lookup in (("labelSelector", lambda k: (obj["metadata"].get("labels") or {}).get(k)),
                          ("fieldSelector", lambda k: field(obj, k))):
        for term in filter(None, query.get(param, [""])[0].split(",")):
            if "!=" in term:
                key, value = term.split("!=", 1)
                if lookup(key) == value:
                    return False
                continue
            key, _, value = term.partition("=")
            if lookup(key) != value.lstrip("="):
                return False
    return True


# ---- images ---------------------------------------------------------------------------------------

_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_DOMAIN = r"(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?"
_TAG = r"[\w][\w.-]{0,127}"
_DIGEST = r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}"


def parse_image(image):
    """(registry, repository path, tag or digest) of a Docker image reference, or None if the
    reference is invalid (the container runtimes' grammar, slightly simplified)."""
    if not isinstance(image, str) or image != image.strip() or not image:
        return None
    rest, registry = image, "docker.io"
    first, sep, remainder = image.partition("/")
    if sep and ("." in first or ":" in first or first == "localhost" or first != first.lower()):
        if not re.fullmatch(_DOMAIN, first):
            return None
        registry, rest = first, remainder
    match = re.fullmatch(rf"({_COMPONENT}(?:/{_COMPONENT})*)(?::({_TAG}))?(?:@({_DIGEST}))?", rest)
    if not match:
        return None
    path = match.group(1)
    if registry == "docker.io" and "/" not in path:
        path = "library/" + path
    return registry, path, match.group(3) or match.group(2) or "latest"


class Registry:
    """Decides how pulling an image goes.  Images on a host under the reserved .invalid domain
    cannot be reached (like a registry with a typo: the kubelet keeps retrying); a repository whose
    last path component starts with "missing" does not exist, one starting with "private" refuses
    us; everything else pulls.  fail(image, message) / heal(image) set explicit answers."""

    def __init__(self):
        self.answers = {}
        self.lock = threading.Lock()

    def fail(self, image, message):
        with self.lock:
            self.answers[image] = message

    def heal(self, image):
        with self.lock:
            self.answers[image] = None

    def pull(self, image):
        """None if the image can be pulled, else the runtime's error message."""
        with self.lock:
            if image in self.answers:
                return self.answers[image]
        registry, path, tag = parse_image(image)
        ref = f"{registry}/{path}:{tag}" if ":" not in tag else f"{registry}/{path}@{tag}"
        name = path.rsplit("/", 1)[-1]
        if registry.split(":")[0].endswith(".invalid"):
            host = registry.split(":")[0]
            return (f'failed to pull and unpack image "{ref}": failed to resolve reference "{ref}": failed to do '
                    f'request: Head "https://{registry}/v2/{path}/manifests/{tag}": dial tcp: lookup {host}: '
                    "no such host")
        if name.startswith("missing"):
            return (f'rpc error: code = NotFound desc = failed to pull and unpack image "{ref}": failed to '
                    f'resolve reference "{ref}": {ref}: not found')
        if name.startswith("private"):
            return (f'rpc error: code = Unknown desc = failed to pull and unpack image "{ref}": failed to '
                    f'resolve reference "{ref}": pull access denied, repository does not exist or may require '
                    "authorization: server message: insufficient_scope: authorization failed")
        return None


# ---- container runners ------------------------------------------------------------------------------

class ProcessRunner:
    """A container is a local process: kernel_image.py (the kernel image's entry point) with the
    container's args, the pod's env, and its workingDir (else a scratch directory of its own)."""

    def __init__(self, log_dir):
        self.log_dir = log_dir

    def start(self, ns, name, container, env, serial):
        scratch = os.path.join(self.log_dir, f"pod-{ns}-{name}-{serial}")
        os.makedirs(scratch)
        env = {**env, "E2E_POD_SCRATCH": scratch}
        log_path = scratch + ".log"
        cmd = [sys.executable, KERNEL_IMAGE, *(container.get("args") or [])]
        with open(log_path, "wb") as log:
            try:
                proc = subprocess.Popen(cmd, env=env, cwd=container.get("workingDir") or scratch,
                                        stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
            except OSError as err:
                log.write(f"container start failed: {err}\n".encode())
                raise
        return _ProcessHandle(proc, log_path)


class _ProcessHandle:
    def __init__(self, proc, log_path):
        self.proc, self.pid, self.log = proc, proc.pid, log_path

    def wait(self):
        return self.proc.wait()

    def kill(self):
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)  # gracePeriodSeconds 0
        except ProcessLookupError:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass


class NullRunner:
    """Containers that run nothing: the pod is Running until it is deleted (launch benchmarks and
    launcher tests, where no kernel is needed)."""

    def start(self, ns, name, container, env, serial):
        return _NullHandle()


class _NullHandle:
    pid = None
    log = None

    def __init__(self):
        self.stopped = threading.Event()

    def wait(self):
        self.stopped.wait()
        return 137

    def kill(self):
        self.stopped.set()


# ---- API faults -------------------------------------------------------------------------------------

class Faults:
    """add(method, resource, mode, count): the next `count` requests of that kind (e.g. "POST",
    "pods") fail.  Modes: "429" (Too Many Requests with Retry-After), "500", "502", "503", "504",
    "drop" (the connection is closed before the request is carried out) and "drop-after" (carried
    out, then the connection is closed without an answer)."""

    MODES = ("429", "500", "502", "503", "504", "drop", "drop-after")

    def __init__(self):
        self.lock = threading.Lock()
        self.pending = []  # [method, resource, mode, count, retry_after]

    def add(self, method, resource, mode, count=1, retry_after=1):
        assert mode in self.MODES, mode
        with self.lock:
            self.pending.append([method, resource, mode, count, retry_after])

    def take(self, method, resource):
        with self.lock:
            for entry in self.pending:
                if entry[0] == method and entry[1] == resource and entry[3] > 0:
                    entry[3] -= 1
                    return entry[2], entry[4]
        return None


# ---- the cluster ------------------------------------------------------------------------------------

class Cluster:
    """API state, request log, watches, scheduler, kubelet and operator."""

    # pending_seconds: how long a new pod stays Pending before the kubelet acts; longer than the
    # provisioner's 0.5 s poll interval so that the Pending phase is always observed.
    # pull_backoff: (first, longest) seconds between failed pulls; a real kubelet waits 10 s
    # doubling to 300 s, scaled down here so that tests see several rounds quickly.
    def __init__(self, log_dir, namespaces=("default",), pending_seconds=1.2, operator=True, runner=None,
                 nodes=DEFAULT_NODES, pull_backoff=(1.0, 8.0), config_retry=0.5):
        self.lock = threading.RLock()
        self.changed = threading.Condition(self.lock)
        self.objects = {}  # (resource, namespace or "", name) -> object
        self.requests = []
        self.version = 0  # the cluster's resourceVersion, raised by every change
        self.changes = []  # (version, event type, resource, namespace, object); changes[v - 1] has version v
        self.closed = False
        self.log_dir = log_dir
        self.pending_seconds = pending_seconds
        self.pull_backoff = pull_backoff
        self.config_retry = config_retry
        self.operator = operator
        self.runner = runner or ProcessRunner(log_dir)
        self.registry = Registry()
        self.faults = Faults()
        self.procs = {}  # (namespace, pod name) -> runner handle of a running container
        self.pod_history = []  # every pod process started: dicts with namespace, name, pid, log
        for ns in namespaces:
            self._put("namespaces", "", {"metadata": {"name": ns}}, "Namespace", "v1")
        for node in nodes:
            self.add_node(node["name"], node.get("labels") or {})

    # ---- state ---------------------------------------------------------------------------------
    def _commit(self, event, resource, ns, obj):
        """Gives a changed object the next resourceVersion and tells the watches."""
        self.version += 1
        obj["metadata"]["resourceVersion"] = str(self.version)
        self.changes.append((self.version, event, resource, ns or "", copy.deepcopy(obj)))
        self.changed.notify_all()

    def _put(self, resource, ns, obj, kind, api_version):
        """Stores a new object (ADDED)."""
        with self.lock:
            obj = copy.deepcopy(obj)
            obj["kind"], obj["apiVersion"] = kind, api_version
            md = obj.setdefault("metadata", {})
            md.setdefault("uid", str(uuid.uuid4()))
            md["creationTimestamp"] = now()
            if NAMESPACED[resource]:
                md["namespace"] = ns
            if kind == "Namespace":
                obj["status"] = {"phase": "Active"}
            self.objects[(resource, ns or "", md["name"])] = obj
            self._commit("ADDED", resource, ns, obj)
            return obj

    def _modify(self, resource, ns, name, change):
        """Applies change(object) to a stored object (MODIFIED); False if it is gone."""
        with self.lock:
            obj = self.objects.get((resource, ns or "", name))
            if obj is None:
                return False
            change(obj)
            self._commit("MODIFIED", resource, ns, obj)
            return True

    def _remove(self, resource, ns, name):
        with self.lock:
            obj = self.objects.pop((resource, ns or "", name), None)
            if obj is not None:
                obj["metadata"]["deletionTimestamp"] = now()
                self._commit("DELETED", resource, ns, obj)
            return obj

    def get(self, resource, ns, name):
        with self.lock:
            obj = self.objects.get((resource, ns or "", name))
            return copy.deepcopy(obj) if obj else None

    def list(self, resource, ns=None):
        with self.lock:
            return [copy.deepcopy(o) for (r, n, _), o in self.objects.items()
                    if r == resource and (ns is None or n == ns)]

    def record(self, **entry):
        with self.lock:
            self.requests.append(entry)

    def calls(self, method=None, path_re=None):
        """Recorded requests, optionally filtered by method and a regex on the path."""
        with self.lock:
            return [r for r in self.requests
                    if (method is None or r["method"] == method)
                    and (path_re is None or re.search(path_re, r["path"]))]

    def events_of(self, ns, name):
        """(type, reason, message, count) of the Events about an object, oldest first."""
        return [(e["type"], e["reason"], e["message"], e["count"]) for e in self.list("events", ns)
                if e["involvedObject"]["name"] == name]

    def add_node(self, name, labels):
        """A node joins (a cluster autoscaler's doing): unschedulable pods are looked at again."""
        self._put("nodes", "", {"metadata": {"name": name, "labels": dict(labels)},
                                "status": {"conditions": [{"type": "Ready", "status": "True"}]}}, "Node", "v1")

    def event(self, obj, type_, reason, message, component="kubelet"):
        """Records an Event about obj, aggregated like the real ones (count, lastTimestamp)."""
        md = obj["metadata"]
        ns = md.get("namespace") or "default"
        with self.lock:
            for (r, n, _), e in self.objects.items():
                if (r == "events" and n == ns and e["involvedObject"]["uid"] == md.get("uid")
                        and e["reason"] == reason and e["message"] == message):
                    def bump(ev):
                        ev["count"] += 1
                        ev["lastTimestamp"] = now()
                    self._modify("events", ns, e["metadata"]["name"], bump)
                    return
            stamp = now()
            self._put("events", ns, {
                "metadata": {"name": f"{md['name']}.{uuid.uuid4().hex[:16]}"},
                "involvedObject": {"kind": obj.get("kind"), "namespace": ns, "name": md["name"],
                                   "uid": md.get("uid"), "apiVersion": obj.get("apiVersion")},
                "type": type_, "reason": reason, "message": message, "count": 1,
                "firstTimestamp": stamp, "lastTimestamp": stamp, "source": {"component": component},
            }, "Event", "v1")

    # ---- REST ----------------------------------------------------------------------------
    def serve(self, method, path, query, body):
        """Returns (code, json body, warnings) for one request: the body is decoded and checked
        against the schema first, as a real API server does, then handled."""
        result = self.check_body(method, path, query, body)
        if result.unknown:  # dropped before the object is stored (the request log keeps the body sent)
            body = copy.deepcopy(body)
            k8s_schema.prune(body, result.unknown)
        code, out = self.handle(method, path, query, body)
        return code, out, result.warnings

    def check_body(self, method, path, query, body):
        """What the schema makes of a request body (k8s_schema.Result: warnings, unknown fields);
        ApiError (400 or 422) when a real server would refuse it."""
        route = self._route(path)
        if route is None or body is None or method not in ("POST", "DELETE"):
            return k8s_schema.Result()
        prefix, resource, _, _ = route
        kind = RESOURCES[(prefix, resource)][0]
        group_version = prefix.split("/", 2)[-1] if prefix.startswith("/apis/") else "v1"
        if method == "DELETE":
            kind, group_version = "DeleteOptions", "v1"
        model = k8s_schema.root_model(group_version, kind)
        if model is None:
            return k8s_schema.Result()
        custom = kind in k8s_schema.CUSTOM_KINDS
        result = k8s_schema.check(body, model, custom=custom,
                                  field_validation=query.get("fieldValidation", ["Warn"])[0])
        version = group_version.rsplit("/", 1)[-1]
        if result.decode_error is not None:
            raise ApiError(400, "BadRequest", f'{kind} in version "{version}" cannot be handled as a {kind}: '
                           f"{result.decode_error}")
        if result.invalid:
            name = (body.get("metadata") or {}).get("name") if isinstance(body.get("metadata"), dict) else None
            what = f"{kind}.{group_version.rsplit('/', 1)[0]}" if custom else kind
            problems = result.invalid[0] if len(result.invalid) == 1 else "[" + ", ".join(result.invalid) + "]"
            raise ApiError(422, "Invalid", f'{what} "{name}" is invalid: {problems}', name, kind)
        return result

    def handle(self, method, path, query, body):
        """Returns (code, json body) for one request."""
        route = self._route(path)
        if route is None:
            raise ApiError(404, "NotFound", "the server could not find the requested resource")
        prefix, resource, ns, name = route
        kind, namespaced = RESOURCES[(prefix, resource)]
        if namespaced and ns is None:
            raise ApiError(404, "NotFound", "the server could not find the requested resource")
        with self.lock:
            if namespaced and ("namespaces", "", ns) not in self.objects:
                if method == "POST":
                    raise ApiError(404, "NotFound", f'namespaces "{ns}" not found', ns, "namespaces")
            if name is None and method == "GET":
                return 200, self._list(prefix, resource, kind, ns, query)
            if name is None and method == "POST":
                return 201, self._create(prefix, resource, kind, ns, body)
            if name is not None and method == "GET":
                obj = self.get(resource, ns, name)
                if obj is None:
                    raise ApiError(404, "NotFound", f'{resource} "{name}" not found', name, resource)
                return 200, obj
            if name is not None and method == "DELETE":
                return 200, self._delete(resource, kind, ns, name)
        raise ApiError(405, "MethodNotAllowed", f"{method} is not supported here")

    @staticmethod
    def _route(path):
        for (prefix, resource) in RESOURCES:
            if not path.startswith(prefix + "/"):
                continue
            rest = path[len(prefix) + 1:].split("/")
            if rest[0] == resource and resource in CLUSTER_SCOPED:
                if len(rest) == 1:
                    return prefix, resource, None, None
                if len(rest) == 2:
                    return prefix, resource, None, rest[1]
            if len(rest) >= 3 and rest[0] == "namespaces" and rest[2] == resource:
                if len(rest) == 3:
                    return prefix, resource, rest[1], None
                if len(rest) == 4:
                    return prefix, resource, rest[1], rest[3]
        return None

    def resource_of(self, path):
        route = self._route(path)
        return route[1] if route else None

    def _list(self, prefix, resource, kind, ns, query):
        items = [i for i in self.list(resource, ns if resource not in CLUSTER_SCOPED else None)
                 if selected(i, query)]
        api_version = prefix.split("/", 2)[-1] if prefix.startswith("/apis/") else "v1"
        return {"kind": kind + "List", "apiVersion": api_version,
                "metadata": {"resourceVersion": str(self.version)}, "items": items}

    def watch(self, path, query, timeout=None):
        """Watch events ({"type", "object"}) for a collection path after the query's
        resourceVersion (all current objects as ADDED first when it is absent or "0"), until
        timeoutSeconds, the caller's timeout or shutdown.  The path is checked at once (ApiError),
        the events come from the returned generator."""
        route = self._route(path)
        if route is None or route[3] is not None:
            raise ApiError(404, "NotFound", "the server could not find the requested resource")
        prefix, resource, ns, _ = route
        if NAMESPACED[resource] and ns is None:
            raise ApiError(404, "NotFound", "the server could not find the requested resource")
        seconds = float(query.get("timeoutSeconds", ["1800"])[0])
        if timeout is not None:
            seconds = min(seconds, timeout)
        since = query.get("resourceVersion", ["0"])[0] or "0"
        with self.lock:
            if since == "0":
                start = self.version
                initial = [o for o in self.list(resource, ns)
                           if selected(o, query)]
            elif not since.isdigit() or int(since) > self.version:
                raise ApiError(400, "BadRequest", f"invalid resourceVersion {since!r}")
            else:
                start, initial = int(since), []
        return self._events(resource, ns, query, start, initial, time.monotonic() + seconds)

    def _events(self, resource, ns, query, position, initial, deadline):
        for obj in initial:
            yield {"type": "ADDED", "object": obj}
        while not self.closed:
            with self.lock:
                left = deadline - time.monotonic()
                if left <= 0:
                    return
                if self.version <= position:
                    self.changed.wait(min(left, 0.5))
                fresh = self.changes[position:]
                position = self.version
            for _, event, res, n, obj in fresh:
                if res == resource and (ns is None or n == ns) and selected(obj, query):
                    yield {"type": event, "object": obj}

    def _create(self, prefix, resource, kind, ns, body):
        namespaced = RESOURCES[(prefix, resource)][1]
        if not isinstance(body, dict):
            raise ApiError(400, "BadRequest", "the request body is not an object")
        name = (body.get("metadata") or {}).get("name")
        if not name:
            raise ApiError(422, "Invalid", f"{kind} is invalid: metadata.name: Required value")
        if body.get("kind") not in (None, kind):
            raise ApiError(400, "BadRequest", f"the body kind {body.get('kind')} does not match {kind}")
        body_ns = (body.get("metadata") or {}).get("namespace")
        if namespaced and body_ns not in (None, ns):
            raise ApiError(400, "BadRequest", "the namespace of the provided object does not match "
                           "the namespace sent on the request")
        key = (resource, ns or "", name)
        if key in self.objects:
            raise ApiError(409, "AlreadyExists", f'{resource} "{name}" already exists', name, resource)
        if kind in ("Namespace", "Pod") and (len(name) > 63 or not DNS_LABEL.match(name)):
            raise ApiError(422, "Invalid", f'{kind} "{name}" is invalid: metadata.name: Invalid value',
                           name, kind)
        if kind == "Pod":
            self._validate_pod(name, body)
        api_version = prefix.split("/", 2)[-1] if prefix.startswith("/apis/") else "v1"
        body = copy.deepcopy(body)
        if kind == "Pod":
            body["status"] = {"phase": "Pending", "conditions": [], "qosClass": "BestEffort"}
        obj = self._put(resource, ns or "", body, kind, api_version)
        if kind == "Pod":
            threading.Thread(target=Kubelet(self, ns, name).run, daemon=True).start()
        if kind == "SparkApplication" and self.operator:
            threading.Thread(target=self._operator, args=(ns, name), daemon=True).start()
        return copy.deepcopy(obj)

    @staticmethod
    def _validate_pod(name, body):
        def invalid(detail):
            return ApiError(422, "Invalid", f'Pod "{name}" is invalid: {detail}', name, "Pod")

        spec = body.get("spec") or {}
        containers = spec.get("containers") or []
        if not containers:
            raise invalid("spec.containers: Required value")
        for part, group in (("initContainers", spec.get("initContainers") or []), ("containers", containers)):
            for i, c in enumerate(group):
                where = f"spec.{part}[{i}]"
                if not c.get("image"):
                    raise invalid(f"{where}.image: Required value")
                if c["image"] != c["image"].strip():
                    raise invalid(f'{where}.image: Invalid value: "{c["image"]}": must not have leading or '
                                  "trailing whitespace")
                cname = c.get("name") or ""
                if len(cname) > 63 or not DNS_LABEL.match(cname):
                    raise invalid(f'{where}.name: Invalid value: "{cname}"')
                for j, e in enumerate(c.get("env") or []):
                    if not ENV_NAME.match(str(e.get("name") or "")):
                        raise invalid(f'{where}.env[{j}].name: Invalid value: "{e.get("name")}"')
                    if "value" in e and e.get("valueFrom"):
                        raise invalid(f"{where}.env[{j}].valueFrom: Invalid value: may not be specified "
                                      "when `value` is not empty")
                policy = c.get("imagePullPolicy")
                if policy not in (None, "Always", "IfNotPresent", "Never"):
                    raise invalid(f'{where}.imagePullPolicy: Unsupported value: "{policy}"')
        sc = spec.get("securityContext") or {}
        for key in ("runAsUser", "runAsGroup", "fsGroup"):
            if key in sc and (not isinstance(sc[key], int) or isinstance(sc[key], bool) or sc[key] < 0):
                raise invalid(f"spec.securityContext.{key}: Invalid value")

    def _delete(self, resource, kind, ns, name):
        if (resource, ns or "", name) not in self.objects:
            raise ApiError(404, "NotFound", f'{resource} "{name}" not found', name, resource)
        if kind == "Pod":
            self._kill_pod(ns, name)
        if kind == "SparkApplication":  # owner references: the driver pod goes with it
            for pod in self.list("pods", ns):
                if pod["metadata"].get("labels", {}).get("e2e-spark-app") == name:
                    self._kill_pod(ns, pod["metadata"]["name"])
                    self._remove("pods", ns, pod["metadata"]["name"])
        if kind == "Namespace":
            for (r, n, other) in list(self.objects):
                if n == name:
                    if r == "pods":
                        self._kill_pod(n, other)
                    self._remove(r, n, other)
        obj = self._remove(resource, ns, name)
        if kind == "Namespace":
            obj["status"] = {"phase": "Terminating"}
        return obj

    def _kill_pod(self, ns, name):
        handle = self.procs.pop((ns, name), None)
        if handle is not None:
            handle.kill()

    # ---- Spark operator ------------------------------------------------------------------
    def _set_app_state(self, ns, name, state, **extra):
        def change(app):
            app["status"] = {"applicationState": {"state": state, **extra},
                             "driverInfo": {"podName": f"{name}-driver"}}
        return self._modify("sparkapplications", ns, name, change)

    def _operator(self, ns, name):
        time.sleep(0.2)
        with self.lock:
            app = self.objects.get(("sparkapplications", ns, name))
            if app is None:
                return
            spec = app["spec"]
            driver = spec.get("driver") or {}
            labels = {**(driver.get("labels") or {}), "spark-role": "driver", "e2e-spark-app": name}
            pod = {"apiVersion": "v1", "kind": "Pod",
                   "metadata": {"name": f"{name}-driver", "labels": labels,
                                "annotations": driver.get("annotations") or {}},
                   "spec": {"restartPolicy": "Never", "serviceAccountName": driver.get("serviceAccount"),
                            "containers": [{"name": "spark-kubernetes-driver", "image": spec.get("image"),
                                            "args": [str(a) for a in spec.get("arguments") or []],
                                            "env": driver.get("env") or []}]}}
            self._set_app_state(ns, name, "SUBMITTED")
            try:
                self._create("/api/v1", "pods", "Pod", ns, pod)
            except ApiError as err:
                self._set_app_state(ns, name, "FAILED", errorMessage=f"Exception: {err}")
                return
        for _ in range(600):  # follow the driver pod (bounded: 60 s)
            driver_pod = self.get("pods", ns, f"{name}-driver")
            phase = (driver_pod or {}).get("status", {}).get("phase")
            if phase == "Running":
                self._set_app_state(ns, name, "RUNNING")
                return
            if phase in ("Failed", "Succeeded") or driver_pod is None:
                self._set_app_state(ns, name, "FAILED" if phase != "Succeeded" else "COMPLETED",
                                    errorMessage="driver pod ended")
                return
            time.sleep(0.1)

    def shutdown(self):
        with self.lock:
            self.closed = True
            self.changed.notify_all()
            for ns, name in list(self.procs):
                self._kill_pod(ns, name)


# ---- scheduler and kubelet ---------------------------------------------------------------------

class Kubelet:
    """One pod's life: scheduling, image pulls, configuration, the container, its end.  Status
    fields, waiting reasons, messages and Events are worded as a real scheduler and kubelet
    (containerd) word them."""

    def __init__(self, cluster, ns, name):
        self.cluster, self.ns, self.name = cluster, ns, name

    def pod(self):
        return self.cluster.get("pods", self.ns, self.name)

    def status(self, **fields):
        """Updates status fields; False once the pod is gone."""
        def change(pod):
            pod["status"].update(fields)
        return self.cluster._modify("pods", self.ns, self.name, change)

    def wait(self, seconds):
        """Sleeps, or returns False at once when the pod is deleted meanwhile."""
        end = time.monotonic() + seconds
        with self.cluster.lock:
            while ("pods", self.ns, self.name) in self.cluster.objects and not self.cluster.closed:
                left = end - time.monotonic()
                if left <= 0:
                    return True
                self.cluster.changed.wait(min(left, 0.2))
        return False

    def event(self, pod, type_, reason, message, component="kubelet"):
        self.cluster.event(pod, type_, reason, message, component)

    def run(self):
        if not self.wait(self.cluster.pending_seconds):
            return
        node = self.schedule()
        if node is None:
            return
        pod = self.pod()
        if pod is None:
            return
        containers = pod["spec"]["containers"]
        self.status(containerStatuses=[self.container_status(c, {"waiting": {"reason": "ContainerCreating"}})
                                       for c in containers])
        for c in containers:
            if not self.image_ready(c):
                return
        if not self.config_ready(containers[0]):
            return
        self.start(containers[0])

    # -- scheduling
    def schedule(self):
        """The node the pod is bound to, waiting while none matches its nodeSelector."""
        reported = None
        while True:
            pod = self.pod()
            if pod is None:
                return None
            wanted = pod["spec"].get("nodeSelector") or {}
            nodes = self.cluster.list("nodes")
            fit = [n for n in nodes if all((n["metadata"].get("labels") or {}).get(k) == v
                                           for k, v in wanted.items())]
            if fit:
                node = fit[0]["metadata"]["name"]

                def bind(p):
                    p["spec"]["nodeName"] = node
                    p["status"]["conditions"] = [{"type": "PodScheduled", "status": "True",
                                                  "lastTransitionTime": now()}]
                    p["status"]["hostIP"] = "127.0.0.1"
                self.cluster._modify("pods", self.ns, self.name, bind)
                self.event(pod, "Normal", "Scheduled", f"Successfully assigned {self.ns}/{self.name} to {node}",
                           "default-scheduler")
                return node
            count = len(nodes)
            message = (f"0/{count} nodes are available: {count} node(s) didn't match Pod's node affinity/selector. "
                       f"preemption: 0/{count} nodes are available: {count} Preemption is not helpful for "
                       "scheduling.")
            if message != reported:
                reported = message
                self.status(conditions=[{"type": "PodScheduled", "status": "False", "reason": "Unschedulable",
                                         "message": message, "lastTransitionTime": now()}])
                self.event(pod, "Warning", "FailedScheduling", message, "default-scheduler")
            if not self.wait(0.5):
                return None

    # -- images
    def set_waiting(self, container, reason, message=None):
        waiting = {"reason": reason, **({"message": message} if message else {})}

        def change(pod):
            statuses = pod["status"].get("containerStatuses") or []
            for cs in statuses:
                if cs["name"] == container["name"]:
                    cs["state"] = {"waiting": waiting}
        return self.cluster._modify("pods", self.ns, self.name, change)

    def image_ready(self, container):
        """True once the container's image is there; False if the pod went away meanwhile (a pod
        whose image can never be had stays Pending, as on a real node)."""
        image = container.get("image")
        pod = self.pod()
        if pod is None:
            return False
        if parse_image(image) is None:
            return self.stuck(pod, container, "InvalidImageName", "InspectFailed",
                              f'Failed to apply default image tag "{image}": couldn\'t parse image name "{image}": '
                              "invalid reference format")
        if container.get("imagePullPolicy") == "Never":
            return self.stuck(pod, container, "ErrImageNeverPull", "ErrImageNeverPull",
                              f'Container image "{image}" is not present with pull policy of Never')
        delay, longest = self.cluster.pull_backoff
        while True:
            self.event(pod, "Normal", "Pulling", f'Pulling image "{image}"')
            if not self.wait(0.1):
                return False
            problem = self.cluster.registry.pull(image)
            if problem is None:
                self.event(pod, "Normal", "Pulled", f'Successfully pulled image "{image}" in 100ms (100ms including '
                           "waiting)")
                return True
            self.set_waiting(container, "ErrImagePull", problem)
            self.event(pod, "Warning", "Failed", f'Failed to pull image "{image}": {problem}')
            self.event(pod, "Warning", "Failed", "Error: ErrImagePull")
            if not self.wait(0.3):
                return False
            self.set_waiting(container, "ImagePullBackOff", f'Back-off pulling image "{image}"')
            self.event(pod, "Normal", "BackOff", f'Back-off pulling image "{image}"')
            self.event(pod, "Warning", "Failed", "Error: ImagePullBackOff")
            if not self.wait(delay):
                return False
            delay = min(delay * 2, longest)

    def stuck(self, pod, container, reason, event_reason, message):
        """A container that can never be created: Pending with that reason until the pod is deleted."""
        self.set_waiting(container, reason, message)
        self.event(pod, "Warning", event_reason, message)
        self.event(pod, "Warning", "Failed", f"Error: {reason}")
        while self.wait(1.0):
            pass
        return False

    # -- configuration
    def missing_config(self, container):
        """The first Secret/ConfigMap (key) the container's env needs that does not exist."""
        refs = []
        for e in container.get("env") or []:
            source = e.get("valueFrom") or {}
            for field_name, resource, kind in (("secretKeyRef", "secrets", "Secret"),
                                               ("configMapKeyRef", "configmaps", "ConfigMap")):
                ref = source.get(field_name)
                if ref:
                    refs.append((resource, kind, ref.get("name"), ref.get("key"), ref.get("optional")))
        for source in container.get("envFrom") or []:
            for field_name, resource, kind in (("secretRef", "secrets", "Secret"),
                                               ("configMapRef", "configmaps", "ConfigMap")):
                ref = source.get(field_name)
                if ref:
                    refs.append((resource, kind, ref.get("name"), None, ref.get("optional")))
        for resource, kind, name, key, optional in refs:
            obj = self.cluster.get(resource, self.ns, name)
            if obj is None:
                if not optional:
                    return f'{kind.lower()} "{name}" not found'
                continue
            data = {**(obj.get("data") or {}), **(obj.get("stringData") or {})}
            if key is not None and key not in data and not optional:
                return f"couldn't find key {key} in {kind} {self.ns}/{name}"
        return None

    def config_ready(self, container):
        """Waits (CreateContainerConfigError, retried like a kubelet) until the container's env can
        be built; False if the pod went away meanwhile."""
        while True:
            problem = self.missing_config(container)
            pod = self.pod()
            if pod is None:
                return False
            if problem is None:
                return True
            self.set_waiting(container, "CreateContainerConfigError", problem)
            self.event(pod, "Warning", "Failed", f"Error: {problem}")
            if not self.wait(self.cluster.config_retry):
                return False

    # -- the container
    def start(self, container):
        cluster = self.cluster
        with cluster.lock:
            pod = cluster.objects.get(("pods", self.ns, self.name))
            if pod is None:
                return
            env = {e["name"]: self.env_value(e) for e in container.get("env") or []}
            env["HOSTNAME"] = self.name
            try:
                handle = cluster.runner.start(self.ns, self.name, container, env, len(cluster.pod_history))
            except OSError as err:
                self.status(phase="Failed", reason="StartError", message=f"container start failed: {err}")
                return
            cluster.procs[(self.ns, self.name)] = handle
            if handle.pid is not None:
                cluster.pod_history.append({"namespace": self.ns, "name": self.name, "pid": handle.pid,
                                            "log": handle.log})
            started = now()
            self.event(pod, "Normal", "Created", f"Created container {container.get('name')}")
            self.event(pod, "Normal", "Started", f"Started container {container.get('name')}")
            self.status(phase="Running", podIP="127.0.0.1", hostIP="127.0.0.1", startTime=started,
                        containerStatuses=[self.container_status(container, {"running": {"startedAt": started}},
                                                                 handle.pid, True)])
        rc = handle.wait()
        with cluster.lock:
            if cluster.procs.get((self.ns, self.name)) is handle:
                del cluster.procs[(self.ns, self.name)]
                state = {"terminated": {"exitCode": rc, "reason": "Completed" if rc == 0 else "Error",
                                        "startedAt": started, "finishedAt": now()}}
                self.status(phase="Succeeded" if rc == 0 else "Failed", podIP="127.0.0.1", hostIP="127.0.0.1",
                            startTime=started,
                            containerStatuses=[self.container_status(container, state, handle.pid, False)])

    def env_value(self, entry):
        """An env entry's value; valueFrom a Secret or ConfigMap key is resolved (config_ready
        made sure it exists, unless optional)."""
        source = entry.get("valueFrom") or {}
        for field_name, resource in (("secretKeyRef", "secrets"), ("configMapKeyRef", "configmaps")):
            ref = source.get(field_name)
            if ref:
                obj = self.cluster.get(resource, self.ns, ref.get("name")) or {}
                if ref.get("key") in (obj.get("stringData") or {}):
                    return obj["stringData"][ref["key"]]
                value = (obj.get("data") or {}).get(ref.get("key"), "")
                return base64.b64decode(value).decode(errors="replace") if resource == "secrets" else value
        return entry.get("value", "")

    @staticmethod
    def container_status(container, state, pid=None, ready=False):
        return {"name": container.get("name"), "image": container.get("image"), "imageID": "",
                "containerID": f"e2e://{pid}" if pid else "", "ready": ready, "started": ready,
                "restartCount": 0, "state": state}


# ---- HTTP ------------------------------------------------------------------------------------------

class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    cluster = None  # set per server class
    scheme = "http"

    def log_message(self, *args):  # keep pytest output clean; requests are recorded instead
        pass

    def _record(self, url, query, body, code, **extra):
        extra.setdefault("warnings", [])
        self.cluster.record(method=self.command, path=url.path, query=query, body=body, code=code,
                            scheme=self.scheme, authorization=self.headers.get("Authorization"),
                            user_agent=self.headers.get("User-Agent") or "", time=time.time(), **extra)

    def _serve(self):
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode(errors="replace")
        query = parse_qs(url.query)
        fault = self.cluster.faults.take(self.command, self.cluster.resource_of(url.path))
        if fault and fault[0] == "drop":
            self._record(url, query, body, None, fault="drop")
            self._drop()
            return
        if fault and fault[0] != "drop-after":
            code = int(fault[0])
            reasons = {429: "TooManyRequests", 500: "InternalError", 502: "BadGateway", 503: "ServiceUnavailable",
                       504: "Timeout"}
            error = ApiError(code, reasons[code], f"the server is currently unable to handle the request ({code})")
            self._record(url, query, body, code, fault=fault[0])
            headers = {"Retry-After": str(fault[1])} if code in (429, 503) else {}
            self._answer(code, error.status(), headers)
            return
        if self.command == "GET" and query.get("watch", [""])[0] in ("true", "1"):
            self._watch(url, query)
            return
        warnings = []
        try:
            code, out, warnings = self.cluster.serve(self.command, url.path, query, body)
        except ApiError as err:
            code, out = err.code, err.status()
        if fault:  # drop-after: carried out, but the answer is lost
            self._record(url, query, body, code, fault="drop-after", warnings=warnings)
            self._drop()
            return
        self._record(url, query, body, code, warnings=warnings)
        # RFC 7234 warn-text, as the API server writes it (k8s.io/apimachinery/pkg/util/net).
        headers = [("Warning", '299 - "' + w.replace("\\", "\\\\").replace('"', '\\"') + '"') for w in warnings]
        self._answer(code, out, headers)

    def _answer(self, code, out, headers=()):
        """headers: (name, value) pairs or a dict; a name may repeat (Warning)."""
        data = json.dumps(out).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers.items() if isinstance(headers, dict) else headers):
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def _drop(self):
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _watch(self, url, query):
        self._record(url, query, None, 200, watch=True)
        try:
            events = self.cluster.watch(url.path, query)
        except ApiError as err:
            self._answer(err.code, err.status())
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        try:
            for event in events:
                self._chunk(event)
            self.wfile.write(b"0\r\n\r\n")
        except OSError:  # the client went away
            self.close_connection = True

    def _chunk(self, event):
        data = json.dumps(event).encode() + b"\n"
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))

    do_GET = do_POST = do_DELETE = do_PUT = do_PATCH = _serve


class StandIn:
    """Runs a Cluster behind an HTTP listener and, with tls=(cert, key), a TLS listener."""

    def __init__(self, log_dir, tls=None, **cluster_args):
        self.cluster = Cluster(log_dir, **cluster_args)
        self.servers = []
        handler = type("Handler", (_Handler,), {"cluster": self.cluster})
        self.http = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.servers.append(self.http)
        self.url = f"http://127.0.0.1:{self.http.server_address[1]}"
        self.tls_port = None
        if tls:
            tls_handler = type("TlsHandler", (handler,), {"scheme": "https"})
            https = ThreadingHTTPServer(("127.0.0.1", 0), tls_handler)
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(*tls)
            https.socket = ctx.wrap_socket(https.socket, server_side=True)
            self.servers.append(https)
            self.tls_port = https.server_address[1]
        for srv in self.servers:
            srv.daemon_threads = True
            threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True).start()

    def close(self):
        self.cluster.shutdown()
        for srv in self.servers:
            srv.shutdown()
            srv.server_close()
