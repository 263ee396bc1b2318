"""Execute one Jupyter notebook with nbclient and report progress as JSON lines.

This is the Python half of ``rlcourse run`` (see lib/jupyter/run.ts). It is started once per
notebook by the Python interpreter that has nbclient, nbconvert and jupyter_client (the one
``npm run setup`` found), and it:

1. reads and validates the notebook (nbformat 4);
2. starts the kernel (``tslab`` unless told otherwise) with the notebook's folder as cwd
   (``--cwd`` sets another);
3. runs the code cells one by one with nbclient, stopping at the first failing cell (with
   ``--allow-errors``, going on after a failing cell, as nbclient's ``allow_errors``, except
   after a timeout or a dead kernel);
4. writes the executed notebook and a standalone HTML page (nbconvert, ``lab`` template when
   available, else ``classic``), each to a temporary name in the output folder that is then
   renamed into place, so the folder never holds a half-written file.

A notebook whose cells were started is always written, also when a cell failed (the executed
cells up to and including the failing one, with its error output), and carries
``metadata.rlcourse.run = {"status": "ok" | "failed", ...}``. A notebook that could not be read
or whose kernel could not start writes nothing.

Events go to the *original* stdout, one JSON object per line; everything else that would reach
stdout (the kernel process inherits our descriptors) is sent to stderr instead, so the stream
stays parseable. Events (``event`` field): ``notebook``, ``kernel_ready``, ``cell_start``,
``cell_end``, ``failure``, ``written``, ``done``. A ``cell_end`` whose status is not ``ok``
carries the cell's ``kind``, ``message`` and ``detail`` (as a ``failure`` event does); the
``failure`` event itself is sent once, for the first failing cell (the notebook's failure).

With ``--allow-errors`` the client still raises on a failing cell (nbclient's ``allow_errors``
stays off) and the loop below catches it and goes on, which is what ``allow_errors`` does but keeps
the failure's classification. Cells are sent one at a time, each once the previous one's reply
arrived, so the kernel never aborts one (tslab, as patched by patches/tslab+1.0.22.patch, aborts
only the requests already queued when a cell fails, as ipykernel does); a reply that says
``aborted`` all the same fails the cell (kind ``aborted``). A timeout still ends the run: tslab
cannot interrupt synchronous code, so the kernel is usually still busy with the cell and every
later cell would time out too.
``--cwd`` sets the kernel's working folder (default: the notebook's folder), so that a copy of a
notebook written elsewhere runs as the original would.

Failures are detected from the kernel's ``execute_reply``: tslab answers ``status: "error"``
both for a thrown exception and for a TypeScript compile (type) error, with the error as an
``error`` output (``ename``, ``evalue``, ``traceback``). ``ename`` tells the two apart: it is
``CompileError`` for TypeScript diagnostics (one ``LINE:COL - message`` traceback line each),
else the thrown error's name. (An unpatched tslab printed the message on stderr instead, with no
``ename``: then diagnostics are recognised in the stderr text by their ``LINE:COL - message``
form.) tslab reports errors thrown later by timers or promises that nobody awaited as
``UncaughtException:`` / ``UnhandledPromiseRejection:`` on stderr with status ``ok``; those count
as failures too.

``execute.py --serve`` is a second mode, for ``rlcourse grade``: one kernel that runs cells sent
one by one on stdin (never written to disk), with per-cell output and memory limits; see the
"Serve mode" section below.

Exit status: 0 all cells passed; 1 a cell failed or the outputs could not be written;
2 bad arguments; 3 the notebook could not be read (not JSON, not nbformat 4); 4 the kernel is
not installed or could not start; 130 interrupted (SIGINT or SIGTERM; the kernel is shut down
and nothing is written).
"""

from __future__ import annotations

import argparse
import asyncio
import atexit
import inspect
import json
import logging
import os
import re
import signal
import sys
import threading
import time
from typing import Any, Dict, List, Optional

# Keep our event stream to ourselves: duplicate the real stdout for events, then point file
# descriptor 1 (inherited by the kernel process) and sys.stdout at stderr.
_EVENTS = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
os.dup2(2, 1)
sys.stdout = sys.stderr

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_BAD_NOTEBOOK = 3
EXIT_KERNEL = 4
EXIT_INTERRUPTED = 130

