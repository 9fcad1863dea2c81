

# ===== Kubernetes API access ======================================================================
# In a cluster (KUBERNETES_SERVICE_HOST set, the production case) the launcher talks to the API
# server with the standard library only: importing the official client costs more CPU and memory
# than everything else a launch does.  Outside a cluster the kubeconfig is loaded with the official
# client (exec and OIDC plugins, client certificates, proxies) and its connection pool is used.
# Both are driven by the same code below: retries, creates, watches and cleanup.

USER_AGENT = "k8s-spec-launcher"
SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount"

# Answers worth another attempt: throttling and a busy or restarting API server.  500, 502 and 504
# may come after the server did the work (a create then meets AlreadyExists: see Api.call).
_RETRY_STATUSES = frozenset((429, 500, 502, 503, 504))
_MAYBE_DONE_STATUSES = frozenset((500, 502, 504))
_MAX_ATTEMPTS = 10
_BACKOFF_FIRST = 0.25
_BACKOFF_MAX = 4.0


def note(line):
    """One line for the server log (the launcher's stderr is the server's)."""
    print(line, file=sys.stderr, flush=True)


class ConfigProblem(Exception):
    """The client configuration cannot be loaded (texts as the official client words them)."""


class ConnectionProblem(Exception):
    """A request got no HTTP answer: refused, reset, dropped, timed out, TLS failure, ..."""

    def __init__(self, cause, sent=True, where=None):
        text = f"{type(cause).__name__}: " + " ".join(str(cause).split())
        super().__init__(f"{text} ({where})" if where else text)
        self.sent = sent  # whether the server may have received (and carried out) the request


class ApiError(Exception):
    """An error answer of the API server."""

    def __init__(self, status, reason, data, headers=None):
        text = data.decode("utf-8", "replace") if isinstance(data, bytes) else str(data or "")
        super().__init__(f"Kubernetes API error ({status} {reason}): " + " ".join(text.split()))
        self.status, self.reason, self.body, self.headers = status, reason, text, headers or {}
        self.maybe_done = False  # set by Api.call: an earlier attempt may have been carried out

    def short(self):
        """Status code and the Status object's message, for retry notes."""
        try:
            message = json.loads(self.body).get("message")
        except (ValueError, AttributeError):
            message = None
        return f"{self.status} {self.reason}" + (f": {_one_line(message, 120)}" if message else "")

    @property
    def status_reason(self):
        """The Status object's reason (AlreadyExists, NotFound, Invalid, ...), if the body has one."""
        try:
            value = json.loads(self.body).get("reason")
        except (ValueError, AttributeError):
            found = re.search(r'"reason"\s*:\s*"?([A-Za-z]+)', self.body)
            value = found.group(1) if found else None
        return value if isinstance(value, str) else None


def is_already_exists(exc):
    return isinstance(exc, ApiError) and exc.status == 409 and exc.status_reason == "AlreadyExists"


def describe_api_error(exc):
    return str(exc)


def _without_nulls(value):
    """Mapping entries whose value is null are left out of request bodies, as the official client
    sends them (the stock template's empty `volumeMounts:` means "none")."""
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value


def _body(body):
    return None if body is None else json.dumps(_without_nulls(body), default=str).encode()


def _json(data):
    try:
        return json.loads(data) if data else {}
    except ValueError as exc:
        raise ConnectionProblem(ValueError(f"the API server sent no JSON: {data[:80]!r}")) from exc


def _join_host_port(host, port):
    return f"[{host}]:{port}" if ":" in host or "%" in host else f"{host}:{port}"


