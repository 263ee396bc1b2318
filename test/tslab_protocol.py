"""Talks to a tslab kernel through jupyter_client and records what it answers (the driver of
test/tslab_protocol.test.ts, which makes the assertions).

    python tslab_protocol.py KERNEL_NAME SCENARIO [--transport tcp|ipc] [--rounds N]

The kernel is started by name (the test puts a kernelspec on JUPYTER_PATH), with its own
connection file in a temporary folder. One JSON object is printed on stdout: the scenario's
record. Every request's messages are recorded as {"i": index of the request, "type": msg_type,
"content": ...}: ``iopub`` in the order they arrived (one socket, so the kernel's order) and
``replies`` (shell) per request.

Scenarios:
  errors    a runtime error, a compile error, a thrown string, then a cell that works
  order     a slow cell and a quick one sent back to back (no wait between them)
  abort     N rounds of: a failing cell and two more sent at once, then, once the error's
            reply has arrived, one more cell (several failing cells: quick and slow)
  no_stop   the same as one abort round with stop_on_error=False
  hello     one cell that prints (to try a transport: --transport ipc)
  netns     one cell that prints the network interfaces it sees
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from typing import Any, Dict, List

from jupyter_client.manager import KernelManager

WAIT = 60.0  # seconds to wait for any one message before giving up


class Session:
    def __init__(self, kernel: str, transport: str) -> None:
        self.tmp = tempfile.mkdtemp(prefix="tslab-protocol-")
        self.km = KernelManager(
            kernel_name=kernel,
            transport=transport,
            connection_file=os.path.join(self.tmp, "kernel.json"),
        )
        self.kc: Any = None
        self.ids: List[str] = []
        self.iopub: List[Dict[str, Any]] = []
        self.replies: Dict[int, Dict[str, Any]] = {}
        self.idle: set = set()  # requests whose status idle arrived

    def start(self) -> None:
        self.km.start_kernel(cwd=self.tmp)
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=WAIT)

    def send(self, code: str, **options: Any) -> int:
        """Sends an execute_request without waiting; returns its index."""
        self.ids.append(self.kc.execute(code, **options))
        return len(self.ids) - 1

    def index(self, msg: Dict[str, Any]) -> int:
        msg_id = (msg.get("parent_header") or {}).get("msg_id")
        return self.ids.index(msg_id) if msg_id in self.ids else -1

    def wait(self, indices: List[int]) -> None:
        """Reads messages until each request in indices has its reply and its status idle."""
        idle = self.idle
        deadline = time.monotonic() + WAIT
        while not (all(i in self.replies for i in indices) and all(i in idle for i in indices)):
            if time.monotonic() > deadline:
                raise TimeoutError(f"no reply or idle for requests {indices} (replies {sorted(self.replies)}, idle {sorted(idle)})")
            got = False
            try:
                msg = self.kc.get_iopub_msg(timeout=0.05)
                got = True
                i = self.index(msg)
                self.iopub.append({"i": i, "type": msg["msg_type"], "content": msg["content"]})
                if msg["msg_type"] == "status" and msg["content"].get("execution_state") == "idle":
                    idle.add(i)
            except Exception:  # queue.Empty
                pass
            try:
                msg = self.kc.get_shell_msg(timeout=0.05 if not got else 0)
                i = self.index(msg)
                if i >= 0:
                    self.replies[i] = {"type": msg["msg_type"], "content": msg["content"], "metadata": msg["metadata"]}
            except Exception:
                pass

    def record(self) -> Dict[str, Any]:
        return {
            "iopub": self.iopub,
            "replies": {str(i): r for i, r in sorted(self.replies.items())},
        }

    def close(self) -> None:
        """Stops the kernel, also one that never answered (so that nothing outlives the driver)."""
        try:
            if self.kc is not None:
                self.kc.stop_channels()
            if self.km.has_kernel:
                self.km.shutdown_kernel(now=True)
        finally:
            shutil.rmtree(self.tmp, ignore_errors=True)


FAILING = [
    'throw new Error("quick failure");',
    'const bad: number = "not a number";',
    'await new Promise((r) => setTimeout(r, 300));\nthrow new Error("slow failure");',
    'let n = 0;\nfor (const t = Date.now(); Date.now() - t < 300;) n++;\nthrow new Error("slow synchronous failure");',
]


def scenario(s: Session, name: str, rounds: int) -> Dict[str, Any]:
    if name == "errors":
        for code in [
            'console.log("before");\nfunction f(): never { throw new RangeError("boom from a cell"); }\nf();',
            'const n: number = "one";',
            'throw "a string";',
            'console.log("after the errors");',
            'throw Object.assign(new Error("with its own traceback"), { [Symbol.for("tslab.traceback")]: ["just this line"] });',
            'const fs = require("fs");\nfunction readMissing() { return fs.readFileSync("/no/such/file"); }\nreadMissing();',
        ]:
            s.wait([s.send(code)])  # one at a time, waiting for each reply
    elif name == "order":
        slow = s.send('console.log("slow: start");\nawait new Promise((r) => setTimeout(r, 1500));\nconsole.log("slow: end");')
        quick = s.send('console.log("quick");')
        s.wait([slow, quick])
    elif name == "abort":
        rounds_out = []
        for r in range(rounds):
            failing = s.send(FAILING[r % len(FAILING)])
            queued = [s.send(f'console.log("queued {r}.{k}");') for k in range(2)]
            s.wait([failing])  # the error's reply
            after = s.send(f'console.log("after {r}");')
            s.wait([failing, *queued, after])
            rounds_out.append({"failing": failing, "queued": queued, "after": after})
        return {"rounds": rounds_out}
    elif name == "no_stop":
        failing = s.send('throw new Error("failure without stop_on_error");', stop_on_error=False)
        queued = [s.send(f'console.log("queued {k}");') for k in range(2)]
        s.wait([failing, *queued])
        return {"failing": failing, "queued": queued}
    elif name == "hello":
        s.wait([s.send('console.log("hello over " + (1 + 1));')])
    elif name == "netns":
        s.wait([s.send('console.log(JSON.stringify(Object.keys(require("os").networkInterfaces())));')])
    else:
        raise SystemExit(f"unknown scenario {name}")
    return {}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("kernel")
    parser.add_argument("scenario")
    parser.add_argument("--transport", default="tcp", choices=["tcp", "ipc"])
    parser.add_argument("--rounds", type=int, default=6)
    args = parser.parse_args()
    out: Dict[str, Any] = {"scenario": args.scenario, "transport": args.transport}
    s = None
    try:
        s = Session(args.kernel, args.transport)
        s.start()
        out["connection"] = {"transport": s.km.transport, "ip": s.km.ip}
        out.update(scenario(s, args.scenario, args.rounds))
    except Exception as e:
        out["failure"] = f"{type(e).__name__}: {e}"
    finally:
        if s is not None:
            out.update(s.record())
            s.close()
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
