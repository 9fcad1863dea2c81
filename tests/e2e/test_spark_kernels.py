"""Spark kernelspecs: the Spark operator variant (`--crd --spark`) and the spark-submit
variants (`--spark`, bin/run.sh), launched end to end through the KernelManager."""

import pytest

from conftest import SA_TOKEN
from expect import PROBE, PUBLIC_KEY, env_of, launch_argv, probe, provisioner_calls

SPARK_PY_IMAGE = "elyra/kernel-spark-py:0.5.0"
CLASS = "ipykernel.ipkernel.IPythonKernel"


def test_spark_operator(gateway, specs):
    run = gateway("k8s_python_spark_operator",
                  ["start", {"op": "execute", "code": PROBE}, "interrupt", "shutdown"],
                  client_env={"KERNEL_USERNAME": "frank"}, in_cluster=True)
    start = run.ok("start")
    kid = start["kernel_id"]
    app = f"frank-{kid}"
    assert start["provisioner"] == "SparkOperatorProvisioner"
    assert start["pod_name"] == f"{app}-driver"  # the operator's driver pod, found by label
    assert probe(run)["env"]["KERNEL_ID"] == kid
    assert run.ok("interrupt")["ename"] == "KeyboardInterrupt"
    assert run.ok("shutdown") == {"alive": False}

    [argv] = launch_argv(run)
    address = argv[argv.index("--response-address") + 1]
    key = argv[argv.index("--public-key") + 1]
    assert argv == ["python", f"{specs['k8s_python_spark_operator']}/scripts/launch_custom_resource.py",
                    "--kernel-id", kid, "--port-range", "0..0", "--response-address", address,
                    "--public-key", key, "--transport-encryption", "", "--kernel-class-name", CLASS]
    assert PUBLIC_KEY.match(key)

    apps = "/apis/sparkoperator.k8s.io/v1beta2/namespaces/default/sparkapplications"
    assert run.mutations() == [("POST", apps), ("DELETE", f"{apps}/{app}")]
    [post] = run.calls("POST", apps)
    # The launcher talks to the API with the pod's service-account credentials (in-cluster).
    assert (post["scheme"], post["authorization"].lower(), post["code"]) == ("https", f"bearer {SA_TOKEN}", 201)
    body = post["body"]
    assert (body["apiVersion"], body["kind"], body["metadata"]) == (
        "sparkoperator.k8s.io/v1beta2", "SparkApplication", {"name": app})
    spec = dict(body["spec"])
    driver, executor = spec.pop("driver"), spec.pop("executor")
    assert spec == {
        "restartPolicy": {"type": "Never"}, "type": "Python", "pythonVersion": "3",
        "sparkVersion": "2.4.5", "image": SPARK_PY_IMAGE,
        "mainApplicationFile": "local:///usr/local/bin/kernel-launchers/python/scripts/launch_ipykernel.py",
        "arguments": ["--kernel-id", kid, "--spark-context-initialization-mode", "none",
                      "--response-address", address, "--port-range", "0..0",
                      "--public-key", key, "--kernel-class-name", CLASS],
    }
    driver_env, executor_env = env_of(driver), env_of(executor)
    assert {k: v for k, v in driver.items() if k != "env"} == {
        "annotations": {"cluster-autoscaler.kubernetes.io/safe-to-evict": "false"},
        "serviceAccount": "default",
        "labels": {"kernel_id": kid, "app": "gateway-provisioners", "component": "kernel"},
        "cores": 1, "coreLimit": "1000m", "memory": "1g",
    }
    assert {k: v for k, v in executor.items() if k != "env"} == {
        "labels": {"kernel_id": kid, "app": "gateway-provisioners", "component": "worker"},
        "image": "e2e.local/spark-exec:7", "instances": 2, "cores": 1, "coreLimit": "1000m",
        "memory": "1g",
    }
    for env in (driver_env, executor_env):
        assert {k: env.get(k) for k in ("KERNEL_ID", "KERNEL_USERNAME", "KERNEL_NAMESPACE",
                                        "KERNEL_RESOURCE_NAME", "KERNEL_CRD_GROUP",
                                        "KERNEL_CRD_VERSION", "KERNEL_CRD_PLURAL", "KERNEL_IMAGE",
                                        "KERNEL_EXECUTOR_IMAGE")} == {
            "KERNEL_ID": kid, "KERNEL_USERNAME": "frank", "KERNEL_NAMESPACE": "default",
            "KERNEL_RESOURCE_NAME": app, "KERNEL_CRD_GROUP": "sparkoperator.k8s.io",
            "KERNEL_CRD_VERSION": "v1beta2", "KERNEL_CRD_PLURAL": "sparkapplications",
            "KERNEL_IMAGE": SPARK_PY_IMAGE, "KERNEL_EXECUTOR_IMAGE": "e2e.local/spark-exec:7"}

    # The provisioner follows the application, then its driver pod.
    assert len(run.calls("GET", f"^{apps}/{app}$")) >= 2
    lookups = provisioner_calls(run, "GET", r"^/api/v1/namespaces/default/pods$")
    assert len(lookups) >= 1
    assert [g["query"] for g in lookups] == [{"labelSelector": [f"kernel_id={kid},component=kernel"]}] * len(lookups)
    [boot] = run.boots()
    assert (boot["source"], boot["kernel_id"], boot["response_address"]) == ("argv", kid, address)
    assert run.cluster.cluster.list("sparkapplications") == []
    assert run.cluster.cluster.list("pods") == []


