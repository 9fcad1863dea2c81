#!/usr/bin/env bash
# Builds a statically linked jupyter-k8s-spec that runs on any Linux of its architecture (no
# shared libraries, not even the C library): to copy into a container image or onto a host
# without Rust or Python. Prints the binary's path last, after its sizes next to the dynamic
# release binary's.
#
# Usage: scripts/build-static.sh [TARGET]
#   TARGET defaults to the host's glibc triple (x86_64-unknown-linux-gnu), linked with
#   -C target-feature=+crt-static; a *-linux-musl target (`rustup target add
#   x86_64-unknown-linux-musl` first) is static by default.
# Env: STATIC_TARGET_DIR (default target/static, kept apart from target/release).
set -euo pipefail
cd "$(dirname "$0")/.."

host=$(rustc -vV | sed -n 's/^host: //p')
target=${1:-$host}
dir=${STATIC_TARGET_DIR:-target/static}

# RUSTFLAGS with --target reach only the binary, not build scripts, which stay dynamic.
RUSTFLAGS="${RUSTFLAGS:-} -C target-feature=+crt-static" CARGO_TARGET_DIR="$dir" \
  cargo build --locked --release --quiet --target "$target"

bin="$dir/$target/release/jupyter-k8s-spec"
size() { stat -c %s "$1"; }
if command -v file >/dev/null; then echo "file:    $(file -b "$bin")" >&2; fi
if command -v ldd >/dev/null; then echo "ldd:     $(ldd "$bin" 2>&1 | head -n1 | sed 's/^[[:space:]]*//')" >&2; fi
echo "static:  $(size "$bin") bytes  $bin" >&2
if [ -x target/release/jupyter-k8s-spec ]; then
  echo "dynamic: $(size target/release/jupyter-k8s-spec) bytes  target/release/jupyter-k8s-spec" >&2
fi
echo "$bin"
