"""espeak-ng: small, fast, offline, packaged by Debian, with three Vietnamese voices."""

from __future__ import annotations

import subprocess
from functools import cached_property
from pathlib import Path

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .base import Engine, EngineUnavailable, SynthesisError, Voice, require_binary

#: Seconds allowed per 1,000 characters (espeak-ng speaks ~100 times real time).
SECONDS_PER_1000_CHARS = 5
MIN_TIMEOUT_S = 20


class EspeakEngine(Engine):
    name = "espeak-ng"
    voices = (
        Voice("vi", gettext_lazy("Northern Vietnamese (Hà Nội)"), "north"),
        Voice("vi-vn-x-central", gettext_lazy("Central Vietnamese (Huế)"), "central"),
        Voice("vi-vn-x-south", gettext_lazy("Southern Vietnamese (Sài Gòn)"), "south"),
    )
    default_voice = "vi-vn-x-south"

    @property
    def binary(self) -> str:
        return require_binary("espeak-ng", "espeak-ng")

    def check(self) -> None:
        self.binary  # noqa: B018 - raises EngineUnavailable when missing

    @cached_property
    def version(self) -> str:
        try:
            binary = self.binary
        except EngineUnavailable:
            # Requests are still accepted and fail visibly when rendered.
            return "missing"
        result = subprocess.run(  # noqa: S603 - fixed arguments, no shell
            [binary, "--version"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
        return " ".join(result.stdout.split()[3:4]) or "unknown"

    def identity(self) -> str:
        return f"{self.name} {self.version}"

    def synthesize(
        self, text: str, out: Path, *, voice: str, rate: int, pitch: int
    ) -> None:
        # The text goes in on standard input, never as an argument, so that a
        # bulletin starting with "-" cannot be taken for an option.
        argv = [
            self.binary,
            "-v",
            self.voice(voice).id,
            "-s",
            str(max(self.min_rate, min(self.max_rate, rate))),
            "-p",
            str(max(0, min(99, pitch))),
            "-b",
            "1",
            "-w",
            str(out),
            "--stdin",
        ]
        timeout = max(MIN_TIMEOUT_S, len(text) * SECONDS_PER_1000_CHARS / 1000)
        try:
            result = subprocess.run(  # noqa: S603 - fixed program, text on stdin
                argv,
                input=text.encode("utf-8"),
                capture_output=True,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise SynthesisError(
                _("espeak-ng took longer than %(s)d seconds.") % {"s": timeout}
            ) from exc
        if result.returncode != 0 or not out.exists() or out.stat().st_size <= 44:
            detail = result.stderr.decode("utf-8", "replace").strip()[:500]
            raise SynthesisError(
                _("espeak-ng failed (exit code %(code)s): %(detail)s")
                % {"code": result.returncode, "detail": detail or "-"}
            )
