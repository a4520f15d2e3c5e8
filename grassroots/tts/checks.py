"""``grassroots check`` warns when the programs speech needs are missing."""

from __future__ import annotations

import shutil

from django.core import checks


@checks.register()
def speech_programs(app_configs, **kwargs):
    """Warn (not fail) when espeak-ng or ffmpeg is missing: only speech is affected."""
    from .engines import EngineUnavailable, get_engine

    problems = []
    try:
        get_engine().check()
    except ImportError:
        pass  # reported by grassroots.E102 (core/checks.py)
    except EngineUnavailable as exc:
        problems.append(checks.Warning(str(exc), id="tts.W001"))
    if shutil.which("ffmpeg") is None:
        problems.append(
            checks.Warning(
                "ffmpeg is not installed: bulletins cannot be rendered to audio. "
                "Install it with: sudo apt-get install ffmpeg "
                "(or run scripts/system-packages.sh).",
                id="tts.W002",
            )
        )
    return problems