class InClusterTransport:
    """The pod's service account: bearer token (re-read for every request, as bound tokens rotate)
    and the cluster CA from SERVICE_ACCOUNT_DIR, the API server at KUBERNETES_SERVICE_HOST/PORT."""

    def __init__(self, environ, directory=SERVICE_ACCOUNT_DIR):
        host, port = environ.get("KUBERNETES_SERVICE_HOST"), environ.get("KUBERNETES_SERVICE_PORT")
        if host is None or port is None:
            raise ConfigProblem("Service host/port is not set.")
        if not host or not port:
            raise ConfigProblem("Service host/port is set but empty.")
        if not port.isdigit() or not 0 < int(port) < 65536:
            raise ConfigProblem(f"Service port {port!r} is not a port number.")
        self.token_file = os.path.join(directory, "token")
        ca_file = os.path.join(directory, "ca.crt")
        if not os.path.isfile(self.token_file):
            raise ConfigProblem("Service token file does not exist.")
        self._token()
        if not os.path.isfile(ca_file):
            raise ConfigProblem("Service certification file does not exist.")
        with open(ca_file, "rb") as stream:
            if not stream.read():
                raise ConfigProblem("Cert file exists but empty.")
        try:
            self._context = ssl.create_default_context(cafile=ca_file)  # hostname checked too
        except (ssl.SSLError, OSError) as exc:
            raise ConfigProblem(f"cannot use the cluster CA {ca_file}: {exc}") from exc
        self.host, self.port = host, int(port)
        self.where = f"https://{_join_host_port(host, port)}"
        self._conn = None  # kept alive between requests, used by one thread at a time
        self._lock = threading.Lock()

    def _token(self):
        with open(self.token_file, encoding="utf-8") as stream:
            token = stream.read().strip()
        if not token:
            raise ConfigProblem("Token file exists but empty.")
        return token

    def _headers(self, body):
        try:
            token = self._token()
        except (OSError, ConfigProblem) as exc:  # mid-rotation: worth another attempt
            raise ConnectionProblem(exc, sent=False) from exc
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json", "User-Agent": USER_AGENT}
        if body is not None:
            headers["Content-Type"] = "application/json"
        return headers

    def _exchange(self, conn, method, path, body, timeout):
        headers = self._headers(body)
        data = _body(body)
        conn.timeout = timeout
        if conn.sock is not None:
            conn.sock.settimeout(timeout)
        sent = False
        try:
            conn.request(method, path, body=data, headers=headers)
            sent = True  # all of it was handed to the connection
            return conn.getresponse()
        except (OSError, http.client.HTTPException) as exc:
            conn.close()
            raise ConnectionProblem(exc, sent, self.where) from exc

    def request(self, method, path, body, timeout):
        with self._lock:
            return self._request(method, path, body, timeout)

    def _request(self, method, path, body, timeout):
        if self._conn is None:
            self._conn = http.client.HTTPSConnection(self.host, self.port, timeout=timeout, context=self._context)
        conn = self._conn
        try:
            resp = self._exchange(conn, method, path, body, timeout)
            data = resp.read()
        except ConnectionProblem:
            self._conn = None
            raise
        except (OSError, http.client.HTTPException) as exc:
            conn.close()
            self._conn = None
            raise ConnectionProblem(exc, where=self.where) from exc
        if resp.will_close:
            conn.close()
            self._conn = None
        return resp.status, resp.reason, {k.lower(): v for k, v in resp.getheaders()}, data

    def open_stream(self, path, timeout):
        """A watch: its own connection, read line by line."""
        conn = http.client.HTTPSConnection(self.host, self.port, timeout=timeout, context=self._context)
        resp = self._exchange(conn, "GET", path, None, timeout)
        if resp.status != 200:
            try:
                data = resp.read()
            except (OSError, http.client.HTTPException):
                data = b""
            conn.close()
            raise ApiError(resp.status, resp.reason, data, {k.lower(): v for k, v in resp.getheaders()})
        return _HttpClientStream(conn, resp)


class _HttpClientStream:
    def __init__(self, conn, resp):
        self._conn, self._resp = conn, resp

    def lines(self):
        while True:
            try:
                line = self._resp.readline()
            except (OSError, http.client.HTTPException) as exc:
                raise ConnectionProblem(exc) from exc
            if not line:
                return
            yield line

    def close(self):
        self._conn.close()


