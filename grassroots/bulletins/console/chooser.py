"""The bulletin chooser (for other apps' forms), limited to the user's scope."""

from __future__ import annotations

from wagtail.snippets.views import chooser as snippet_chooser

from grassroots.accounts import scope

from ..models import Bulletin


class BulletinChooseView(snippet_chooser.ChooseView):
    def get_object_list(self):
        return scope.scope(
            Bulletin.objects.all(),
            self.request.user,
            path_field="issuing_area__path",
        )


class BulletinChooseResultsView(snippet_chooser.ChooseResultsView):
    get_object_list = BulletinChooseView.get_object_list


class BulletinChosenView(snippet_chooser.SnippetChosenView):
    def get_object(self, pk):
        return scope.scope(
            Bulletin.objects.all(), self.request.user, path_field="issuing_area__path"
        ).get(pk=pk)


class BulletinChooserViewSet(snippet_chooser.SnippetChooserViewSet):
    choose_view_class = BulletinChooseView
    choose_results_view_class = BulletinChooseResultsView
    chosen_view_class = BulletinChosenView
