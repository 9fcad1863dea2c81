"""Container kernelspecs (kubernetes-provisioner + launch_kubernetes.py) launched end to end."""

import re

import pytest

from expect import (PROBE, check_kernel_env, check_pod_body, check_pod_deletes, check_pod_lookups, env_of,
                    launch_argv, probe)

PY_IMAGE = "elyra/kernel-py:0.5.0"


def response_and_key(argv):
    return argv[argv.index("--response-address") + 1], argv[argv.index("--public-key") + 1]


def test_python_lifecycle_in_shared_namespace(gateway, specs):
    run = gateway("k8s_python", [
        "start",
        {"op": "execute", "code": PROBE},
        {"op": "execute", "code": "x = 41"},
        "interrupt",
        {"op": "execute", "code": "print(x + 1)"},
        "restart",
        {"op": "execute", "code": "print('x' in dir())"},
        {"op": "execute", "code": PROBE},
        "shutdown",
    ], client_env={"KERNEL_USERNAME": "Alice.Smith", "KERNEL_WORKING_DIR": "/not/mirrored"})

    start = run.ok("start")
    kid = start["kernel_id"]
    pod = f"alice-smith-{kid}"
    assert (start["provisioner"], start["pod_name"], start["namespace"]) == ("KubernetesProvisioner", pod, "default")
    assert start["ip"] == "127.0.0.1"  # the pod IP replaced the launcher's 0.0.0.0

    # The kernel answers, runs in the pod with the expected environment, and survives an interrupt.
    seen = probe(run, 0)
    assert seen["env"]["KERNEL_ID"] == kid and seen["env"]["HOSTNAME"] == pod
    assert "KERNEL_WORKING_DIR" not in seen["env"]  # removed: GP_MIRROR_WORKING_DIRS is off
    assert run.ok("execute", 1) == {"stdout": "", "result": None, "status": "ok", "ename": None}
    interrupted = run.ok("interrupt")
    assert (interrupted["status"], interrupted["ename"]) == ("error", "KeyboardInterrupt")
    assert interrupted["interrupt_seconds"] < 5
    assert run.ok("execute", 2)["stdout"] == "42\n"
    # Restart: a new pod with the same name, and a fresh interpreter.
    restarted = run.ok("restart")
    assert (restarted["kernel_id"], restarted["pod_name"], restarted["alive"]) == (kid, pod, True)
    assert run.ok("execute", 3)["stdout"] == "False\n"
    assert probe(run, 4)["env"]["KERNEL_ID"] == kid
    assert run.ok("shutdown") == {"alive": False}

    # Launch command: the installed argv with the placeholders filled in.
    argvs = launch_argv(run)
    assert len(argvs) == 2
    for argv in argvs:
        address, key = response_and_key(argv)
        assert argv == ["python", f"{specs['k8s_python']}/scripts/launch_kubernetes.py",
                        "--kernel-id", kid, "--port-range", "0..0", "--response-address", address,
                        "--public-key", key, "--transport-encryption", "",
                        "--kernel-class-name", "ipykernel.ipkernel.IPythonKernel"]
        assert address.startswith("127.0.0.1:")

    # API traffic: create, (poll), delete -- twice; nothing else changes the cluster.
    pod_path = f"/api/v1/namespaces/default/pods/{pod}"
    assert run.mutations() == [("POST", "/api/v1/namespaces/default/pods"), ("DELETE", pod_path)] * 2
    posts = run.calls("POST")
    assert len(posts) == 2
    for post in posts:
        assert post["code"] == 201
        env = check_pod_body(post["body"], kernel_id=kid, name=pod, namespace="default", image=PY_IMAGE)
        check_kernel_env(env, kernel_id=kid, username="Alice.Smith", namespace="default", pod=pod,
                         language="python", image=PY_IMAGE, kernel_name="k8s_python",
                         response_address=address)
        assert "KERNEL_WORKING_DIR" not in env
    check_pod_lookups(run, "default", kid)
    check_pod_deletes(run, "default", pod, 2)
    assert [b["source"] for b in run.boots()] == ["env", "env"]  # both pods booted from their env
    # The provisioner saw the kubelet's phases: Pending first, then Running.
    phases = re.findall(rf"Name: '{pod}', Status: '(\w*)'", run.log)
    assert "pending" in phases and phases.index("pending") < phases.index("running"), phases
    assert run.cluster.cluster.list("pods") == []


