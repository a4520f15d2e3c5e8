"""Console forms: the bulletin editor and its attachments."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import InlinePanel

from grassroots.accounts import scope
from grassroots.accounts.roles import Capability
from grassroots.areas.models import Area, Level

from .. import content, files
from ..models import Category

INDENT = "\u2003"  # an em space per level, so the tree reads in a plain <select>


class AreaChoiceMixin:
    def label_from_instance(self, area: Area) -> str:
        return f"{INDENT * (area.level - 1)}{area.name}"


class AreaChoiceField(AreaChoiceMixin, forms.ModelChoiceField):
    pass


class AreaMultipleChoiceField(AreaChoiceMixin, forms.ModelMultipleChoiceField):
    pass


class BulletinForm(WagtailAdminModelForm):
    """The bulletin editor, offering only the areas the user writes for."""

    PLAIN_FIELDS = {
        "title": _("The title"),
        "summary": _("The summary"),
        "issuing_agency": _("The issuing agency"),
        "source_reference": _("The source document"),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.for_user
        writable = scope.areas(user, Capability.WRITE_BULLETINS).active()
        keep = self.instance.issuing_area_id if self.instance.pk else None
        issuing = writable.filter(level__lte=Level.COMMUNE)
        if keep:  # an approver looking at another area's bulletin still sees its value
            issuing = Area.objects.filter(
                pk__in=issuing.values("pk")
            ) | Area.objects.filter(pk=keep)
        if "issuing_area" in self.fields:
            old = self.fields["issuing_area"]
            self.fields["issuing_area"] = AreaChoiceField(
                queryset=issuing.order_by("path"),
                label=old.label,
                help_text=_("The level that speaks: the province or your commune."),
                initial=scope.home_area(user, Capability.WRITE_BULLETINS),
            )
        if "target_areas" in self.fields:
            old = self.fields["target_areas"]
            # A revision's relations are in memory: list them, do not query.
            current = (
                [a.pk for a in self.instance.target_areas.all()]
                if self.instance.pk
                else []
            )
            targets = Area.objects.filter(
                pk__in=writable.values("pk")
            ) | Area.objects.filter(pk__in=current)
            self.fields["target_areas"] = AreaMultipleChoiceField(
                queryset=targets.order_by("path"),
                label=old.label,
                required=False,
                help_text=old.help_text,
                widget=forms.SelectMultiple(attrs={"size": 12}),
            )
        if "category" in self.fields:
            current = [self.instance.category_id] if self.instance.category_id else []
            self.fields["category"].queryset = Category.objects.filter(
                is_active=True
            ) | Category.objects.filter(pk__in=current)
            self.fields["category"].empty_label = _("— choose a category —")

    def clean(self):
        cleaned = super().clean()
        for name, label in self.PLAIN_FIELDS.items():
            if name in cleaned:
                try:
                    cleaned[name] = content.plain_text(cleaned[name], label)
                except ValidationError as exc:
                    self.add_error(name, exc)
        issuing = cleaned.get("issuing_area")
        targets = cleaned.get("target_areas") or []
        if issuing is not None:
            outside = [t.name for t in targets if not t.path.startswith(issuing.path)]
            if outside:
                self.add_error(
                    "target_areas",
                    _("Outside the issuing area %(area)s: %(names)s.")
                    % {"area": issuing.name, "names": ", ".join(outside)},
                )
        valid_from = cleaned.get("valid_from")
        valid_until = cleaned.get("valid_until")
        if valid_from and valid_until and valid_until <= valid_from:
            self.add_error(
                "valid_until", _("“Valid until” must come after “valid from”.")
            )
        elif valid_until and valid_until <= timezone.now():
            self.add_error("valid_until", _("“Valid until” must be in the future."))
        return cleaned


class AttachmentForm(WagtailAdminModelForm):
    """One attachment: checked by its content; a refusal says why."""

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if isinstance(upload, UploadedFile):
            prepared = files.prepare(upload, upload.name, upload.size)
            self._prepared = prepared
            return prepared.file
        return upload

    def clean(self):
        cleaned = super().clean()
        prepared = getattr(self, "_prepared", None)
        if prepared is not None:
            for name in (
                "kind",
                "content_type",
                "original_name",
                "size",
                "sha256",
                "width",
                "height",
                "duration_s",
            ):
                setattr(self.instance, name, getattr(prepared, name))
        if "title" in cleaned:
            try:
                cleaned["title"] = content.plain_text(
                    cleaned["title"], _("The caption")
                )
            except ValidationError as exc:
                self.add_error("title", exc)
        return cleaned


class AttachmentPanel(InlinePanel):
    """The attachments inline, with the checking form for each file."""

    def get_form_options(self):
        options = super().get_form_options()
        options["formsets"][self.relation_name]["form"] = AttachmentForm
        return options