class KubeconfigTransport:
    """KUBECONFIG (or ~/.kube/config) through the official client, which knows every way a
    kubeconfig can authenticate; requests go through the client's own connection pool."""

    def __init__(self):
        from kubernetes import client, config  # costly: only where no service account is mounted

        configuration = client.Configuration()
        try:
            config.load_kube_config(client_configuration=configuration)
        except Exception as exc:  # ConfigException, unreadable or malformed kubeconfig, ...
            raise ConfigProblem(str(exc)) from exc
        import urllib3

        urllib3.disable_warnings()  # a kubeconfig may say insecure-skip-tls-verify
        self._urllib3 = urllib3
        self._configuration = configuration
        self.where = configuration.host.rstrip("/")
        self._pool = client.rest.RESTClientObject(configuration).pool_manager

    def _headers(self, body):
        headers = {"Accept": "application/json", "User-Agent": USER_AGENT}
        for auth in (self._configuration.auth_settings() or {}).values():
            if auth.get("in") == "header" and auth.get("value"):  # refreshes exec-plugin tokens
                headers[auth["key"]] = auth["value"]
        if body is not None:
            headers["Content-Type"] = "application/json"
        return headers

    def _send(self, method, path, body, timeout, stream):
        urllib3 = self._urllib3
        data = _body(body)
        try:
            return self._pool.request(
                method, self.where + path, body=data, headers=self._headers(body),
                timeout=urllib3.Timeout(connect=timeout, read=timeout), retries=False, redirect=False,
                preload_content=not stream,
            )
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            connect_failed = isinstance(exc, (urllib3.exceptions.NewConnectionError,
                                              urllib3.exceptions.ConnectTimeoutError))
            raise ConnectionProblem(exc, sent=not connect_failed) from exc

    def request(self, method, path, body, timeout):
        resp = self._send(method, path, body, timeout, False)
        return resp.status, resp.reason, {k.lower(): v for k, v in resp.headers.items()}, resp.data

    def open_stream(self, path, timeout):
        resp = self._send("GET", path, None, timeout, True)
        if resp.status != 200:
            try:
                data = resp.data
            except (self._urllib3.exceptions.HTTPError, OSError):
                data = b""
            resp.release_conn()
            raise ApiError(resp.status, resp.reason, data, {k.lower(): v for k, v in resp.headers.items()})
        return _Urllib3Stream(resp, self._urllib3)


class _Urllib3Stream:
    def __init__(self, resp, urllib3):
        self._resp, self._urllib3 = resp, urllib3

    def lines(self):
        pending = b""
        chunks = self._resp.read_chunked() if self._resp.chunked else self._resp.stream(4096)
        try:
            for chunk in chunks:
                pending += chunk
                while b"\n" in pending:
                    line, pending = pending.split(b"\n", 1)
                    yield line + b"\n"
        except (self._urllib3.exceptions.HTTPError, OSError) as exc:
            raise ConnectionProblem(exc) from exc
        if pending:
            yield pending

    def close(self):
        self._resp.release_conn()


def load_transport(environ):
    """As the official client decides: in-cluster configuration when KUBERNETES_SERVICE_HOST is set
    (and not empty), else the kubeconfig."""
    try:
        if environ.get("KUBERNETES_SERVICE_HOST"):
            return InClusterTransport(environ)
        return KubeconfigTransport()
    except ConfigProblem as exc:
        raise LaunchError(f"cannot load the Kubernetes client configuration: {exc}") from exc


# ----- time budget --------------------------------------------------------------------------------

def _seconds(value):
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) and number > 0 else None


def launch_timeout(environ, spec_dir):
    """How long the provisioner waits for this kernel: the kernelspec's launch_timeout (what the
    provisioner uses; the installer always writes it), else GP_LAUNCH_TIMEOUT / KERNEL_LAUNCH_TIMEOUT /
    30 as the provisioner falls back; never more than KERNEL_LAUNCH_TIMEOUT, which a client sets to
    what it is willing to wait."""
    configured = None
    try:
        with open(os.path.join(spec_dir, "kernel.json"), encoding="utf-8") as stream:
            spec = json.load(stream)
        configured = _seconds(spec["metadata"]["kernel_provisioner"]["config"]["launch_timeout"])
    except (OSError, ValueError, KeyError, TypeError):
        pass
    for name in ("GP_LAUNCH_TIMEOUT", "KERNEL_LAUNCH_TIMEOUT"):
        if configured is None:
            configured = _seconds(environ.get(name))
    configured = configured or 30.0
    client = _seconds(environ.get("KERNEL_LAUNCH_TIMEOUT"))
    return min(configured, client) if client else configured


def process_started(fallback):
    """When this process began, on the time.monotonic() scale. The provisioner's launch timeout runs
    from just before it spawned us, so the interpreter's own start-up (seconds on a loaded gateway
    host) belongs to the budget too; /proc/self/stat says when the process began, in clock ticks on
    the boot-time clock. `fallback` (the clock read first thing in the launcher) is used when that
    cannot be read or looks wrong, and the answer is never later than it."""
    try:
        with open("/proc/self/stat", encoding="ascii") as stream:
            after_name = stream.read().rsplit(")", 1)[1].split()  # the command name may hold spaces
        began = int(after_name[19]) / os.sysconf("SC_CLK_TCK")  # field 22, starttime
        age = time.clock_gettime(time.CLOCK_BOOTTIME) - began
    except (OSError, ValueError, IndexError, AttributeError):
        return fallback
    if age > 60.0:  # not a launcher that began a moment ago: trust our own reading
        return fallback
    return min(fallback, time.monotonic() - age)  # a negative age (a misread clock) gives fallback too


