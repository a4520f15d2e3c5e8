"""A small process supervisor: start, prefix output, restart on crash, stop on Ctrl-C.

Written here rather than taken from honcho or supervisord because ``make run``
must also wait for the web process to answer before printing the URL and demo
logins, restart a crashed process with growing delays, and stop the device
simulator before the broker, in one terminal with no configuration file.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path

from .processes import Process

logger = logging.getLogger(__name__)

RESTART_DELAY_MAX_S = 30.0
#: A process that ran this long before crashing restarts without delay growth.
STABLE_AFTER_S = 60.0
COLOURS = ("36", "33", "35", "32", "34", "31", "96", "93")


class Supervisor:
    def __init__(
        self,
        processes: list[Process],
        write: Callable[[str], None] = print,
        state_file: Path | None = None,
    ):
        self.processes = processes
        self.write = write
        #: Where each child's state is written (``grassroots status``, the console).
        self.state_file = state_file
        self.states: dict[str, dict] = {}
        self.children: dict[str, asyncio.subprocess.Process] = {}
        self.stopping = asyncio.Event()
        self.width = max((len(p.name) for p in processes), default=4)
        self.tty = sys.stdout.isatty()

    def _prefix(self, index: int, name: str) -> str:
        label = name.rjust(self.width)
        if self.tty:
            return f"\033[{COLOURS[index % len(COLOURS)]}m{label} |\033[0m"
        return f"{label} |"

    def _record(self, name: str, **state) -> None:
        entry = self.states.setdefault(name, {"restarts": 0})
        entry.update(state, at=time.time())
        if self.state_file is None:
            return
        try:
            self.state_file.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.state_file.with_suffix(".tmp")
            tmp.write_text(
                json.dumps(
                    {"pid": os.getpid(), "at": time.time(), "children": self.states}
                )
            )
            os.replace(tmp, self.state_file)
        except OSError as exc:
            logger.warning("supervisor state not written: %s", exc)

    async def _pump(self, index: int, name: str, stream: asyncio.StreamReader) -> None:
        prefix = self._prefix(index, name)
        while line := await stream.readline():
            self.write(f"{prefix} {line.decode(errors='replace').rstrip()}")

    async def _keep_running(self, index: int, process: Process) -> None:
        delay = 1.0
        while not self.stopping.is_set():
            started = time.monotonic()
            child = await asyncio.create_subprocess_exec(
                *process.argv,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.STDOUT,
                env={**os.environ, **process.env, "PYTHONUNBUFFERED": "1"},
                # Own session: Ctrl-C reaches only the supervisor, which then
                # stops the children in order.
                start_new_session=True,
            )
            self.children[process.name] = child
            self._record(process.name, state="running", pid=child.pid, code=None)
            assert child.stdout is not None  # noqa: S101 - set by PIPE above
            await self._pump(index, process.name, child.stdout)
            code = await child.wait()
            if self.stopping.is_set():
                self._record(process.name, state="stopped", code=code)
                return
            ran = time.monotonic() - started
            delay = 1.0 if ran > STABLE_AFTER_S else min(delay * 2, RESTART_DELAY_MAX_S)
            self._record(
                process.name,
                state="restarting",
                code=code,
                restarts=self.states[process.name]["restarts"] + 1,
            )
            self.write(
                f"{self._prefix(index, process.name)} exited with code {code}; restarting in {delay:.0f} s"
            )
            try:
                await asyncio.wait_for(self.stopping.wait(), timeout=delay)
            except TimeoutError:
                continue

    async def _stop(self) -> None:
        self.stopping.set()
        for process in reversed(self.processes):
            child = self.children.get(process.name)
            if child is None or child.returncode is not None:
                continue
            try:
                os.killpg(child.pid, signal.SIGTERM)
            except ProcessLookupError:
                continue
            try:
                await asyncio.wait_for(child.wait(), timeout=process.stop_timeout_s)
            except TimeoutError:
                self.write(
                    f"{process.name} did not stop in {process.stop_timeout_s:.0f} s; killing it"
                )
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(child.pid, signal.SIGKILL)
                await child.wait()

    async def run(self, when_started: Callable[[], object] | None = None) -> None:
        loop = asyncio.get_running_loop()
        stop_requested = asyncio.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop_requested.set)
        tasks = [
            asyncio.create_task(self._keep_running(i, p))
            for i, p in enumerate(self.processes)
        ]
        if when_started is not None:
            asyncio.create_task(asyncio.to_thread(when_started))
        await stop_requested.wait()
        self.write("Stopping…")
        await self._stop()
        await asyncio.gather(*tasks, return_exceptions=True)
        self.write("All processes stopped.")
