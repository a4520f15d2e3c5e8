"""Signals other apps listen to; sent after the database change is committed."""

from django.dispatch import Signal

#: Sent with ``audio`` (a RenderedAudio) when its files are ready or it failed;
#: broadcasts recompiles the schedules that wait for it.
audio_rendered = Signal()
