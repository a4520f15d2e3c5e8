"""Console views of one board: its screenshot, the live preview, its address, commands."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from grassroots.accounts import scope
from grassroots.accounts.audit import SignedInRequest
from grassroots.accounts.roles import Capability

from .. import actions, playlist
from ..models import Board, BoardStatus
from ..views.device import Refused, attachment_file, item_file
from ..views.player import render_player


def _board(request: HttpRequest, pk: int, capability: str = Capability.VIEW) -> Board:
    """Return the board if the user may see it; out of scope is 404, as if absent."""
    board = get_object_or_404(
        scope.scope(
            Board.objects.select_related("area"), request.user, Capability.VIEW
        ),
        pk=pk,
    )
    if capability != Capability.VIEW and not scope.can(
        request.user, capability, board.area
    ):
        raise PermissionDenied
    return board


def _base(board: Board) -> str:
    return reverse("boards_board:preview", args=[board.pk])


def screenshot(request: HttpRequest, pk: int) -> HttpResponse:
    board = _board(request, pk)
    status = BoardStatus.objects.filter(board=board).first()
    if status is None or not status.screenshot:
        raise Http404
    response = HttpResponse(bytes(status.screenshot), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=60"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def preview_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Render the player itself, in preview mode: nothing is recorded or pushed."""
    board = _board(request, pk)
    return render_player(request, board, base=_base(board), preview=True)


def preview_playlist(request: HttpRequest, pk: int) -> HttpResponse:
    board = _board(request, pk)
    data = playlist.build(board, base=_base(board))
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "no-store"
    return response


def preview_item(request: HttpRequest, pk: int, item: int, digest: str) -> HttpResponse:
    try:
        return item_file(_board(request, pk), item)
    except Refused as refused:
        return refused.response()


def preview_attachment(
    request: HttpRequest, pk: int, attachment: int, digest: str
) -> HttpResponse:
    try:
        return attachment_file(_board(request, pk), attachment)
    except Refused as refused:
        return refused.response()


ADDRESS_ACTIONS = {
    "rotate": (
        actions.rotate_address,
        gettext_lazy("Give a new address"),
        gettext_lazy(
            "The board's current address stops working at once; its screen goes "
            "blank until its browser is given the new address. Do this when the "
            "address has leaked, or the board's computer was replaced."
        ),
        gettext_lazy("The board has a new address."),
    ),
    "revoke": (
        actions.revoke_address,
        gettext_lazy("Revoke the address"),
        gettext_lazy(
            "The board's address stops working at once and its screen stops showing "
            "content. You can give it a new address later."
        ),
        gettext_lazy("The board's address is revoked."),
    ),
}


def address(request: SignedInRequest, pk: int, what: str) -> HttpResponse:
    """Confirm, then rotate or revoke the board's player address."""
    if what not in ADDRESS_ACTIONS:
        raise Http404
    board = _board(request, pk, Capability.MANAGE_DEVICES)
    action, title, warning, done = ADDRESS_ACTIONS[what]
    back = reverse("boards_board:inspect", args=[board.pk])
    if request.method == "POST":
        action(request.user, board)
        messages.success(request, str(done))
        return redirect(back)
    return TemplateResponse(
        request,
        "boards/console/confirm.html",
        {
            "board": board,
            "page_title": str(title),
            "header_title": str(title),
            "warning": str(warning),
            "back": back,
            "action_url": request.path,
        },
    )


@require_POST
def command(request: SignedInRequest, pk: int) -> HttpResponse:
    board = _board(request, pk, Capability.COMMAND_DEVICES)
    name = request.POST.get("command", "")
    try:
        actions.send_command(request.user, board, name)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(
            request,
            _(
                "Screenshot requested; it appears here within seconds if the board is online."
            )
            if name == "screenshot"
            else _("The player is reloading."),
        )
    return redirect(reverse("boards_board:inspect", args=[board.pk]))
