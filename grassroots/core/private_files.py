"""Private files: kept apart from public media, handed out only by views that check.

Citizens' photos and recordings, and bulletins' attachments (drafts' ones
included) must never be reachable by a guessable ``/media/`` address: they
live in ``GRASSROOTS_PRIVATE_MEDIA_ROOT``, which nothing serves by itself.

- :class:`PrivateStorage` is the storage of those file fields; its ``url()``
  is the console's ``/console/files/<name>``, so Wagtail's forms link to it.
- Each app says who may read its files, by the first part of their name, in
  ``AppConfig.private_files`` (``{"feedback": "grassroots.feedback.console.
  private_file"}``): that function finds the row the file belongs to and asks
  the scope rule. Anything else (a deleted attachment, a made-up name) is a 404.
- :func:`send` hands a file over: streamed by Django, or, with
  ``GRASSROOTS_PRIVATE_FILES_ACCEL`` set (``/_private/``), by nginx through an
  ``X-Accel-Redirect`` to an ``internal`` location (docs/deployment.md), so a
  large file costs the web process nothing.
"""

from __future__ import annotations

import mimetypes
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.urls import reverse


class PrivateStorage(FileSystemStorage):
    """Files under ``GRASSROOTS_PRIVATE_MEDIA_ROOT``, linked through the console."""

    @property
    def base_location(self) -> str:
        # Read at each use, not at import: tests and commands may move it.
        return str(settings.GRASSROOTS_PRIVATE_MEDIA_ROOT)

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    def url(self, name: str | None) -> str:
        return reverse("private_file", args=[name or ""])


_storage = PrivateStorage()


def private_storage() -> PrivateStorage:
    """Return the private storage (a callable, so migrations name it, not a path)."""
    return _storage


@dataclass(frozen=True)
class Grant:
    """What the checking view found: the file, and how to hand it over."""

    file: FieldFile
    content_type: str
    as_attachment: bool = False
    download_name: str | None = None


def resolver(prefix: str) -> Callable[[HttpRequest, str], Grant] | None:
    """Return the function of the app whose private files start with ``prefix/``."""
    from django.apps import apps
    from django.utils.module_loading import import_string

    for config in apps.get_app_configs():
        dotted = getattr(config, "private_files", {}).get(prefix)
        if dotted:
            return import_string(dotted)
    return None


def send(
    file: FieldFile,
    content_type: str,
    *,
    as_attachment: bool = False,
    download_name: str | None = None,
    cache: str = "private, no-store",
) -> HttpResponseBase:
    """Return a response that hands ``file`` over (nginx's, when configured)."""
    accel = settings.GRASSROOTS_PRIVATE_FILES_ACCEL
    response: HttpResponseBase
    stored = file.name or ""
    if accel and isinstance(file.storage, PrivateStorage):
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = accel.rstrip("/") + "/" + quote(stored)
        if as_attachment or download_name:
            kind = "attachment" if as_attachment else "inline"
            name = quote(download_name or os.path.basename(stored))
            response["Content-Disposition"] = f"{kind}; filename*=UTF-8''{name}"
    else:
        try:
            handle = file.open("rb")
        except FileNotFoundError:
            raise Http404("missing file") from None
        response = FileResponse(
            handle,
            content_type=content_type,
            as_attachment=as_attachment,
            filename=download_name or "",
        )
        if not as_attachment and not download_name:
            response["Content-Disposition"] = "inline"
    response["Cache-Control"] = cache
    response["X-Content-Type-Options"] = "nosniff"
    return response


def serve(request: HttpRequest, name: str) -> HttpResponseBase:
    """Hand a private file to a signed-in user the owning app lets read it."""
    if not request.user.is_authenticated or ".." in name.split("/"):
        raise Http404
    check = resolver(name.split("/", 1)[0])
    if check is None:
        raise Http404
    grant = check(request, name)
    return send(
        grant.file,
        grant.content_type
        or mimetypes.guess_type(name)[0]
        or "application/octet-stream",
        as_attachment=grant.as_attachment,
        download_name=grant.download_name,
    )


def move_to_private(
    model: type[Any],
    *,
    rename: Callable[[str], str] | None = None,
    clean_images: bool = False,
) -> int:
    """Move ``model``'s files from the public media storage to the private one.

    For files uploaded before private storage existed (a migration runs it,
    and ``grassroots private-files`` again for media kept elsewhere): each
    row whose file is still in ``default_storage`` is copied over (``rename``
    gives it a new name; ``clean_images`` drops photos' metadata), the row
    points at the copy, and the public copy is deleted. Rows already moved
    are left alone, so running it twice changes nothing. Returns how many
    files moved. ``model`` may be a migration's historical model.
    """
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from . import images

    moved = 0
    for row in model._default_manager.exclude(file="").iterator():
        name = row.file.name
        if _storage.exists(name) or not default_storage.exists(name):
            continue
        with default_storage.open(name, "rb") as public:
            data = public.read()
        changes: dict[str, object] = {}
        new_name = rename(name) if rename else name
        if clean_images and getattr(row, "kind", "") == "image":
            try:
                clean = images.without_metadata(data)
            except ValueError:
                pass  # kept as it was, now private
            else:
                data = clean.data
                new_name = new_name.rsplit(".", 1)[0] + "." + clean.extension
                changes.update(content_type=clean.content_type, size=len(data))
        stored = _storage.save(new_name, ContentFile(data))
        model._default_manager.filter(pk=row.pk).update(file=stored, **changes)
        default_storage.delete(name)
        moved += 1
    return moved
