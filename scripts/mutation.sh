#!/usr/bin/env bash
# Mutation testing of the launchers' shared code (not part of CI: a full run takes hours on
# 2 cores). Makes target/venvs/mutation (tests/launchers' requirements and mutmut 2 from PyPI),
# then runs scripts/mutation.py with the arguments given, e.g.
#   scripts/mutation.sh                              # every mutant of both parts
#   scripts/mutation.sh --sample 40 launcher_api     # 40 of them, at random (--seed)
# Env: K8S_SPEC_BIN (default target/release/jupyter-k8s-spec, built if missing), PYTHON.
set -euo pipefail
cd "$(dirname "$0")/.."
py=${PYTHON:-python3}
venv=target/venvs/mutation
export K8S_SPEC_BIN=${K8S_SPEC_BIN:-$(pwd)/target/release/jupyter-k8s-spec}
[ -x "$K8S_SPEC_BIN" ] || cargo build --locked --release --quiet
if [ ! -x "$venv/bin/python" ] || ! cmp -s tests/launchers/requirements.txt "$venv/.requirements"; then
  rm -rf "$venv"
  "$py" -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r tests/launchers/requirements.txt "mutmut==2.5.1"
  cp tests/launchers/requirements.txt "$venv/.requirements"
fi
exec "$venv/bin/python" scripts/mutation.py "$@"
