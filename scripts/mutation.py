#!/usr/bin/env python3
"""Mutation testing of the launchers' shared code (templates/common/launcher_shared.py and
launcher_api.py) against tests/launchers, with mutmut's mutation engine (mutmut 2, PyPI).

Run it through scripts/mutation.sh, which makes the virtualenv.  Each mutant (one small change:
an operator, a constant, a string, a keyword) is written into a copy of its part, and tests run
against launchers whose shared part is that copy (K8S_SPEC_LAUNCHER_PARTS: tests/launchers/
conftest.py pastes it into the installed launchers, so the binary needs no rebuild).

Only the tests that execute a mutant's line run for it, fastest first, stopping at the first
failure.  Which tests execute which line is measured once per run (the map): tests/launchers run
against launchers with the unmutated copies pasted in the same way, and mutation_probe.py records
with coverage.py the lines of each part that every launcher process a test starts executes
(mutation_pytest.py tells it the test).  A mutated line that belongs to a longer statement counts
as executed when any line of that statement is (a constant tuple spread over several lines, say).

Outcomes: killed (a test failed in its call or teardown), survived (every test that executes the
line passed), not covered (no test executes it: survived without a run), timeout (the run took
more than 3 times the tests' unmutated time + 60 s, or the failure was a subprocess timeout),
error (a test's setup failed, or the run ended without pytest's verdict: not counted as killed).
Survivors judged equivalent or irrelevant are listed with the reason in
tests/launchers/mutation-survivors.toml; the report marks each survivor as listed or not.

Reports: target/mutation/<part>.txt (summary, every survivor's diff, the killing test of every
killed mutant), target/mutation/<part>.jsonl (one line per mutant; --resume continues from it).
"""

import argparse
import ast
import difflib
import glob
import hashlib
import json
import os
import queue
import random
import shutil
import signal
import subprocess
import sys
import sysconfig
import threading
import time
import tomllib

from mutmut import Context, list_mutations, mutate

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPTS = os.path.join(ROOT, "scripts")
COMMON = os.path.join(ROOT, "templates", "common")
PARTS = ("launcher_shared", "launcher_api")
TESTS = os.path.join("tests", "launchers")
SURVIVORS = os.path.join(ROOT, TESTS, "mutation-survivors.toml")
NICE = ["nice", "-n", "10"]  # a shared machine: others' builds first


def pytest_env(**extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("K8S_SPEC_MUTATION_")}
    env["PYTHONPATH"] = SCRIPTS + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.update(extra)
    return env


def kill_group(proc):
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()


# ----- the map: which tests execute which line of each part ----------------------------------------

def inputs_digest():
    """What the map depends on: the parts and the tests (a changed file means a new map)."""
    digest = hashlib.sha256()
    files = [os.path.join(COMMON, f"{p}.py") for p in PARTS] + sorted(glob.glob(os.path.join(ROOT, TESTS, "*.py")))
    files += [os.path.join(ROOT, "tests", "e2e", "k8s_standin.py"), os.environ.get("K8S_SPEC_BIN", "")]
    for path in files:
        if os.path.isfile(path):
            with open(path, "rb") as stream:
                digest.update(path.encode() + b"\0" + stream.read())
    return digest.hexdigest()


