"""Console pages: hear a text before it airs, and set the province's voice.

The preview works with htmx (the spoken form updates as one types; the audio
status is polled every second until it is ready) and without it (a plain
form post shows the same result on a full page).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from grassroots.accounts import scope
from grassroots.accounts.audit import SignedInRequest
from grassroots.accounts.roles import Capability
from grassroots.areas.models import Area
from grassroots.core import inputs

from . import actions, speech
from .engines import get_engine
from .forms import PREVIEW_MAX_CHARS, PreviewForm, SpeechSettingsForm
from .models import RenderedAudio

if TYPE_CHECKING:
    from grassroots.accounts.audit import Actor


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def preview_area(user: Actor) -> Area | None:
    """Return the area whose province's voice and dictionary the user hears."""
    for capability in actions.SPEAKING_CAPABILITIES:
        area = scope.home_area(user, capability)
        if area is not None:
            return area
    return None


class _TitledMixin:
    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]


class SpeakerRequiredMixin:
    def dispatch(self, request, *args, **kwargs):
        if not actions.can_preview(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class PreviewView(
    SpeakerRequiredMixin, _TitledMixin, WagtailAdminTemplateMixin, TemplateView
):
    """Type or paste a text, see how it will be said, and hear it."""

    request: SignedInRequest
    template_name = "tts/preview.html"
    page_title = gettext_lazy("Listen to a text")
    header_icon = "media"

    def get_form(self) -> PreviewForm:
        area = preview_area(self.request.user)
        chosen = speech.settings_for(area)
        initial = {
            "voice": get_engine().voice(chosen.voice).id,
            "rate": chosen.rate,
            "chimes": chosen.chime_before or chosen.chime_after,
        }
        data = self.request.POST if self.request.method == "POST" else None
        return PreviewForm(data, initial=initial)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", self.get_form())
        key = self.request.GET.get("audio", "")
        if "audio" not in context and len(key) == 64:
            # Without JavaScript, "check again" comes back here with the key.
            context["audio"] = RenderedAudio.objects.filter(key=key).first()
        area = preview_area(self.request.user)
        context["province"] = speech.province_of(area)
        context["max_chars"] = PREVIEW_MAX_CHARS
        return context

    def post(self, request: SignedInRequest, *args, **kwargs) -> HttpResponse:
        form = self.get_form()
        audio: RenderedAudio | None = None
        error = ""
        if form.is_valid():
            try:
                audio = actions.request_render(
                    form.cleaned_data["text"],
                    area=preview_area(request.user),
                    voice=form.cleaned_data["voice"],
                    rate=form.cleaned_data["rate"],
                    chimes=form.cleaned_data["chimes"],
                    actor=request.user,
                )
            except ValidationError as exc:
                error = " ".join(exc.messages)
        else:
            error = _("Check the text and the settings below.")
        if _is_htmx(request):
            return TemplateResponse(
                request,
                "tts/_audio.html",
                {
                    "audio": audio,
                    "error": error,
                    "form_errors": form.errors,
                    "spoken_oob": audio.spoken_text if audio else None,
                },
            )
        context = self.get_context_data(
            form=form,
            audio=audio,
            error=error,
            spoken=audio.spoken_text if audio else "",
        )
        return self.render_to_response(context)


def spoken(request: SignedInRequest) -> HttpResponse:
    """Return what the loudspeaker will say for the posted text (an htmx fragment)."""
    if request.method != "POST":
        return HttpResponse(status=405)
    if not actions.can_preview(request.user):
        raise PermissionDenied
    text = request.POST.get("text", "")[:PREVIEW_MAX_CHARS]
    voice = get_engine().voice(request.POST.get("voice"))
    words = (
        speech.spoken_form(text, area=preview_area(request.user), dialect=voice.dialect)
        if text.strip()
        else ""
    )
    return TemplateResponse(request, "tts/_spoken.html", {"spoken": words})


def audio_status(request: SignedInRequest, key: str) -> HttpResponse:
    """Return the state of one render (an htmx fragment polled until it is ready)."""
    if not actions.can_preview(request.user):
        raise PermissionDenied
    audio = RenderedAudio.objects.filter(key=key).first() if len(key) == 64 else None
    if audio is None:
        raise Http404
    return TemplateResponse(request, "tts/_audio.html", {"audio": audio})


class VoiceView(_TitledMixin, WagtailAdminTemplateMixin, TemplateView):
    """The province's voice, speed, loudness and chimes."""

    template_name = "tts/voice.html"
    page_title = gettext_lazy("Voice and loudness")
    header_icon = "cogs"

    def provinces(self):
        return scope.areas(self.request.user, Capability.VIEW).provinces().active()

    def dispatch(self, request, *args, **kwargs):
        choices = self.provinces().order_by("name")
        wanted = request.GET.get("province", "")
        province = (
            choices.filter(pk=inputs.object_id(wanted)).first()
            if inputs.object_id(wanted) is not None
            else None
        ) or choices.first()
        if province is None:
            raise PermissionDenied
        self.province = province
        self.editable = scope.can(request.user, Capability.OPERATE_BROADCASTS, province)
        return super().dispatch(request, *args, **kwargs)

    def get_form(self) -> SpeechSettingsForm:
        instance = speech.settings_for(self.province)
        data = self.request.POST if self.request.method == "POST" else None
        form = SpeechSettingsForm(data, instance=instance)
        if not self.editable:
            for field in form.fields.values():
                field.disabled = True
        return form

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", self.get_form())
        context.update(
            province=self.province,
            provinces=self.provinces().order_by("name"),
            editable=self.editable,
            engine=get_engine(),
        )
        return context

    def post(self, request: SignedInRequest, *args, **kwargs) -> HttpResponse:
        if not self.editable:
            raise PermissionDenied
        form = self.get_form()
        if form.is_valid():
            data = form.cleaned_data
            try:
                actions.save_speech_settings(
                    request.user,
                    self.province,
                    voice=data["voice"],
                    rate=data["rate"],
                    pitch=data["pitch"],
                    target_lufs=data["target_lufs"],
                    chime_before=data["chime_before"],
                    chime_after=data["chime_after"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request,
                    _("Saved. Bulletins rendered from now on use this voice."),
                )
                return redirect(f"{request.path}?province={self.province.pk}")
        return self.render_to_response(self.get_context_data(form=form))