def test_spark_operator_not_installed(gateway, cluster):
    """Without the operator's CRD the launcher reports it and the launch fails fast."""
    cluster.cluster.handle = _without_crd(cluster.cluster.handle)
    run = gateway("k8s_python_spark_operator", ["start"], client_env={"KERNEL_USERNAME": "frank"},
                  in_cluster=True)
    err = run.failed("start")
    [argv] = launch_argv(run)
    assert err == {"type": "RuntimeError", "message": f"Error occurred during launch of KernelID: {argv[3]}.  "
                                                      "Check Enterprise Gateway log for more information."}
    assert "The Kubernetes Operator for Apache Spark does not appear to be installed." in run.log
    posts = run.calls("POST")
    assert [(p["path"], p["code"]) for p in posts] == [
        ("/apis/sparkoperator.k8s.io/v1beta2/namespaces/default/sparkapplications", 404)]


def _without_crd(handle):
    from k8s_standin import ApiError

    def wrapped(method, path, query, body):
        if path.startswith("/apis/sparkoperator.k8s.io/"):
            raise ApiError(404, "NotFound", "the server could not find the requested resource")
        return handle(method, path, query, body)
    return wrapped


# ---- spark-submit variants ----------------------------------------------------------------------

def spark_opts(kid, tls_port, image, *, python, scala=False, extra=()):
    """The SPARK_OPTS words the kernelspec yields after jupyter_client's and run.sh's expansion."""
    words = ["--master", f"k8s://https://127.0.0.1:{tls_port}", "--deploy-mode", "cluster",
             "--name", f"gina-{kid}", "--conf", "spark.kubernetes.namespace=default"]
    if scala:
        words += ["--driver-memory", "2G"]
    for conf in ("driver.label.app=kubernetes-kernel-provider", f"driver.label.kernel_id={kid}",
                 "driver.label.component=kernel", "executor.label.app=kubernetes-kernel-provider",
                 f"executor.label.kernel_id={kid}", "executor.label.component=worker",
                 f"driver.container.image={image}", f"executor.container.image={image}",
                 "authenticate.driver.serviceAccountName=default",
                 "submission.waitAppCompletion=false"):
        words += ["--conf", f"spark.kubernetes.{conf}"]
    if python:
        words += ["--conf", "spark.kubernetes.pyspark.pythonVersion=3"]
    return words + list(extra)