def build_map(out_dir, jobs, reuse):
    """{'lines': {part: {line: [test ids]}}, 'durations': {test id: seconds}, ...}."""
    map_file = os.path.join(out_dir, "map.json")
    digest = inputs_digest()
    if reuse and os.path.exists(map_file):
        with open(map_file, encoding="utf-8") as stream:
            known = json.load(stream)
        if known.get("digest") == digest:
            print(f"mutation: map of {len(known['durations'])} tests reused ({map_file})", flush=True)
            return known
    if sys.prefix == sys.base_prefix:
        sys.exit("mutation: run through scripts/mutation.sh (the map needs the mutation virtualenv)")
    work = os.path.join(out_dir, "map")
    shutil.rmtree(work, ignore_errors=True)
    for sub in ("ctx", "out", "parts"):
        os.makedirs(os.path.join(work, sub))
    for part in PARTS:
        shutil.copy(os.path.join(COMMON, f"{part}.py"), os.path.join(work, "parts", f"{part}.py"))
    pth = os.path.join(sysconfig.get_paths()["purelib"], "k8s_spec_mutation_probe.pth")
    probe = os.path.join(SCRIPTS, "mutation_probe.py")
    with open(pth, "w", encoding="utf-8") as stream:  # runs in every process of this virtualenv
        stream.write(f"import importlib.util as u; s = u.spec_from_file_location('k8s_spec_mutation_probe', {probe!r}); "
                     f"m = u.module_from_spec(s); s.loader.exec_module(m); m.start({work!r})\n")
    started = time.monotonic()
    print(f"mutation: measuring which tests execute which lines (tests/launchers, -n {jobs})", flush=True)
    try:
        cmd = [*NICE, sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "mutation_pytest",
               *(["-n", str(jobs)] if jobs > 1 else []), TESTS]
        env = pytest_env(K8S_SPEC_MUTATION_MAP=work, K8S_SPEC_LAUNCHER_PARTS=os.path.join(work, "parts"))
        proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    finally:
        os.remove(pth)
    if proc.returncode != 0:
        sys.exit(f"mutation: tests/launchers fail without any mutant:\n{proc.stdout[-3000:]}{proc.stderr[-2000:]}")
    lines = {part: {} for part in PARTS}
    mismatched = set()
    for path in glob.glob(os.path.join(work, "out", "*.json")):
        with open(path, encoding="utf-8") as stream:
            record = json.load(stream)
        mismatched.update(record["mismatched"])
        for part, numbers in record["lines"].items():
            for number in numbers:
                lines[part].setdefault(str(number), set()).add(record["test"])
    if mismatched:
        sys.exit(f"mutation: launchers whose shared part is not the measured copy: {sorted(mismatched)[:5]}")
    durations = {}
    for path in glob.glob(os.path.join(work, "durations-*.json")):
        with open(path, encoding="utf-8") as stream:
            durations.update(json.load(stream))
    known = {
        "digest": digest, "seconds": round(time.monotonic() - started, 1), "durations": durations,
        "lines": {part: {n: sorted(tests) for n, tests in by_line.items()} for part, by_line in lines.items()},
    }
    launching = len({t for by_line in known["lines"].values() for tests in by_line.values() for t in tests})
    print(f"mutation: map built in {known['seconds']:.0f} s: {len(durations)} tests, {launching} of them run "
          f"shared code; lines executed: " + ", ".join(f"{p} {len(known['lines'][p])}" for p in PARTS), flush=True)
    with open(map_file, "w", encoding="utf-8") as stream:
        json.dump(known, stream)
    return known


def statement_lines(source):
    """{line: lines of the statement that owns it} (for a compound statement: its header only;
    decorators belong to their definition)."""
    tree = ast.parse(source)
    owner = {}

    def visit(node):
        children = []
        for field in ("body", "orelse", "finalbody", "handlers", "cases"):
            value = getattr(node, field, None)
            if isinstance(value, list):
                children += [c for c in value if isinstance(c, (ast.stmt, ast.excepthandler, ast.match_case))]
        if isinstance(node, (ast.stmt, ast.excepthandler, ast.match_case)):
            start = min([node.lineno if hasattr(node, "lineno") else node.pattern.lineno]
                        + [d.lineno for d in getattr(node, "decorator_list", [])])
            end = node.end_lineno if hasattr(node, "end_lineno") else node.body[-1].end_lineno
            own = set(range(start, end + 1))
            for child in children:
                first = min([getattr(child, "lineno", None) or child.pattern.lineno]
                            + [d.lineno for d in getattr(child, "decorator_list", [])])
                own -= set(range(first, (getattr(child, "end_lineno", None) or child.body[-1].end_lineno) + 1))
            for line in own:
                owner[line] = own
        for child in children:
            visit(child)

    visit(tree)
    return owner


def tests_for(lines, by_line, owner, durations):
    """The tests that execute any of the statements `lines` are part of, fastest first."""
    tests = set()
    for line in lines:
        for other in owner.get(line, {line}):
            tests.update(by_line.get(str(other), ()))
    return sorted(tests, key=lambda t: (durations.get(t, 0.0), t))


# ----- mutants ----------------------------------------------------------------------------------------

class Mutant:
    def __init__(self, part, source, relative):
        self.part, self.relative = part, relative
        self.id = f"{relative.line_number + 1}#{relative.index}"
        self.mutated, _ = mutate(Context(source=source, filename=f"{part}.py", mutation_id=relative))
        before, after = source.splitlines(True), self.mutated.splitlines(True)
        diff = [d for d in difflib.unified_diff(before, after, n=0) if not d.startswith(("---", "+++"))]
        self.diff = "".join(diff).rstrip("\n")
        self.lines = set()
        for group in difflib.SequenceMatcher(None, before, after).get_opcodes():
            tag, i1, i2 = group[0], group[1], group[2]
            if tag != "equal":
                self.lines.update(range(i1 + 1, max(i2, i1 + 1) + 1))
        self.now = next((d[1:].strip() for d in diff if d.startswith("+")), "")
        self.tests = []


def list_part(part):
    path = os.path.join(COMMON, f"{part}.py")
    with open(path, encoding="utf-8") as stream:
        source = stream.read()
    return source, [Mutant(part, source, m) for m in list_mutations(Context(source=source, filename=path))]


