"""Line coverage of the launchers' shared parts, per test (scripts/mutation.py --map).

While the map is built, a .pth file in the mutation virtualenv runs this file at the start of every
Python process of that interpreter, with DIRECTORY set to the map's work directory.  The tests
start the launchers with a minimal environment, so the test a process belongs to is found through
its ancestors instead: the pytest plugin (mutation_pytest.py) writes the running test's id to
DIRECTORY/ctx/<pid of the pytest process>.  A process with such an ancestor measures, with
coverage.py, the installed launcher it runs, and at exit writes which lines of each shared part
(found between the markers build.rs and tests/launchers/conftest.py put around it) it executed.
The text between the markers is compared with the part the mutants are made from, so the line
numbers recorded are those of the mutated file.
"""

import atexit
import json
import os
import sys

PARTS = ("launcher_shared", "launcher_api")


def _test_of_ancestor(directory):
    pid = os.getppid()
    for _ in range(32):
        try:
            with open(os.path.join(directory, "ctx", str(pid)), encoding="utf-8") as stream:
                return stream.read()
        except OSError:
            pass
        try:
            with open(f"/proc/{pid}/stat", encoding="utf-8") as stream:
                pid = int(stream.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            return None
        if pid <= 1:
            return None
    return None


def _shared_lines(cov, directory):
    """{part: sorted 1-based line numbers of the part} and the files whose pasted part differs."""
    data = cov.get_data()
    found, mismatched = {}, []
    for filename in data.measured_files():
        try:
            with open(filename, encoding="utf-8") as stream:
                lines = stream.read().splitlines(True)
        except OSError:
            continue
        executed = data.lines(filename) or []
        for part in PARTS:
            begin = f"# ----- begin shared part ({part}.py) -----\n"
            end = f"# ----- end shared part ({part}.py) -----\n"
            if begin not in lines:
                continue
            first = lines.index(begin)  # 0-based; the part's line k (1-based) is file line first + 1 + k
            last = lines.index(end, first)
            with open(os.path.join(directory, "parts", f"{part}.py"), encoding="utf-8") as stream:
                if "".join(lines[first + 1:last]) != stream.read():
                    mismatched.append(f"{filename}: {part}")
            found.setdefault(part, set()).update(n - 1 - first for n in executed if first + 1 < n <= last)
    return {part: sorted(lines) for part, lines in found.items()}, mismatched


def start(directory):
    if getattr(sys, "_k8s_spec_probe", False):  # (site may see the virtualenv's directory twice)
        return
    sys._k8s_spec_probe = True
    test = _test_of_ancestor(directory)
    if test is None:
        return
    import warnings

    import coverage
    from coverage.exceptions import CoverageWarning

    warnings.filterwarnings("ignore", category=CoverageWarning)  # stderr is under test
    cov = coverage.Coverage(data_file=None, config_file=False, include=["*/scripts/launch_*.py"])
    cov.start()

    def save():
        cov.stop()
        lines, mismatched = _shared_lines(cov, directory)
        out = os.path.join(directory, "out", f"{os.getpid()}-{os.urandom(6).hex()}.json")  # pids are reused
        with open(out, "w", encoding="utf-8") as stream:
            json.dump({"test": test, "lines": lines, "mismatched": mismatched}, stream)

    atexit.register(save)
