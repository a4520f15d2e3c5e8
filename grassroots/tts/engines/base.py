"""The interface every speech engine implements."""

from __future__ import annotations

import shutil
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from django.utils.translation import gettext as _


class EngineUnavailable(RuntimeError):
    """Raised when an engine cannot run here (its program is not installed)."""


class SynthesisError(RuntimeError):
    """Raised when an engine fails on a text."""


@dataclass(frozen=True)
class Voice:
    """A voice an engine offers; ``dialect`` chooses the number words."""

    id: str
    label: Any
    dialect: str


def require_binary(name: str, package: str) -> str:
    """Return the path of program ``name`` or raise a message saying how to install it."""
    path = shutil.which(name)
    if path is None:
        raise EngineUnavailable(
            _(
                "The program “%(name)s” is not installed on this server. An "
                "administrator installs it with: sudo apt-get install %(package)s "
                "(or runs scripts/system-packages.sh)."
            )
            % {"name": name, "package": package}
        )
    return path


class Engine(ABC):
    """Turn Vietnamese text (already normalised) into a mono WAV file.

    Subclasses set ``name``, ``voices`` and ``default_voice`` and implement
    :meth:`synthesize`; :meth:`identity` goes into the content hash, so a new
    engine version renders anew instead of reusing old audio.
    """

    name: ClassVar[str]
    voices: ClassVar[tuple[Voice, ...]]
    default_voice: ClassVar[str]
    #: Speaking rates the engine accepts, in words per minute.
    min_rate: ClassVar[int] = 80
    max_rate: ClassVar[int] = 260

    def identity(self) -> str:
        return self.name

    def check(self) -> None:  # noqa: B027 - optional hook; most engines need nothing
        """Raise :class:`EngineUnavailable` if the engine cannot run here."""

    def voice(self, voice_id: str | None) -> Voice:
        """Return the voice ``voice_id``, or the default voice if it is unknown."""
        for voice in self.voices:
            if voice.id == voice_id:
                return voice
        return next(v for v in self.voices if v.id == self.default_voice)

    def has_voice(self, voice_id: str) -> bool:
        return any(v.id == voice_id for v in self.voices)

    @abstractmethod
    def synthesize(
        self, text: str, out: Path, *, voice: str, rate: int, pitch: int
    ) -> None:
        """Write ``text`` spoken by ``voice`` to ``out`` as a mono PCM WAV file."""
