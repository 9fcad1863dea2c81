"""Stand-in for the kernel image's entry point, run by the fake kubelet as a pod's container.

It does what a kernel image must do (launchers.md section 8) with a real ipykernel:
  * without arguments it reads the pod environment like the image's bootstrap script
    (KERNEL_LANGUAGE, KERNEL_ID, RESPONSE_ADDRESS, PUBLIC_KEY, PORT_RANGE, KERNEL_CLASS_NAME,
    KERNEL_SPARK_CONTEXT_INIT_MODE, TRANSPORT_ENCRYPTION);
  * with arguments (Spark driver pods) it parses the launcher options from the command line;
  * it picks five kernel ports and a communication port (inside PORT_RANGE if one is given),
    starts ipykernel on 127.0.0.1 with a connection file, sends the connection information
    encrypted (RSA PKCS#1 v1.5 + AES-128-ECB, section 8.3) to the response address and then
    serves the communication port ({"signum": n} / {"shutdown": 1}, section 8.4).
Whatever it saw is printed as one JSON line prefixed "E2E-BOOT " (the pod log), for assertions.
Languages r and scala run the same Python kernel: the image itself is not under test.
"""

import argparse
import base64
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid

from Cryptodome.Cipher import AES, PKCS1_v1_5
from Cryptodome.PublicKey import RSA
from Cryptodome.Random import get_random_bytes
from Cryptodome.Util.Padding import pad

LOOPBACK = "127.0.0.1"


def fail(msg):
    print(msg, flush=True)
    sys.exit(1)


def parse_inputs(argv):
    """Returns the launch parameters, from argv (driver pods) or from the env (bootstrap)."""
    if argv:
        p = argparse.ArgumentParser(prog="kernel-image")
        for opt in ("--kernel-id", "--port-range", "--response-address", "--public-key",
                    "--spark-context-initialization-mode", "--kernel-class-name",
                    "--transport-encryption", "--alternate-sigint", "--customAppName"):
            p.add_argument(opt, nargs="?", default=None)
        args, unknown = p.parse_known_args(argv)
        params = {
            "source": "argv",
            "kernel_id": args.kernel_id,
            "port_range": args.port_range,
            "response_address": args.response_address,
            "public_key": args.public_key,
            "spark_init_mode": args.spark_context_initialization_mode or "none",
            "kernel_class_name": args.kernel_class_name,
            "transport_encryption": args.transport_encryption,
            "unknown_args": unknown,
        }
    else:
        env = os.environ
        if "KERNEL_LANGUAGE" not in env:
            fail("KERNEL_LANGUAGE is required.  Set this value in the image or when starting container.")
        params = {
            "source": "env",
            "kernel_id": env.get("KERNEL_ID"),
            "port_range": env.get("PORT_RANGE") or env.get("EG_PORT_RANGE") or "0..0",
            "response_address": env.get("RESPONSE_ADDRESS") or env.get("EG_RESPONSE_ADDRESS"),
            "public_key": env.get("PUBLIC_KEY") or env.get("EG_PUBLIC_KEY"),
            "spark_init_mode": env.get("KERNEL_SPARK_CONTEXT_INIT_MODE", "none"),
            "kernel_class_name": env.get("KERNEL_CLASS_NAME") or None,
            "transport_encryption": env.get("TRANSPORT_ENCRYPTION") or None,
            "unknown_args": [],
        }
        if env["KERNEL_LANGUAGE"].lower() not in ("python", "r", "scala"):
            fail(f"Unrecognized value for KERNEL_LANGUAGE: '{env['KERNEL_LANGUAGE']}'!")
    if not (params["kernel_id"] and params["response_address"] and params["public_key"]):
        fail("Environment variables, KERNEL_ID, RESPONSE_ADDRESS, and PUBLIC_KEY are required.")
    params["language"] = os.environ.get("KERNEL_LANGUAGE")
    return params


def bind_ports(port_range, count):
    """Binds `count` sockets on loopback, inside lo..hi when a non-zero range is given."""
    lo, hi = 0, 0
    if port_range:
        lo, hi = (int(x) for x in port_range.split(".."))
    socks = []
    for _ in range(count):
        for _attempt in range(50):
            s = socket.socket()
            try:
                s.bind((LOOPBACK, random.randint(lo, hi) if hi > lo else 0))
                break
            except OSError:
                s.close()
        else:
            fail(f"no free port in range {port_range}")
        socks.append(s)
    return socks


