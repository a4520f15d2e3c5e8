"""A fake engine for unit tests: instant, deterministic, and able to fail on demand.

It writes a tone whose length follows the text (50 ms a character), so the
rest of the pipeline (chimes, loudness, encoding) runs on real audio. Only
unit tests that must not depend on espeak-ng use it.
"""

from __future__ import annotations

import math
import struct
import wave
from pathlib import Path
from typing import ClassVar

from .base import Engine, SynthesisError, Voice

RATE_HZ = 16000
SECONDS_PER_CHAR = 0.05


class MemoryEngine(Engine):
    name = "memory"
    voices = (
        Voice("north", "North", "north"),
        Voice("central", "Central", "central"),
        Voice("south", "South", "south"),
    )
    default_voice = "south"
    #: Every call, as (text, voice, rate); tests read and clear it.
    calls: ClassVar[list[tuple[str, str, int]]] = []
    #: Set to an exception to make the next calls fail.
    fail_with: ClassVar[Exception | None] = None

    def synthesize(
        self, text: str, out: Path, *, voice: str, rate: int, pitch: int
    ) -> None:
        MemoryEngine.calls.append((text, voice, rate))
        if MemoryEngine.fail_with is not None:
            raise SynthesisError(str(MemoryEngine.fail_with))
        seconds = max(0.5, len(text) * SECONDS_PER_CHAR)
        period = [
            int(12000 * math.sin(2 * math.pi * 220 * i / RATE_HZ)) for i in range(800)
        ]
        chunk = struct.pack(f"<{len(period)}h", *period)
        frames = chunk * max(1, int(seconds * RATE_HZ / len(period)))
        with wave.open(str(out), "wb") as wav:
            wav.setnchannels(1)
            wav.setsampwidth(2)
            wav.setframerate(RATE_HZ)
            wav.writeframes(frames)
