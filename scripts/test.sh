#!/usr/bin/env bash
# The full test suite: Rust unit and CLI tests, the launcher tests, the end-to-end suite
# against the real Jupyter runtime, and the differential conformance run against the
# reference. Sets up what it needs (Python virtualenvs under target/) on a fresh machine.
# Usage: scripts/test.sh [--quick]   (--quick: Rust tests only)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
py=${PYTHON:-python3}
status=0
step() { printf '\n==> %s\n' "$*"; }

scripts/setup/test-tools.sh
step "cargo test"
bash scripts/setup/real-places.sh   # strace, mount, unshare, chattr for tests/real_places.rs
# Not --quiet: every test is listed. A test that skips (a missing tool, outside CI) writes a
# "SKIPPED: " line; they are counted here.
mkdir -p target
cargo test --locked 2>&1 | tee target/cargo-test.log
echo "cargo test: $(grep -c 'SKIPPED: ' target/cargo-test.log || true) skipped"

[ "${1:-}" = "--quick" ] && exit 0

step "build the release binary"
cargo build --locked --release --quiet
export K8S_SPEC_BIN="$root/target/release/jupyter-k8s-spec"

# A virtualenv from a requirements file, rebuilt only when the file changes.
venv_for() {
  local req=$1 dir=$2
  if [ ! -x "$dir/bin/python" ] || ! cmp -s "$req" "$dir/.requirements"; then
    rm -rf "$dir"
    "$py" -m venv "$dir"
    "$dir/bin/pip" install --quiet --disable-pip-version-check -r "$req"
    cp "$req" "$dir/.requirements"
  fi
}

step "launcher tests (tests/launchers)"
venv_for tests/launchers/requirements.txt target/venvs/launchers
target/venvs/launchers/bin/python -m pytest -q -rsxX -p no:cacheprovider -n auto tests/launchers || status=1

step "end-to-end suite (tests/e2e)"
bash tests/e2e/run.sh || status=1

step "container tests (tests/containers: the suite's own dockerd, host network only)"
bash tests/containers/run.sh || status=1

# The differential harness lives outside this repository (../shared/conformance); it is run
# when present, as in CI.
harness=${CONFORMANCE_HARNESS:-$root/../shared/conformance/conformance.py}
if [ -f "$harness" ]; then
  step "conformance against the reference (gateway-provisioners 0.5.0)"
  export CONFORMANCE_CACHE="$root/target/conformance-cache"
  "$py" "$harness" --candidate "$K8S_SPEC_BIN" --jobs 2 > target/conformance.txt 2>&1 || status=1
  grep -v '^PASS' target/conformance.txt || true
  step "differential cases of our own (tests/differential) against the reference"
  "$py" "$harness" --candidate "$K8S_SPEC_BIN" --jobs 2 --cases tests/differential/*.json > target/differential.txt 2>&1 || status=1
  grep -v '^PASS' target/differential.txt || true
else
  step "conformance harness not found at $harness: skipped"
fi

exit $status
