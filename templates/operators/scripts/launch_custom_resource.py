#!/usr/bin/env python3
# Part of k8s-spec (BSD-3-Clause).
"""Start a Jupyter kernel as a custom resource handled by a Kubernetes operator.

The spark-operator-provisioner runs this file as ``python <spec>/scripts/launch_custom_resource.py
...`` on the gateway host.  It renders ``<KERNEL_CRD_GROUP>-<KERNEL_CRD_VERSION>.yaml.j2`` (next to
this file) and creates the resulting object, e.g. a SparkApplication for the Spark operator.
Client-supplied ``KERNEL_*`` values are escaped for the spot they land in (see the shared section).

For a SparkApplication the launcher then waits until its driver pod runs (exit 0) or the
application cannot start (its driver pod cannot, or the operator reports it failed): then it
deletes the application, prints the reason and exits 1.  K8S_SPEC_FAIL_FAST=false restores the
plain create-and-exit behaviour.
"""

import time

_STARTED = time.monotonic()  # at the latest, the launch timeout runs from now (see process_started)

import argparse  # noqa: E402  (imports after the clock on purpose)
import datetime  # noqa: E402
import http.client  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import os  # noqa: E402
import queue  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import signal  # noqa: E402
import ssl  # noqa: E402
import sys  # noqa: E402
import threading  # noqa: E402
from urllib.parse import quote, urlencode  # noqa: E402

import yaml  # noqa: E402
from jinja2 import Environment, FileSystemLoader, TemplateError, Undefined  # noqa: E402
from jinja2.ext import Extension  # noqa: E402
from jinja2.lexer import Token  # noqa: E402

SPARK_OPERATOR_GROUP = "sparkoperator.k8s.io"
OPERATOR_MISSING = (
    "\nERROR: The Kubernetes Operator for Apache Spark does not appear to be installed.  "
    "See 'https://github.com/GoogleCloudPlatform/spark-on-k8s-operator#installation' for "
    "instructions, then retry the operation.\n"
)

# @include ../../common/launcher_shared.py  (expanded at build time; the shipped file is self-contained)
# @include ../../common/launcher_api.py  (expanded at build time; the shipped file is self-contained)

_NAME_PART = re.compile(r"[A-Za-z0-9][A-Za-z0-9.-]*\Z")


class OperatorMissing(Exception):
    """The API does not know the resource type (HTTP 404)."""


def parse_arguments(argv=None):
    parser = argparse.ArgumentParser(description="Launch a kernel as a Kubernetes custom resource.")
    options = [
        ("--kernel-id", None, "id of the kernel being launched"),
        ("--port-range", "<lowerPort>..<upperPort>", "port range the kernel must use"),
        ("--response-address", "<ip>:<port>", "where the kernel sends its connection information"),
        ("--public-key", None, "public key used to encrypt the connection information"),
        ("--spark-context-initialization-mode", None, "lazy, eager or none (default: none)"),
        ("--kernel-class-name", None, "ipykernel kernel class to run"),
        ("--transport-encryption", None, "'auto' or 'required' to request CurveZMQ keys"),
    ]
    for option, metavar, text in options:
        parser.add_argument(option, nargs="?", metavar=metavar, help=text)
    parser.set_defaults(spark_context_initialization_mode="none")
    return parser.parse_args(argv)


def factory_variables(args, script_path):
    """Launch parameters as template variables; they travel to the kernel as application arguments."""
    return {
        "port_range": args.port_range,
        "public_key": args.public_key,
        "response_address": args.response_address,
        "kernel_id": args.kernel_id,
        "kernel_name": os.path.basename(os.path.dirname(os.path.dirname(script_path))),
        "spark_context_initialization_mode": args.spark_context_initialization_mode,
        "kernel_class_name": args.kernel_class_name,
        "transport_encryption": args.transport_encryption or "",
    }


def extend_section_env(resource, section):
    spec = resource.get("spec") if isinstance(resource, dict) else None
    part = spec.get(section) if isinstance(spec, dict) else None
    if not isinstance(part, dict):
        raise LaunchError(f"the custom resource has no spec.{section} - kernel launch terminating!")
    part["env"] = extend_env(part.get("env"), os.environ)