TMP_SUFFIX = ".rlcourse-tmp"
DIAGNOSTIC = re.compile(r"^(\S+ )?\d+:\d+ - ", re.M)
UNCAUGHT = re.compile(r"^(UncaughtException|UnhandledPromiseRejection):", re.M)
MAX_DETAIL = 4000
ABORTED = ("abort", "aborted")  # the Jupyter protocol says "aborted" (an unpatched tslab "abort")
COMPILE_ERROR = "CompileError"  # tslab's ename for TypeScript diagnostics


class CellAborted(Exception):
    """The kernel aborted the cell (answered ``aborted`` without running it)."""


def emit(event: str, **fields: Any) -> None:
    """Write one progress event as a JSON line to the event stream."""
    _EVENTS.write(json.dumps({"event": event, **fields}) + "\n")
    _EVENTS.flush()


def first_line(source: str) -> str:
    """The first non-empty line of a cell's source, trimmed to 80 characters."""
    for line in source.splitlines():
        if line.strip():
            line = line.strip()
            return line if len(line) <= 80 else line[:77] + "..."
    return ""


def error_text(cell: Any) -> str:
    """Everything the cell wrote to stderr plus any error outputs, as plain text."""
    parts: List[str] = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream" and out.get("name") == "stderr":
            parts.append(out.get("text", ""))
        elif out.get("output_type") == "error":
            tb = "\n".join(out.get("traceback", []))
            parts.append(tb or f"{out.get('ename', 'Error')}: {out.get('evalue', '')}")
    text = re.sub(r"\x1b\[[0-9;]*m", "", "".join(parts)).strip()
    return text if len(text) <= MAX_DETAIL else text[:MAX_DETAIL] + "\n..."


def is_compile_error(cell: Any) -> bool:
    """True when the cell failed to compile (TypeScript diagnostics), not at run time."""
    errors = [out for out in cell.get("outputs", []) if out.get("output_type") == "error"]
    if errors:
        return any(out.get("ename") == COMPILE_ERROR for out in errors)
    return bool(DIAGNOSTIC.search(error_text(cell)))  # an unpatched tslab: diagnostics on stderr


def load_notebook(path: str) -> Any:
    """Read and validate an nbformat 4 notebook; raise ValueError with a readable reason."""
    import nbformat

    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        raw = json.loads(text)
    except UnicodeDecodeError as e:
        raise ValueError(f"not a notebook: not UTF-8 text ({e})")
    except json.JSONDecodeError as e:
        raise ValueError(f"not a notebook: invalid JSON at line {e.lineno} column {e.colno}: {e.msg}")
    if not isinstance(raw, dict) or "cells" not in raw and "worksheets" not in raw:
        raise ValueError("not a notebook: the JSON has no 'cells'")
    if raw.get("nbformat") != 4:
        raise ValueError(
            f"not an nbformat 4 notebook (nbformat is {raw.get('nbformat')!r}); "
            "open and save it in Jupyter to convert it"
        )
    nb = nbformat.reads(text, as_version=4)  # also joins sources stored as lists of lines
    try:
        nbformat.validate(nb)
    except nbformat.ValidationError as e:
        message = str(getattr(e, "message", e)).splitlines()[0]
        raise ValueError(f"not a valid nbformat 4 notebook: {message}")
    return nb


