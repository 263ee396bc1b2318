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
stays parseable (see rlcourse_driver.py, which this driver shares with serve.py, the one
``rlcourse grade`` runs cells with). Events (``event`` field): ``notebook``, ``kernel_ready``, ``cell_start``,
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

Exit status: 0 all cells passed; 1 a cell failed or the outputs could not be written;
2 bad arguments; 3 the notebook could not be read (not JSON, not nbformat 4); 4 the kernel is
not installed or could not start; 130 interrupted (SIGINT or SIGTERM; the kernel is shut down
and nothing is written).
"""

from __future__ import annotations

import argparse
import asyncio
import atexit
import json
import os
import re
import signal
import sys
import time
from typing import Any, Dict, List, Optional

# rlcourse_driver.py lies beside this file; import it first: it takes stdout for the event stream.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # even under python -P
from rlcourse_driver import EXIT_BAD_NOTEBOOK, EXIT_FAILED, EXIT_INTERRUPTED, EXIT_KERNEL, EXIT_OK  # noqa: E402
from rlcourse_driver import CellAborted, describe_kernelspec, emit, execute_cell, maybe_await, run_program  # noqa: E402

TMP_SUFFIX = ".rlcourse-tmp"
DIAGNOSTIC = re.compile(r"^(\S+ )?\d+:\d+ - ", re.M)
UNCAUGHT = re.compile(r"^(UncaughtException|UnhandledPromiseRejection):", re.M)
MAX_DETAIL = 4000
COMPILE_ERROR = "CompileError"  # tslab's ename for TypeScript diagnostics


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


def without(fields: Dict[str, Any], *names: str) -> Dict[str, Any]:
    """A copy of fields without the given keys."""
    return {k: v for k, v in fields.items() if k not in names}


async def interrupt(client: Any) -> None:
    """Interrupt the kernel after a timeout and give it a moment to stop the cell."""
    try:
        if client.km is not None:
            await maybe_await(client.km.interrupt_kernel())
            await asyncio.sleep(0.5)
    except Exception as e:  # the kernel is shut down right after anyway
        print(f"rlcourse run: could not interrupt the kernel: {e}", file=sys.stderr)


def main(argv: Optional[List[str]] = None) -> int:
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
    return run_program(parser, sys.argv[1:] if argv is None else argv, execute)


if __name__ == "__main__":
    sys.exit(main())
