#!/usr/bin/env bash
# Builds (once) the suite's base image and prints its name: Debian bookworm with Python 3 laid out
# like the official python:3.x-slim images (python and pip in /usr/local/bin, packages installed
# into /usr/local), made without any image registry: debootstrap from the Debian package archive,
# then `docker import`.
#
# The tag carries a hash of this file (the recipe): an image of the same recipe in the daemon's
# data root (target/containers/docker) is reused, a changed recipe builds a new one and removes
# the old ones. Runs inside scripts/setup/docker.sh (needs DOCKER_HOST, DOCKER, root).
#
# Usage: scripts/setup/base-image.sh      (prints e.g. k8s-spec-local/python:3-bookworm-0123abcd4567)
# Env: K8S_SPEC_DEBIAN_MIRROR (default http://deb.debian.org/debian).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
state="${K8S_SPEC_CONTAINERS_DIR:-$repo/target/containers}"
docker=${DOCKER:-docker}
mirror=${K8S_SPEC_DEBIAN_MIRROR:-http://deb.debian.org/debian}
repository=k8s-spec-local/python
# pip in the image trusts what pip on this machine trusts (a network may reach the package index
# only through a proxy with a certificate authority of its own).
ca_bundle=${K8S_SPEC_CA_BUNDLE:-${PIP_CERT:-${SSL_CERT_FILE:-/etc/ssl/certs/ca-certificates.crt}}}
[ -f "$ca_bundle" ] || ca_bundle=""
tag="$repository:3-bookworm-$(cat "${BASH_SOURCE[0]}" ${ca_bundle:+"$ca_bundle"} | sha256sum | cut -c1-12)"

if "$docker" image inspect "$tag" >/dev/null 2>&1; then
  echo "$tag"
  exit 0
fi

mkdir -p "$state"
rootfs=$(mktemp -d "$state/rootfs.XXXXXX")
cleanup() {
  # debootstrap mounts proc and sys inside the tree while it installs; never leave them behind.
  local m
  for m in $(awk -v r="$rootfs/" 'index($2, r) == 1 {print $2}' /proc/self/mounts | sort -r); do
    umount -l "$m" || echo "base-image: could not unmount $m" >&2
  done
  rm -rf --one-file-system "$rootfs"
}
trap cleanup EXIT

echo "base-image: debootstrap bookworm into $rootfs (log: $state/debootstrap.log)" >&2
started=$(date +%s)
if ! debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates bookworm "$rootfs" "$mirror" \
     >"$state/debootstrap.log" 2>&1; then
  echo "base-image: debootstrap failed: $(tail -n 5 "$state/debootstrap.log" | tr '\n' ' ')" >&2
  exit 1
fi
# python:3.x-slim has its interpreter, pip and every pip-installed script in /usr/local/bin and
# sys.prefix /usr/local; a virtual environment at /usr/local gives Debian's Python the same layout
# (and pip its own, outside Debian's externally managed /usr).
chroot "$rootfs" /usr/bin/python3 -m venv /usr/local
if [ -n "$ca_bundle" ]; then
  cp "$ca_bundle" "$rootfs/etc/ssl/certs/ca-certificates.crt"
  printf '[global]\ncert = /etc/ssl/certs/ca-certificates.crt\n' > "$rootfs/etc/pip.conf"
fi
chroot "$rootfs" /usr/local/bin/python -m pip --version >&2
rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb

tar -C "$rootfs" --numeric-owner -c . | "$docker" import \
  --change 'ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV LANG=C.UTF-8' \
  --change 'CMD ["python3"]' \
  --message "debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates bookworm; python3 -m venv /usr/local" \
  - "$tag" >/dev/null
echo "base-image: $tag built in $(( $(date +%s) - started )) s" >&2

# Images of earlier recipes are not used any more.
"$docker" image ls --format '{{.Repository}}:{{.Tag}}' "$repository" | grep -vxF "$tag" \
  | xargs -r "$docker" image rm >/dev/null 2>&1 || true
echo "$tag"