class LaunchClock:
    """The launcher is gone before the provisioner's launch timeout: waiting for the pod ends a
    little earlier, so that cleaning up still fits."""

    EXIT_MARGIN = 1.0

    def __init__(self, timeout, started):
        self.timeout = timeout
        self.hard_end = started + max(timeout - 0.25, timeout * 0.9)  # cleanup may use this much
        self.end = started + max(timeout - self.EXIT_MARGIN, timeout * 0.8)
        self.wait_end = self.end - min(3.0, 0.2 * timeout)
        self.cleaning = False

    def limit(self):
        return self.hard_end if self.cleaning else self.end

    def left(self):
        return self.limit() - time.monotonic()


class Api:
    """Requests with retries: 429 (after its Retry-After), 500/502/503/504 and connection errors are
    tried again with a bounded, jittered exponential back-off, never past the launch's time budget."""

    def __init__(self, transport, clock):
        self.transport, self.clock = transport, clock

    def call(self, method, path, body=None):
        """The answer's JSON object, and whether an earlier attempt may have been carried out by the
        server (then a create may meet its own object: AlreadyExists)."""
        maybe_done = False
        for attempt in range(_MAX_ATTEMPTS):
            left = self.clock.left()
            if left <= 0.05:
                raise ConnectionProblem(TimeoutError("no time left within the kernel launch timeout"), False)
            retry_after = None
            try:
                status, reason, headers, data = self.transport.request(method, path, body, min(left, 30.0))
            except ConnectionProblem as exc:
                problem = exc
                maybe_done = maybe_done or exc.sent
            else:
                if 200 <= status < 300:
                    return _json(data), maybe_done
                problem = ApiError(status, reason, data, headers)
                problem.maybe_done = maybe_done
                if status not in _RETRY_STATUSES:
                    raise problem
                maybe_done = maybe_done or status in _MAYBE_DONE_STATUSES
                retry_after = _retry_after(headers.get("retry-after"))
            if retry_after is not None:  # the server's wish, with a little jitter against a herd
                delay = retry_after + random.uniform(0, min(1.0, retry_after / 4))
            else:
                ceiling = min(_BACKOFF_MAX, _BACKOFF_FIRST * 2 ** attempt)
                delay = random.uniform(ceiling / 2, ceiling)
            if attempt + 1 == _MAX_ATTEMPTS or delay > self.clock.left() - 0.1:
                problem.maybe_done = maybe_done
                raise problem
            shown = problem.short() if isinstance(problem, ApiError) else _one_line(problem, 160)
            note(f"WARNING - {method} {path.split('?')[0]}: {shown}; retrying in {delay:.1f} s")
            time.sleep(delay)
        raise AssertionError("unreachable")

    def get(self, path):
        return self.call("GET", path)[0]


def _retry_after(value):
    """Retry-After as seconds (the API server sends an integer; an HTTP date is honoured too)."""
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        from email.utils import parsedate_to_datetime

        when = parsedate_to_datetime(value)
        return max(0.0, when.timestamp() - time.time())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def api_path(prefix, resource, namespace=None, name=None, query=None):
    path = prefix
    if namespace is not None:
        path += f"/namespaces/{quote(str(namespace), safe='')}"
    path += f"/{resource}"
    if name is not None:
        path += f"/{quote(str(name), safe='')}"
    if query:
        path += "?" + urlencode(query)
    return path


# ----- objects a launch creates, and removes again when it fails ------------------------------------

class CreatedObject:
    def __init__(self, kind, path, namespace, name):
        self.kind, self.path, self.namespace, self.name = kind, path, namespace, name

    def __str__(self):
        return f"{self.kind} {self.namespace}/{self.name}" if self.namespace else f"{self.kind} {self.name}"


