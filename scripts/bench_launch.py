#!/usr/bin/env python3
"""Benchmark: what one kernel launch costs on the gateway host, our launch_kubernetes.py against
the reference's (gateway-provisioners 0.5.0's own), measured in one run on the same machine.

Both run in-cluster, as in production: a service account (token + CA) mounted in a private mount
namespace (tests/support/in-cluster.sh; needs root and unshare), KUBERNETES_SERVICE_HOST/PORT
pointing at the HTTPS listener of the cluster stand-in (tests/e2e/k8s_standin.py, whose pods run
nothing).  The launches are interleaved (ours, reference, reference, ours, ...).  Ours waits until
the pod runs (the stand-in keeps a pod Pending for --pending seconds), so its figures include the
watch; the reference exits after creating the pod.

Per launch: CPU (user + system, of the launcher process, from wait4), peak resident memory (GNU
time's %M), wall time; medians, and the ratios ours / reference.

Usage: python3 scripts/bench_launch.py [--runs N] [--pending S] [--python PY] [--binary BIN]
PY must have Jinja2, PyYAML and kubernetes (default: the e2e suite's venv, target/e2e-venvs/main,
made by tests/e2e/setup_venvs.sh), which also holds the reference's launcher.  Not a test: the
numbers vary with the machine and its load.
"""
import argparse
import glob
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GNU_TIME = "/usr/bin/time"
IN_CLUSTER = ROOT / "tests" / "support" / "in-cluster.sh"
TOKEN = "bench-token"


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=10, help="launches of each launcher (default 10)")
    p.add_argument("--pending", type=float, default=1.0, help="seconds a new pod stays Pending (default 1.0)")
    p.add_argument("--python", default=str(ROOT / "target" / "e2e-venvs" / "main" / "bin" / "python"),
                   help="interpreter both launchers run with")
    p.add_argument("--binary", default=str(ROOT / "target" / "release" / "jupyter-k8s-spec"),
                   help="installer that writes our kernelspec")
    p.add_argument("--inside", help=argparse.SUPPRESS)  # set when re-run inside the mount namespace
    return p.parse_args()


def reference_scripts(python):
    out = subprocess.run([python, "-c", "import gateway_provisioners, os; print(os.path.dirname("
                                        "gateway_provisioners.__file__))"],
                         capture_output=True, text=True, check=True).stdout.strip()
    found = glob.glob(os.path.join(out, "kernel-launchers", "kubernetes", "scripts"))
    if not found:
        sys.exit(f"no kernel-launchers/kubernetes/scripts in {out}")
    return Path(found[0])


def prepare(args, work):
    """Kernelspecs with each launcher, and a service account whose CA signs the stand-in's cert."""
    env = {"PATH": "/usr/bin:/bin", "HOME": str(work)}
    subprocess.run([args.binary, "install", f"--prefix={work / 'prefix'}"], env=env, check=True,
                   capture_output=True)
    ours = work / "prefix" / "share" / "jupyter" / "kernels" / "k8s_python"
    reference = work / "reference" / "k8s_python"
    (reference / "scripts").mkdir(parents=True)
    shutil.copy(ours / "kernel.json", reference / "kernel.json")
    for name in ("launch_kubernetes.py", "kernel-pod.yaml.j2"):
        shutil.copy(reference_scripts(args.python) / name, reference / "scripts" / name)
    sa = work / "serviceaccount"
    sa.mkdir()
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(work / "tls.key"),
                    "-out", str(sa / "ca.crt")], check=True, capture_output=True)
    (sa / "token").write_text(TOKEN)
    (sa / "namespace").write_text("default")
    return {"ours": ours, "reference": reference, "sa": sa}


def launch_env(python, tls_port, kernel_id):
    pod = f"bench-{kernel_id}"
    return {
        "PATH": f"{os.path.dirname(python)}:/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": "/tmp",
        "KUBERNETES_SERVICE_HOST": "127.0.0.1", "KUBERNETES_SERVICE_PORT": str(tls_port),
        "KERNEL_USERNAME": "bench", "KERNEL_ID": kernel_id, "KERNEL_LANGUAGE": "python",
        "KERNEL_IMAGE": "elyra/kernel-py:0.5.0", "KERNEL_EXECUTOR_IMAGE": "elyra/kernel-py:0.5.0",
        "KERNEL_POD_NAME": pod, "KERNEL_NAMESPACE": "default", "KERNEL_SERVICE_ACCOUNT_NAME": "default",
        "KERNEL_UID": "1000", "KERNEL_GID": "100",
    }