def run_mutant(mutant, work, durations):
    """(outcome, details) for one mutant, its part copy written to work/common."""
    if not mutant.tests:
        return "not covered", {}
    common = os.path.join(work, "common")
    with open(os.path.join(common, f"{mutant.part}.py"), "w", encoding="utf-8") as stream:
        stream.write(mutant.mutated)
    select, result = os.path.join(work, "select.json"), os.path.join(work, "result.json")
    with open(select, "w", encoding="utf-8") as stream:
        json.dump(mutant.tests, stream)
    if os.path.exists(result):
        os.remove(result)
    files = sorted({t.split("::", 1)[0] for t in mutant.tests})
    limit = 3 * sum(durations.get(t, 1.0) for t in mutant.tests) + 60
    cmd = [*NICE, sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "-p", "mutation_pytest",
           "-p", "no:xdist", *files]
    env = pytest_env(K8S_SPEC_LAUNCHER_PARTS=common, K8S_SPEC_MUTATION_SELECT=select,
                     K8S_SPEC_MUTATION_RESULT=result)
    started = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    try:
        output, _ = proc.communicate(timeout=limit)
    except subprocess.TimeoutExpired:
        kill_group(proc)
        return "timeout", {"seconds": round(time.monotonic() - started, 1), "why": f"no verdict within {limit:.0f} s"}
    finally:
        with open(os.path.join(common, f"{mutant.part}.py"), "w", encoding="utf-8") as stream:
            with open(os.path.join(COMMON, f"{mutant.part}.py"), encoding="utf-8") as original:
                stream.write(original.read())
    details = {"seconds": round(time.monotonic() - started, 1), "tests": len(mutant.tests)}
    try:
        with open(result, encoding="utf-8") as stream:
            verdict = json.load(stream)
    except (OSError, ValueError):
        return "error", {**details, "why": f"exit {proc.returncode} without a verdict: {output[-500:]}"}
    if verdict["missing"]:
        return "error", {**details, "why": f"tests not collected: {verdict['missing'][:3]}"}
    failure = verdict["failure"]
    if failure is None:
        if proc.returncode == 0 and verdict["passed"] + verdict["skipped"] == len(mutant.tests):
            return "survived", details
        return "error", {**details, "why": f"exit {proc.returncode}, {verdict['passed']} passed: {output[-500:]}"}
    details.update(test=failure["test"], failure=failure["line"])
    if failure["when"] == "setup":
        return "error", {**details, "why": "a test's setup failed"}
    if failure["timeout"]:
        return "timeout", {**details, "why": "a subprocess of the test timed out"}
    return "killed", details


def load_survivors():
    """{(part, id): (mutated line, reason)} from tests/launchers/mutation-survivors.toml."""
    if not os.path.exists(SURVIVORS):
        return {}
    with open(SURVIVORS, "rb") as stream:
        data = tomllib.load(stream)
    return {(part, mid): (entry["mutant"], entry["why"]) for part, entries in data.items()
            for mid, entry in entries.items()}