def write_atomic(path: str, text: str) -> None:
    """Write text to a temporary file beside path, then rename it into place."""
    folder, name = os.path.split(path)
    tmp = os.path.join(folder, f".{name}.{os.getpid()}{TMP_SUFFIX}")
    try:
        with open(tmp, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def export_html(nb: Any, name: str) -> str:
    """A standalone HTML page for the executed notebook (lab template, else classic)."""
    from nbconvert import HTMLExporter

    last: Optional[Exception] = None
    for template in ("lab", "classic", None):
        try:
            exporter = HTMLExporter(template_name=template) if template else HTMLExporter()
            body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": name}})
            return body
        except Exception as e:  # a missing template raises several kinds of errors
            last = e
    raise RuntimeError(f"HTML export failed: {last}")


async def execute(args: argparse.Namespace) -> int:
    import nbformat
    from jupyter_client.kernelspec import NoSuchKernel
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    path = os.path.abspath(args.notebook)
    name = os.path.splitext(os.path.basename(path))[0]
    started = time.monotonic()

    try:
        nb = load_notebook(path)
    except FileNotFoundError:
        emit("failure", kind="invalid-notebook", message="file not found")
        return EXIT_BAD_NOTEBOOK
    except ValueError as e:
        emit("failure", kind="invalid-notebook", message=str(e))
        return EXIT_BAD_NOTEBOOK

    code_cells = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and c.source.strip()]
    emit("notebook", path=path, cells=len(code_cells))

    client = NotebookClient(
        nb,
        kernel_name=args.kernel,
        timeout=args.timeout if args.timeout > 0 else None,  # traitlets Integer: whole seconds
        startup_timeout=args.startup_timeout,
        interrupt_on_timeout=False,  # we interrupt ourselves, then stop: see CellTimeoutError below
        allow_errors=False,
        shutdown_kernel="immediate",
        resources={"metadata": {"path": os.path.abspath(args.cwd) if args.cwd else os.path.dirname(path)}},
    )
    replies: Dict[int, str] = {}  # cell index -> status of the kernel's last execute_reply

    def on_cell_executed(cell: Any, cell_index: int, execute_reply: Any) -> None:
        replies[cell_index] = ((execute_reply or {}).get("content") or {}).get("status", "")

    if client.has_trait("on_cell_executed"):  # nbclient >= 0.5.11
        client.on_cell_executed = on_cell_executed

    failure: Optional[Dict[str, Any]] = None  # the first failing cell's
    failed_cells: List[int] = []
    cells_run = 0
    interrupted = False
    this_task = asyncio.current_task()

    def on_interrupt() -> None:
        # Replaces nbclient's own SIGINT/SIGTERM handler (which shuts the kernel down under our
        # feet): cancel the run instead, so that leaving async_setup_kernel shuts it down cleanly.
        nonlocal interrupted
        if not interrupted and this_task is not None:
            interrupted = True
            this_task.cancel()

    try:
        async with client.async_setup_kernel():
            assert client.kc is not None
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                try:
                    loop.add_signal_handler(sig, on_interrupt)
                except (NotImplementedError, RuntimeError, ValueError):
                    pass  # Windows: Ctrl-C raises KeyboardInterrupt instead
            msg_id = await maybe_await(client.kc.kernel_info())
            info = await client.async_wait_for_reply(msg_id)
            if info and "language_info" in info["content"]:
                nb.metadata["language_info"] = info["content"]["language_info"]
            emit("kernel_ready", seconds=round(time.monotonic() - started, 3))

            for n, index in enumerate(code_cells, start=1):
                cell = nb.cells[index]
                line = first_line(cell.source)
                emit("cell_start", index=index, n=n, of=len(code_cells), line=line)
                t0 = time.monotonic()
                status = "ok"
                cell_failure: Optional[Dict[str, Any]] = None
                try:
                    await execute_cell(client, cell, index, n, replies)
                    if UNCAUGHT.search(error_text(cell)):
                        status = "error"
                        cell_failure = {"kind": "uncaught", "message": "uncaught asynchronous error"}
                except CellExecutionError:
                    status = "error"
                    if is_compile_error(cell):
                        cell_failure = {"kind": "type-error", "message": "TypeScript error"}
                    else:
                        cell_failure = {"kind": "error", "message": "the cell threw an error"}
                except CellTimeoutError:
                    status = "timeout"
                    cell_failure = {
                        "kind": "timeout",
                        "message": f"the cell did not finish within {args.timeout} s "
                        "(kernel interrupted; raise the limit with --timeout SECONDS)",
                    }
                    await interrupt(client)
                    cell.outputs.append(
                        nbformat.v4.new_output(
                            "stream",
                            name="stderr",
                            text=f"rlcourse run: cell timed out after {args.timeout} s; "
                            "kernel interrupted\n",
                        )
                    )
                except CellAborted:
                    status = "error"
                    cell_failure = {
                        "kind": "aborted",
                        "message": "the kernel aborted the cell instead of running it "
                        "(is tslab patched? run `npm ci` or `npx patch-package`)",
                    }
                except DeadKernelError:
                    status = "dead"
                    cell_failure = {"kind": "dead-kernel", "message": "the kernel died while running the cell"}
                if interrupted:  # nbclient turns our cancellation into DeadKernelError
                    raise asyncio.CancelledError()
                cells_run += 1
                seconds = round(time.monotonic() - t0, 3)
                if cell_failure is None:
                    emit("cell_end", index=index, status=status, seconds=seconds)
                    continue
                cell_failure.update(index=index, n=n, line=line, detail=error_text(cell))
                emit(
                    "cell_end",
                    index=index,
                    status=status,
                    seconds=seconds,
                    **without(cell_failure, "index", "n", "line"),
                )
                failed_cells.append(index)
                if failure is None:
                    failure = cell_failure
                if not args.allow_errors or status in ("timeout", "dead"):
                    break
    except (asyncio.CancelledError, KeyboardInterrupt):
        emit("failure", kind="interrupted", message="interrupted; nothing written")
        return EXIT_INTERRUPTED
    except NoSuchKernel:
        emit(
            "failure",
            kind="no-kernel",
            message=f"the Jupyter kernel '{args.kernel}' is not installed",
        )
        return EXIT_KERNEL
    except Exception as e:
        if cells_run == 0 and failure is None:
            atexit.unregister(client._cleanup_kernel)  # nbclient's exit hook fails once cleaned up
            emit(
                "failure",
                kind="kernel-start",
                message=f"the kernel '{args.kernel}' did not start: {e}",
                detail=describe_kernelspec(args.kernel),
            )
            return EXIT_KERNEL
        raise

    if failure is not None:
        emit("failure", **failure)
    run_info: Dict[str, Any] = {"status": "ok"}
    if failure is not None:
        run_info = {"status": "failed", "cell": failure["index"], "kind": failure["kind"]}
        if args.allow_errors:
            run_info["failed_cells"] = failed_cells
    nb.metadata["rlcourse"] = {"run": run_info}

    code = EXIT_OK if failure is None else EXIT_FAILED
    os.makedirs(args.out, exist_ok=True)
    ipynb_path = os.path.join(args.out, name + ".ipynb")
    html_path = os.path.join(args.out, name + ".html")
    write_atomic(ipynb_path, nbformat.writes(nb) + "\n")
    try:
        write_atomic(html_path, export_html(nb, name))
        emit("written", ipynb=ipynb_path, html=html_path)
    except Exception as e:
        if os.path.exists(html_path):
            os.remove(html_path)  # never leave an HTML page of an older run beside this notebook
        emit("written", ipynb=ipynb_path, html=None)
        emit("failure", kind="export", message=str(e))
        code = EXIT_FAILED
    emit("done", ok=code == EXIT_OK, cells_run=cells_run, seconds=round(time.monotonic() - started, 3))
    return code


