"""One kernel that runs cells sent one by one on stdin, with events as JSON lines on stdout.

This is the Python half of ``rlcourse grade``'s kernel sessions (lib/jupyter/session.ts), which
decide what to run: cells arrive as JSON lines on stdin and are never written to disk by this
process, so that a grader can send sources (hidden tests) the kernel must not find in a file.
Commands, one JSON object a line:
  {"op": "start"}                                  start the kernel -> kernel_ready | failure
  {"op": "run", "id": ID, "source": S, "timeout": T}  execute one cell -> cell_end
  {"op": "restart"}                                kill the kernel, start a new one -> kernel_ready | failure
  {"op": "shutdown"} (or end of input)             kill the kernel and exit 0
Events on stdout: ``kernel_ready`` (pid, seconds), ``failure`` (kind, message, detail),
``cell_end`` (id, status, reply, outputs, truncated, memory, seconds), ``error`` (bad command).
``status`` is ``ok`` or ``error`` (the kernel's execute_reply), ``aborted`` (the kernel did not
run it: it was queued behind a failing cell, e.g. one still running after a timeout),
``timeout`` (no reply within T seconds; the kernel is left busy: restart it) or ``dead``
(the kernel died, e.g. process.exit() or the memory limit: ``memory`` is then true).
``outputs`` lists ``{"name": "stdout" | "stderr" | "display", "text": ...}`` in order (a failed
cell's error output comes as ``stderr``: its traceback lines, e.g. ``LINE:COL - message``), at
most ``--max-output`` bytes of text per cell (then ``truncated`` is true and the rest is dropped as
it arrives, so a flood of output costs no memory). With ``--rss-limit-mb`` the kernel process
is killed when its resident memory exceeds the limit while a cell runs.

Exit status: 0 after ``shutdown`` or the end of input; 2 bad arguments; 130 interrupted (SIGINT
or SIGTERM). The kernel is killed, with its children, in every case.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
import threading
import time
from typing import Any, Dict, List, Optional

# rlcourse_driver.py lies beside this file; import it first: it takes stdout for the event stream.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # even under python -P
from rlcourse_driver import EXIT_INTERRUPTED, EXIT_OK  # noqa: E402
from rlcourse_driver import CellAborted, describe_kernelspec, emit, execute_cell, maybe_await, run_program  # noqa: E402

SERVE_POLL = 0.2  # seconds between two looks at the kernel's resident memory


def kernel_rss(pid: int) -> Optional[int]:
    """Resident memory of process pid and all its descendants in bytes (Linux /proc), or None.

    The descendants count because a sandboxed kernel is a launcher (bwrap) whose child runs Node.js.
    """
    children: Dict[int, List[int]] = {}
    try:
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    except OSError:
        return None
    total, found, todo = 0, False, [pid]
    while todo:
        p = todo.pop()
        todo.extend(children.get(p, []))
        try:
            with open(f"/proc/{p}/statm") as f:
                total += int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
                found = True
        except (OSError, ValueError, IndexError):
            pass
    return total if found else None


def capped_client_class(max_output: int) -> Any:
    """A NotebookClient that keeps at most max_output bytes of text output per cell."""
    from nbclient import NotebookClient

    class CappedClient(NotebookClient):  # type: ignore[misc]
        kept = 0
        truncated = False

        def output(self, outs: List[Any], msg: Dict[str, Any], display_id: str, cell_index: int) -> Any:
            import nbformat

            msg_type = msg["msg_type"]
            content = msg.get("content") or {}
            if msg_type == "stream":
                name, text = content.get("name", "stdout"), str(content.get("text", ""))
            elif msg_type in ("display_data", "execute_result"):
                name, text = "display", str((content.get("data") or {}).get("text/plain", "[display output]")) + "\n"
            elif msg_type == "error":
                name = "stderr"
                text = "\n".join(content.get("traceback") or [f"{content.get('ename', 'Error')}: {content.get('evalue', '')}"]) + "\n"
            else:
                return None
            if self.truncated:
                return None
            room = max_output - self.kept
            data = text.encode("utf-8")
            if len(data) > room:
                text = data[:room].decode("utf-8", errors="ignore")
                self.truncated = True
            self.kept += len(text.encode("utf-8"))
            out = nbformat.v4.new_output("stream", name=name, text=text)
            outs.append(out)
            return out

    return CappedClient


async def serve(args: argparse.Namespace) -> int:
    import nbformat
    from jupyter_client.kernelspec import NoSuchKernel
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    loop = asyncio.get_running_loop()
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_code_cell(""))
    client = capped_client_class(args.max_output)(
        nb,
        kernel_name=args.kernel,
        startup_timeout=args.startup_timeout,
        interrupt_on_timeout=False,
        allow_errors=True,  # the reply status says how the cell ended; nothing raises for it
        shutdown_kernel="immediate",
        record_timing=False,
        resources={"metadata": {"path": os.path.abspath(args.cwd)}},
    )
    replies: Dict[int, str] = {}

    def on_cell_executed(cell: Any, cell_index: int, execute_reply: Any) -> None:
        replies[cell_index] = ((execute_reply or {}).get("content") or {}).get("status", "")

    client.on_cell_executed = on_cell_executed
    state: Dict[str, Any] = {"pid": None}

    async def stop_kernel() -> None:
        if client.km is None:
            return
        try:
            await client._async_cleanup_kernel()
        except Exception as e:  # already dead, or half started
            print(f"rlcourse serve: kernel shutdown: {e}", file=sys.stderr)
        pid = state["pid"]
        if pid:
            try:
                os.killpg(pid, signal.SIGKILL)  # the kernel leads its own session: its children too
            except (OSError, AttributeError):
                pass
        client.km = None
        client.kc = None
        state["pid"] = None

    async def start_kernel() -> bool:
        started = time.monotonic()
        try:
            client.km = client.create_kernel_manager()
            if args.ipc:
                # Unix sockets (Jupyter's ipc transport): a kernel without network reaches us.
                client.km.transport = "ipc"
                client.km.ip = args.ipc
            await client.async_start_new_kernel(cwd=os.path.abspath(args.cwd))
            provisioner = getattr(client.km, "provisioner", None)
            state["pid"] = getattr(provisioner, "pid", None) or getattr(getattr(client.km, "kernel", None), "pid", None)
            await client.async_start_new_kernel_client()
            assert client.kc is not None
            msg_id = await maybe_await(client.kc.kernel_info())
            await client.async_wait_for_reply(msg_id)
            # The kernel read its connection file (ports and signing key) when it started; remove
            # it so that code in other kernels cannot use it to talk to this one.
            try:
                os.remove(client.km.connection_file)
            except (OSError, TypeError, AttributeError):
                pass
        except NoSuchKernel:
            emit("failure", kind="no-kernel", message=f"the Jupyter kernel '{args.kernel}' is not installed")
            await stop_kernel()
            return False
        except Exception as e:
            emit("failure", kind="kernel-start", message=f"the kernel '{args.kernel}' did not start: {e}", detail=describe_kernelspec(args.kernel))
            await stop_kernel()
            return False
        emit("kernel_ready", pid=state["pid"], seconds=round(time.monotonic() - started, 3))
        return True

    async def watch_memory(flag: Dict[str, bool]) -> None:
        while True:
            await asyncio.sleep(SERVE_POLL)
            pid = state["pid"]
            rss = kernel_rss(pid) if pid else None
            if rss is not None and rss > args.rss_limit_mb * 1024 * 1024:
                flag["memory"] = True
                print(f"rlcourse serve: kernel {pid} uses {rss >> 20} MB > {args.rss_limit_mb} MB: killed", file=sys.stderr)
                try:
                    os.killpg(pid, signal.SIGKILL)
                except OSError:
                    pass
                return

    async def run_cell(command: Dict[str, Any]) -> None:
        cell_id = command.get("id")
        if client.kc is None:
            emit("cell_end", id=cell_id, status="dead", reply="", outputs=[], truncated=False, memory=False, seconds=0)
            return
        timeout = command.get("timeout")
        client.timeout = int(timeout) if timeout and timeout > 0 else None
        cell = nbformat.v4.new_code_cell(str(command.get("source", "")))
        nb.cells[0] = cell
        client.kept = 0
        client.truncated = False
        flag = {"memory": False}
        watcher = asyncio.ensure_future(watch_memory(flag)) if args.rss_limit_mb > 0 else None
        t0 = time.monotonic()
        status = "ok"
        try:
            await execute_cell(client, cell, 0, 1, replies)
            status = "ok" if replies.get(0) == "ok" else "error"
        except CellAborted:
            status = "aborted"
        except CellTimeoutError:
            status = "timeout"
        except DeadKernelError:
            status = "dead"
        finally:
            if watcher is not None:
                watcher.cancel()
        outputs = [{"name": o.get("name", "stdout"), "text": o.get("text", "")} for o in cell.outputs]
        emit(
            "cell_end",
            id=cell_id,
            status=status,
            reply=replies.get(0, ""),
            outputs=outputs,
            truncated=client.truncated,
            memory=flag["memory"],
            seconds=round(time.monotonic() - t0, 3),
        )

    this_task = asyncio.current_task()

    def on_signal() -> None:
        if this_task is not None:
            this_task.cancel()

    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, on_signal)
        except (NotImplementedError, RuntimeError, ValueError):
            pass
    # A daemon thread reads stdin, so that a signal can end the loop while a read is pending.
    lines: "asyncio.Queue[str]" = asyncio.Queue()

    def read_stdin() -> None:
        for text in sys.stdin:
            try:
                loop.call_soon_threadsafe(lines.put_nowait, text)
            except RuntimeError:  # the loop is closed: we are exiting
                return
        try:
            loop.call_soon_threadsafe(lines.put_nowait, "")
        except RuntimeError:
            pass

    threading.Thread(target=read_stdin, daemon=True).start()
    try:
        while True:
            line = await lines.get()
            if not line:
                break
            if not line.strip():
                continue
            try:
                command = json.loads(line)
                op = command["op"]
            except (ValueError, KeyError, TypeError) as e:
                emit("error", message=f"bad command: {e}")
                continue
            if op == "start":
                await start_kernel()
            elif op == "restart":
                await stop_kernel()
                await start_kernel()
            elif op == "run":
                await run_cell(command)
            elif op == "shutdown":
                break
            else:
                emit("error", message=f"unknown op {op!r}")
    except (asyncio.CancelledError, KeyboardInterrupt):
        await stop_kernel()
        return EXIT_INTERRUPTED
    finally:
        await stop_kernel()
    return EXIT_OK


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Run cells sent on stdin in one kernel (rlcourse grade).")
    parser.add_argument("--kernel", default="tslab")
    parser.add_argument("--cwd", required=True, help="the kernel's working folder")
    parser.add_argument("--startup-timeout", type=int, default=60)
    parser.add_argument("--max-output", type=int, default=1 << 20, help="bytes of text output kept per cell")
    parser.add_argument("--rss-limit-mb", type=int, default=0, help="kill the kernel above this resident memory (0: none)")
    parser.add_argument("--ipc", help="use Jupyter's ipc transport with this socket path prefix (default: tcp)")
    return run_program(parser, sys.argv[1:] if argv is None else argv, serve)


if __name__ == "__main__":
    sys.exit(main())
