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
"""

import argparse
import datetime
import json
import math
import os
import re
import sys

import urllib3
import yaml
from jinja2 import Environment, FileSystemLoader, TemplateError, Undefined
from jinja2.ext import Extension
from jinja2.lexer import Token
from kubernetes import client, config
from kubernetes.client.rest import ApiException

TEMPLATE_NAME = "kernel-pod.yaml.j2"

# @include ../../common/launcher_shared.py  (expanded at build time; the shipped file is self-contained)

_API_ERRORS = (ApiException, urllib3.exceptions.HTTPError, ValueError, OSError)


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


def is_already_exists(exc):
    if not isinstance(exc, ApiException) or exc.status != 409:
        return False
    try:
        return json.loads(exc.body).get("reason") == "AlreadyExists"
    except (TypeError, ValueError, AttributeError):
        return re.search(r'"reason"\s*:\s*"?AlreadyExists', str(exc.body or "")) is not None


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


def create_pod(api, pod, namespace):
    try:
        api.create_namespaced_pod(namespace=namespace, body=pod)
    except ApiException as exc:
        if not is_already_exists(exc):
            raise
        # Pod exists already (e.g. the launcher was re-run): fine if it is this kernel's pod.
        kernel_id = os.environ.get("KERNEL_ID", "")
        found = api.list_namespaced_pod(namespace=namespace, label_selector=f"kernel_id={kernel_id}")
        if not found.items:
            raise LaunchError(
                f"a Pod named {_show(pod.get('metadata', {}).get('name'))} already exists in namespace"
                f" '{namespace}' but none is labelled kernel_id={kernel_id} - kernel launch terminating!"
            ) from exc


def create_pvc(api, claim, namespace):
    try:
        api.create_namespaced_persistent_volume_claim(namespace=namespace, body=claim)
    except ApiException as exc:
        if not is_already_exists(exc):  # an existing claim is reused
            raise


def launch(args, script_path):
    load_client_config()
    publish_launch_env(args, script_path)
    check_ids(os.environ)
    variables = template_variables(os.environ)
    rendered = render_template(os.path.dirname(script_path), TEMPLATE_NAME, variables)
    template_only = args.pod_template is not None
    namespace = required_variable(variables, "kernel_namespace", allow_empty=template_only)
    try:
        documents = list(yaml.safe_load_all(rendered))
    except yaml.YAMLError as exc:
        raise LaunchError(f"the rendered {TEMPLATE_NAME} is not valid YAML: {yaml_problem(exc)}") from exc

    api = None if template_only else client.CoreV1Api()
    pod = None
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
        if kind == "Pod":
            container = kernel_container(document)
            container["env"] = extend_env(container.get("env"), os.environ)
            pod = document
            if api:
                create_pod(api, document, namespace)
        elif kind == "Secret":
            if api:
                api.create_namespaced_secret(namespace=namespace, body=document)
        elif kind == "PersistentVolumeClaim":
            if api:
                create_pvc(api, document, namespace)
        elif kind == "PersistentVolume":
            if api:
                api.create_persistent_volume(body=document)
        else:
            raise LaunchError(
                f"Unhandled Kubernetes object kind '{kind}' found in yaml file - kernel launch terminating!"
            )

    if args.pod_template:  # an empty file name creates nothing and writes nothing
        write_pod_template(pod, args.pod_template, args.spark_opts_out)


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
    urllib3.disable_warnings()
    try:
        launch(args, os.path.abspath(__file__))
    except LaunchError as exc:
        print(f"ERROR - {exc}", file=sys.stderr)
        return 1
    except _API_ERRORS as exc:
        print(f"ERROR - {describe_api_error(exc)} - kernel launch terminating!", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
