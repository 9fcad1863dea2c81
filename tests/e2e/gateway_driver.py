"""The hosting application of a scenario: a real jupyter_client AsyncKernelManager.

Run as `python gateway_driver.py PLAN.json RESULT.json` in its own process, so that every
scenario gets fresh module-level provisioner configuration (GP_* variables are read at import)
and can use either test virtualenv.  The kernelspec is found through JUPYTER_PATH; the
provisioner is chosen by jupyter_client from the kernelspec's metadata.

PLAN: {"kernel_name": str, "client_env": {KERNEL_*...}, "start_kwargs": {...}, "steps": [...]}
steps: {"op": "start"} | {"op": "execute", "code": str} | {"op": "interrupt"}
       | {"op": "restart"} | {"op": "shutdown"}
The result lists one entry per step; a step that raises ends the plan (the kernel, if any,
is still shut down).  Provisioner logs (DEBUG) go to stderr.
"""

import asyncio
import json
import logging
import os
import sys
import time

from jupyter_client.manager import AsyncKernelManager

STEP_TIMEOUT = 60


def new_logger():
    log = logging.getLogger("e2e.gateway")
    log.setLevel(logging.DEBUG)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("[%(levelname)1.1s %(asctime)s gateway] %(message)s"))
    log.addHandler(handler)
    return log


async def run_code(km, code, timeout=30, interrupt_after=None):
    """Executes code; returns status, ename, stdout, and the execute_result text."""
    kc = km.client()
    kc.start_channels()
    try:
        await kc.wait_for_ready(timeout=timeout)
        msg_id = kc.execute(code)
        out = {"stdout": "", "result": None, "status": None, "ename": None}
        deadline = time.monotonic() + timeout
        interrupted = False
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no idle status for {code!r} within {timeout}s")
            msg = await kc.get_iopub_msg(timeout=left)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "stream" and content["name"] == "stdout":
                out["stdout"] += content["text"]
                if interrupt_after and interrupt_after in out["stdout"] and not interrupted:
                    interrupted = True
                    out["interrupt_sent_at"] = time.monotonic()
                    await km.interrupt_kernel()
            elif kind == "execute_result":
                out["result"] = content["data"].get("text/plain")
            elif kind == "error":
                out["ename"] = content["ename"]
            elif kind == "status" and content["execution_state"] == "idle":
                break
        reply = await kc.get_shell_msg(timeout=timeout)
        out["status"] = reply["content"]["status"]
        if interrupted:
            out["interrupt_seconds"] = round(time.monotonic() - out.pop("interrupt_sent_at"), 2)
        return out
    finally:
        kc.stop_channels()


async def describe(km):
    prov = km.provisioner
    info = await prov.get_provisioner_info()
    return {
        "kernel_id": km.kernel_id,
        "provisioner": type(prov).__name__,
        "ip": km.ip,
        "ports": {p: getattr(km, p) for p in
                  ("shell_port", "iopub_port", "stdin_port", "hb_port", "control_port")},
        "provisioner_info": {k: v for k, v in info.items() if isinstance(v, (str, int, bool, type(None)))},
        "pod_name": getattr(prov, "container_name", None),
        "namespace": getattr(prov, "kernel_namespace", None),
        "alive": await km.is_alive(),
        "curve": km.curve_publickey is not None,
    }


async def run_step(km, step, plan):
    op = step["op"]
    if op == "start":
        env = {**os.environ, **plan.get("client_env", {})}
        await km.start_kernel(env=env, **plan.get("start_kwargs", {}))
        return await describe(km)
    if op == "execute":
        return await run_code(km, step["code"], timeout=step.get("timeout", 30))
    if op == "interrupt":
        # A long-running cell that prints a marker, then an interrupt via the comm port.
        code = "import time\nprint('E2E-SLEEPING', flush=True)\ntime.sleep(120)"
        return await run_code(km, code, timeout=40, interrupt_after="E2E-SLEEPING")
    if op == "restart":
        await km.restart_kernel(now=False)
        return await describe(km)
    if op == "shutdown":
        await km.shutdown_kernel(now=False)
        return {"alive": await km.is_alive()}
    raise ValueError(f"unknown op {op}")


async def main(plan_path, result_path):
    with open(plan_path) as f:
        plan = json.load(f)
    km = AsyncKernelManager(kernel_name=plan["kernel_name"], log=new_logger())
    results = []
    failed = False
    try:
        for step in plan["steps"]:
            entry = {"op": step["op"]}
            started = time.monotonic()
            try:
                entry["out"] = await asyncio.wait_for(run_step(km, step, plan), STEP_TIMEOUT)
            except BaseException as err:  # recorded for the test's assertions
                entry["error"] = {"type": type(err).__name__, "message": str(err)}
            entry["seconds"] = round(time.monotonic() - started, 2)
            results.append(entry)
            if "error" in entry:
                failed = True
                break
    finally:
        # After a failed step, or a plan without shutdown, the kernel may still run: stop it as
        # a server does on exit.
        if (failed or plan["steps"][-1]["op"] != "shutdown") and km.has_kernel:
            try:
                await asyncio.wait_for(km.shutdown_kernel(now=True), STEP_TIMEOUT)
                results.append({"op": "cleanup-shutdown"})
            except BaseException as err:
                results.append({"op": "cleanup-shutdown", "error": {"type": type(err).__name__,
                                                                     "message": str(err)}})
        with open(result_path, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
