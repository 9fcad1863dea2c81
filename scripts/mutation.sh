#!/usr/bin/env bash
# Mutation testing of the launchers' shared code (not part of CI; see README "Testing" for the
# time a full run takes). Makes target/venvs/mutation (tests/launchers' requirements, mutmut 2
# and coverage.py from PyPI), then runs scripts/mutation.py with the arguments given, e.g.
#   scripts/mutation.sh                              # every mutant of both parts
#   scripts/mutation.sh --sample 40 launcher_api     # 40 of them, at random (--seed)
#   scripts/mutation.sh --reuse-map launcher_shared --only 9#0   # re-check one mutant
# Env: K8S_SPEC_BIN (default target/release/jupyter-k8s-spec, built if missing), PYTHON.
set -euo pipefail
cd "$(dirname "$0")/.."
py=${PYTHON:-python3}
venv=target/venvs/mutation
export K8S_SPEC_BIN=${K8S_SPEC_BIN:-$(pwd)/target/release/jupyter-k8s-spec}
[ -x "$K8S_SPEC_BIN" ] || cargo build --locked --release --quiet
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import coverage, mutmut' 2>/dev/null \
   || ! cmp -s tests/launchers/requirements.txt "$venv/.requirements"; then
  rm -rf "$venv"
  "$py" -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r tests/launchers/requirements.txt "mutmut==2.5.1" "coverage==7.13.0"
  cp tests/launchers/requirements.txt "$venv/.requirements"
fi
exec "$venv/bin/python" scripts/mutation.py "$@"
