#!/usr/bin/env bash
# A container runtime of the suite's own: runs COMMAND with DOCKER_HOST pointing at a dockerd this
# script starts, and stops that daemon (and only that one) when COMMAND ends, fails or is
# interrupted.
#
# Usage: scripts/setup/docker.sh COMMAND [ARGS...]
#
# * Installs Debian's docker.io and debootstrap with apt when dockerd or debootstrap is missing
#   (without recommended packages, and without letting the package start a system daemon).
# * Starts `dockerd --bridge=none --iptables=false --ip-masq=false`: no bridge, no firewall or NAT
#   rule, no container network; containers get --network=host or --network=none only. Its data
#   root (images, build cache) is target/containers/docker, so a second run reuses the images;
#   its exec root, pid file and socket are under a short directory in /tmp (socket paths are
#   limited to 108 bytes), and it reads a daemon.json of its own, not /etc/docker/daemon.json.
# * Exports DOCKER_HOST, DOCKER (the client of the same package) and DOCKER_BUILDKIT=0 (the
#   legacy builder: BuildKit is not installed) for COMMAND.
# * When the runtime cannot be set up, COMMAND still runs, with K8S_SPEC_DOCKER_ERROR set to the
#   reason: the container tests then fail with it (they are never skipped).
# * On exit: removes every container of this daemon, stops the daemon (SIGTERM, then SIGKILL after
#   30 s), and unmounts anything left mounted under its directories.
#
# Env: K8S_SPEC_CONTAINERS_DIR (default <repo>/target/containers).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
state="${K8S_SPEC_CONTAINERS_DIR:-$repo/target/containers}"
[ $# -gt 0 ] || { echo "usage: $0 COMMAND [ARGS...]" >&2; exit 2; }

log() { printf 'containers: %s\n' "$*" >&2; }

mkdir -p "$state"
state="$(cd "$state" && pwd)"
data_root="$state/docker"
# One daemon per data root: a second run against the same target/ waits for the first. Only this
# shell holds the lock (children get 9>&-), so a run killed with SIGKILL does not keep it.
exec 9>"$state/dockerd.lock"
if ! flock -w 3600 9; then
  echo "containers: another run holds $state/dockerd.lock" >&2
  exit 1
fi
run_dir="/tmp/k8s-spec-docker-$(printf %s "$data_root" | sha256sum | cut -c1-12)"
sock="$run_dir/docker.sock"
daemon_pid=""
reason=""
fail() { reason="$*"; return 1; }

install_packages() {
  local missing=()
  command -v dockerd >/dev/null || missing+=(docker.io)
  command -v debootstrap >/dev/null || missing+=(debootstrap)
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" -eq 0 ] || { fail "needs root to install ${missing[*]} with apt"; return 1; }
  command -v apt-get >/dev/null || { fail "no apt-get to install ${missing[*]}"; return 1; }
  log "installing ${missing[*]} with apt"
  # A package's maintainer script must not start Debian's own dockerd (it would create a bridge
  # and firewall rules): policy-rc.d 101 forbids service starts while we install.
  local policy=/usr/sbin/policy-rc.d made_policy=""
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod 755 "$policy" && made_policy=1
  fi
  local apt=(apt-get -q -y -o DPkg::Lock::Timeout=600 install --no-install-recommends "${missing[@]}")
  local rc=0
  DEBIAN_FRONTEND=noninteractive "${apt[@]}" >"$state/apt.log" 2>&1 \
    || { DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=600 update >>"$state/apt.log" 2>&1 \
         && DEBIAN_FRONTEND=noninteractive "${apt[@]}" >>"$state/apt.log" 2>&1; } || rc=$?
  [ -n "$made_policy" ] && rm -f "$policy"
  if [ $rc -ne 0 ]; then
    fail "apt-get install ${missing[*]} failed (exit $rc): $(tail -n 3 "$state/apt.log" | tr '\n' ' ')"
    return 1
  fi
}

# Removes our containers, stops our daemon, unmounts what it left. Never touches another daemon.
stop_daemon() {
  [ -n "$daemon_pid" ] || return 0
  if kill -0 "$daemon_pid" 2>/dev/null; then
    local ids
    ids=$("$DOCKER" -H "unix://$sock" ps -aq 2>/dev/null || true)
    [ -z "$ids" ] || "$DOCKER" -H "unix://$sock" rm -f $ids >/dev/null 2>&1 || true
    kill -TERM "$daemon_pid" 2>/dev/null || true
    for _ in $(seq 300); do kill -0 "$daemon_pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$daemon_pid" 2>/dev/null; then
      log "dockerd $daemon_pid did not stop in 30 s: SIGKILL"
      kill -KILL "$daemon_pid" 2>/dev/null || true
    fi
    wait "$daemon_pid" 2>/dev/null || true
  fi
  # Mounts of our daemon (overlay layers, shm, netns), deepest first.
  local m
  for m in $(awk -v a="$data_root/" -v b="$run_dir/" 'index($2, a) == 1 || index($2, b) == 1 {print $2}' /proc/self/mounts | sort -r); do
    umount -l "$m" 2>/dev/null || log "could not unmount $m"
  done
  rm -rf "$run_dir"
  daemon_pid=""
}

start_daemon() {
  [ "$(id -u)" -eq 0 ] || { fail "dockerd needs root (running as uid $(id -u))"; return 1; }
  install_packages || return 1
  local dockerd
  dockerd=$(command -v dockerd)
  # The client of the daemon's package (/usr/bin/docker for /usr/sbin/dockerd), not whichever
  # docker comes first on PATH.
  local d
  DOCKER=""
  for d in "$(dirname "$dockerd")" "$(dirname "$dockerd")/../bin"; do
    if [ -x "$d/docker" ]; then DOCKER="$(cd "$d" && pwd)/docker"; break; fi
  done
  [ -n "$DOCKER" ] || DOCKER=$(command -v docker) || { fail "no docker client next to $dockerd"; return 1; }
  # A daemon of an earlier run that was killed with SIGKILL: ours by its pid file and socket.
  if [ -f "$run_dir/dockerd.pid" ]; then
    local old
    old=$(cat "$run_dir/dockerd.pid")
    if [ -n "$old" ] && [ "$(readlink "/proc/$old/exe" 2>/dev/null)" = "$dockerd" ] \
       && tr '\0' ' ' < "/proc/$old/cmdline" | grep -q -- "--exec-root $run_dir "; then
      log "stopping dockerd $old left by an earlier run"
      daemon_pid=$old
      stop_daemon
    fi
  fi
  mkdir -p "$run_dir" "$data_root"
  echo '{}' > "$run_dir/daemon.json"
  log "starting dockerd (data root $data_root, socket $sock)"
  "$dockerd" --bridge=none --iptables=false --ip-masq=false --ip6tables=false \
    --data-root "$data_root" --exec-root "$run_dir" --pidfile "$run_dir/dockerd.pid" \
    --host "unix://$sock" --config-file "$run_dir/daemon.json" --storage-driver overlay2 \
    --log-level warn >"$state/dockerd.log" 2>&1 9>&- &
  daemon_pid=$!
  for _ in $(seq 600); do
    if "$DOCKER" -H "unix://$sock" version >/dev/null 2>&1; then
      return 0
    fi
    if ! kill -0 "$daemon_pid" 2>/dev/null; then
      wait "$daemon_pid" 2>/dev/null || true
      daemon_pid=""
      fail "dockerd exited at start: $(tail -n 3 "$state/dockerd.log" | tr '\n' ' ')"
      return 1
    fi
    sleep 0.1
  done
  fail "dockerd did not answer on $sock within 60 s: $(tail -n 3 "$state/dockerd.log" | tr '\n' ' ')"
  return 1
}

trap 'stop_daemon' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

DOCKER=docker
if start_daemon; then
  export DOCKER_HOST="unix://$sock" DOCKER DOCKER_BUILDKIT=0
  unset K8S_SPEC_DOCKER_ERROR
  log "dockerd $daemon_pid ready ($("$DOCKER" version --format '{{.Server.Version}}'))"
else
  log "no container runtime: $reason"
  export K8S_SPEC_DOCKER_ERROR="$reason"
fi
status=0
"$@" 9>&- || status=$?
exit $status
