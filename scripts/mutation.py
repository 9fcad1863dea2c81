#!/usr/bin/env python3
"""Mutation testing of the launchers' shared code (templates/common/launcher_shared.py and
launcher_api.py) against tests/launchers, with mutmut's mutation engine (mutmut 2, PyPI).

Run it through scripts/mutation.sh, which makes the virtualenv.  Each mutant (one small change:
an operator, a constant, a string, a keyword) is written into a copy of the part under
target/mutation/<part>/common, and tests/launchers run against launchers whose shared part is
that copy (K8S_SPEC_LAUNCHER_PARTS; tests/launchers/conftest.py puts it into the installed
launchers, so the binary needs no rebuild).  A mutant is killed when a test fails, and survives
when they all pass.  mutmut's own loop (`mutmut run`) is not used because it can only run every
mutant: on 2 cores a full run of both parts takes many hours, so --sample N picks N mutants of
each part at random (--seed makes it repeatable) for an estimate.

Report: target/mutation/<part>.txt (every mutant with its outcome; the survivors' diffs) and one
summary line per part on stdout.
"""

import argparse
import difflib
import os
import random
import shutil
import subprocess
import sys
import time

from mutmut import Context, list_mutations, mutate

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COMMON = os.path.join(ROOT, "templates", "common")
# The test files exercising each part, fastest first (a run stops at its first failure);
# test_assets.py compares the shipped launchers with templates/, which a mutant differs from.
TESTS = {
    "launcher_shared": ["test_shared_edges.py", "test_launch_kubernetes.py", "test_custom_resource.py",
                        "test_pod_options.py", "test_safety.py", "test_preview.py", "test_installer_argv.py"],
    "launcher_api": ["test_shared_edges.py", "test_launch_kubernetes.py", "test_custom_resource.py", "test_rbac.py",
                     "test_fail_fast.py"],
}


def run_tests(part, parts_dir, jobs, timeout, without=()):
    """'killed', 'survived' or 'timeout'."""
    tests = [os.path.join(ROOT, "tests", "launchers", t) for t in TESTS[part] if t not in without]
    cmd = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *(["-n", str(jobs)] if jobs > 1 else []),
           *tests]
    env = {**os.environ, "K8S_SPEC_LAUNCHER_PARTS": parts_dir}
    try:
        proc = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout,
                              start_new_session=True)
    except subprocess.TimeoutExpired:
        return "timeout", ""
    tail = proc.stdout.strip().splitlines()[-1:] or [""]
    return ("survived" if proc.returncode == 0 else "killed"), tail[0]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("parts", nargs="*", help=f"default: {' '.join(TESTS)}")
    parser.add_argument("--sample", type=int, help="test N mutants of each part, chosen at random")
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--jobs", type=int, default=2, help="pytest-xdist workers (default 2)")
    parser.add_argument("--without", nargs="*", default=[], metavar="TEST_FILE",
                        help="leave these test files out (e.g. to count before new tests)")
    parser.add_argument("--out", default=os.path.join(ROOT, "target", "mutation"),
                        help="work and report directory (default target/mutation)")
    parser.add_argument("--only", nargs="*", default=None, metavar="LINE#N",
                        help="only these mutants, as the report names them (re-checking survivors)")
    args = parser.parse_args(argv)
    args.parts = args.parts or list(TESTS)
    for part in args.parts:
        if part not in TESTS:
            parser.error(f"unknown part {part!r} (choose from {', '.join(TESTS)})")
    out_dir = args.out
    for part in args.parts:
        path = os.path.join(COMMON, f"{part}.py")
        with open(path, encoding="utf-8") as f:
            source = f.read()
        mutants = list_mutations(Context(source=source, filename=path))
        chosen = mutants
        if args.only is not None:
            wanted = set(args.only)
            chosen = [m for m in mutants if f"{m.line_number + 1}#{m.index}" in wanted]
        elif args.sample and args.sample < len(mutants):
            chosen = sorted(random.Random(args.seed).sample(mutants, args.sample), key=lambda m: (m.line_number, m.index))
        work = os.path.join(out_dir, part, "common")
        shutil.rmtree(os.path.dirname(work), ignore_errors=True)
        os.makedirs(work)
        for name in ("launcher_shared.py", "launcher_api.py"):
            shutil.copy(os.path.join(COMMON, name), os.path.join(work, name))
        started = time.monotonic()
        outcome, tail = run_tests(part, work, args.jobs, None, args.without)
        if outcome != "survived":
            sys.exit(f"mutation: the tests fail without any mutant ({part}): {tail}")
        timeout = 3 * (time.monotonic() - started) + 60
        report, counts = [], {"killed": 0, "survived": 0, "timeout": 0}
        for i, mutant in enumerate(chosen, 1):
            mutated, _ = mutate(Context(source=source, filename=path, mutation_id=mutant))
            with open(os.path.join(work, f"{part}.py"), "w", encoding="utf-8") as f:
                f.write(mutated)
            outcome, tail = run_tests(part, work, args.jobs, timeout, args.without)
            counts[outcome] += 1
            diff = "".join(difflib.unified_diff(source.splitlines(True), mutated.splitlines(True), n=0))
            diff = "\n".join(line for line in diff.splitlines() if not line.startswith(("---", "+++")))
            report.append(f"{outcome}: {mutant.line_number + 1}#{mutant.index}\n{diff}\n")
            print(f"{part} {i}/{len(chosen)} {mutant.line_number + 1}#{mutant.index}: {outcome}", flush=True)
        shutil.copy(path, os.path.join(work, f"{part}.py"))
        what = f"{len(chosen)} of {len(mutants)} mutants" + (f" (sample, seed {args.seed})" if chosen is not mutants
                                                              and args.only is None else "")
        summary = (f"{part}: {what}: {counts['killed']} killed, {counts['survived']} survived, "
                   f"{counts['timeout']} timed out")
        with open(os.path.join(out_dir, f"{part}.txt"), "w", encoding="utf-8") as f:
            f.write(summary + "\n\n" + "\n".join(r for r in report if not r.startswith("killed")) + "\n"
                    + "\n".join(r.splitlines()[0] for r in report if r.startswith("killed")) + "\n")
        print(summary, flush=True)


if __name__ == "__main__":
    main()
