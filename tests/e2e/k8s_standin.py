"""A small stand-in for a Kubernetes cluster, on 127.0.0.1 only.

It serves the REST paths the provisioner, the launchers and the Spark stub use (core v1
namespaces/pods/secrets/persistentvolumeclaims/persistentvolumes, rbac v1 rolebindings,
sparkoperator.k8s.io v1beta2 sparkapplications), answers errors with Status objects, and records
every request.  It also plays the kubelet (a created Pod's container runs as a local process:
kernel_image.py with the pod's env, args and workingDir; phase Pending -> Running -> Succeeded or
Failed; delete kills the process group) and the Spark operator (a SparkApplication gets a driver
pod and applicationState SUBMITTED -> RUNNING).  Plain HTTP serves kubeconfig clients; an optional
TLS listener (same state) serves in-cluster clients.
"""

import copy
import datetime
import json
import os
import re
import signal
import ssl
import subprocess
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

HERE = os.path.dirname(os.path.abspath(__file__))
KERNEL_IMAGE = os.path.join(HERE, "kernel_image.py")

DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
QUANTITY = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+|Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?$")

# (api prefix, resource) -> (kind, namespaced)
RESOURCES = {
    ("/api/v1", "namespaces"): ("Namespace", False),
    ("/api/v1", "pods"): ("Pod", True),
    ("/api/v1", "secrets"): ("Secret", True),
    ("/api/v1", "persistentvolumeclaims"): ("PersistentVolumeClaim", True),
    ("/api/v1", "persistentvolumes"): ("PersistentVolume", False),
    ("/apis/rbac.authorization.k8s.io/v1", "rolebindings"): ("RoleBinding", True),
    ("/apis/sparkoperator.k8s.io/v1beta2", "sparkapplications"): ("SparkApplication", True),
}


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


