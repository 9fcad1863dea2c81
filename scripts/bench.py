#!/usr/bin/env python3
"""Benchmark: `jupyter-k8s-spec install --prefix` of ours against the reference and against
`cp -r` of the same installed tree, measured in one run on the same machine.

Usage: python3 scripts/bench.py [--candidate BIN] [--reference BIN] [--runs N] [--config FILE]

With --config FILE, FILE is installed as ~/.jupyter/jupyter_k8s_spec_config.<ext> (its own
extension) for every command, so the cost of reading a config file is measured too.

Prints median wall time per command, the ratios, and each command's peak resident memory.
Peak memory is read by GNU time (`/usr/bin/time -f %M`) in separate runs: ru_maxrss of a child
spawned straight from Python counts Python's own pages (Linux carries the high-water mark across
fork/vfork and exec), which would report ~15 MiB for any command. Not a test: numbers vary with
the machine.
"""
import argparse
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


def run_once(argv, env):
    start = time.perf_counter()
    proc = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"command failed: {argv}")
    return elapsed


def peak_rss_kib(argv, env, work):
    """Peak RSS in KiB as GNU time reports it, or None without GNU time."""
    if not os.access(GNU_TIME, os.X_OK):
        return None
    out = work / "time.out"
    subprocess.run([GNU_TIME, "-f", "%M", "-o", str(out), *argv], env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return int(out.read_text().split()[-1])


def measure(name, make_argv, runs, env, work):
    times, rss = [], []
    for i in range(runs):
        target = work / f"{name}-{i}"
        times.append(run_once(make_argv(target), env))
        shutil.rmtree(target, ignore_errors=True)
    for i in range(min(runs, 3)):
        target = work / f"{name}-rss-{i}"
        rss.append(peak_rss_kib(make_argv(target), env, work))
        shutil.rmtree(target, ignore_errors=True)
    return statistics.median(times), (None if None in rss else max(rss))


def find_reference():
    for cand in [
        ROOT / "target/conformance-cache/gateway-provisioners-0.5.0/bin/jupyter-k8s-spec",
        Path.home() / ".cache/k8s-spec-conformance/gateway-provisioners-0.5.0/bin/jupyter-k8s-spec",
    ]:
        if cand.exists():
            return str(cand)
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--candidate", default=str(ROOT / "target/release/jupyter-k8s-spec"))
    ap.add_argument("--reference", default=find_reference())
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--reference-runs", type=int, default=5)
    ap.add_argument("--config", help="a config file every install reads from ~/.jupyter")
    args = ap.parse_args()
    if not args.reference:
        sys.exit("no reference found: run scripts/test.sh once (it builds the conformance venv) or pass --reference")

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        env = {"PATH": "/usr/bin:/bin", "HOME": str(work / "home"), "TMPDIR": str(work), "LANG": "C.UTF-8"}
        if args.config:
            config_dir = work / "home/.jupyter"
            config_dir.mkdir(parents=True)
            shutil.copy(args.config, config_dir / ("jupyter_k8s_spec_config" + Path(args.config).suffix))
        # The tree `cp -r` copies: exactly what our install writes.
        subprocess.run([args.candidate, "install", f"--prefix={work / 'src'}"], env=env, check=True,
                       stderr=subprocess.DEVNULL)
        tree = work / "src/share/jupyter/kernels/k8s_python"

        def ours(t):
            return [args.candidate, "install", f"--prefix={t}"]

        def ref(t):
            return [args.reference, "install", f"--prefix={t}"]

        def cp(t):
            return ["cp", "-r", str(tree), str(t)]

        for f in (ours, cp):  # warm the page cache
            run_once(f(work / "warm"), env)
            shutil.rmtree(work / "warm", ignore_errors=True)
        results = {
            "ours": measure("ours", ours, args.runs, env, work),
            "cp -r": measure("cp", cp, args.runs, env, work),
            "reference": measure("ref", ref, args.reference_runs, env, work),
        }

    def mib(kib):
        return "n/a (no GNU time)" if kib is None else f"{kib / 1024:.2f} MiB"

    for name, (t, m) in results.items():
        print(f"{name:10s} median {t * 1000:9.2f} ms   peak RSS {mib(m)}")
    o, c, r = results["ours"][0], results["cp -r"][0], results["reference"][0]
    print(f"reference / ours = {r / o:.0f}x faster   ours / cp -r = {o / c:.2f}x   ours peak RSS {mib(results['ours'][1])}")


if __name__ == "__main__":
    main()