@pytest.mark.parametrize("spec, language, image", [
    ("k8s_r", "r", "elyra/kernel-r:0.5.0"),
    ("k8s_scala", "scala", "elyra/kernel-scala:0.5.0"),
])
def test_r_and_scala_specs(gateway, specs, spec, language, image):
    run = gateway(spec, ["start", {"op": "execute", "code": PROBE}, "shutdown"],
                  client_env={"KERNEL_USERNAME": "bob"})
    kid = run.ok("start")["kernel_id"]
    pod = f"bob-{kid}"
    assert probe(run)["env"]["KERNEL_LANGUAGE"] == language
    assert run.ok("shutdown") == {"alive": False}

    [argv] = launch_argv(run)
    address, key = response_and_key(argv)
    assert argv == ["python", f"{specs[spec]}/scripts/launch_kubernetes.py", "--kernel-id", kid,
                    "--port-range", "0..0", "--response-address", address, "--public-key", key]
    assert run.mutations() == [("POST", "/api/v1/namespaces/default/pods"),
                               ("DELETE", f"/api/v1/namespaces/default/pods/{pod}")]
    [post] = run.calls("POST")
    env = check_pod_body(post["body"], kernel_id=kid, name=pod, namespace="default", image=image)
    check_kernel_env(env, kernel_id=kid, username="bob", namespace="default", pod=pod,
                     language=language, image=image, kernel_name=spec, response_address=address,
                     class_name=None)
    check_pod_lookups(run, "default", kid)
    check_pod_deletes(run, "default", pod, 1)


def test_bring_your_own_namespace(gateway):
    run = gateway("k8s_python", ["start", {"op": "execute", "code": PROBE}, "shutdown"],
                  client_env={"KERNEL_USERNAME": "carol", "KERNEL_NAMESPACE": "team-byo",
                              "KERNEL_SERVICE_ACCOUNT_NAME": "byo-sa"})
    kid = run.ok("start")["kernel_id"]
    pod = f"carol-{kid}"
    assert probe(run)["env"]["KERNEL_NAMESPACE"] == "team-byo"
    assert run.ok("shutdown") == {"alive": False}
    assert "KERNEL_NAMESPACE provided by client: team-byo" in run.log
    assert run.mutations() == [("POST", "/api/v1/namespaces/team-byo/pods"),
                               ("DELETE", f"/api/v1/namespaces/team-byo/pods/{pod}")]
    env = check_pod_body(run.calls("POST")[0]["body"], kernel_id=kid, name=pod, namespace="team-byo",
                         image=PY_IMAGE, service_account="byo-sa")
    assert (env["KERNEL_NAMESPACE"], env["KERNEL_SERVICE_ACCOUNT_NAME"]) == ("team-byo", "byo-sa")
    check_pod_lookups(run, "team-byo", kid)
    check_pod_deletes(run, "team-byo", pod, 1)
    assert run.cluster.cluster.get("namespaces", "", "team-byo") is not None  # not ours to delete


# As `jupyter-k8s-spec rbac --namespace-mode auto` tells the server to set it (its role is bound).
AUTO_SERVER_ENV = {"GP_SHARED_NAMESPACE": "false", "GP_KERNEL_CLUSTER_ROLE": "kernel-controller"}


def test_automatic_namespace(gateway):
    """Automatic mode, in the venv with kubernetes 28.1.0 (see requirements-auto.txt)."""
    run = gateway("k8s_python", ["start", {"op": "execute", "code": PROBE}, "restart",
                                 {"op": "execute", "code": PROBE}, "shutdown"],
                  client_env={"KERNEL_USERNAME": "dave", "KERNEL_SERVICE_ACCOUNT_NAME": "kernel-sa"},
                  server_env=AUTO_SERVER_ENV, venv="auto")
    kid = run.ok("start")["kernel_id"]
    ns = pod = f"dave-{kid}"
    assert run.ok("start")["namespace"] == ns
    assert probe(run, 0)["env"]["KERNEL_NAMESPACE"] == ns
    assert run.ok("restart")["namespace"] == ns
    assert probe(run, 1)["env"]["KERNEL_NAMESPACE"] == ns
    run.ok("shutdown")

    pods, pod_path = f"/api/v1/namespaces/{ns}/pods", f"/api/v1/namespaces/{ns}/pods/{pod}"
    rb = f"/apis/rbac.authorization.k8s.io/v1/namespaces/{ns}/rolebindings"
    assert run.mutations() == [
        ("POST", "/api/v1/namespaces"), ("POST", rb), ("POST", pods), ("DELETE", pod_path),
        ("POST", "/api/v1/namespaces"),  # restart: 409, the namespace is re-used
        ("POST", pods), ("DELETE", pod_path), ("DELETE", f"/api/v1/namespaces/{ns}"),
    ]
    ns_posts = run.calls("POST", r"^/api/v1/namespaces$")
    assert [p["code"] for p in ns_posts] == [201, 409]
    labels = {"app": "gateway-provisioners", "component": "kernel", "kernel_id": kid}
    for p in ns_posts:
        assert p["body"]["metadata"] == {"name": ns, "labels": labels}
    [binding] = run.calls("POST", rb)
    body = binding["body"]
    assert binding["code"] == 201
    assert body["metadata"] == {"name": "kernel-controller", "labels": labels}
    assert body["roleRef"] == {"apiGroup": "", "kind": "ClusterRole", "name": "kernel-controller"}
    assert body["subjects"] == [{"apiGroup": "", "kind": "ServiceAccount", "name": "kernel-sa", "namespace": ns}]
    pod_posts = run.calls("POST", f"^{pods}$")
    assert [p["code"] for p in pod_posts] == [201, 201]
    for post in pod_posts:
        check_pod_body(post["body"], kernel_id=kid, name=pod, namespace=ns, image=PY_IMAGE,
                       service_account="kernel-sa")
    check_pod_deletes(run, ns, pod, 2)
    assert f"Created kernel namespace: {ns}" in run.log and f"Re-using kernel namespace: {ns}" in run.log
    assert run.cluster.cluster.get("namespaces", "", ns) is None
    assert run.cluster.cluster.list("rolebindings") == []