class Launch:
    """Creates objects and remembers those this launch made, to delete them if it fails."""

    def __init__(self, api):
        self.api = api
        self.created = []  # CreatedObject, in creation order
        self.kept = []  # (description, why) of objects found in place and left alone

    def create(self, prefix, resource, kind, namespace, body, adopt_lost=True):
        """POSTs the object; returns the API's copy.  With adopt_lost, an AlreadyExists after an
        attempt that may have gone through (its answer was lost) is this launch's own object; any
        other AlreadyExists is raised."""
        try:
            obj, _ = self.api.call("POST", api_path(prefix, resource, namespace), body)
        except ApiError as exc:
            if not (adopt_lost and is_already_exists(exc) and exc.maybe_done):
                raise
            obj = body
        self.remember(prefix, resource, kind, namespace, obj, body)
        return obj

    def remember(self, prefix, resource, kind, namespace, obj, body):
        name = ((obj or {}).get("metadata") or {}).get("name") or ((body or {}).get("metadata") or {}).get("name")
        if isinstance(name, str) and name:  # (without a name the path would be the whole collection)
            self.created.append(CreatedObject(kind, api_path(prefix, resource, namespace, name), namespace, name))

    def keep(self, kind, namespace, name, why):
        self.kept.append((str(CreatedObject(kind, None, namespace, name)), why))

    def remove_created(self):
        """Deletes what this launch created, newest first (pods and custom resources with grace
        period 0, then waits until they are gone), and says so on stderr."""
        self.api.clock.cleaning = True
        removed, gone_check = [], []
        for obj in reversed(self.created):
            body = {"propagationPolicy": "Background"}
            if obj.kind == "Pod" or obj.path.startswith("/apis/"):
                body["gracePeriodSeconds"] = 0
            try:
                self.api.call("DELETE", obj.path, body)
            except ApiError as exc:
                if exc.status != 404:
                    note(f"WARNING - could not delete {obj}: {exc}")
                    continue
            except ConnectionProblem as exc:
                note(f"WARNING - could not delete {obj}: {exc}")
                continue
            removed.append(obj)
            if obj.kind == "Pod" or obj.path.startswith("/apis/"):
                gone_check.append(obj)
        for obj in gone_check:
            if not self._wait_gone(obj):
                note(f"WARNING - {obj} is still present after its deletion")
        self.created = []
        if removed:
            note("INFO - deleted what this launch created: " + ", ".join(map(str, removed)))
        for what, why in self.kept:
            note(f"INFO - kept {what}: {why}")

    def _wait_gone(self, obj, patience=5.0):
        until = time.monotonic() + patience
        while time.monotonic() < until and self.api.clock.left() > 0.1:
            try:
                self.api.call("GET", obj.path)
            except ApiError as exc:
                if exc.status == 404:
                    return True
            except ConnectionProblem:
                pass
            time.sleep(0.1)
        return False


# ----- waiting for the kernel to start (fail fast) ---------------------------------------------------
# After creating its objects the launcher stays until the kernel pod runs (exit 0 at once) or can
# never start; then it deletes what it created and exits 1, which the provisioner reports on its
# next poll (no pod, launcher exited non-zero) instead of waiting for its launch timeout.

# Waiting reasons that no retry by the kubelet can cure.
_TERMINAL_REASONS = frozenset((
    "InvalidImageName", "ErrImageNeverPull", "CreateContainerConfigError", "SignatureValidationFailed",
))
_PULL_REASONS = frozenset(("ErrImagePull", "ImagePullBackOff", "RegistryUnavailable"))
# Retried by the kubelet and sometimes cured (a registry back, a runtime hiccup): given a grace.
_REPEATING_REASONS = _PULL_REASONS | frozenset(("CreateContainerError", "RunContainerError", "ImageInspectError"))
_QUIET_REASONS = frozenset(("ContainerCreating", "PodInitializing"))
# The registry answered (the image does not exist, or we may not have it): retrying cannot help.
_REGISTRY_REFUSED = r"not found|manifest unknown|name unknown|denied|unauthori[sz]ed|forbidden|does not exist|\b40[134]\b"


_SPARK_FAILED_STATES = frozenset(("FAILED", "SUBMISSION_FAILED"))


def _registry_refused(message):
    return re.search(_REGISTRY_REFUSED, message, re.IGNORECASE) is not None  # compiled only if needed


def _flag(environ, name, default):
    value = environ.get(name)
    if value is None or value.strip() == "":
        return default
    word = value.strip().lower()
    if word in ("1", "true", "yes", "on"):
        return True
    if word in ("0", "false", "no", "off"):
        return False
    raise LaunchError(f"{name} must be true or false, got {_show(value)} - kernel launch terminating!")


def _grace(environ, name, default):
    value = environ.get(name)
    if value is None or value.strip() == "":
        return default
    if value.strip().lower() in ("none", "never", "off"):
        return None
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not (math.isfinite(seconds) and seconds >= 0):
        raise LaunchError(f"{name} must be a number of seconds, got {_show(value)} - kernel launch terminating!")
    return seconds


