#!/usr/bin/env python3
# Part of k8s-spec (BSD-3-Clause).
"""Start a Jupyter kernel as a Kubernetes pod.

The kernel provisioner runs this file as ``python <spec>/scripts/launch_kubernetes.py ...`` on the
gateway host.  It renders ``kernel-pod.yaml.j2`` (next to this file) with every ``KERNEL_*``
environment variable as a template variable and creates the resulting objects, or - with
``--pod-template FILE`` - only writes the pod definition and prints extra Spark options.

Values coming from ``KERNEL_*`` variables may be chosen by the client that starts the kernel, so the
template is rendered in a way that keeps every value inside the YAML field it feeds (see the shared
section below).

After creating its objects the launcher waits until the kernel pod runs (exit 0) or can never
start (an image that cannot be pulled, a missing Secret, ...): then it deletes what it created,
prints the reason and exits 1, so that the start fails at once instead of at the launch timeout.
Busy API servers are ridden out with retries.  K8S_SPEC_FAIL_FAST=false restores the plain
create-and-exit behaviour.
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

TEMPLATE_NAME = "kernel-pod.yaml.j2"

# @include ../../common/launcher_shared.py  (expanded at build time; the shipped file is self-contained)
# @include ../../common/launcher_api.py  (expanded at build time; the shipped file is self-contained)

CORE = "/api/v1"


def parse_arguments(argv=None):
    parser = argparse.ArgumentParser(description="Launch a kernel pod in Kubernetes.")
    options = [
        ("--kernel-id", None, "id of the kernel being launched"),
        ("--port-range", "<lowerPort>..<upperPort>", "port range the kernel must use"),
        ("--response-address", "<ip>:<port>", "where the kernel sends its connection information"),
        ("--public-key", None, "public key used to encrypt the connection information"),
        ("--spark-context-initialization-mode", None, "lazy, eager or none (default: none)"),
        ("--pod-template", "FILE", "only write the pod definition to FILE; create nothing"),
        ("--spark-opts-out", "FILE", "with --pod-template: write the extra Spark options to FILE"),
        ("--kernel-class-name", None, "ipykernel kernel class to run"),
        ("--transport-encryption", None, "'auto' or 'required' to request CurveZMQ keys"),
    ]
    for option, metavar, text in options:
        parser.add_argument(option, nargs="?", metavar=metavar, help=text)
    parser.set_defaults(spark_context_initialization_mode="none")
    return parser.parse_args(argv)


def publish_launch_env(args, script_path):
    """Put the launch parameters into the process env: they become KERNEL_* template variables and
    reach the kernel container through the env extension."""
    settings = [
        ("PORT_RANGE", args.port_range),
        ("PUBLIC_KEY", args.public_key),
        ("RESPONSE_ADDRESS", args.response_address),
        ("KERNEL_ID", args.kernel_id),
        ("KERNEL_SPARK_CONTEXT_INIT_MODE", args.spark_context_initialization_mode),
        ("KERNEL_CLASS_NAME", args.kernel_class_name),
        ("TRANSPORT_ENCRYPTION", args.transport_encryption),
    ]
    for name, value in settings:
        if value:
            os.environ[name] = value
    # The kernelspec directory keeps its original case here, unlike the kernel name Jupyter uses.
    os.environ["KERNEL_NAME"] = os.path.basename(os.path.dirname(os.path.dirname(script_path)))


def spark_resource_options(pod):
    """Spark options mirroring the kernel container's resources (GPUs are not mapped)."""
    spec = pod.get("spec") if isinstance(pod.get("spec"), dict) else {}
    containers = spec.get("containers") or []
    first = containers[0] if containers and isinstance(containers[0], dict) else {}
    resources = first.get("resources") if isinstance(first.get("resources"), dict) else {}
    requests = resources.get("requests") if isinstance(resources.get("requests"), dict) else {}
    limits = resources.get("limits") if isinstance(resources.get("limits"), dict) else {}
    mapping = [
        (requests, "cpu", "spark.driver.cores", "spark.executor.cores"),
        (requests, "memory", "spark.driver.memory", "spark.executor.memory"),
        (limits, "cpu", "spark.kubernetes.driver.limit.cores", "spark.kubernetes.executor.limit.cores"),
        (limits, "memory", "spark.driver.memory", "spark.executor.memory"),
    ]
    text = ""
    for section, key, driver, executor in mapping:
        value = section.get(key)
        if value:
            text += f"--conf {driver}={value} --conf {executor}={value} "
    return text


def kernel_container(pod):
    try:
        container = pod["spec"]["containers"][0]
    except (KeyError, IndexError, TypeError):
        container = None
    if not isinstance(container, dict):
        raise LaunchError("the Pod in the yaml file has no spec.containers[0] - kernel launch terminating!")
    return container