def test_automatic_namespace_fails_with_current_client(gateway):
    """Documents the upstream defect (launchers.md 3.5): not hidden, only worked around above."""
    run = gateway("k8s_python", ["start"], client_env={"KERNEL_USERNAME": "dave"},
                  server_env=AUTO_SERVER_ENV, venv="main")
    err = run.failed("start")
    assert err["type"] == "RuntimeError"
    assert "Error occurred creating role binding for namespace 'dave-" in err["message"]
    assert "V1Subject" in err["message"]
    ns = err["message"].split("'")[1]
    assert run.mutations() == [("POST", "/api/v1/namespaces"), ("DELETE", f"/api/v1/namespaces/{ns}")]


def test_resources_working_dir_volumes_ids_and_port_range(gateway, specs, tmp_path):
    workdir = tmp_path / "kernel-work"
    workdir.mkdir()
    client_env = {
        "KERNEL_USERNAME": "erin",
        "KERNEL_CPUS": "500m", "KERNEL_MEMORY": "1Gi", "KERNEL_GPUS": "1",
        "KERNEL_CPUS_LIMIT": "1", "KERNEL_MEMORY_LIMIT": "2Gi", "KERNEL_GPUS_LIMIT": "2",
        "KERNEL_WORKING_DIR": str(workdir),
        "KERNEL_VOLUMES": "[{name: data, persistentVolumeClaim: {claimName: pvc1}}]",
        "KERNEL_VOLUME_MOUNTS": "[{name: data, mountPath: /data}]",
        "KERNEL_UID": "1234", "KERNEL_GID": "2345",
    }
    run = gateway("e2e_custom", ["start", {"op": "execute", "code": PROBE}, "shutdown"],
                  client_env=client_env, server_env={"GP_MIRROR_WORKING_DIRS": "true"})
    start = run.ok("start")
    kid, pod, image = start["kernel_id"], f"erin-{start['kernel_id']}", "e2e.local/kernel-py:42"
    seen = probe(run)
    assert seen["cwd"] == str(workdir)  # the kubelet honoured workingDir
    # Kernel and communication ports come from the configured range.
    ports = [*start["ports"].values(), start["provisioner_info"]["comm_port"]]
    assert all(40000 <= p <= 41000 for p in ports), ports
    run.ok("shutdown")

    [argv] = launch_argv(run)
    assert argv[argv.index("--port-range") + 1] == "40000..41000"
    [post] = run.calls("POST")
    env = check_pod_body(
        post["body"], kernel_id=kid, name=pod, namespace="default", image=image, uid=1234, gid=2345,
        container_extra={
            "resources": {"requests": {"cpu": "500m", "memory": "1Gi", "nvidia.com/gpu": "1"},
                          "limits": {"cpu": "1", "memory": "2Gi", "nvidia.com/gpu": "2"}},
            "workingDir": str(workdir),
            "volumeMounts": [{"name": "data", "mountPath": "/data"}],
        },
        spec_extra={"volumes": [{"name": "data", "persistentVolumeClaim": {"claimName": "pvc1"}}]},
    )
    check_kernel_env(env, kernel_id=kid, username="erin", namespace="default", pod=pod,
                     language="python", image=image, kernel_name="e2e_custom",
                     response_address=argv[argv.index("--response-address") + 1],
                     port_range="40000..41000", uid="1234", gid="2345")
    assert env["KERNEL_WORKING_DIR"] == str(workdir)


