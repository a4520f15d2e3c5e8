"""Sound output: a real player process (ffplay, mpv, aplay) or a silent one.

A player is told to play one thing and calls back once when it ends, with
whether it played to the end. Stopping it calls back too (with ``stopped``).
``stream`` is the address of a stream played as it comes (a live broadcast
with its token, or a relay): it ends when the stream ends, or fails when it
stalls for a few seconds, and the schedule resumes either way.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shutil
from collections.abc import Callable
from pathlib import Path

from .stream import StreamListener, is_stream, stall_s

logger = logging.getLogger(__name__)

Done = Callable[[bool, str], None]


class NullPlayer:
    """Plays nothing, for as long as the item lasts (tests, simulator, dry runs).

    ``speed`` shortens every item (10 makes a minute last six seconds).
    ``fail`` names item ids to fail, for tests of failure reports.
    ``listen`` makes it connect to a live stream and read it to its end
    (the simulator: the stream server counts it as a listener, and
    ``stream_bytes`` what it heard), instead of lasting a fixed time.
    """

    __slots__ = ("speed", "default_s", "fail", "listen", "stream_bytes")

    def __init__(self, speed: float = 1.0, default_s: float = 30.0, listen=False):
        self.speed = speed
        self.default_s = default_s
        self.fail: set[str] = set()
        self.listen = listen
        self.stream_bytes = 0

    def play(
        self,
        item: dict,
        path: Path | None,
        volume: int,
        done: Done,
        stream: str | None = None,
    ) -> object:
        loop = asyncio.get_running_loop()
        if item.get("id") in self.fail:
            return loop.call_soon(done, False, "player error")
        if self.listen and stream and "live" in item:
            listener = StreamListener(stream, stall_s(item), on_bytes=self._count)
            return loop.create_task(listener.run(done))
        seconds = item.get("duration_s") or (item.get("audio") or {}).get(
            "duration_s", self.default_s
        )
        return loop.call_later(max(0.0, seconds / self.speed), done, True, "")

    def _count(self, size: int) -> None:
        self.stream_bytes += size

    def stop(self, handle: object) -> None:
        handle.cancel()  # type: ignore[attr-defined]


def ffmpeg_input_options(item: dict) -> list[str]:
    """Return ffmpeg's input options for a stream item.

    A live stream's format is known (``live.format``): naming it and probing
    nothing lets the decoder start on the first frame. Left to guess, ffmpeg
    reads seconds of a 64 kbit/s stream before it starts, and a player then
    stays those seconds behind the speaker for the whole broadcast.
    """
    live = item.get("live")
    if live is None:
        return []
    return [
        "-fflags",
        "nobuffer",
        "-flags",
        "low_delay",
        "-probesize",
        "32",
        "-analyzeduration",
        "0",
        "-f",
        str(live.get("format", "mp3")),
    ]


class ProcessPlayer:
    """Plays through an external program: ffplay, mpv or aplay, whichever is found.

    ``command`` overrides the choice for files, ``stream_command`` for
    streams (live broadcasts and relays; it defaults to ``command`` when
    only that is given). Substituted in both: ``{volume}``, ``{source}``
    (a file or a stream address), ``{item}`` (the item's id), and
    ``{stall_s}`` / ``{stall_us}`` (how long a stream may bring nothing);
    an argument ``{input_options}`` becomes ffmpeg's input options for the
    stream (:func:`ffmpeg_input_options`): none for a relay, and for a live
    broadcast its format and no probing or buffering ahead, so that a live
    voice is heard within a second or two of being spoken.
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
            [
                "ffplay",
                "-nodisp",
                "-autoexit",
                "-loglevel",
                "error",
                "{input_options}",
                "-rw_timeout",
                "{stall_us}",
                "-volume",
                "{volume}",
                "{source}",
            ],
        ),
        (
            "mpv",
            ["mpv", "--no-video", "--really-quiet", "--volume={volume}", "{source}"],
            [
                "mpv",
                "--no-video",
                "--really-quiet",
                "--cache=no",
                "--network-timeout={stall_s}",
                "--volume={volume}",
                "{source}",
            ],
        ),
        ("aplay", ["aplay", "-q", "{source}"], None),
    )

    def __init__(
        self,
        command: list[str] | None = None,
        stream_command: list[str] | None = None,
    ):
        if command is None:
            for program, template, streams in self.CANDIDATES:
                if shutil.which(program):
                    command = template
                    stream_command = stream_command or streams
                    break
            else:
                raise RuntimeError(
                    "no audio player found: install ffmpeg (ffplay), mpv or alsa-utils (aplay)"
                )
        else:
            stream_command = stream_command or command
        self.command = command
        self.stream_command = stream_command

    def play(
        self,
        item: dict,
        path: Path | None,
        volume: int,
        done: Done,
        stream: str | None = None,
    ) -> object:
        loop = asyncio.get_running_loop()
        template: list[str] | None
        if path is not None:
            template, source = self.command, str(path)
        else:
            template = self.stream_command
            source = stream or str(item.get("relay_url") or "")
            if template is None:
                return loop.call_soon(done, False, "this player cannot play streams")
        stall = stall_s(item)
        values = {
            "{volume}": str(volume),
            "{source}": source,
            "{item}": str(item.get("id", "")),
            "{stall_s}": f"{stall:g}",
            "{stall_us}": str(int(stall * 1_000_000)),
        }
        argv = []
        for part in template:
            if part == "{input_options}":
                argv += ffmpeg_input_options(item)
                continue
            for key, value in values.items():
                part = part.replace(key, value)
            argv.append(part)
        return loop.create_task(self._run(argv, item, done))

    async def _run(self, argv: list[str], item: dict, done: Done) -> None:
        # A relay ends when its slot ends; a live broadcast when its stream
        # does (duration_s, if given, only caps it).
        limit = item.get("duration_s") if is_stream(item) else None
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
