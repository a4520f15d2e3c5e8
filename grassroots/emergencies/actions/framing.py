"""How a drill says it is a drill: the spoken warnings around its words, and its mark.

The warnings are part of the text rendered to speech, so they are in the
one audio file every cluster plays: a device cannot air a drill's words
without them, even if it started late, was cut or missed a separate item.
They are always in Vietnamese (the loudspeakers' and the boards' language),
whatever language the official's console is in.
"""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

LANGUAGE = "vi"


def _words() -> tuple[str, str, str, str]:
    with translation.override(LANGUAGE):
        return (
            _("This is a test of the warning system. It is not a real emergency."),
            _(
                "End of the test. Again: this was a test of the warning system, "
                "not a real emergency."
            ),
            _("The loudspeakers are being tested. There is nothing you need to do."),
            pgettext("drill mark", "TEST"),
        )


def preamble() -> str:
    return _words()[0]


def closing() -> str:
    return _words()[1]


def default_body() -> str:
    """Return the words of a drill whose planner wrote none."""
    return _words()[2]


def mark() -> str:
    """Return the word that marks a drill on boards, devices and lists (THỬ NGHIỆM)."""
    return _words()[3]


def body_of(text: str) -> str:
    """Return ``text`` without the warnings a drill's text starts and ends with."""
    body = (text or "").strip()
    head, tail = preamble(), closing()
    if body.startswith(head):
        body = body[len(head) :].strip()
    if body.endswith(tail):
        body = body[: -len(tail)].strip()
    return body


def spoken(text: str, limit: int) -> str:
    """Return the drill's words framed by the spoken warnings, at most ``limit`` long.

    Framing a text that is already framed changes nothing, so an update
    that sends back the whole text read does not say the warning twice. The
    words are cut, never the warnings.
    """
    head, tail = preamble(), closing()
    room = max(0, limit - len(head) - len(tail) - 4)
    body = body_of(text)[:room].strip() or default_body()
    return f"{head}\n\n{body}\n\n{tail}"


def marked(title: str, limit: int = 200) -> str:
    """Return ``title`` starting with the drill mark, once."""
    prefix = f"{mark()}: "
    title = (title or "").strip()
    while title.startswith(prefix):
        title = title[len(prefix) :].strip()
    return (prefix + title)[:limit]
