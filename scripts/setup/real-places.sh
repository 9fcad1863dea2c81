#!/usr/bin/env bash
# The system tools tests/real_places.rs drives: strace (an installer killed before each of its
# system calls), util-linux (mount, unshare), e2fsprogs (mkfs.ext4, chattr). Installs the
# missing ones from Debian's packages when run as root; otherwise says what is missing (the
# tests then fail in CI, where they run as root, and are not run elsewhere).
set -euo pipefail
need=()
for tool in strace:strace mount:mount unshare:util-linux chattr:e2fsprogs mkfs.ext4:e2fsprogs; do
  command -v "${tool%%:*}" >/dev/null 2>&1 || PATH="$PATH:/usr/sbin:/sbin" command -v "${tool%%:*}" >/dev/null 2>&1 ||
    need+=("${tool##*:}")
done
[ ${#need[@]} -eq 0 ] && exit 0
mapfile -t need < <(printf '%s\n' "${need[@]}" | sort -u)
if [ "$(id -u)" != 0 ]; then
  echo "real-places: missing ${need[*]} (install them as root: apt-get install ${need[*]})" >&2
  exit 0
fi
echo "real-places: installing ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
