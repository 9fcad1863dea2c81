#!/usr/bin/env bash
# Builds what is uploaded to PyPI, into OUT_DIR (default target/wheels), and prints their paths:
#
# * a wheel holding the static binary (the build of scripts/build-static.sh: glibc linked in, no
#   shared library), tagged manylinux2014 / manylinux_2_17. maturin's audit (--auditwheel check)
#   fails the build if the binary needs anything newer than manylinux2014 allows; a static binary
#   needs no shared library and no versioned glibc symbol at all, only a Linux kernel >= 3.2
#   (manylinux2014's CentOS 7 has 3.10). `pip wheel .` instead builds the dynamic binary into a
#   wheel tagged linux_x86_64, for the building machine only, which PyPI refuses.
# * the source distribution, which `pip install` builds with cargo (and maturin from PyPI);
# * then `twine check --strict` on both (the metadata and README as PyPI renders them).
#
# Usage: scripts/build-wheel.sh [OUT_DIR]
# Env: STATIC_TARGET_DIR (default target/static, shared with scripts/build-static.sh),
#      WHEEL_TOOLS_VENV (default target/venvs/wheel-tools: maturin and twine, pinned below).
set -euo pipefail
cd "$(dirname "$0")/.."

out=${1:-target/wheels}
tools=${WHEEL_TOOLS_VENV:-target/venvs/wheel-tools}
pins="maturin==1.16.0 twine==7.0.0"
if [ ! -x "$tools/bin/maturin" ] || [ "$(cat "$tools/.pins" 2>/dev/null)" != "$pins" ]; then
  rm -rf "$tools"
  "${PYTHON:-python3}" -m venv "$tools"
  # shellcheck disable=SC2086
  "$tools/bin/pip" install --quiet --disable-pip-version-check $pins
  echo "$pins" > "$tools/.pins"
fi

host=$(rustc -vV | sed -n 's/^host: //p')
mkdir -p "$out"
rm -f "$out"/jupyter_k8s_spec-*
# As scripts/build-static.sh: with --target, RUSTFLAGS reach the binary but not build scripts.
RUSTFLAGS="${RUSTFLAGS:-} -C target-feature=+crt-static" CARGO_TARGET_DIR="${STATIC_TARGET_DIR:-target/static}" \
  "$tools/bin/maturin" build --release --locked --target "$host" \
  --compatibility manylinux2014 --auditwheel check --out "$out" >&2
"$tools/bin/maturin" sdist --out "$out" >&2
"$tools/bin/twine" check --strict "$out"/jupyter_k8s_spec-* >&2
ls -1 "$out"/jupyter_k8s_spec-*
