"""``grassroots tts``: say a text the way the loudspeakers will, or render it."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError, CommandParser

from grassroots.areas.models import Area, Level
from grassroots.core import schema

from ... import actions, speech
from ...engines import EngineUnavailable, get_engine
from ...models import Abbreviation, SpeechSettings

VOICE_ALIASES = {"north": "vi", "central": "vi-vn-x-central", "south": "vi-vn-x-south"}

EPILOG = """examples:
  grassroots tts normalize "UBND xã thông báo: 7h30 ngày 15/3/2025 cắt điện"
  grassroots tts render "Thông báo lịch tiêm vắc xin" -o thong-bao.mp3
  grassroots tts render -f ban-tin.txt -o ban-tin.mp3 --voice north
  echo "Họp dân lúc 19:00" | grassroots tts render - -o hop-dan.opus
"""


class Command(BaseCommand):
    help = (
        "Show how a Vietnamese text will be read aloud, or render it to MP3 or Opus. "
        "Uses the province's voice, speed, loudness and pronunciation dictionary."
    )

    #: ``normalize`` works before ``grassroots migrate`` (see _province).
    requires_database = False

    # Plain words: Django's own options stay usable but out of --help.
    suppressed_base_arguments = {
        "--version",
        "--verbosity",
        "--settings",
        "--pythonpath",
        "--traceback",
        "--no-color",
        "--force-color",
        "--skip-checks",
    }

    def create_parser(self, prog_name, subcommand, **kwargs):
        from argparse import RawDescriptionHelpFormatter

        return super().create_parser(
            prog_name,
            subcommand,
            epilog=EPILOG,
            formatter_class=RawDescriptionHelpFormatter,
            **kwargs,
        )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", metavar="normalize|render")
        sub.required = True
        for name, text in (
            ("normalize", "print the text as it will be spoken (no audio)"),
            ("render", "make the audio and write it to a file"),
        ):
            p = sub.add_parser(name, help=text, description=text.capitalize() + ".")
            p.add_argument(
                "text",
                nargs="?",
                help='the text; "-" or nothing reads it from standard input',
            )
            p.add_argument("-f", "--file", help="read the text from this UTF-8 file")
            p.add_argument(
                "--voice",
                help="north, central or south (or an engine voice id); "
                "default: the province's voice",
            )
            p.add_argument(
                "--province",
                help="province code (e.g. 82) whose voice and dictionary to use",
            )
            if name == "render":
                p.add_argument(
                    "-o",
                    "--output",
                    required=True,
                    help="where to write the audio: FILE.mp3 or FILE.opus",
                )
                p.add_argument("--rate", type=int, help="speed in words a minute")
                p.add_argument(
                    "--no-chimes", action="store_true", help="no chime before or after"
                )

    def handle(self, *args, **options):
        text = self._read_text(options)
        province = self._province(options.get("province"))
        voice = self._voice(options.get("voice"))
        try:
            if options["action"] == "normalize":
                dialect = (
                    get_engine()
                    .voice(voice or speech.settings_for(province).voice)
                    .dialect
                )
                self.stdout.write(
                    speech.spoken_form(
                        speech.check_text(text), area=province, dialect=dialect
                    )
                )
                return
            self._render(text, province, voice, options)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        except (EngineUnavailable, actions.RenderError) as exc:
            raise CommandError(str(exc)) from exc

    def _render(self, text, province, voice, options) -> None:
        output = Path(options["output"])
        kind = output.suffix.lower().lstrip(".")
        if kind not in ("mp3", "opus", "ogg"):
            raise CommandError("The output file must end in .mp3 or .opus.")
        audio = actions.render_now(
            text,
            area=province,
            voice=voice,
            rate=options.get("rate"),
            chimes=False if options["no_chimes"] else None,
        )
        stored = audio.mp3 if kind == "mp3" else audio.opus
        with (
            default_storage.open(str(stored.name), "rb") as source,
            output.open("wb") as out,
        ):
            shutil.copyfileobj(source, out)
        self.stderr.write(
            f"{output}: {audio.duration_text}, {audio.loudness_lufs} LUFS, "
            f"voice {audio.voice}, sha256 "
            f"{audio.mp3_sha256 if kind == 'mp3' else audio.opus_sha256}"
        )

    def _read_text(self, options) -> str:
        if options.get("file"):
            try:
                return Path(options["file"]).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise CommandError(f"Cannot read {options['file']}: {exc}") from exc
        text = options.get("text")
        if text in (None, "-"):
            if sys.stdin.isatty():
                raise CommandError("Give a text, -f FILE, or pipe the text in.")
            return sys.stdin.read()
        return text

    def _province(self, code: str | None) -> Area | None:
        if not schema.tables_exist(Area, SpeechSettings, Abbreviation):
            if code:
                raise CommandError(schema.MIGRATE_FIRST)
            # Before `grassroots migrate`: the shipped dictionary and voice.
            return None
        provinces = Area.objects.filter(level=Level.PROVINCE, is_active=True)
        if code:
            found = provinces.filter(code=code.zfill(2)).first()
            if found is None:
                raise CommandError(f"No province with code {code}.")
            return found
        with_settings = provinces.filter(speech_settings__isnull=False)
        if with_settings.count() == 1:
            return with_settings.first()
        return None

    def _voice(self, voice: str | None) -> str | None:
        if not voice:
            return None
        voice = VOICE_ALIASES.get(voice.lower(), voice)
        try:
            return speech.check_voice(voice)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
