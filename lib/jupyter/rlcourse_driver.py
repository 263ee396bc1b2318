"""What the two notebook drivers share: ``execute.py`` (``rlcourse run`` and ``validate``: one
notebook, executed and written) and ``serve.py`` (``rlcourse grade``: one kernel, cells sent on
stdin). Both import this module first.

On import it takes the *original* stdout for the event stream, one JSON object per line (see
:func:`emit`), and sends everything else that would reach stdout (the kernel process inherits our
descriptors) to stderr instead, so the stream stays parseable. It also holds the exit statuses, the
execution of one cell with nbclient (:func:`execute_cell`, which tells an aborted cell from a run
one), and :func:`run_program`, the common ``main``: arguments, logging, then the program.
"""

from __future__ import annotations

import argparse
import asyncio
import inspect
import json
import logging
import os
import sys
from typing import Any, Awaitable, Callable, Dict, List

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

ABORTED = ("abort", "aborted")  # the Jupyter protocol says "aborted" (an unpatched tslab "abort")


class CellAborted(Exception):
    """The kernel aborted the cell (answered ``aborted`` without running it)."""


def emit(event: str, **fields: Any) -> None:
    """Write one progress event as a JSON line to the event stream."""
    _EVENTS.write(json.dumps({"event": event, **fields}) + "\n")
    _EVENTS.flush()


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


async def maybe_await(value: Any) -> Any:
    """The value, awaited first when it is awaitable (jupyter_client 7 and 8 differ here)."""
    return await value if inspect.isawaitable(value) else value


def run_program(
    parser: argparse.ArgumentParser,
    argv: List[str],
    program: Callable[[argparse.Namespace], Awaitable[int]],
) -> int:
    """Parse argv (plus ``--log-level``), set up logging, then run program; return its exit status.

    Bad arguments exit with EXIT_USAGE (argparse says why on stderr); ``--help`` with EXIT_OK.
    """
    parser.add_argument("--log-level", default="WARNING", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:
        return EXIT_USAGE if e.code else EXIT_OK
    logging.basicConfig(level=args.log_level, format="%(name)s %(levelname)s: %(message)s")
    logging.getLogger("traitlets").setLevel(args.log_level)
    return asyncio.run(program(args))
