from django.conf import settings
from django.urls import include, path, re_path
from django.views.static import serve
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from grassroots.accounts import own_account
from grassroots.accounts import views as accounts_views
from grassroots.api import api
from grassroots.bulletins import attachments as bulletin_attachments
from grassroots.core import metrics as core_metrics
from grassroots.core import private_files
from grassroots.core import views as core_views

urlpatterns = [
    path("healthz", core_views.health, name="health"),
    path("metrics", core_metrics.metrics, name="metrics"),
    path("console/2fa/", include("grassroots.accounts.urls")),
    path("console/files/<path:name>", private_files.serve, name="private_file"),
    # Before Wagtail's own: its site history is not scoped by area.
    path("console/reports/site-history/", accounts_views.site_history),
    path("console/reports/site-history/results/", accounts_views.site_history_results),
    # Before Wagtail's own: one's account is changed through accounts.actions.
    path(
        "console/account/",
        own_account.OwnAccountView.as_view(),
        name="wagtailadmin_account",
    ),
    path(
        "console/password_reset/confirm/<uidb64>/<token>/",
        own_account.OwnPasswordResetConfirmView.as_view(),
        name="wagtailadmin_password_reset_confirm",
    ),
    path("console/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("open311/v2/", include("grassroots.feedback.open311.urls")),
    path("phan-anh/", include("grassroots.feedback.urls")),
    path("board/", include("grassroots.boards.urls")),
    path(
        "audio/bulletins/<int:pk>/<str:digest>",
        bulletin_attachments.airing_file,
        name="bulletin_airing_file",
    ),
    path("live/", include("grassroots.live.urls")),
    path("cap/", include("grassroots.cap.urls")),
]

if settings.GRASSROOTS_SERVE_MEDIA:
    # Embedded mode only: in production nginx serves MEDIA_ROOT.
    urlpatterns.append(
        re_path(
            r"^%s(?P<path>.*)$" % settings.MEDIA_URL.lstrip("/"),
            serve,
            {"document_root": settings.MEDIA_ROOT},
        )
    )

urlpatterns += [
    path("", include("grassroots.citizen.urls")),
    path("", include("grassroots.portal.urls")),
]
