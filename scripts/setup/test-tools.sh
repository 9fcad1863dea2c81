#!/usr/bin/env bash
# Installs the programs the tests use besides Rust and Python, from Debian's apt: zsh and fish
# (their completion scripts are checked by running them), groff (renders the manual page) and
# node (parses the R kernelspec's kernel.js). Only missing ones are installed; needs root (or
# sudo) for that. Where it cannot install, it says so and the tests that need the program skip
# (listed in the run's output); with CI set they fail instead, and so does this script.
set -euo pipefail

declare -A package=([zsh]=zsh [fish]=fish [groff]=groff-base [node]=nodejs)
missing=()
for tool in zsh fish groff node; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("${package[$tool]}")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo=(sudo -n)
  else
    echo "test-tools: cannot install ${missing[*]} (needs root): the tests that use them will skip" >&2
    [ -z "${CI:-}" ] || exit 1
    exit 0
  fi
fi

echo "test-tools: installing ${missing[*]} from apt"
apt=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q -y -o DPkg::Lock::Timeout=600)
# A clean machine may have no package lists yet: update once if the install cannot find them.
if ! "${apt[@]}" install --no-install-recommends "${missing[@]}" >/dev/null; then
  "${apt[@]}" update >/dev/null
  "${apt[@]}" install --no-install-recommends "${missing[@]}" >/dev/null
fi