def create_pod(launch, pod, namespace):
    """Creates the kernel pod; returns its name.  An existing pod labelled with this kernel's id is
    this kernel's (e.g. the launcher was run again): it is used, or - while it is still being
    deleted, as after a restart - waited for and replaced."""
    kernel_id = os.environ.get("KERNEL_ID", "")
    for _ in range(3):
        try:
            created = launch.create(CORE, "pods", "Pod", namespace, pod, adopt_lost=False)
            return (created.get("metadata") or {}).get("name")
        except ApiError as exc:
            if not is_already_exists(exc):
                raise
            found = launch.api.get(api_path(CORE, "pods", namespace, query={"labelSelector": f"kernel_id={kernel_id}"}))
            items = found.get("items") or []
            if not items:
                raise LaunchError(
                    f"a Pod named {_show(pod.get('metadata', {}).get('name'))} already exists in namespace"
                    f" '{namespace}' but none is labelled kernel_id={kernel_id} - kernel launch terminating!"
                ) from exc
            mine = items[0]
            name = (mine.get("metadata") or {}).get("name")
            if not (mine.get("metadata") or {}).get("deletionTimestamp"):
                # This kernel's pod (created by a lost attempt of ours, or by an earlier run of the
                # launcher): if the kernel cannot start, it goes too.
                launch.remember(CORE, "pods", "Pod", namespace, mine, pod)
                return name
            note(f"INFO - kernel pod {name} of an earlier start is still being deleted; waiting for it")
            if not launch._wait_gone(CreatedObject("Pod", api_path(CORE, "pods", namespace, name), namespace, name),
                                     patience=max(0.0, launch.api.clock.left() - 1)):
                raise LaunchError(f"kernel pod {name} of an earlier start is still being deleted"
                                  " - kernel launch terminating!") from exc
    raise LaunchError("the kernel pod keeps reappearing - kernel launch terminating!")


def create_pvc(launch, claim, namespace):
    try:
        launch.create(CORE, "persistentvolumeclaims", "PersistentVolumeClaim", namespace, claim, adopt_lost=False)
    except ApiError as exc:
        if not is_already_exists(exc):
            raise
        # An existing claim (e.g. the user's home volume) is reused, and never deleted by us - even
        # when a lost answer to our own attempt might have made it: losing data is worse.
        launch.keep("PersistentVolumeClaim", namespace, (claim.get("metadata") or {}).get("name"),
                    "it existed before this launch")


def checked_documents(rendered):
    """The rendered documents, all checked before anything is created: a kind we do not create
    must not leave the objects of earlier documents behind."""
    try:
        documents = list(yaml.safe_load_all(rendered))
    except yaml.YAMLError as exc:
        raise LaunchError(f"the rendered {TEMPLATE_NAME} is not valid YAML: {yaml_problem(exc)}") from exc
    checked = []
    for document in documents:
        if document is None:  # empty document, e.g. after a trailing '---'
            continue
        kind = document.get("kind") if isinstance(document, dict) else None
        if not kind:
            print("ERROR processing Kubernetes yaml file - kernel launch terminating!")
            print(rendered)
            raise LaunchError(
                f"Unknown Kubernetes object '{document}' found in yaml file - kernel launch terminating!"
            )
        if kind not in CREATED_KINDS:
            raise LaunchError(
                f"Unhandled Kubernetes object kind '{kind}' found in yaml file - kernel launch terminating!"
            )
        if kind == "Pod":
            container = kernel_container(document)
            container["env"] = extend_env(container.get("env"), os.environ)
        checked.append(document)
    return checked


CREATED_KINDS = ("Pod", "Secret", "PersistentVolumeClaim", "PersistentVolume")


def launch(args, script_path):
    transport = load_transport(os.environ)
    publish_launch_env(args, script_path)
    check_ids(os.environ)
    variables = template_variables(os.environ)
    rendered = render_template(os.path.dirname(script_path), TEMPLATE_NAME, variables)
    template_only = args.pod_template is not None
    namespace = required_variable(variables, "kernel_namespace", allow_empty=template_only)
    documents = checked_documents(rendered)
    pods = [d for d in documents if d["kind"] == "Pod"]
    if template_only:
        if args.pod_template:  # an empty file name creates nothing and writes nothing
            write_pod_template(pods[-1] if pods else None, args.pod_template, args.spark_opts_out)
        return

    policy = WaitPolicy(os.environ)
    clock = LaunchClock(launch_timeout(os.environ, os.path.dirname(os.path.dirname(script_path))),
                        process_started(_STARTED))
    launch = Launch(Api(transport, clock))
    try:
        pod_name = None
        for document in documents:
            kind = document["kind"]
            if kind == "Pod":
                pod_name = create_pod(launch, document, namespace)
            elif kind == "Secret":
                launch.create(CORE, "secrets", "Secret", namespace, document)
            elif kind == "PersistentVolumeClaim":
                create_pvc(launch, document, namespace)
            else:
                launch.create(CORE, "persistentvolumes", "PersistentVolume", None, document)
        if pod_name and policy.fail_fast:
            await_kernel_pod(launch, namespace, pod_name, policy, clock)
    except BaseException:
        launch.remove_created()
        raise


def await_kernel_pod(launch, namespace, name, policy, clock):
    watch = ("pod", CORE, "pods", namespace, {"fieldSelector": f"metadata.name={name}"})
    verdict = await_start(launch, clock, PodJudge(policy, name), [watch], f"kernel pod {name}")
    if verdict is None:
        return
    if verdict.outcome in (Verdict.FAILED, Verdict.GONE):
        launch.created = [o for o in launch.created if o.kind != "Pod"]  # evidence, or already gone
    raise KernelCannotStart(verdict.line(clock))


def write_pod_template(pod, path, spark_opts_out):
    if pod is None:
        raise LaunchError("no Pod found in the yaml file - kernel launch terminating!")
    with open(path, "w", encoding="utf-8") as stream:
        yaml.safe_dump(pod, stream, default_flow_style=False, sort_keys=True)
    options = (
        f"--conf spark.kubernetes.driver.podTemplateFile={path} "
        f"--conf spark.kubernetes.executor.podTemplateFile={path} "
    ) + spark_resource_options(pod)
    if spark_opts_out:
        with open(spark_opts_out, "w", encoding="utf-8") as stream:
            stream.write(options)
    else:
        print(options)


def main(argv=None):
    args = parse_arguments(argv)
    signal.signal(signal.SIGTERM, _terminated)
    try:
        launch(args, os.path.abspath(__file__))
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