class WaitPolicy:
    """K8S_SPEC_FAIL_FAST (default true; false: exit right after creating, as the reference does),
    K8S_SPEC_PULL_GRACE (seconds a retryable pull or container-creation failure may repeat,
    default 60), K8S_SPEC_UNSCHEDULABLE_GRACE (seconds an unschedulable pod may wait; default
    none: until the launch timeout, as a cluster autoscaler may add a node)."""

    def __init__(self, environ):
        self.fail_fast = _flag(environ, "K8S_SPEC_FAIL_FAST", True)
        self.pull_grace = _grace(environ, "K8S_SPEC_PULL_GRACE", 60.0)
        self.unschedulable_grace = _grace(environ, "K8S_SPEC_UNSCHEDULABLE_GRACE", None)


class Verdict:
    RUNNING, CANNOT_START, FAILED, GONE, BLIND, TIMEOUT = "running", "cannot start", "failed", "gone", "blind", "timeout"

    def __init__(self, outcome, what, reason="", message="", pod=None):
        self.outcome, self.what, self.reason, self.message = outcome, what, reason, message
        self.pod = pod  # the pod it is about, if any

    def line(self, clock):
        state = f"{self.reason}: {self.message}" if self.message else self.reason
        if self.outcome == Verdict.CANNOT_START:
            return f"{self.what} cannot start: {state}"
        if self.outcome == Verdict.FAILED:
            return f"{self.what} failed before the kernel was running (kept for its logs): {state}"
        if self.outcome == Verdict.GONE:
            return f"{self.what} was deleted before the kernel was running"
        return f"{self.what} did not start within the launch timeout ({clock.timeout:g} s): {state or 'Pending'}"


