#!/usr/bin/env bash
# Part of k8s-spec (BSD-3-Clause).
# Starts an Apache Toree (Scala) kernel as a Spark driver in Kubernetes (cluster deploy mode) via
# spark-submit.  Arguments are passed on to the Toree launcher unchanged.

# @include ../../../common/run_shared.sh  (expanded at build time; the shipped file is self-contained)

print_banner "Toree kernel"
check_environment
PROG_HOME=${KERNEL_LAUNCHERS_DIR}/scala

# The jars are looked up on this host; spark-submit refers to the same paths inside the image.
# (If several versions match, the first in sort order is used.)
first_match() {
    local matches=("$@")
    [ -f "${matches[0]}" ] && printf '%s' "${matches[0]}"
}
TOREE_ASSEMBLY=$(first_match "${PROG_HOME}"/lib/toree-assembly-*.jar)
if [ -z "${TOREE_ASSEMBLY}" ]; then
    echo "Toree assembly '${PROG_HOME}/lib/toree-assembly-*.jar' is missing.  Exiting..."
    exit 1
fi
LAUNCHER_APP=$(first_match "${PROG_HOME}"/lib/toree-launcher*.jar)
if [ -z "${LAUNCHER_APP}" ]; then
    echo "Scala launcher jar '${PROG_HOME}/lib/toree-launcher*.jar' is missing.  Exiting..."
    exit 1
fi

# kernel.json keeps its options in __TOREE_SPARK_OPTS__ / __TOREE_OPTS__; non-empty SPARK_OPTS /
# TOREE_OPTS from the environment take precedence.
if [ -z "${SPARK_OPTS}" ]; then
    SPARK_OPTS=${__TOREE_SPARK_OPTS__}
fi
if [ -z "${TOREE_OPTS}" ]; then
    TOREE_OPTS=${__TOREE_OPTS__}
fi

words_of SPARK_OPTS
spark_opts=("${WORDS[@]}")
words_of TOREE_OPTS
toree_opts=("${WORDS[@]}")
words_of LAUNCH_OPTS
launch_opts=("${WORDS[@]}")

set -x
exec "${SPARK_HOME}/bin/spark-submit" "${spark_opts[@]}" \
    --jars "local://${TOREE_ASSEMBLY}" --class launcher.ToreeLauncher "local://${LAUNCHER_APP}" \
    "${toree_opts[@]}" "${launch_opts[@]}" "$@"
