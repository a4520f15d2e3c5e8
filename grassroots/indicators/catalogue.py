"""Every indicator of the brief (plan KH 119/KH-UBND, Decision 135/QĐ-TTg).

These are the definitions; ``docs/indicators.md`` says the same in prose.
An indicator whose data is not yet kept by the system is still listed (the
dashboard shows it as "not measured yet" with what it needs), so the targets
stay in view; its computation arrives as a small class in the app that holds
the data (see :mod:`.registry`).
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from grassroots.areas.models import Level
from grassroots.areas.words import hamlet_label

from .registry import Kind, Spec, Unit

HUNDRED = Decimal(100)
_PROVINCE_COMMUNE = (Level.PROVINCE, Level.COMMUNE)

IP_STATIONS = Spec(
    code="ip_stations",
    order=10,
    name=_("Commune radio stations that are IP"),
    definition=_(
        "Share of the active communes in the area whose radio station has at "
        "least one loudspeaker cluster in the “active” state on the last day of "
        "the period."
    ),
    numerator_label=_("communes with an active IP loudspeaker cluster"),
    denominator_label=_("active communes"),
    target_2025=HUNDRED,
    target_2030=HUNDRED,
    needs=format_lazy(
        _("loudspeaker registry: clusters with their {hamlet} and state"),
        hamlet=hamlet_label(capital=False),
    ),
    levels=_PROVINCE_COMMUNE,
)

CLUSTERS_PER_STATION = Spec(
    code="clusters_per_station",
    order=20,
    name=_("Loudspeaker clusters per station"),
    definition=_(
        "Active loudspeaker clusters in the area divided by the number of its "
        "communes that have an IP radio station (at least one active cluster), "
        "on the last day of the period."
    ),
    numerator_label=_("active loudspeaker clusters"),
    denominator_label=_("communes with an IP radio station"),
    target_2025=Decimal(15),
    target_2030=Decimal(15),
    unit=Unit.RATIO,
    needs=_("loudspeaker registry"),
    levels=_PROVINCE_COMMUNE,
)

HAMLET_COVERAGE = Spec(
    code="hamlet_coverage",
    order=30,
    name=format_lazy(
        _("{hamlets} with an active loudspeaker cluster"),
        hamlets=hamlet_label(plural=True),
    ),
    definition=_(
        "Share of the active hamlets (ấp, thôn, tổ dân phố…) in the area with at "
        "least one loudspeaker cluster in the “active” state on the last day of "
        "the period. The 2030 target is every residential cluster."
    ),
    numerator_label=format_lazy(
        _("{hamlets} with an active cluster"),
        hamlets=hamlet_label(capital=False, plural=True),
    ),
    denominator_label=format_lazy(
        _("active {hamlets}"), hamlets=hamlet_label(capital=False, plural=True)
    ),
    target_2025=HUNDRED,
    target_2030=HUNDRED,
    needs=format_lazy(
        _("loudspeaker registry and the lists of {hamlets} of each commune"),
        hamlets=hamlet_label(capital=False, plural=True),
    ),
)

COMMUNE_BOARDS = Spec(
    code="commune_boards",
    order=40,
    name=_("Commune offices with a public e-bulletin board"),
    definition=_(
        "Share of the active communes in the area whose People's Committee "
        "office has at least one public e-bulletin board in the “active” state "
        "on the last day of the period."
    ),
    numerator_label=_("communes with an active board at the office"),
    denominator_label=_("active communes"),
    target_2025=Decimal(30),
    target_2030=HUNDRED,
    needs=_("board registry: boards with their commune, place and state"),
    levels=_PROVINCE_COMMUNE,
)

ESSENTIAL_DISSEMINATED = Spec(
    code="essential_disseminated",
    order=50,
    name=_("Essential information disseminated"),
    definition=format_lazy(
        _(
            "Of the essential bulletins published in the period for loudspeakers or "
            "boards and targeting the area, the share that reached every targeted "
            "{hamlet} in the area: each {hamlet} has proof of play (a loudspeaker "
            "cluster there finished playing it) or proof of display (a board there "
            "showed it)."
        ),
        hamlet=hamlet_label(capital=False),
    ),
    numerator_label=format_lazy(
        _("essential bulletins that reached every targeted {hamlet}"),
        hamlet=hamlet_label(capital=False),
    ),
    denominator_label=_("essential bulletins published for the area"),
    target_2025=HUNDRED,
    target_2030=HUNDRED,
    kind=Kind.FLOW,
    needs=_(
        "bulletins with the “essential” flag and targets, proof of play "
        "and proof of display"
    ),
)

FEEDBACK_HANDLED = Spec(
    code="feedback_handled",
    order=60,
    name=_("Citizen feedback handled on the system"),
    definition=_(
        "Of the citizen feedback received on the system in the period (every "
        "channel: web form, Open311, phone or in person recorded by staff) and "
        "routed to the area, the share answered or closed on the system by the "
        "end of the period."
    ),
    numerator_label=_("feedback answered or closed"),
    denominator_label=_("feedback received"),
    target_2025=HUNDRED,
    target_2030=HUNDRED,
    kind=Kind.FLOW,
    needs=_("citizen feedback: received date, area, answered date"),
    levels=_PROVINCE_COMMUNE,
)

FEEDBACK_ON_TIME = Spec(
    code="feedback_on_time",
    order=65,
    name=_("Citizen feedback handled on time"),
    definition=_(
        "Of the citizen feedback routed to the area whose deadline fell in the "
        "period or that was answered in the period, the share answered on or "
        "before its deadline (working days of the feedback category)."
    ),
    numerator_label=_("feedback answered by the deadline"),
    denominator_label=_("feedback due or answered in the period"),
    target_2025=HUNDRED,
    target_2030=HUNDRED,
    kind=Kind.FLOW,
    needs=_("citizen feedback: deadlines and answered dates"),
    levels=_PROVINCE_COMMUNE,
)

SOURCE_INFORMATION = Spec(
    code="source_information",
    order=70,
    name=_("Essential information on the source information system"),
    definition=_(
        "Of the essential information issued by the province and commune levels "
        "in the area and disseminated in the period (every programme item or "
        "board item marked essential, and every essential bulletin), the share "
        "that was written and approved as a bulletin on the source information "
        "system, rather than aired or shown from an outside file."
    ),
    numerator_label=_("essential items that are bulletins of the system"),
    denominator_label=_("essential items disseminated"),
    target_2025=HUNDRED,
    target_2030=HUNDRED,
    kind=Kind.FLOW,
    needs=_("bulletins, programme items and board items with an “essential” flag"),
    levels=_PROVINCE_COMMUNE,
)

OFFICIALS_TRAINED = Spec(
    code="officials_trained",
    order=80,
    name=_("Officials trained"),
    definition=_(
        "Of the people on the training roster of the area who need training and "
        "are on the roster on the last day of the period, the share who by that "
        "day completed at least one course in professional skills and at least "
        "one IT course (authoring, archiving information, or operating the "
        "technical equipment)."
    ),
    numerator_label=_("officials trained in their work and in IT"),
    denominator_label=_("officials who need training"),
    target_2025=HUNDRED,
    target_2030=HUNDRED,
    needs=_("training records (this system's training roster)"),
)

SPECS = (
    IP_STATIONS,
    CLUSTERS_PER_STATION,
    HAMLET_COVERAGE,
    COMMUNE_BOARDS,
    ESSENTIAL_DISSEMINATED,
    FEEDBACK_HANDLED,
    FEEDBACK_ON_TIME,
    SOURCE_INFORMATION,
    OFFICIALS_TRAINED,
)
