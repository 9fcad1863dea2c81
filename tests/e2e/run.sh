#!/usr/bin/env bash
# Runs the end-to-end suite: creates/reuses the virtualenvs, then pytest (extra args go to pytest).
# Env: K8S_SPEC_BIN (installer under test, default <repo>/target/release/jupyter-k8s-spec),
#      E2E_VENV_DIR (venv cache, default <repo>/target/e2e-venvs), E2E_KEEP=1 keeps the temp dir,
#      E2E_REFERENCE=1 when K8S_SPEC_BIN is the reference (hardening tests become strict xfails).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
export E2E_VENV_DIR="${E2E_VENV_DIR:-$repo/target/e2e-venvs}"
export K8S_SPEC_BIN="${K8S_SPEC_BIN:-$repo/target/release/jupyter-k8s-spec}"

"$here/setup_venvs.sh"

if [[ ! -x "$K8S_SPEC_BIN" ]]; then
    echo "e2e: installer not found at $K8S_SPEC_BIN (cargo build --release, or set K8S_SPEC_BIN)" >&2
    exit 2
fi

basetemp="$(mktemp -d "${TMPDIR:-/tmp}/k8s-spec-e2e.XXXXXX")"
cleanup() {
    if [[ "${E2E_KEEP:-0}" == "1" ]]; then
        echo "e2e: temp files kept in $basetemp"
    else
        rm -rf "$basetemp"
    fi
}
trap cleanup EXIT

cd "$here"
status=0
"$E2E_VENV_DIR/main/bin/python" -m pytest --basetemp="$basetemp/pytest" "$@" || status=$?
exit "$status"
