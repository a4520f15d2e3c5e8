"""Signals other apps listen to, so the loudspeakers never import them."""

from django.dispatch import Signal

#: Sent by ``actions.reports.record_reports`` inside its transaction, just before
#: a batch of play events is inserted, with ``events``: the unsaved
#: ``PlayEvent`` rows (unique per cluster and event id within the batch; some
#: may be stored already). A receiver that raises rolls the batch back.
play_events_arriving = Signal()
