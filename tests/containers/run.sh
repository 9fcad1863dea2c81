#!/usr/bin/env bash
# Runs the container tests alone: tests/containers/run.sh [pytest args]
#
# scripts/setup/docker.sh installs and starts the suite's own dockerd (host network only) for the
# duration of the run and stops it afterwards; the tests build the base image on first use
# (scripts/setup/base-image.sh, about a minute, then cached under target/containers), and from it
# the README's images and a kernel image. The host side (pytest, and the gateway of the kernel
# scenarios) runs in the end-to-end suite's main virtualenv (tests/e2e/setup_venvs.sh).
# Env: K8S_SPEC_BIN (default <repo>/target/release/jupyter-k8s-spec), E2E_VENV_DIR, E2E_KEEP=1.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
export E2E_VENV_DIR="${E2E_VENV_DIR:-$repo/target/e2e-venvs}"
export K8S_SPEC_BIN="${K8S_SPEC_BIN:-$repo/target/release/jupyter-k8s-spec}"

"$repo/tests/e2e/setup_venvs.sh"

basetemp="$(mktemp -d "${TMPDIR:-/tmp}/k8s-spec-containers.XXXXXX")"
cleanup() {
    if [[ "${E2E_KEEP:-0}" == "1" ]]; then
        echo "containers: temp files kept in $basetemp"
    else
        rm -rf "$basetemp"
    fi
}
trap cleanup EXIT

cd "$here"
status=0
"$repo/scripts/setup/docker.sh" "$E2E_VENV_DIR/main/bin/python" -m pytest --basetemp="$basetemp/pytest" "$@" || status=$?
exit "$status"
