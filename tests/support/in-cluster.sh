#!/bin/sh
# Runs a command as if in a pod: /var/run/secrets/kubernetes.io/serviceaccount is SA_DIR (token,
# ca.crt, namespace), in a private mount namespace, so nothing changes outside it.  /run is
# replaced by a tmpfs in which every original entry is linked back.  Needs root and unshare(1).
# The caller sets KUBERNETES_SERVICE_HOST/PORT.  Used by the launch tests and the benchmark.
# Usage: tests/support/in-cluster.sh SA_DIR COMMAND [ARG...]
set -eu
sa=$(cd "$1" && pwd)
shift
save=$(mktemp -d "${TMPDIR:-/tmp}/k8s-spec-run.XXXXXX")
status=0
unshare -m --propagation private sh -c '
set -e
save="$1"; sa="$2"; shift 2
mount --bind /run "$save"
mount -t tmpfs -o mode=755 k8s-spec-run /run
for e in "$save"/* "$save"/.[!.]*; do
    if [ -e "$e" ] || [ -L "$e" ]; then ln -s "$e" "/run/${e##*/}"; fi
done
mkdir -p /run/secrets/kubernetes.io
ln -s "$sa" /run/secrets/kubernetes.io/serviceaccount
exec "$@"
' sh "$save" "$sa" "$@" || status=$?
rmdir "$save"
exit "$status"
