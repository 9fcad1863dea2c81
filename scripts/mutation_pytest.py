"""pytest plugin of scripts/mutation.py (loaded with -p mutation_pytest; scripts/ on PYTHONPATH).

K8S_SPEC_MUTATION_MAP=DIR (building the line -> tests map): the id of the running test is written
to DIR/ctx/<pid> (read by mutation_probe.py in the launchers the test starts), and every test's
duration (setup + call + teardown) to DIR/durations-<pid>.json at the end.

K8S_SPEC_MUTATION_SELECT=FILE (testing one mutant): only the tests FILE lists (a JSON list of
test ids) run, in its order; K8S_SPEC_MUTATION_RESULT=FILE receives how the run went: the tests
that passed, and the first failure (test id, phase, whether it was a subprocess timeout).
"""

import json
import os

import pytest

_MAP = os.environ.get("K8S_SPEC_MUTATION_MAP")
_SELECT = os.environ.get("K8S_SPEC_MUTATION_SELECT")
_RESULT = os.environ.get("K8S_SPEC_MUTATION_RESULT")
_durations = {}
_result = {"passed": 0, "skipped": 0, "failure": None, "missing": []}


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    if _MAP:
        with open(os.path.join(_MAP, "ctx", str(os.getpid())), "w", encoding="utf-8") as stream:
            stream.write(item.nodeid)


def pytest_collection_modifyitems(session, config, items):
    if not _SELECT:
        return
    with open(_SELECT, encoding="utf-8") as stream:
        wanted = json.load(stream)
    by_id = {item.nodeid: item for item in items}
    _result["missing"] = [test for test in wanted if test not in by_id]
    chosen = [by_id[test] for test in wanted if test in by_id]
    chosen_ids = set(wanted)
    config.hook.pytest_deselected(items=[item for item in items if item.nodeid not in chosen_ids])
    items[:] = chosen


def pytest_runtest_logreport(report):
    if _MAP and not hasattr(report, "node"):  # (xdist's controller sees the workers' reports too)
        _durations[report.nodeid] = _durations.get(report.nodeid, 0.0) + report.duration
    if not _RESULT:
        return
    if report.failed and _result["failure"] is None:
        text = report.longreprtext
        _result["failure"] = {
            "test": report.nodeid, "when": report.when,
            "timeout": "subprocess.TimeoutExpired" in text or "TimeoutExpired: Command" in text,
            "line": next((line for line in text.splitlines() if line.startswith("E ")), "")[:300],
        }
    elif report.when == "call" and report.passed:
        _result["passed"] += 1
    elif report.skipped:
        _result["skipped"] += 1


def pytest_sessionfinish(session):
    if _MAP:
        with open(os.path.join(_MAP, f"durations-{os.getpid()}.json"), "w", encoding="utf-8") as stream:
            json.dump(_durations, stream)
    if _RESULT:
        with open(_RESULT, "w", encoding="utf-8") as stream:
            json.dump(_result, stream)