def send_connection_info(address, public_key_b64, info):
    """Encrypts `info` as a version-1 payload and sends it to host:port."""
    aes_key = get_random_bytes(16)
    rsa = RSA.import_key(base64.b64decode(public_key_b64))
    payload = {
        "version": 1,
        "key": base64.b64encode(PKCS1_v1_5.new(rsa).encrypt(aes_key)).decode(),
        "conn_info": base64.b64encode(
            AES.new(aes_key, AES.MODE_ECB).encrypt(pad(json.dumps(info).encode(), 16))
        ).decode(),
    }
    host, port = address.rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=10) as s:
        s.sendall(base64.b64encode(json.dumps(payload).encode()))


def serve_comm_port(listener, kernel):
    """Handles {"signum": n} and {"shutdown": 1} until shutdown or the kernel exits."""
    listener.listen(1)
    listener.settimeout(0.5)
    while kernel.poll() is None:
        try:
            conn, _ = listener.accept()
        except socket.timeout:
            continue
        with conn:
            conn.settimeout(5)
            data = b""
            while chunk := conn.recv(1024):
                data += chunk
        try:
            request = json.loads(data or b"{}")
        except ValueError:
            continue
        print("E2E-COMM " + json.dumps(request), flush=True)
        if "signum" in request:
            signum = int(request["signum"])
            if signum:
                os.kill(kernel.pid, signum)
        if request.get("shutdown"):
            return


def main():
    params = parse_inputs(sys.argv[1:])
    print("E2E-BOOT " + json.dumps({
        **params,
        "cwd": os.getcwd(),
        "uid": os.getuid(),
        "env": {k: v for k, v in os.environ.items() if k.startswith(("KERNEL_", "E2E_"))},
    }), flush=True)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # interrupts are meant for the kernel only

    socks = bind_ports(params["port_range"], 6)
    ports = [s.getsockname()[1] for s in socks]
    comm = socks.pop()
    for s in socks:  # ipykernel binds these itself
        s.close()
    conn = {
        "shell_port": ports[0], "iopub_port": ports[1], "stdin_port": ports[2],
        "control_port": ports[3], "hb_port": ports[4], "ip": LOOPBACK, "key": str(uuid.uuid4()),
        "transport": "tcp", "signature_scheme": "hmac-sha256", "kernel_name": "",
    }
    if params["transport_encryption"] in ("auto", "required"):
        # CurveZMQ: ipykernel serves with this key pair; the client receives it with the rest.
        import zmq
        public, secret = zmq.curve_keypair()
        conn["curve_publickey"], conn["curve_secretkey"] = public.decode(), secret.decode()
    workdir = tempfile.mkdtemp(prefix="kernel-", dir=os.environ.get("E2E_POD_SCRATCH"))
    conn_file = os.path.join(workdir, f"kernel-{params['kernel_id']}.json")
    with open(conn_file, "w") as f:
        json.dump(conn, f)

    cmd = [sys.executable, "-m", "ipykernel_launcher", "-f", conn_file]
    if params["kernel_class_name"]:
        cmd.append(f"--IPKernelApp.kernel_class={params['kernel_class_name']}")
    kernel = subprocess.Popen(cmd)

    # The launcher reports ip 0.0.0.0 (it binds all interfaces); the server substitutes the pod IP.
    info = {**conn, "ip": "0.0.0.0", "pid": kernel.pid, "pgid": os.getpgid(0),
            "comm_port": ports[5], "kernel_id": params["kernel_id"]}
    send_connection_info(params["response_address"], params["public_key"], info)

    try:
        serve_comm_port(comm, kernel)
        deadline = time.monotonic() + 10
        while kernel.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        if kernel.poll() is None:
            kernel.kill()
    finally:
        comm.close()
        os.remove(conn_file)
        os.rmdir(workdir)
    sys.exit(0)  # like the image's bootstrap script: the kernel's status is not propagated


if __name__ == "__main__":
    main()
