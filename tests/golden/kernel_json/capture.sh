#!/usr/bin/env bash
# Regenerates the golden kernel.json files from the reference installer
# (gateway-provisioners 0.5.0). Usage: capture.sh /path/to/reference/bin/jupyter-k8s-spec
# Each line of cases.txt is "<name> <args...>"; the install directory is replaced by
# {INSTALL_DIR} so that tests can compare files installed anywhere.
set -euo pipefail
ref=${1:?path to the reference jupyter-k8s-spec}
here=$(cd "$(dirname "$0")" && pwd)
while read -r name args; do
  [ -z "$name" ] || [ "${name#\#}" != "$name" ] && continue
  tmp=$(mktemp -d)
  # shellcheck disable=SC2086 # word splitting of the case's arguments is intended
  env -i PATH=/usr/bin:/bin HOME="$tmp/home" PYTHONHASHSEED=0 "$ref" install --prefix="$tmp/p" $args 2>/dev/null
  dir=$(ls -d "$tmp"/p/share/jupyter/kernels/*)
  sed "s#$dir#{INSTALL_DIR}#g" "$dir/kernel.json" > "$here/$name.json"
  rm -rf "$tmp"
done < "$here/cases.txt"
