"""Stand-in for `$SPARK_HOME/bin/spark-submit` (installed there by the tests with a shebang).

It records what it received (argv and environment) as JSON in $E2E_SPARK_RECORD_DIR, then does
what spark-submit does in Kubernetes cluster mode with waitAppCompletion=false: it creates the
driver pod through the API given by `--master k8s://...` (labels, image and service account from
the `--conf spark.kubernetes.*` options; the application arguments become the container's
arguments) and exits 0.  TLS is verified against $E2E_STANDIN_CA, which plays the part of the
service-account CA of a gateway pod.
"""

import json
import os
import re
import ssl
import sys
import time
import urllib.error
import urllib.request

# spark-submit options that take a value (enough for the kernelspecs under test)
VALUED = {"--master", "--deploy-mode", "--name", "--conf", "--jars", "--class", "--driver-memory",
          "--driver-java-options", "--py-files", "--files", "--properties-file"}


def parse(argv):
    opts, confs, i = {}, {}, 0
    while i < len(argv) and argv[i].startswith("--"):
        key = argv[i]
        if "=" in key:
            key, value = key.split("=", 1)
            i += 1
        elif key in VALUED:
            value = argv[i + 1]
            i += 2
        else:
            raise SystemExit(f"spark-submit stub: unexpected option {key}")
        if key == "--conf":
            k, _, v = value.partition("=")
            confs[k] = v
        else:
            opts[key] = value
    if i >= len(argv):
        raise SystemExit("spark-submit stub: no primary resource")
    return opts, confs, argv[i], argv[i + 1:]


def main():
    record_dir = os.environ["E2E_SPARK_RECORD_DIR"]
    record = {"argv": sys.argv[1:], "env": dict(os.environ)}
    path = os.path.join(record_dir, f"spark-submit-{time.time_ns()}.json")
    with open(path, "w") as f:
        json.dump(record, f)

    opts, confs, primary, app_args = parse(sys.argv[1:])
    master = opts["--master"]
    if not master.startswith("k8s://") or opts.get("--deploy-mode") != "cluster":
        raise SystemExit(f"spark-submit stub: only k8s cluster mode is emulated ({master})")
    namespace = confs.get("spark.kubernetes.namespace", "default")
    labels = {k.rsplit(".", 1)[1]: v for k, v in confs.items()
              if k.startswith("spark.kubernetes.driver.label.")}
    labels["spark-role"] = "driver"
    name = re.sub(r"[^a-z0-9]+", "-", opts.get("--name", "spark").lower()).strip("-") + "-driver"
    pod = {
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": name, "namespace": namespace, "labels": labels},
        "spec": {
            "restartPolicy": "Never",
            "serviceAccountName": confs.get("spark.kubernetes.authenticate.driver.serviceAccountName"),
            "containers": [{
                "name": "spark-kubernetes-driver",
                "image": confs.get("spark.kubernetes.driver.container.image"),
                "args": app_args,
                "env": [{"name": "SPARK_APPLICATION_PRIMARY", "value": primary}],
            }],
        },
    }
    url = f"{master[len('k8s://'):]}/api/v1/namespaces/{namespace}/pods"
    req = urllib.request.Request(url, data=json.dumps(pod).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    ctx = ssl.create_default_context(cafile=os.environ["E2E_STANDIN_CA"])
    try:
        with urllib.request.urlopen(req, context=ctx, timeout=10) as resp:
            print(f"driver pod {name} created ({resp.status})")
    except urllib.error.HTTPError as err:
        print(f"driver pod creation failed: {err.code} {err.read().decode()}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
