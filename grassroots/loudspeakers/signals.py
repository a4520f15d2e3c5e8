"""Signals other apps listen to, so the loudspeakers never import them."""

from django.dispatch import Signal

#: Sent by ``actions.reports.record_reports`` inside its transaction, just before
#: a batch of play events is inserted, with ``events``: the unsaved
#: ``PlayEvent`` rows (unique per cluster and event id within the batch; some
#: may be stored already). A receiver that raises rolls the batch back.
play_events_arriving = Signal()

#: Sent by ``actions.keys.finish_key_rotation`` inside its transaction, once the
#: old signing key is gone: retained messages sealed with it must be published
#: again (the emergencies app does so for its lists).
signing_keys_changed = Signal()

#: Sent by ``retained.republish_all`` (outside any transaction) when the gateway
#: (re)connects to a broker that may have lost its retained messages. A receiver
#: publishes again what it keeps on the broker and returns how many topics.
retained_lost = Signal()

#: Sent by the gateway's housekeeping (every few seconds, outside any
#: transaction, only while it is connected to the broker). A receiver
#: publishes what a process killed between its commit and its publish left
#: unsent (the emergencies app: lists whose last change the broker never
#: confirmed) and returns how many.
unsent_due = Signal()