def describe_kernelspec(name: str) -> str:
    """Where kernel `name` is installed and the command it runs, for error messages."""
    try:
        from jupyter_client.kernelspec import KernelSpecManager

        spec = KernelSpecManager().get_kernel_spec(name)
        return f"kernelspec {spec.resource_dir} runs: {' '.join(spec.argv)}"
    except Exception as e:
        return f"kernelspec {name}: {e}"


async def execute_cell(client: Any, cell: Any, index: int, n: int, replies: Dict[int, str]) -> None:
    """Execute one cell with nbclient; raise CellAborted when the kernel aborted it.

    nbclient takes an aborted reply for success. The kernel aborts only requests that were
    queued behind a failing one (stop_on_error), and nbclient sends the next cell only once the
    previous reply arrived, so this should not happen; if it does, the cell did not run.
    """
    replies.pop(index, None)
    await client.async_execute_cell(cell, index, execution_count=n)
    if replies.get(index) in ABORTED:
        raise CellAborted()


def without(fields: Dict[str, Any], *names: str) -> Dict[str, Any]:
    """A copy of fields without the given keys."""
    return {k: v for k, v in fields.items() if k not in names}


async def maybe_await(value: Any) -> Any:
    """The value, awaited first when it is awaitable (jupyter_client 7 and 8 differ here)."""
    return await value if inspect.isawaitable(value) else value


