"""Sound output: a real player process (ffplay, mpv, aplay) or a silent one.

A player is told to play one thing and calls back once when it ends, with
whether it played to the end. Stopping it calls back too (with ``stopped``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shutil
from collections.abc import Callable
from pathlib import Path

logger = logging.getLogger(__name__)

Done = Callable[[bool, str], None]


class NullPlayer:
    """Plays nothing, for as long as the item lasts (tests, simulator, dry runs).

    ``speed`` shortens every item (10 makes a minute last six seconds).
    ``fail`` names item ids to fail, for tests of failure reports.
    """

    __slots__ = ("speed", "default_s", "fail")

    def __init__(self, speed: float = 1.0, default_s: float = 30.0):
        self.speed = speed
        self.default_s = default_s
        self.fail: set[str] = set()

    def play(
        self,
        item: dict,
        path: Path | None,
        volume: int,
        done: Done,
    ) -> object:
        loop = asyncio.get_running_loop()
        if item.get("id") in self.fail:
            return loop.call_soon(done, False, "player error")
        seconds = item.get("duration_s") or (item.get("audio") or {}).get(
            "duration_s", self.default_s
        )
        return loop.call_later(max(0.0, seconds / self.speed), done, True, "")

    def stop(self, handle: object) -> None:
        handle.cancel()  # type: ignore[attr-defined]


class ProcessPlayer:
    """Plays through an external program: ffplay, mpv or aplay, whichever is found.

    ``command`` overrides the choice; ``{volume}`` and ``{source}`` are
    substituted in it.
    """

    CANDIDATES = (
        (
            "ffplay",
            [
                "ffplay",
                "-nodisp",
                "-autoexit",
                "-loglevel",
                "error",
                "-volume",
                "{volume}",
                "{source}",
            ],
        ),
        (
            "mpv",
            ["mpv", "--no-video", "--really-quiet", "--volume={volume}", "{source}"],
        ),
        ("aplay", ["aplay", "-q", "{source}"]),
    )

    def __init__(self, command: list[str] | None = None):
        if command is None:
            for program, template in self.CANDIDATES:
                if shutil.which(program):
                    command = template
                    break
            else:
                raise RuntimeError(
                    "no audio player found: install ffmpeg (ffplay), mpv or alsa-utils (aplay)"
                )
        self.command = command

    def play(self, item: dict, path: Path | None, volume: int, done: Done) -> object:
        source = str(path) if path is not None else item.get("relay_url", "")
        argv = [
            part.replace("{volume}", str(volume)).replace("{source}", source)
            for part in self.command
        ]
        return asyncio.get_running_loop().create_task(self._run(argv, item, done))

    async def _run(self, argv: list[str], item: dict, done: Done) -> None:
        limit = item.get("duration_s") if item.get("relay_url") else None
        try:
            process = await asyncio.create_subprocess_exec(
                *argv,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.PIPE,
            )
        except OSError as exc:
            done(False, f"cannot start player: {exc}")
            return
        try:
            if limit:
                try:
                    await asyncio.wait_for(process.wait(), limit)
                except TimeoutError:
                    # A relay ends when its slot ends.
                    process.terminate()
                    await process.wait()
                    done(True, "")
                    return
            code = await process.wait()
        except asyncio.CancelledError:
            with contextlib.suppress(ProcessLookupError):
                process.terminate()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(process.wait(), 2)
            raise
        if code == 0:
            done(True, "")
        else:
            error = (
                (await process.stderr.read(300)).decode(errors="replace")
                if process.stderr
                else ""
            )
            done(False, f"player exited with {code}: {error.strip()}"[:200])

    def stop(self, handle: object) -> None:
        handle.cancel()  # type: ignore[attr-defined]