def report(part, mutants, results, listed, out_dir, total_seconds):
    counts = {k: 0 for k in ("killed", "survived", "not covered", "timeout", "error")}
    sections = {k: [] for k in counts}
    explained, stale = 0, []
    for m in mutants:
        outcome, details = results[m.id]
        counts[outcome] += 1
        if outcome == "killed":
            sections[outcome].append(f"{m.id}: {details['test']} ({details['seconds']} s)")
            continue
        note = ""
        if outcome in ("survived", "not covered") and (part, m.id) in listed:
            expected, why = listed[(part, m.id)]
            if expected.strip() == m.now:  # the listing keeps the line's indentation; m.now does not
                explained += 1
                note = f"  [listed: {why}]"
        extra = f"  ({details.get('why')})" if details.get("why") else ""
        tests = f"  [{len(m.tests)} tests]" if m.tests else ""
        sections[outcome].append(f"{m.id}{tests}{extra}{note}\n{m.diff}\n")
    # A listing is stale when no mutant of the part's current source has its ID and mutated line,
    # whether or not this run (a sample, --only) tested that mutant.
    current = {m.id: m.now for m in list_part(part)[1]}
    for (part_name, mid), (expected, _) in listed.items():
        if part_name == part and current.get(mid) != expected.strip():
            stale.append(mid)
    total = len(mutants)
    summary = (f"{part}: {total} mutants: {counts['killed']} killed, {counts['survived']} survived, "
               f"{counts['not covered']} not covered, {counts['timeout']} timed out, {counts['error']} errors; "
               f"{explained} of the {counts['survived'] + counts['not covered']} not killed listed in "
               f"{os.path.relpath(SURVIVORS, ROOT)}" + (f"; stale entries: {', '.join(stale)}" if stale else "")
               + f" ({total_seconds / 60:.0f} min)")
    with open(os.path.join(out_dir, f"{part}.txt"), "w", encoding="utf-8") as stream:
        stream.write(summary + "\n")
        for outcome in ("survived", "not covered", "timeout", "error", "killed"):
            if sections[outcome]:
                stream.write(f"\n===== {outcome} ({len(sections[outcome])}) =====\n" + "\n".join(sections[outcome]) + "\n")
    return summary, counts


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("parts", nargs="*", help=f"default: {' '.join(PARTS)}")
    parser.add_argument("--jobs", type=int, default=2, help="mutants tested at once (default 2)")
    parser.add_argument("--sample", type=int, help="test N mutants of each part, chosen at random")
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--only", nargs="*", default=None, metavar="LINE#N",
                        help="only these mutants, as the report names them (re-checking survivors)")
    parser.add_argument("--resume", action="store_true",
                        help="keep the outcomes in target/mutation/<part>.jsonl of the same mutants and map")
    parser.add_argument("--reuse-map", action="store_true",
                        help="reuse target/mutation/map.json if the parts, tests and binary are unchanged")
    parser.add_argument("--out", default=os.path.join(ROOT, "target", "mutation"),
                        help="work and report directory (default target/mutation)")
    args = parser.parse_args(argv)
    args.parts = args.parts or list(PARTS)
    for part in args.parts:
        if part not in PARTS:
            parser.error(f"unknown part {part!r} (choose from {', '.join(PARTS)})")
    os.makedirs(args.out, exist_ok=True)
    started = time.monotonic()
    known = build_map(args.out, args.jobs, args.reuse_map or args.resume)
    durations = known["durations"]
    listed = load_survivors()

    todo, per_part = [], {}
    for part in args.parts:
        source, mutants = list_part(part)
        owner = statement_lines(source)
        for m in mutants:
            m.tests = tests_for(m.lines, known["lines"][part], owner, durations)
        if args.only is not None:
            mutants = [m for m in mutants if m.id in set(args.only)]
        elif args.sample and args.sample < len(mutants):
            chosen = set(random.Random(args.seed).sample(range(len(mutants)), args.sample))
            mutants = [m for i, m in enumerate(mutants) if i in chosen]
        results = {}
        log = os.path.join(args.out, f"{part}.jsonl")
        if args.resume and os.path.exists(log):
            with open(log, encoding="utf-8") as stream:
                for line in stream:
                    record = json.loads(line)
                    results[record["id"]] = (record["diff"], record["tests"], record["outcome"], record["details"])
        keep = {m.id: (r[2], r[3]) for m in mutants if (r := results.get(m.id)) and r[:2] == (m.diff, m.tests)}
        with open(log, "w", encoding="utf-8") as stream:
            for m in mutants:
                if m.id in keep:
                    stream.write(json.dumps({"id": m.id, "diff": m.diff, "tests": m.tests, "outcome": keep[m.id][0],
                                             "details": keep[m.id][1]}) + "\n")
        per_part[part] = (mutants, keep, log)
        todo += [m for m in mutants if m.id not in keep]

    lock = threading.Lock()
    work_queue = queue.Queue()
    for m in todo:
        work_queue.put(m)
    done = [0]

    def worker(k):
        work = os.path.join(args.out, "work", f"w{k}")
        shutil.rmtree(work, ignore_errors=True)
        os.makedirs(os.path.join(work, "common"))
        for part in PARTS:
            shutil.copy(os.path.join(COMMON, f"{part}.py"), os.path.join(work, "common", f"{part}.py"))
        while True:
            try:
                m = work_queue.get_nowait()
            except queue.Empty:
                return
            outcome, details = run_mutant(m, work, durations)
            with lock:
                mutants, keep, log = per_part[m.part]
                keep[m.id] = (outcome, details)
                with open(log, "a", encoding="utf-8") as stream:
                    stream.write(json.dumps({"id": m.id, "diff": m.diff, "tests": m.tests, "outcome": outcome,
                                             "details": details}) + "\n")
                done[0] += 1
                print(f"{done[0]}/{len(todo)} {m.part} {m.id}: {outcome}"
                      + (f" by {details['test']}" if outcome == "killed" else "")
                      + (f" ({details.get('seconds')} s)" if details.get("seconds") is not None else ""), flush=True)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(max(1, args.jobs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    total_seconds = time.monotonic() - started
    for part in args.parts:
        mutants, keep, _ = per_part[part]
        summary, _ = report(part, mutants, keep, listed, args.out, total_seconds)
        print(summary, flush=True)


if __name__ == "__main__":
    main()