@pytest.mark.parametrize("client_env, message", [
    ({"KERNEL_USERNAME": "mallory", "KERNEL_UID": "0"},
     "Kernel's UID value of '0' has been denied via GP_PROHIBITED_UIDS!"),
    ({"KERNEL_USERNAME": "mallory", "KERNEL_GID": "0"},
     "Kernel's GID value of '0' has been denied via GP_PROHIBITED_GIDS!"),
    ({"KERNEL_USERNAME": "root"},  # unauthorized_users defaults to root (not written by the installer)
     "User 'root' is not authorized to start kernel 'Kubernetes Python'. "
     "Ensure KERNEL_USERNAME is set to an appropriate value and retry the request."),
], ids=["uid-0", "gid-0", "user-root"])
def test_refused_before_any_api_call(gateway, client_env, message):
    run = gateway("k8s_python", ["start"], client_env=client_env)
    assert run.failed("start") == {"type": "PermissionError", "message": message}
    assert run.calls() == []
    assert run.launch_cmds() == []


@pytest.mark.hardening
@pytest.mark.parametrize("uid", ["00", "+0", "abc"])
def test_uid_that_evades_the_string_check_fails_the_launch(gateway, uid):
    """KERNEL_UID=00 passes the provisioner's string comparison; the launcher must not turn it into root."""
    run = gateway("k8s_python", ["start"], client_env={"KERNEL_USERNAME": "mallory", "KERNEL_UID": uid})
    err = run.failed("start")
    # The provisioner let the value through and ran the launcher, which refused it before any request.
    [argv] = launch_argv(run)
    assert err == {"type": "RuntimeError", "message": f"Error occurred during launch of KernelID: {argv[3]}.  "
                                                      "Check Enterprise Gateway log for more information."}
    assert f"ERROR - KERNEL_UID must be a plain decimal integer, got '{uid}' - kernel launch terminating!" in run.log
    assert run.calls("POST") == []
    assert run.cluster.cluster.pod_history == []


@pytest.mark.hardening
def test_yaml_injection_through_service_account_does_not_reach_the_pod(gateway):
    # A YAML double-quoted scalar: the launcher's YAML typing of KERNEL_* decodes \n and \".
    evil = r'"default\"\n  hostPID: true\n  hostNetwork: true\n  schedulerName: \"default-scheduler"'
    decoded = 'default"\n  hostPID: true\n  hostNetwork: true\n  schedulerName: "default-scheduler'
    run = gateway("k8s_python", ["start", "shutdown"],
                  client_env={"KERNEL_USERNAME": "mallory", "KERNEL_SERVICE_ACCOUNT_NAME": evil})
    # The launch happened: the pod was created and the kernel started (the stand-in does not check
    # service account names; a real API server would refuse this one, and nothing would run).
    kid = run.ok("start")["kernel_id"]
    assert run.ok("shutdown") == {"alive": False}
    [post] = run.calls("POST", r"/pods$")
    assert post["code"] == 201
    # What was posted: the whole value, as text, in the one field it was meant for.
    env = check_pod_body(post["body"], kernel_id=kid, name=f"mallory-{kid}", namespace="default", image=PY_IMAGE,
                         service_account=decoded)
    assert env["KERNEL_SERVICE_ACCOUNT_NAME"] == evil  # the launch environment, copied as it is


def test_transport_encryption_reaches_the_kernel(gateway, specs):
    """The default Python spec advertises curve: the policy travels argv -> launcher -> pod env."""
    run = gateway("k8s_python", ["start", {"op": "execute", "code": PROBE}, "shutdown"],
                  client_env={"KERNEL_USERNAME": "ivy"}, start_kwargs={"transport_encryption": "required"})
    start = run.ok("start")
    assert start["curve"] is True  # the client sockets use the kernel's CurveZMQ keys
    assert probe(run)["env"]["KERNEL_ID"] == start["kernel_id"]
    run.ok("shutdown")
    [argv] = launch_argv(run)
    assert argv[argv.index("--transport-encryption") + 1] == "required"
    env = check_pod_body(run.calls("POST")[0]["body"], kernel_id=start["kernel_id"],
                         name=f"ivy-{start['kernel_id']}", namespace="default", image=PY_IMAGE)
    assert env["TRANSPORT_ENCRYPTION"] == "required"


