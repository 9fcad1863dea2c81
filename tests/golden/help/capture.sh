#!/usr/bin/env bash
# Regenerates the golden help/usage texts of tests/golden/help from the reference
# (gateway-provisioners 0.5.0's jupyter-k8s-spec), with the text fixes we make applied
# (the same as REFERENCE_TEXT_FIXES in the conformance harness).
#
#   tests/golden/help/capture.sh [path/to/reference/jupyter-k8s-spec]
#
# Only help and argparse-error invocations are run: nothing is installed.
set -euo pipefail

ref=${1:-/tmp/refvenv/bin/jupyter-k8s-spec}
out=$(cd "$(dirname "$0")" && pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# The interpreter prefix that --sys-prefix shows; the goldens spell it {PREFIX}.
python=$(head -n1 "$ref" | sed 's/^#!//')
sys_prefix=$($python -c 'import sys; print(sys.prefix)')

# A clean environment: no SPARK_HOME, COLUMNS, JUPYTER_*, GP_*; a throw-away HOME and cwd.
run() {
    (cd "$scratch" && env -i HOME="$scratch" PATH=/usr/bin:/bin LANG=C.UTF-8 "$@")
}

# Applies our fixes and the {PREFIX} spelling to stdin.
fix() {
    SYS_PREFIX="$sys_prefix" python3 -c '
import os, sys
text = sys.stdin.read()
for old, new in [
    ("Number of ports to try if the specified port is not available",
     "Number of seconds to wait for the kernel to start before its launch fails"),
    ("--display-name=\x27Python SparkOperator\"", "--display-name=\x27Python SparkOperator\x27"),
    ("[--BaseSpecApp.prefix=" + os.environ["SYS_PREFIX"] + "]", "[--BaseSpecApp.prefix={PREFIX}]"),
]:
    text = text.replace(old, new)
sys.stdout.write(text)'
}

# capture NAME EXPECTED_EXIT ARGS...: stdout of one run into NAME.
capture() {
    local name=$1 want=$2 rc=0
    shift 2
    run "$@" >"$scratch/stdout" || rc=$?
    [ "$rc" = "$want" ] || { echo "capture.sh: $name: exit $rc, expected $want" >&2; exit 1; }
    fix <"$scratch/stdout" >"$out/$name"
}

# same NAME ARGS...: this run must print exactly what NAME holds.
same() {
    local name=$1
    shift
    run "$@" | fix | cmp -s - "$out/$name" || { echo "capture.sh: $* differs from $name" >&2; exit 1; }
}

capture dispatcher_help.txt 0 "$ref" --help
same dispatcher_help.txt "$ref" -h
same dispatcher_help.txt "$ref" help
capture dispatcher_help_all.txt 0 "$ref" --help-all
capture no_subcommand.txt 1 "$ref"
capture install_help.txt 0 "$ref" install --help
same install_help.txt "$ref" install -h
same install_help.txt "$ref" help install
capture install_help_all.txt 0 "$ref" install --help-all

# The --spark-home default shows SPARK_HOME (as read at start-up) through Python's repr().
spark_homes=(
    spark_plain "/srv/spark-3.5"
    spark_quote "/srv/it's spark"
    spark_empty ""
    spark_escapes $'/data/tab\there/\u00e9\u200b/\\x'
    spark_long "/very/long/spark/home/that/is/longer/than/sixty/four/characters/x"
)
for ((i = 0; i < ${#spark_homes[@]}; i += 2)); do
    name=${spark_homes[i]} value=${spark_homes[i + 1]}
    capture "install_help_$name.txt" 0 SPARK_HOME="$value" "$ref" install --help
    capture "install_help_all_$name.txt" 0 SPARK_HOME="$value" "$ref" install --help-all
done

# Usage blocks of argparse errors (stderr, exit 2) without the final "error:" line.
usage() {
    local name=$1 columns=$2 rc=0
    shift 2
    run COLUMNS="$columns" "$@" 2>"$scratch/stderr" >/dev/null || rc=$?
    [ "$rc" = 2 ] || { echo "capture.sh: $name: exit $rc, expected 2" >&2; exit 1; }
    grep -v '^jupyter-k8s-spec: error: ' "$scratch/stderr" >"$out/$name"
}
for columns in 1 2 10 30 32 33 40 79 80 81 120 200 1000; do
    usage "usage_install_$columns.txt" "$columns" "$ref" install "--prefix=$scratch/never" --display-name
done
for columns in 1 10 30 33 40 80; do
    usage "usage_dispatcher_$columns.txt" "$columns" "$ref" --debug
done