async def interrupt(client: Any) -> None:
    """Interrupt the kernel after a timeout and give it a moment to stop the cell."""
    try:
        if client.km is not None:
            await maybe_await(client.km.interrupt_kernel())
            await asyncio.sleep(0.5)
    except Exception as e:  # the kernel is shut down right after anyway
        print(f"rlcourse run: could not interrupt the kernel: {e}", file=sys.stderr)


# ---------------------------------------------------------------------------------------------
# Serve mode (``execute.py --serve``): one kernel, cells sent one by one over stdin.
#
# Used by ``rlcourse grade`` (lib/jupyter/session.ts), which decides what to run: cells arrive as
# JSON lines on stdin and are never written to disk by this process, so that a grader can send
# sources (hidden tests) the kernel must not find in a file. Commands, one JSON object a line:
#   {"op": "start"}                                  start the kernel -> kernel_ready | failure
#   {"op": "run", "id": ID, "source": S, "timeout": T}  execute one cell -> cell_end
#   {"op": "restart"}                                kill the kernel, start a new one -> kernel_ready | failure
#   {"op": "shutdown"} (or end of input)             kill the kernel and exit 0
# Events on stdout: ``kernel_ready`` (pid, seconds), ``failure`` (kind, message, detail),
# ``cell_end`` (id, status, reply, outputs, truncated, memory, seconds), ``error`` (bad command).
# ``status`` is ``ok`` or ``error`` (the kernel's execute_reply), ``aborted`` (the kernel did not
# run it: it was queued behind a failing cell, e.g. one still running after a timeout),
# ``timeout`` (no reply within T seconds; the kernel is left busy: restart it) or ``dead``
# (the kernel died, e.g. process.exit() or the memory limit: ``memory`` is then true).
# ``outputs`` lists ``{"name": "stdout" | "stderr" | "display", "text": ...}`` in order (a failed
# cell's error output comes as ``stderr``: its traceback lines, e.g. ``LINE:COL - message``), at
# most ``--max-output`` bytes of text per cell (then ``truncated`` is true and the rest is dropped as
# it arrives, so a flood of output costs no memory). With ``--rss-limit-mb`` the kernel process
# is killed when its resident memory exceeds the limit while a cell runs.

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


def serve_main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(description="Run cells sent on stdin in one kernel (rlcourse grade).")
    parser.add_argument("--kernel", default="tslab")
    parser.add_argument("--cwd", required=True, help="the kernel's working folder")
    parser.add_argument("--startup-timeout", type=int, default=60)
    parser.add_argument("--max-output", type=int, default=1 << 20, help="bytes of text output kept per cell")
    parser.add_argument("--rss-limit-mb", type=int, default=0, help="kill the kernel above this resident memory (0: none)")
    parser.add_argument("--ipc", help="use Jupyter's ipc transport with this socket path prefix (default: tcp)")
    parser.add_argument("--log-level", default="WARNING", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:
        return EXIT_USAGE if e.code else EXIT_OK
    logging.basicConfig(level=args.log_level, format="%(name)s %(levelname)s: %(message)s")
    logging.getLogger("traitlets").setLevel(args.log_level)
    return asyncio.run(serve(args))


def main(argv: Optional[List[str]] = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--serve"]:
        return serve_main(argv[1:])
    parser = argparse.ArgumentParser(description="Execute a notebook and write ipynb + HTML.")
    parser.add_argument("notebook")
    parser.add_argument("--out", required=True, help="output folder")
    parser.add_argument("--kernel", default="tslab")
    parser.add_argument("--timeout", type=int, default=300, help="per-cell seconds (0: none)")
    parser.add_argument("--startup-timeout", type=int, default=60)
    parser.add_argument(
        "--allow-errors",
        action="store_true",
        help="go on after a failing cell (not after a timeout or a dead kernel)",
    )
    parser.add_argument("--cwd", help="the kernel's working folder (default: the notebook's)")
    parser.add_argument("--log-level", default="WARNING", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:
        return EXIT_USAGE if e.code else EXIT_OK
    logging.basicConfig(level=args.log_level, format="%(name)s %(levelname)s: %(message)s")
    logging.getLogger("traitlets").setLevel(args.log_level)
    return asyncio.run(execute(args))


if __name__ == "__main__":
    sys.exit(main())
