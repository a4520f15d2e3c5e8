"""System checks of the core: private files must not be reachable as public media."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.checks import Error, register


@register()
def private_files_are_not_public(app_configs, **kwargs):
    """Report a private-files folder inside MEDIA_ROOT (served to anyone as /media/)."""
    private = Path(settings.GRASSROOTS_PRIVATE_MEDIA_ROOT).resolve()
    media = Path(settings.MEDIA_ROOT).resolve()
    if private == media or media in private.parents:
        return [
            Error(
                "PRIVATE_MEDIA_ROOT lies inside MEDIA_ROOT: citizens' files and "
                "bulletins' drafts would be served to anyone as /media/.",
                hint="Point PRIVATE_MEDIA_ROOT at a folder outside MEDIA_ROOT "
                "(by default $GRASSROOTS_DATA_DIR/private).",
                id="grassroots.E101",
            )
        ]
    return []


@register()
def dotted_paths_import(app_configs, **kwargs):
    """Report a setting naming a class that does not import (a typo, a missing app)."""
    from grassroots import conf

    return [
        Error(
            problem,
            hint="Correct the setting (docs/configuration.md).",
            id="grassroots.E102",
        )
        for problem in conf.dotted_path_errors(settings)
    ]
