"""The Speech menu of the console: preview, pronunciation dictionary, voice."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import BooleanColumn, Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup
from wagtail.admin.widgets.button import HeaderButton

from grassroots.accounts import scope
from grassroots.accounts.permissions import (
    ScopedIndexMixin,
    ScopedModelViewSet,
    ScopedObjectMixin,
)
from grassroots.accounts.roles import Capability
from grassroots.accounts.viewsets import local_time
from grassroots.areas.models import Level
from grassroots.core import numbers
from grassroots.core.console import ActionFormMixin, FormForUserMixin

from . import actions, views
from .forms import AbbreviationForm
from .models import Abbreviation
from .normalize import read_defaults


class _ShownMenuItem(MenuItem):
    def __init__(self, *args, shown=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._shown = shown

    def is_shown(self, request):
        return self._shown(request.user)


class PreviewViewSet(ViewSet):
    name = "speech"
    icon = "media"
    menu_label = gettext_lazy("Listen to a text")
    menu_order = 100

    def get_urlpatterns(self):
        return [
            path("", views.PreviewView.as_view(), name="preview"),
            path("spoken/", views.spoken, name="spoken"),
            path("audio/<str:key>/", views.audio_status, name="audio"),
        ]

    def get_menu_item(self, order=None):
        return _ShownMenuItem(
            self.menu_label,
            self.menu_url,
            icon_name=self.menu_icon,
            order=self.get_menu_item_order(order),
            shown=actions.can_preview,
        )


def _can_see_voice(user) -> bool:
    return scope.areas(user, Capability.VIEW).filter(level=Level.PROVINCE).exists()


class VoiceViewSet(ViewSet):
    name = "speech-voice"
    icon = "cogs"
    menu_label = gettext_lazy("Voice and loudness")
    menu_order = 300

    def get_urlpatterns(self):
        return [path("", views.VoiceView.as_view(), name="edit")]

    def get_menu_item(self, order=None):
        return _ShownMenuItem(
            self.menu_label,
            self.menu_url,
            icon_name=self.menu_icon,
            order=self.get_menu_item_order(order),
            shown=_can_see_voice,
        )


class _DictionaryFormMixin(FormForUserMixin, ActionFormMixin):
    """Save through ``actions.save_abbreviation``; its refusals land on the form."""

    def run_action(self, form):
        data = form.cleaned_data
        entry = getattr(self, "object", None)
        existing = entry if entry is not None and entry.pk else None
        return actions.save_abbreviation(
            self.request.user,
            existing.province if existing else data["province"],
            abbreviation=data["abbreviation"],
            spoken=data["spoken"],
            is_active=data["is_active"],
            entry=existing,
        )

    def form_valid(self, form):
        duplicate = (
            Abbreviation.objects.filter(
                province=form.cleaned_data.get("province") or form.instance.province,
                abbreviation=form.cleaned_data["abbreviation"],
            )
            .exclude(pk=form.instance.pk)
            .exists()
        )
        if duplicate:
            form.add_error(
                "abbreviation", _("The province's dictionary already has this entry.")
            )
            return self.form_invalid(form)
        return super().form_valid(form)


class DictionaryIndexView(ScopedIndexMixin, generic.IndexView):
    @property
    def header_buttons(self):
        buttons = list(super().header_buttons)
        operates = scope.areas(self.request.user, Capability.OPERATE_BROADCASTS)
        if operates.provinces().exists():
            buttons.append(
                HeaderButton(
                    _("Add the shipped entries"),
                    url=reverse("speech_dictionary_install"),
                    icon_name="download",
                    attrs={"data-tts-install": "true"},
                )
            )
        return buttons


class DictionaryCreateView(_DictionaryFormMixin, generic.CreateView):
    pass


class DictionaryEditView(_DictionaryFormMixin, ScopedObjectMixin, generic.EditView):
    pass


class DictionaryDeleteView(ScopedObjectMixin, generic.DeleteView):
    def delete_action(self):
        actions.delete_abbreviation(self.request.user, self.object)


class AbbreviationViewSet(ScopedModelViewSet):
    model = Abbreviation
    name = "speech-dictionary"
    icon = "doc-full"
    menu_label = gettext_lazy("Pronunciation dictionary")
    menu_order = 200
    copy_view_enabled = False
    inspect_view_enabled = False
    index_view_class = DictionaryIndexView
    add_view_class = DictionaryCreateView
    edit_view_class = DictionaryEditView
    delete_view_class = DictionaryDeleteView
    form_fields = ["province", "abbreviation", "spoken", "is_active"]
    list_display = [
        "abbreviation",
        Column("spoken", label=gettext_lazy("say it as")),
        BooleanColumn("is_active", label=gettext_lazy("in use")),
        Column("province", label=gettext_lazy("province")),
        Column(
            "updated_at",
            label=gettext_lazy("updated"),
            accessor=lambda e: local_time(e.updated_at),
            sort_key="updated_at",
        ),
    ]
    list_filter = ["is_active"]
    search_fields = ["abbreviation", "spoken"]
    list_per_page = 50

    def get_form_class(self, for_update=False):
        return AbbreviationForm

    def get_menu_item(self, order=None):
        # Commune staff would only ever see an empty list: no menu entry for them.
        return _ShownMenuItem(
            self.menu_label,
            self.menu_url,
            icon_name=self.menu_icon,
            order=self.get_menu_item_order(order),
            shown=_can_see_voice,
        )


class SpeechViewSetGroup(ViewSetGroup):
    menu_label = gettext_lazy("Speech")
    menu_icon = "media"
    menu_order = 250
    items = (PreviewViewSet, AbbreviationViewSet, VoiceViewSet)


def install_defaults(request):
    """Copy the shipped dictionary into each province the user operates (after asking)."""
    provinces = list(
        scope.areas(request.user, Capability.OPERATE_BROADCASTS).provinces().active()
    )
    if not provinces:
        raise PermissionDenied
    if request.method == "POST":
        added = sum(
            actions.install_default_abbreviations(request.user, p) for p in provinces
        )
        messages.success(
            request,
            _("%(n)s shipped entries added; entries you had already were kept.")
            % {"n": numbers.text(added)},
        )
        return redirect("speech-dictionary:index")
    shipped = read_defaults()
    return TemplateResponse(
        request,
        "tts/install_defaults.html",
        {"provinces": provinces, "shipped": sorted(shipped.items())},
    )