def one_launch(python, spec, env, kernel_id, work):
    """(cpu seconds, peak RSS KiB, wall seconds) of one launcher process."""
    out = work / "time.out"
    argv = [GNU_TIME, "-f", "%M", "-o", str(out), python, str(spec / "scripts" / "launch_kubernetes.py"),
            "--kernel-id", kernel_id, "--port-range", "0..0", "--response-address", "127.0.0.1:8877",
            "--public-key", "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQ", "--transport-encryption", "",
            "--kernel-class-name", "ipykernel.ipkernel.IPythonKernel"]
    started = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    stdout, stderr = proc.stdout.read(), proc.stderr.read()
    proc.stdout.close()
    proc.stderr.close()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.exit(f"launch failed ({proc.returncode}): {spec}\n{stdout.decode()}{stderr.decode()}")
    # GNU time's own CPU is part of the rusage: about a millisecond, the same for both launchers.
    return usage.ru_utime + usage.ru_stime, int(out.read_text().split()[-1]), wall


def inside(args):
    sys.path.insert(0, str(ROOT / "tests" / "e2e"))
    from k8s_standin import NullRunner, StandIn

    work = Path(args.inside)
    paths = json.loads((work / "paths.json").read_text())
    standin = StandIn(str(work / "cluster"), tls=(str(Path(paths["sa"]) / "ca.crt"), str(work / "tls.key")),
                      runner=NullRunner(), pending_seconds=args.pending)
    results = {"ours": [], "reference": []}
    try:
        for i in range(args.runs):
            order = ("ours", "reference") if i % 2 == 0 else ("reference", "ours")
            for side in order:
                kernel_id = f"{side[:3]}{i:04d}"
                env = launch_env(args.python, standin.tls_port, kernel_id)
                results[side].append(one_launch(args.python, Path(paths[side]), env, kernel_id, work))
                pod = standin.cluster.get("pods", "default", f"bench-{kernel_id}")
                if pod is None:
                    sys.exit(f"{side}: no pod was created")
                if side == "ours" and pod["status"]["phase"] != "Running":
                    sys.exit(f"ours exited before its pod ran: {pod['status']}")
                standin.cluster.handle("DELETE", f"/api/v1/namespaces/default/pods/bench-{kernel_id}", {}, None)
        report(args, results)
    finally:
        standin.close()


def report(args, results):
    med = {side: [statistics.median(r[k] for r in runs) for k in range(3)] for side, runs in results.items()}
    print(f"launch benchmark: {args.runs} launches each, interleaved, in-cluster against the HTTPS stand-in "
          f"(pods Pending {args.pending:g} s)")
    print(f"{'median per launch':<22}{'CPU s':>9}{'peak RSS MiB':>15}{'wall s':>9}")
    for side in ("ours", "reference"):
        cpu, rss, wall = med[side]
        print(f"{side:<22}{cpu:>9.3f}{rss / 1024:>15.1f}{wall:>9.2f}")
    ratios = [med["ours"][k] / med["reference"][k] for k in range(3)]
    print(f"{'ours / reference':<22}{ratios[0]:>8.2f}x{ratios[1]:>14.2f}x{ratios[2]:>8.2f}x")
    print("(ours waits until the pod runs, the reference exits after creating it)")


def main():
    args = parse_args()
    if args.inside:
        inside(args)
        return
    if os.geteuid() != 0 or not shutil.which("unshare"):
        sys.exit("needs root and unshare(1): the service account is mounted in a private mount namespace")
    for path, what in ((args.python, "--python"), (args.binary, "--binary"), (GNU_TIME, "GNU time")):
        if not os.access(path, os.X_OK):
            sys.exit(f"{what} not found: {path}")
    work = Path(tempfile.mkdtemp(prefix="k8s-spec-bench-launch-"))
    try:
        paths = prepare(args, work)
        (work / "paths.json").write_text(json.dumps({k: str(v) for k, v in paths.items()}))
        cmd = [str(IN_CLUSTER), str(paths["sa"]), sys.executable, __file__, "--inside", str(work),
               "--runs", str(args.runs), "--pending", str(args.pending), "--python", args.python]
        sys.exit(subprocess.run(cmd).returncode)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