def _one_line(text, limit=400):
    text = " ".join(str(text or "").split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


class PodJudge:
    """Reads pod states as they come and decides when the wait is over."""

    def __init__(self, policy, name=None):
        self.policy = policy
        self.name = name  # the pod waited for; None: any pod of the selector (a Spark driver)
        self.pods = {}
        self.logged = set()
        self.since = {}  # (pod, what) -> monotonic time a repeating problem was first seen
        self.pull_error = {}  # (pod, container) -> the registry's last answer
        self.last = ("", "")  # latest reason and message, for the timeout line

    def what(self, name):
        return f"kernel pod {name}"

    def subject(self, pod):
        return self.what(pod) if pod else "the kernel"

    def _verdict(self, outcome, name, reason="", message=""):
        return Verdict(outcome, self.what(name), reason, message, pod=name)

    def event(self, kind, obj):
        if kind == "LISTED":
            for name in list(self.pods):
                if name not in obj:
                    self.pods.pop(name)
                    if name == self.name:
                        return self._verdict(Verdict.GONE, name)
            return None
        name = (obj.get("metadata") or {}).get("name")
        if kind == "DELETED":
            self.pods.pop(name, None)
            return self._verdict(Verdict.GONE, name) if name == self.name else None
        if self.name is not None and name != self.name:
            return None
        self.pods[name] = obj
        return self.assess(name, obj)

    def tick(self):
        for name, obj in list(self.pods.items()):
            verdict = self.assess(name, obj)
            if verdict:
                return verdict
        return None

    def next_check(self):
        graces = []
        for (pod, what), since in self.since.items():
            if pod not in self.pods:  # gone meanwhile (a Spark driver pod is replaced, say)
                continue
            grace = self.policy.unschedulable_grace if what == "Unschedulable" else self.policy.pull_grace
            if grace is not None:
                graces.append(since + grace)
        return min(graces) if graces else None

    def _log(self, name, reason, message):
        self.last = (reason, message)
        key = (name, reason, message)
        if key not in self.logged:
            self.logged.add(key)
            note(f"WARNING - {self.what(name)}: {reason}: {message}" if message else
                 f"WARNING - {self.what(name)}: {reason}")

    def _repeating(self, name, what, reason, message, grace):
        since = self.since.setdefault((name, what), time.monotonic())
        if grace is not None and time.monotonic() - since >= grace:
            return self._verdict(Verdict.CANNOT_START, name, reason,
                           f"{message} (still failing after {time.monotonic() - since:.0f} s)")
        return None

    def assess(self, name, pod):
        status = pod.get("status") or {}
        phase = status.get("phase")
        if (pod.get("metadata") or {}).get("deletionTimestamp") and name == self.name:
            return self._verdict(Verdict.GONE, name)
        if phase == "Running":
            return self._verdict(Verdict.RUNNING, name)
        if phase == "Failed":
            return self._verdict(Verdict.FAILED, name, *self._termination(status))
        if phase == "Succeeded":
            return self._verdict(Verdict.CANNOT_START, name, "Completed",
                                 "the kernel container exited before the kernel was running")
        active = set()
        for cond in status.get("conditions") or []:
            if cond.get("type") == "PodScheduled" and cond.get("status") == "False":
                reason = cond.get("reason") or "Unschedulable"
                message = _one_line(cond.get("message"))
                self._log(name, reason, message)
                active.add((name, "Unschedulable"))
                verdict = self._repeating(name, "Unschedulable", reason, message, self.policy.unschedulable_grace)
                if verdict:
                    return verdict
        statuses = (status.get("initContainerStatuses") or []) + (status.get("containerStatuses") or [])
        for cs in statuses:
            waiting = (cs.get("state") or {}).get("waiting") or {}
            reason = waiting.get("reason")
            if not reason or reason in _QUIET_REASONS:
                continue
            message = _one_line(waiting.get("message"))
            container = cs.get("name")
            if reason in _TERMINAL_REASONS:
                return self._verdict(Verdict.CANNOT_START, name, reason, message)
            if reason in _PULL_REASONS:
                # ImagePullBackOff only says "Back-off pulling image"; the registry's answer came
                # with the ErrImagePull before it.
                if reason != "ImagePullBackOff" or (name, container) not in self.pull_error:
                    self.pull_error[(name, container)] = (reason, message)
                first_reason, first_message = self.pull_error[(name, container)]
                if _registry_refused(first_message):
                    return self._verdict(Verdict.CANNOT_START, name, first_reason, first_message)
            self._log(name, reason, message)
            if reason in _REPEATING_REASONS:
                what = f"{container}:{'pull' if reason in _PULL_REASONS else 'create'}"
                active.add((name, what))
                shown = message
                if reason == "ImagePullBackOff" and (name, container) in self.pull_error:
                    first_reason, first_message = self.pull_error[(name, container)]
                    shown = f"{message}; last error: {first_reason}: {first_message}"
                verdict = self._repeating(name, what, reason, shown, self.policy.pull_grace)
                if verdict:
                    return verdict
        for key in [k for k in self.since if k[0] == name and k not in active]:
            del self.since[key]  # cured (e.g. the image could be pulled after all)
        return None

    @staticmethod
    def _termination(status):
        for cs in (status.get("initContainerStatuses") or []) + (status.get("containerStatuses") or []):
            done = (cs.get("state") or {}).get("terminated")
            if done and done.get("exitCode"):
                detail = f"container {cs.get('name')} exited with code {done.get('exitCode')}"
                if done.get("message"):
                    detail += f": {_one_line(done.get('message'))}"
                return done.get("reason") or "Error", detail
        return status.get("reason") or "Failed", _one_line(status.get("message"))


class SparkApplicationJudge(PodJudge):
    """A SparkApplication's kernel runs in its driver pod: running when the driver pod runs (or the
    application says RUNNING), over when the driver pod cannot start or the application failed."""

    def __init__(self, policy, app_name):
        super().__init__(policy)
        self.app_name = app_name
        self.app_seen = False

    def what(self, name):
        return f"kernel pod {name} (Spark driver of {self.app_name})"

    def subject(self, pod):
        return self.what(pod) if pod else f"SparkApplication {self.app_name}"

    def app_event(self, kind, obj):
        app = f"SparkApplication {self.app_name}"
        if kind == "LISTED":
            if self.app_seen and self.app_name not in obj:
                return Verdict(Verdict.GONE, app)
            self.app_seen = self.app_seen or self.app_name in obj
            return None
        if (obj.get("metadata") or {}).get("name") != self.app_name:
            return None
        if kind == "DELETED":
            return Verdict(Verdict.GONE, app)
        self.app_seen = True
        state = ((obj.get("status") or {}).get("applicationState") or {})
        value = str(state.get("state") or "").upper()
        if value == "RUNNING":
            return Verdict(Verdict.RUNNING, app)
        if value in _SPARK_FAILED_STATES:
            return Verdict(Verdict.FAILED, app, value, _one_line(state.get("errorMessage")))
        return None


class Watcher(threading.Thread):
    """Lists, then watches, the objects of a collection that match a selector; every state goes to
    the queue as (tag, kind, object).  Falls back to polling where watching is not allowed."""

    POLL = 1.0

    def __init__(self, api, tag, prefix, resource, namespace, selector, events):
        super().__init__(daemon=True)
        self.api, self.tag, self.events = api, tag, events
        self.prefix, self.resource, self.namespace, self.selector = prefix, resource, namespace, selector

    def _put(self, kind, obj):
        self.events.put((self.tag, kind, obj))

    def _list(self):
        listing = self.api.get(api_path(self.prefix, self.resource, self.namespace, query=self.selector))
        names = set()
        for item in listing.get("items") or []:
            names.add((item.get("metadata") or {}).get("name"))
            self._put("SYNC", item)
        self._put("LISTED", names)
        return (listing.get("metadata") or {}).get("resourceVersion")

    def run(self):
        try:
            self._run()
        except BaseException as exc:  # a bug here must not leave the main thread waiting silently
            self._put("PROBLEM", exc)

    def _run(self):
        version, polling, failures = None, False, 0
        clock = self.api.clock
        while clock.left() > 0:
            try:
                if version is None or polling:
                    version = self._list()
                    if polling:
                        time.sleep(self.POLL)
                        continue
                seconds = max(1, int(clock.left()))
                query = {**self.selector, "watch": "true", "resourceVersion": version,
                         "allowWatchBookmarks": "true", "timeoutSeconds": str(seconds)}
                stream = self.api.transport.open_stream(
                    api_path(self.prefix, self.resource, self.namespace, query=query), seconds + 5)
                try:
                    for line in stream.lines():
                        if not line.strip():
                            continue
                        event = json.loads(line)
                        kind, obj = event.get("type"), event.get("object") or {}
                        if kind == "ERROR":
                            if obj.get("code") == 410:  # our version is too old: list again
                                version = None
                                break
                            raise ApiError(obj.get("code") or 500, obj.get("reason") or "Error", json.dumps(obj))
                        version = (obj.get("metadata") or {}).get("resourceVersion") or version
                        if kind != "BOOKMARK":
                            self._put(kind, obj)
                finally:
                    stream.close()
                failures = 0
            except ApiError as exc:
                if exc.status == 410:  # the version we watch from is gone: list again
                    version = None
                    continue
                if exc.status in (403, 405) and version is not None and not polling:
                    polling = True  # may list but not watch: poll instead
                    continue
                if exc.status not in _RETRY_STATUSES:
                    self._put("PROBLEM", exc)
                    return
                failures += 1
            except (ConnectionProblem, ValueError) as exc:
                failures += 1
                if failures >= 3:
                    self._put("PROBLEM", exc)
            if failures:
                ceiling = min(_BACKOFF_MAX, _BACKOFF_FIRST * 2 ** failures)
                time.sleep(random.uniform(ceiling / 2, ceiling))


def follow(events, clock, judge):
    """Feeds the watchers' events to the judge until it returns a verdict or waiting time is up."""
    problem = None
    while True:
        wake = clock.wait_end
        check = judge.next_check()
        if check is not None:
            wake = min(wake, check)
        try:
            tag, kind, obj = events.get(timeout=max(0.0, wake - time.monotonic()))
        except queue.Empty:
            verdict = judge.tick()
        else:
            if kind == "PROBLEM":
                problem = obj
                if isinstance(obj, ApiError) and obj.status in (401, 403, 404):
                    return Verdict(Verdict.BLIND, "", "", str(obj))
                if not isinstance(obj, (ApiError, ConnectionProblem, ValueError)):
                    raise obj
                verdict = None
            elif tag == "app":
                verdict = judge.app_event(kind, obj)
            else:
                verdict = judge.event(kind, obj)
        if verdict:
            return verdict
        if time.monotonic() >= clock.wait_end:
            reason, message = judge.last
            if not reason and problem is not None:
                reason, message = "API unreachable", str(problem)
            pods = list(judge.pods)
            pod = judge.name or (pods[0] if len(pods) == 1 else None)
            return Verdict(Verdict.TIMEOUT, judge.subject(pod), reason, message, pod=pod)


def await_start(launch, clock, judge, watches, subject):
    """Watches (tag, api prefix, resource, namespace, selector) until the judge decides.  None when
    the kernel runs, or cannot be followed (no permission to read it: then it is not waited for);
    otherwise the verdict, for the launcher to adjust what is deleted before raising it."""
    events = queue.Queue()
    for tag, prefix, resource, namespace, selector in watches:
        Watcher(launch.api, tag, prefix, resource, namespace, selector, events).start()
    verdict = follow(events, clock, judge)
    if verdict.outcome == Verdict.RUNNING:
        return None
    if verdict.outcome == Verdict.BLIND:
        note(f"WARNING - cannot follow {subject} ({verdict.message}); not waiting for it to start")
        return None
    return verdict


class KernelCannotStart(LaunchError):
    """The kernel's pod (or application) will not run: reported as one ERROR line."""