def launch(args, script_path):
    # In a cluster the in-cluster service account is used.  Outside one (KUBERNETES_SERVICE_HOST
    # unset) the kubeconfig is used instead of failing, so the launcher can be exercised against a
    # local API server, e.g. by the end-to-end tests.
    transport = load_transport(os.environ)
    check_ids(os.environ)
    variables = factory_variables(args, script_path)
    variables.update(template_variables(os.environ))
    group = required_variable(variables, "kernel_crd_group")
    version = required_variable(variables, "kernel_crd_version")
    plural = required_variable(variables, "kernel_crd_plural")
    namespace = required_variable(variables, "kernel_namespace")
    if not (_NAME_PART.match(group) and _NAME_PART.match(version)):
        raise LaunchError(f"invalid custom resource group/version {_show(group + '/' + version)}")
    rendered = render_template(os.path.dirname(script_path), f"{group}-{version}.yaml.j2", variables)
    try:
        resource = yaml.safe_load(rendered)
    except yaml.YAMLError as exc:
        raise LaunchError(f"the rendered custom resource is not valid YAML: {yaml_problem(exc)}") from exc
    if group == SPARK_OPERATOR_GROUP:
        extend_section_env(resource, "driver")
        extend_section_env(resource, "executor")

    policy = WaitPolicy(os.environ)
    clock = LaunchClock(launch_timeout(os.environ, os.path.dirname(os.path.dirname(script_path))),
                        process_started(_STARTED))
    launch = Launch(Api(transport, clock))
    prefix = f"/apis/{group}/{version}"
    kind = resource.get("kind") if isinstance(resource, dict) and isinstance(resource.get("kind"), str) else plural
    try:
        try:
            created = launch.create(prefix, plural, kind, namespace, resource)
        except ApiError as exc:
            if exc.status == 404:
                raise OperatorMissing() from exc
            print("ERROR processing Kubernetes Operator CRD - kernel launch terminating!")
            print(rendered)
            raise
        name = (created.get("metadata") or {}).get("name")
        if group == SPARK_OPERATOR_GROUP and policy.fail_fast and name:
            kernel_id = str(variables.get("kernel_id") or "")
            await_spark_application(launch, prefix, plural, namespace, name, kernel_id, policy, clock)
    except BaseException:
        launch.remove_created()
        raise


def await_spark_application(launch, prefix, plural, namespace, name, kernel_id, policy, clock):
    """Follows the application and its driver pod, found by the labels the provisioner uses."""
    watches = [("app", prefix, plural, namespace, {"fieldSelector": f"metadata.name={name}"}),
               ("pod", "/api/v1", "pods", namespace, {"labelSelector": f"kernel_id={kernel_id},component=kernel"})]
    verdict = await_start(launch, clock, SparkApplicationJudge(policy, name), watches, f"SparkApplication {name}")
    if verdict is None:
        return
    if verdict.outcome in (Verdict.FAILED, Verdict.GONE):
        launch.created = []  # evidence for the operator's error, or already gone
    elif verdict.pod:
        # Deleting the application makes the operator (owner references) remove the driver pod;
        # the pod is deleted at once as well, so that nothing of the kernel lingers.
        path = api_path("/api/v1", "pods", namespace, verdict.pod)
        launch.created.insert(0, CreatedObject("Pod", path, namespace, verdict.pod))
    raise KernelCannotStart(verdict.line(clock))


def main(argv=None):
    args = parse_arguments(argv)
    signal.signal(signal.SIGTERM, _terminated)
    try:
        launch(args, os.path.abspath(__file__))
    except OperatorMissing:
        print(OPERATOR_MISSING, file=sys.stderr)
        return 1
    except LaunchError as exc:
        print(f"ERROR - {exc}", file=sys.stderr)
        return 1
    except (ApiError, ConnectionProblem) as exc:
        print(f"ERROR - {describe_api_error(exc)} - kernel launch terminating!", file=sys.stderr)
        return 1
    return 0


def _terminated(signum, frame):
    raise LaunchError("terminated by a signal - kernel launch terminating!")


if __name__ == "__main__":
    sys.exit(main())