@pytest.mark.parametrize("variant", ["python", "r", "scala"])
def test_spark_submit_variants(gateway, specs, spark_home, cluster, variant):
    spec = {"python": "k8s_python_spark", "r": "k8s_r_spark", "scala": "k8s_scala_spark"}[variant]
    client_env = {"KERNEL_USERNAME": "gina", "KERNEL_EXTRA_SPARK_OPTS": "--conf spark.client=2"}
    run = gateway(spec, ["start", {"op": "execute", "code": PROBE}, "shutdown"],
                  client_env=client_env, service_env=True)
    start = run.ok("start")
    kid = start["kernel_id"]
    driver_pod = f"gina-{kid}-driver"
    assert start["pod_name"] == driver_pod
    assert probe(run)["env"]["HOSTNAME"] == driver_pod  # the kernel answers from the driver pod
    assert run.ok("shutdown") == {"alive": False}

    [argv] = launch_argv(run)
    address = argv[argv.index("--response-address") + 1]
    key = argv[argv.index("--public-key") + 1]
    launchers = spark_home["launchers"]
    image = {"python": SPARK_PY_IMAGE, "r": "elyra/kernel-spark-r:0.5.0",
             "scala": "elyra/kernel-scala:0.5.0"}[variant]
    if variant == "python":
        run_args = ["--kernel-id", kid, "--response-address", address, "--public-key", key,
                    "--spark-context-initialization-mode", "lazy", "--kernel-class-name", CLASS]
    else:
        run_args = ["--kernel-id", kid, "--port-range", "0..0", "--response-address", address,
                    "--public-key", key, "--spark-context-initialization-mode", "lazy"]
    assert argv == [f"{specs[spec]}/bin/run.sh", *run_args]

    [submit] = run.spark_submits()
    extra = ["--conf", "spark.e2e=1"] if variant == "python" else []
    opts = spark_opts(kid, cluster.tls_port, image, python=variant == "python",
                      scala=variant == "scala", extra=extra + ["--conf", "spark.client=2"])
    if variant == "python":
        tail = [f"local://{launchers}/python/scripts/launch_ipykernel.py", *run_args]
    elif variant == "r":
        tail = [f"local://{launchers}/R/scripts/launch_IRkernel.R", *run_args]
    else:
        tail = ["--jars", f"local://{launchers}/scala/lib/toree-assembly-0.5.0.jar",
                "--class", "launcher.ToreeLauncher",
                f"local://{launchers}/scala/lib/toree-launcher_2.12-0.5.0.jar",
                "--alternate-sigint", "USR2", *run_args]
    assert submit["argv"] == opts + tail
    env = submit["env"]
    assert (env["KERNEL_ID"], env["KERNEL_USERNAME"], env["SPARK_HOME"]) == (kid, "gina", spark_home["home"])
    kind = {"python": "IPython kernel", "r": "IRkernel", "scala": "Toree kernel"}[variant]
    assert f"Starting {kind} for Spark in Kubernetes mode on behalf of user gina" in run.log

    # spark-submit created the driver pod; the provisioner found it by label and deleted it.
    assert run.mutations() == [("POST", "/api/v1/namespaces/default/pods"),
                               ("DELETE", f"/api/v1/namespaces/default/pods/{driver_pod}")]
    [post] = run.calls("POST")
    assert post["body"]["metadata"]["labels"] == {
        "app": "kubernetes-kernel-provider", "kernel_id": kid, "component": "kernel", "spark-role": "driver"}
    assert post["body"]["spec"]["containers"][0]["image"] == image
    [boot] = run.boots()
    assert (boot["source"], boot["kernel_id"], boot["response_address"], boot["spark_init_mode"]) == (
        "argv", kid, address, "lazy")


@pytest.mark.hardening
def test_spark_options_do_not_execute_client_values(gateway, tmp_path):
    """A KERNEL_USERNAME with a command substitution must not run on the gateway host (W7)."""
    pwned = tmp_path / "PWNED"
    run = gateway("k8s_python_spark", ["start", "shutdown"],
                  client_env={"KERNEL_USERNAME": f"bob$(touch {pwned})"}, service_env=True)
    # The launch reached spark-submit, which got the value as text (split at its space like every
    # SPARK_OPTS word, never run by a shell) and could not create a driver pod from what followed.
    error = run.failed("start")
    [[_, _, kid, *_]] = run.launch_cmds()
    assert error == {"type": "RuntimeError", "message": f"Error occurred during launch of KernelID: {kid}.  "
                                                        "Check Enterprise Gateway log for more information."}
    [submit] = run.spark_submits()
    name = submit["argv"].index("--name")
    assert submit["argv"][name:name + 3] == ["--name", "bob$(touch", f"{pwned})-{kid}"]
    assert [p["code"] for p in run.calls("POST", "/pods$")] == [422]  # spark-submit's driver pod
    assert not pwned.exists()
