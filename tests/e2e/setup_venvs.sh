#!/usr/bin/env bash
# Creates (or reuses) the two virtualenvs of the end-to-end suite:
#   <cache>/main  from requirements.txt      (current kubernetes client)
#   <cache>/auto  from requirements-auto.txt (kubernetes 28.1.0, automatic-namespace mode)
# A venv is rebuilt only when its requirements file or the base interpreter changed.
# Env: E2E_VENV_DIR (default <repo>/target/e2e-venvs), E2E_PYTHON (default python3).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
cache="${E2E_VENV_DIR:-$repo/target/e2e-venvs}"
base_python="${E2E_PYTHON:-python3}"

mkdir -p "$cache"

make_venv() {
    local name="$1" reqs="$2" dir="$cache/$1"
    local stamp
    stamp="$( (cat "$reqs"; "$base_python" -c 'import sys; print(sys.version)') | sha256sum | cut -d' ' -f1)"
    if [[ -x "$dir/bin/python" && -f "$dir/.e2e-stamp" && "$(cat "$dir/.e2e-stamp")" == "$stamp" ]]; then
        echo "e2e venv '$name' up to date: $dir"
        return
    fi
    echo "creating e2e venv '$name' in $dir"
    rm -rf "$dir"
    "$base_python" -m venv "$dir"
    "$dir/bin/python" -m pip install --quiet --disable-pip-version-check -r "$reqs"
    echo "$stamp" > "$dir/.e2e-stamp"
}

make_venv main "$here/requirements.txt"
make_venv auto "$here/requirements-auto.txt"