class Cluster:
    """State, request log, kubelet and operator."""

    # pending_seconds: how long a new pod stays Pending; longer than the provisioner's 0.5 s poll
    # interval so that the Pending phase is always observed.
    def __init__(self, log_dir, namespaces=("default",), pending_seconds=1.2, operator=True, kubelet=None):
        self.lock = threading.RLock()
        # kubelet: None runs a pod's container as a local process (_kubelet below); an object with
        # run_pod(cluster, namespace, name) runs it its own way (container_kubelet.py: Docker).
        self.kubelet = kubelet
        self.objects = {}  # (resource, namespace or "", name) -> object
        self.requests = []
        self.log_dir = log_dir
        self.pending_seconds = pending_seconds
        self.operator = operator
        self.procs = {}  # (namespace, pod name) -> Popen
        self.pod_history = []  # every pod process started: dicts with name, pid, log
        for ns in namespaces:
            self._store("namespaces", "", self._new_meta({"metadata": {"name": ns}}, "Namespace", "v1"))
        self.objects[("namespaces", "", "default")]["status"] = {"phase": "Active"}

    # ---- helpers -------------------------------------------------------------------------
    def _new_meta(self, obj, kind, api_version, namespace=None):
        obj = copy.deepcopy(obj)
        obj["kind"], obj["apiVersion"] = kind, api_version
        md = obj.setdefault("metadata", {})
        md.setdefault("uid", str(uuid.uuid4()))
        md["creationTimestamp"] = now()
        md["resourceVersion"] = str(len(self.requests) + 1)
        if namespace is not None:
            md["namespace"] = namespace
        if kind == "Namespace":
            obj["status"] = {"phase": "Active"}
        return obj

    def _store(self, resource, ns, obj):
        self.objects[(resource, ns, obj["metadata"]["name"])] = obj

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

    # ---- REST ----------------------------------------------------------------------------
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
            if rest[0] == resource and resource in ("namespaces", "persistentvolumes"):
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

    def _list(self, prefix, resource, kind, ns, query):
        items = self.list(resource, ns if resource not in ("namespaces", "persistentvolumes") else None)
        selector = query.get("labelSelector", [""])[0]
        for term in filter(None, selector.split(",")):
            key, _, value = term.partition("=")
            value = value.lstrip("=")
            items = [i for i in items if i["metadata"].get("labels", {}).get(key) == value]
        api_version = prefix.split("/", 2)[-1] if prefix.startswith("/apis/") else "v1"
        return {"kind": kind + "List", "apiVersion": api_version,
                "metadata": {"resourceVersion": str(len(self.requests))}, "items": items}

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
        obj = self._new_meta(body, kind, api_version, ns)
        if kind == "Pod":
            obj["status"] = {"phase": "Pending"}
        self._store(resource, ns or "", obj)
        if kind == "Pod":
            threading.Thread(target=self._kubelet, args=(ns, name), daemon=True).start()
        if kind == "SparkApplication" and self.operator:
            threading.Thread(target=self._operator, args=(ns, name), daemon=True).start()
        return copy.deepcopy(obj)

    @staticmethod
    def _validate_pod(name, body):
        containers = (body.get("spec") or {}).get("containers") or []
        if not containers:
            raise ApiError(422, "Invalid", f'Pod "{name}" is invalid: spec.containers: Required value',
                           name, "Pod")
        for i, c in enumerate(containers):
            where = f"spec.containers[{i}]"
            if not c.get("image"):
                raise ApiError(422, "Invalid", f'Pod "{name}" is invalid: {where}.image: Required value',
                               name, "Pod")
            cname = c.get("name") or ""
            if len(cname) > 63 or not DNS_LABEL.match(cname):
                raise ApiError(422, "Invalid", f'Pod "{name}" is invalid: {where}.name: Invalid value: '
                               f'"{cname}"', name, "Pod")
            for part in ("requests", "limits"):
                for res, q in ((c.get("resources") or {}).get(part) or {}).items():
                    if not isinstance(q, (str, int, float)) or not QUANTITY.match(str(q)):
                        raise ApiError(422, "Invalid", f'Pod "{name}" is invalid: {where}.resources.'
                                       f'{part}[{res}]: Invalid value: "{q}"', name, "Pod")
            for e in c.get("env") or []:
                if not isinstance(e.get("value", ""), str):
                    raise ApiError(400, "BadRequest", f"env {e.get('name')}: value must be a string")
        sc = (body.get("spec") or {}).get("securityContext") or {}
        for key in ("runAsUser", "runAsGroup", "fsGroup"):
            if key in sc and (not isinstance(sc[key], int) or isinstance(sc[key], bool) or sc[key] < 0):
                raise ApiError(422, "Invalid", f'Pod "{name}" is invalid: spec.securityContext.{key}: '
                               f"Invalid value", name, "Pod")

    def _delete(self, resource, kind, ns, name):
        key = (resource, ns or "", name)
        obj = self.objects.get(key)
        if obj is None:
            raise ApiError(404, "NotFound", f'{resource} "{name}" not found', name, resource)
        obj = copy.deepcopy(obj)
        obj["metadata"]["deletionTimestamp"] = now()
        if kind == "Pod":
            self._kill_pod(ns, name)
        if kind == "SparkApplication":  # owner references: the driver pod goes with it
            for pod in self.list("pods", ns):
                if pod["metadata"].get("labels", {}).get("e2e-spark-app") == name:
                    self._kill_pod(ns, pod["metadata"]["name"])
                    self.objects.pop(("pods", ns, pod["metadata"]["name"]), None)
        if kind == "Namespace":
            for (r, n, other) in list(self.objects):
                if n == name:
                    if r == "pods":
                        self._kill_pod(n, other)
                    del self.objects[(r, n, other)]
            obj["status"] = {"phase": "Terminating"}
        del self.objects[key]
        return obj

    # ---- kubelet -------------------------------------------------------------------------
    def _set_phase(self, ns, name, phase, **status):
        with self.lock:
            pod = self.objects.get(("pods", ns, name))
            if pod is not None:
                pod["status"] = {"phase": phase, **status}

    def _kubelet(self, ns, name):
        time.sleep(self.pending_seconds)
        if self.kubelet is not None:
            return self.kubelet.run_pod(self, ns, name)
        with self.lock:
            pod = self.objects.get(("pods", ns, name))
            if pod is None:
                return
            container = pod["spec"]["containers"][0]
            env = {e["name"]: e.get("value", "") for e in container.get("env") or []}
            env["HOSTNAME"] = name
            # A container has a private filesystem; here it gets a scratch dir of its own.
            scratch = os.path.join(self.log_dir, f"pod-{ns}-{name}-{len(self.pod_history)}")
            os.makedirs(scratch)
            env["E2E_POD_SCRATCH"] = scratch
            log_path = scratch + ".log"
            log = open(log_path, "wb")
            cmd = [sys.executable, KERNEL_IMAGE, *(container.get("args") or [])]
            try:
                proc = subprocess.Popen(cmd, env=env, cwd=container.get("workingDir") or scratch,
                                        stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
            except OSError as err:
                log.write(f"container start failed: {err}\n".encode())
                log.close()
                self._set_phase(ns, name, "Failed", reason="StartError")
                return
            log.close()
            self.procs[(ns, name)] = proc
            self.pod_history.append({"namespace": ns, "name": name, "pid": proc.pid, "log": log_path})
            started = now()
            self._set_phase(ns, name, "Running", podIP="127.0.0.1", hostIP="127.0.0.1",
                            startTime=started,
                            containerStatuses=[self._container_status(container, proc.pid, True,
                                                                      {"running": {"startedAt": started}})])
        rc = proc.wait()
        with self.lock:
            if self.procs.get((ns, name)) is proc:
                del self.procs[(ns, name)]
                state = {"terminated": {"exitCode": rc, "reason": "Completed" if rc == 0 else "Error",
                                        "startedAt": started, "finishedAt": now()}}
                self._set_phase(ns, name, "Succeeded" if rc == 0 else "Failed", podIP="127.0.0.1",
                                hostIP="127.0.0.1", startTime=started,
                                containerStatuses=[self._container_status(container, proc.pid, False, state)])

    @staticmethod
    def _container_status(container, pid, ready, state):
        return {"name": container.get("name"), "image": container.get("image"),
                "imageID": "", "containerID": f"e2e://{pid}", "ready": ready, "started": ready,
                "restartCount": 0, "state": state}

    def _kill_pod(self, ns, name):
        proc = self.procs.pop((ns, name), None)
        if proc is None:
            return
        if self.kubelet is not None:  # a container of container_kubelet.py
            proc.delete()
            return
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # gracePeriodSeconds 0
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass

    # ---- Spark operator ------------------------------------------------------------------
    def _set_app_state(self, ns, name, state, **extra):
        with self.lock:
            app = self.objects.get(("sparkapplications", ns, name))
            if app is not None:
                app["status"] = {"applicationState": {"state": state, **extra},
                                 "driverInfo": {"podName": f"{name}-driver"}}
            return app is not None

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
        for _ in range(200):  # follow the driver pod (bounded: 20 s)
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
            for ns, name in list(self.procs):
                self._kill_pod(ns, name)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    cluster = None  # set per server class
    scheme = "http"

    def log_message(self, *args):  # keep pytest output clean; requests are recorded instead
        pass

    def _serve(self):
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode(errors="replace")
        query = parse_qs(url.query)
        try:
            code, out = self.cluster.handle(self.command, url.path, query, body)
        except ApiError as err:
            code, out = err.code, err.status()
        self.cluster.record(method=self.command, path=url.path, query=query, body=body, code=code,
                            scheme=self.scheme, authorization=self.headers.get("Authorization"),
                            time=time.time())
        data = json.dumps(out).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

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
        for srv in self.servers:
            srv.shutdown()
            srv.server_close()
        self.cluster.shutdown()
