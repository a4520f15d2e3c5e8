"""Who may fetch a bulletin's files: staff of its area, and devices once it is out.

The files live in the private storage (core/private_files.py). The console
links to them through ``/console/files/``, checked here; devices fetch the
audio they air from :func:`airing_file`, only while the bulletin is
published; the portal serves public bulletins' files itself. A draft's
files, and files removed from a bulletin, have no public address.
"""

from __future__ import annotations

from django.db.models import TextField
from django.db.models.functions import Cast
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from wagtail.models import Revision

from grassroots.accounts import scope
from grassroots.accounts.roles import Capability
from grassroots.core import private_files

from .models import Attachment, AttachmentKind, Bulletin, Status


def _in_scope_revisions(user, name: str) -> bool:
    """Return True if the latest version of a bulletin the user sees holds ``name``.

    A file added to a new version of a published bulletin has no row until
    that version is approved; its editors still open it from the form.
    """
    latest = scope.scope(
        Bulletin.objects.all(), user, Capability.VIEW, path_field="issuing_area__path"
    ).values("latest_revision_id")
    return (
        Revision.objects.filter(pk__in=latest)
        .annotate(text=Cast("content", TextField()))
        .filter(text__contains=name)
        .exists()
    )


def _may_read(user, bulletin: Bulletin) -> bool:
    if bulletin.is_public or scope.can(user, Capability.VIEW, bulletin.issuing_area):
        return True
    if bulletin.status != Status.PUBLISHED:
        return False
    return any(
        scope.can(user, Capability.VIEW, area) for area in bulletin.target_areas.all()
    )


def private_file(request: HttpRequest, name: str) -> private_files.Grant:
    """Let the console's links to a bulletin's files follow the scope rule."""
    found = (
        Attachment.objects.select_related("bulletin__issuing_area")
        .filter(file=name)
        .first()
    )
    if found is not None and _may_read(request.user, found.bulletin):
        return private_files.Grant(found.file, found.content_type)
    if found is None and _in_scope_revisions(request.user, name):
        file = Attachment(file=name).file
        return private_files.Grant(file, "")
    raise Http404


def airing_file(request: HttpRequest, pk: int, digest: str) -> HttpResponseBase:
    """Hand devices the audio of a published bulletin (they check its SHA-256)."""
    found = (
        Attachment.objects.select_related("bulletin")
        .filter(pk=pk, kind=AttachmentKind.AUDIO, sha256=digest)
        .first()
    )
    if found is None:
        raise Http404
    bulletin = found.bulletin
    if bulletin.status != Status.PUBLISHED or not bulletin.live:
        raise Http404
    return private_files.send(
        found.file, found.content_type, cache="public, max-age=86400"
    )