@pytest.mark.parametrize("spec", ["k8s_r", "k8s_scala", "k8s_python_spark_operator"])
def test_transport_encryption_required_refused_without_curve_support(gateway, spec):
    run = gateway(spec, ["start"], client_env={"KERNEL_USERNAME": "ivy"},
                  start_kwargs={"transport_encryption": "required"})
    assert run.failed("start") == {
        "type": "RuntimeError",
        "message": "transport_encryption='required' but kernelspec does not declare 'curve' in "
                   "`metadata.supported_encryption`."}  # jupyter_client refuses before the provisioner
    assert run.calls() == []


def test_pod_rejected_by_the_api_fails_the_launch_fast(gateway):
    run = gateway("k8s_python", ["start"], client_env={"KERNEL_USERNAME": "jo", "KERNEL_CPUS": "lots"})
    err = run.failed("start")
    [argv] = launch_argv(run)
    assert err == {"type": "RuntimeError", "message": f"Error occurred during launch of KernelID: {argv[3]}.  "
                                                      "Check Enterprise Gateway log for more information."}
    assert run.seconds("start") < 20  # reported when the launcher exits, not at the launch timeout
    [post] = run.calls("POST")
    assert post["code"] == 400  # the API server cannot decode the quantity
    assert post["body"]["spec"]["containers"][0]["resources"] == {"requests": {"cpu": "lots"}}
    assert "ERROR - Kubernetes API error (400 Bad Request): " in run.log
    assert "cannot be handled as a Pod: quantities must match the regular expression" in run.log
    assert run.cluster.cluster.pod_history == []


def test_failed_kernel_container_fails_the_launch(gateway):
    run = gateway("k8s_python", ["start"], client_env={"KERNEL_USERNAME": "jo", "KERNEL_LANGUAGE": "cobol"})
    assert run.failed("start") == {"type": "RuntimeError", "message":
                                   "Error starting kernel container; status: 'failed'.  Check server logs."}
    assert run.seconds("start") < 20
    assert "Unrecognized value for KERNEL_LANGUAGE: 'cobol'!" in run.pod_logs()
    [post] = run.calls("POST")
    assert env_of(post["body"]["spec"]["containers"][0])["KERNEL_LANGUAGE"] == "cobol"


def test_customised_template_creates_secret_and_claim(gateway):
    run = gateway("e2e_template", ["start", {"op": "execute", "code": "print(1)"}, "shutdown"],
                  client_env={"KERNEL_USERNAME": "kim", "KERNEL_NAMESPACE": "team-byo"})
    kid = run.ok("start")["kernel_id"]
    pod = f"kim-{kid}"
    assert run.ok("execute")["stdout"] == "1\n"
    run.ok("shutdown")
    base = "/api/v1/namespaces/team-byo"
    assert run.mutations() == [("POST", f"{base}/secrets"), ("POST", f"{base}/persistentvolumeclaims"),
                               ("POST", f"{base}/pods"), ("DELETE", f"{base}/pods/{pod}")]
    secret, claim, _ = run.calls("POST")
    assert (secret["code"], claim["code"]) == (201, 201)
    assert secret["body"] == {"apiVersion": "v1", "kind": "Secret", "stringData": {"token": "e2e"},
                              "metadata": {"name": f"{pod}-token", "labels": {"kernel_id": kid}}}
    assert claim["body"] == {"apiVersion": "v1", "kind": "PersistentVolumeClaim",
                             "metadata": {"name": "kim-home"},
                             "spec": {"accessModes": ["ReadWriteOnce"],
                                      "resources": {"requests": {"storage": "1Gi"}}}}
    # Nothing deletes them at shutdown (only the pod is the kernel's).
    assert run.cluster.cluster.get("persistentvolumeclaims", "team-byo", "kim-home") is not None


@pytest.mark.hardening
def test_existing_claim_is_reused_by_the_next_kernel(gateway):
    """Defect L2: an existing PVC (409 AlreadyExists) must not fail the next launch."""
    env = {"KERNEL_USERNAME": "kim", "KERNEL_NAMESPACE": "team-byo"}
    first = gateway("e2e_template", ["start", "shutdown"], client_env=env)
    first.ok("start")
    assert first.ok("shutdown") == {"alive": False}
    second = gateway("e2e_template", ["start", {"op": "execute", "code": "print(2)"}, "shutdown"],
                     client_env=env)
    second.ok("start")
    claims = [first.calls("POST", r"/persistentvolumeclaims$"), second.calls("POST", r"/persistentvolumeclaims$")]
    assert [[c["code"] for c in calls] for calls in claims] == [[201], [409]]
    assert second.ok("execute")["stdout"] == "2\n"
    assert second.ok("shutdown") == {"alive": False}
    assert [c["metadata"]["name"] for c in second.cluster.cluster.list("persistentvolumeclaims")] == ["kim-home"]
