from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from grassroots.areas.fields import PathField

from .roles import Role


class User(AbstractUser):
    """A staff account: one person, with their own login.

    ``area`` is the unit the person works for; the administrators of that area
    (or above) manage the account. What the person may do comes from their
    role assignments, not from ``area``.
    """

    area = models.ForeignKey(
        "areas.Area",
        verbose_name=_("works for"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    position = models.CharField(_("position"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("staff account")
        verbose_name_plural = _("staff accounts")

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def get_full_name(self) -> str:
        # Vietnamese names are written family name first: "Nguyễn Văn An".
        return f"{self.last_name} {self.first_name}".strip()


class RoleAssignment(models.Model):
    """A role a user holds on an area and everything under it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="role_assignments",
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    area = models.ForeignKey(
        "areas.Area",
        verbose_name=_("area"),
        on_delete=models.PROTECT,
        related_name="role_assignments",
    )
    granted_at = models.DateTimeField(_("granted"), default=timezone.now)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("granted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "area"], name="role_assignment_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_role_display()} — {self.area}"


class Source(models.TextChoices):
    """The channel an audited action came through."""

    CONSOLE = "console", _("staff console")
    API = "api", _("API")
    WEB = "web", _("public website")
    COMMAND = "command", _("command line")
    WORKER = "worker", _("background job")
    GATEWAY = "gateway", _("device gateway")
    SYSTEM = "system", _("system")


class AuditEntryQuerySet(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs):
        raise TypeError("The audit log is append-only.")

    def delete(self):
        raise TypeError("The audit log is append-only.")


class AuditEntry(models.Model):
    """One thing someone did: append-only, never edited through any UI or API.

    The actor's name and the object's label are copied in, so the entry stays
    readable after the account or object is gone. The database refuses updates
    (a trigger added by migration 0002), not only the ORM. SQLite rebuilds a
    table to alter it, losing its triggers: a migration that alters this model
    must create the trigger again (``checks.py`` reports it missing).
    """

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        blank=True,
        # Accounts are deactivated, not deleted; if one ever is, the entry keeps
        # the name in actor_name and must not be rewritten.
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
    )
    actor_name = models.CharField(_("who"), max_length=200, blank=True)
    # A context of its own: Wagtail's forms use "from address" for an e-mail sender.
    ip_address = models.GenericIPAddressField(
        pgettext_lazy("audit", "from address"), null=True, blank=True
    )
    source = models.CharField(
        _("channel"), max_length=20, choices=Source.choices, blank=True
    )
    action = models.CharField(_("action"), max_length=60, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=255, blank=True)
    area_path = PathField(_("area"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    # Appended by every action: Wagtail's reference index would cost two
    # queries per entry and nothing links to an entry.
    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.actor_name} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("The audit log is append-only.")

    @property
    def action_label(self) -> str:
        """Return what the action code means, in the reader's language."""
        from .audit import describe

        return describe(self.action)
