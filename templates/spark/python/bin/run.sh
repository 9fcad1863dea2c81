#!/usr/bin/env bash
# Part of k8s-spec (BSD-3-Clause).
# Starts an IPython kernel as a Spark driver in Kubernetes (cluster deploy mode) via spark-submit.
# Arguments are passed on to the kernel launcher unchanged.

# @include ../../../common/run_shared.sh  (expanded at build time; the shipped file is self-contained)

print_banner "IPython kernel"
check_environment
PROG_HOME=${KERNEL_LAUNCHERS_DIR}/python

words_of SPARK_OPTS
spark_opts=("${WORDS[@]}")
words_of LAUNCH_OPTS
launch_opts=("${WORDS[@]}")

set -x
exec "${SPARK_HOME}/bin/spark-submit" "${spark_opts[@]}" \
    "local://${PROG_HOME}/scripts/launch_ipykernel.py" "${launch_opts[@]}" "$@"
