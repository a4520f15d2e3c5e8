"""A listening device's ear for bench/live.py: the agent's player command.

Runs ffmpeg on the stream (the agent passes the same input options as to
its real player), reads the decoded PCM as it comes, and writes the wall
time of every click it hears (a loud onset after half a second of quiet)
to ``--log``; at the end, the decoder's CPU seconds and how much audio it
decoded.

    python bench/_live_probe.py --log clicks.txt -- <input options> -i URL
"""

from __future__ import annotations

import argparse
import array
import os
import shutil
import signal
import subprocess
import sys
import time

RATE = 16000
BLOCK = RATE // 100  # 10 ms
LOUD = 0.3
QUIET = 0.05
QUIET_BEFORE_S = 0.5


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--log", required=True)
    parser.add_argument("ffmpeg_args", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    extra = [a for a in args.ffmpeg_args if a != "--"]
    process = subprocess.Popen(  # noqa: S603 - Debian's ffmpeg
        [
            shutil.which("ffmpeg") or "ffmpeg",
            "-nostdin",
            "-loglevel",
            "error",
            *extra,
            "-f",
            "s16le",
            "-ac",
            "1",
            "-ar",
            str(RATE),
            "pipe:1",
        ],
        stdout=subprocess.PIPE,
        bufsize=0,
    )
    assert process.stdout is not None  # noqa: S101
    # The agent stops its player with SIGTERM: let ffmpeg end, then report.
    signal.signal(signal.SIGTERM, lambda *_: process.terminate())
    samples = 0
    heard_quiet = 0.0
    with open(args.log, "a") as log:
        while True:
            block = process.stdout.read(BLOCK * 2)
            if not block:
                break
            now = time.time()
            values = array.array("h")
            values.frombytes(block[: len(block) // 2 * 2])
            samples += len(values)
            peak = max((abs(v) for v in values), default=0) / 32768
            if peak >= LOUD and heard_quiet >= QUIET_BEFORE_S:
                log.write(f"click {now:.4f}\n")
                log.flush()
                heard_quiet = 0.0
            elif peak < QUIET:
                heard_quiet += len(values) / RATE
            else:
                heard_quiet = 0.0
        _pid, status, usage = os.wait4(process.pid, 0)
        log.write(
            f"cpu {usage.ru_utime + usage.ru_stime:.3f} audio {samples / RATE:.2f}\n"
        )
    return os.waitstatus_to_exitcode(status) if status else 0


if __name__ == "__main__":
    sys.exit(main())
