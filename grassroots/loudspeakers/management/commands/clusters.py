import os
import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from grassroots.accounts import audit
from grassroots.accounts.models import Source
from grassroots.core import tabular
from grassroots.loudspeakers import actions
from grassroots.loudspeakers.models import Cluster, LinkKind


def _write_secret_file(path: Path, text: str) -> None:
    """Write a credentials file readable by its owner only, never over another file."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise CommandError(f"{path} exists already: nothing was written.") from None
    with os.fdopen(fd, "w") as handle:
        handle.write(text)


class Command(BaseCommand):
    help = (
        "Provision loudspeaker clusters without the console: register one (add), or a "
        "factory's batch from a CSV or XLSX file (add --file, all or nothing), issue "
        "credentials (issue-credentials), revoke them (revoke). Each change is "
        "scope-checked and in the audit log."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--user",
            default="",
            help="act as this staff account (its area and role apply); "
            "default: the system",
        )
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser(
            "add",
            help="register a cluster, or (with --file) a batch with credentials",
            description="Register one cluster (CODE --commune …), or with --file a "
            "factory's batch: every row is checked first; if any is wrong nothing is "
            "registered; otherwise each gets credentials, one file per cluster in --out.",
        )
        add.add_argument("code", nargs="?", help="the cluster's code (its device id)")
        add.add_argument("--commune", help="the commune's official code")
        add.add_argument(
            "--hamlet", default="", help="the hamlet's code in the commune"
        )
        add.add_argument("--name", default="", help="where exactly it is installed")
        add.add_argument("--latitude", type=float)
        add.add_argument("--longitude", type=float)
        add.add_argument("--model", default="", help="device model")
        add.add_argument("--link", default=LinkKind.FOUR_G, choices=LinkKind.values)
        add.add_argument(
            "--file", type=Path, help="CSV or XLSX with the cluster import's columns"
        )
        add.add_argument(
            "--out",
            type=Path,
            help="with --file: the directory for the credentials files (CODE.toml)",
        )
        add.add_argument(
            "--rotate",
            action="store_true",
            help="with --file: replace the credentials of clusters that have some",
        )
        issue = sub.add_parser(
            "issue-credentials",
            help="give a cluster its credentials file (the secret is shown only now)",
        )
        issue.add_argument("code")
        issue.add_argument(
            "--out",
            required=True,
            help="file to write (mode 600; must not exist), or - for standard output",
        )
        issue.add_argument(
            "--rotate",
            action="store_true",
            help="replace existing credentials (the old ones stop working)",
        )
        revoke = sub.add_parser("revoke", help="withdraw a cluster's credentials")
        revoke.add_argument("code")

    def handle(self, *args, action, user, **options):
        actor = None
        if user:
            actor = get_user_model().objects.filter(username=user).first()
            if actor is None or not actor.is_active:
                raise CommandError(f"No active staff account is called {user!r}.")
        handler = {
            "add": self._add,
            "issue-credentials": self._issue,
            "revoke": self._revoke,
        }[action]
        try:
            with audit.acting_as(audit.Origin(source=Source.COMMAND)):
                handler(actor, **options)
        except (ValidationError, PermissionDenied) as exc:
            raise CommandError(" ".join(getattr(exc, "messages", [str(exc)]))) from exc

    def _cluster(self, code: str) -> Cluster:
        cluster = Cluster.objects.select_related("area").filter(code=code).first()
        if cluster is None:
            raise CommandError(f"No cluster has the code {code!r}.")
        return cluster

    def _add(self, actor, *, code, file, out, rotate, **options):
        if file is not None:
            self._batch(actor, file, out, rotate)
            return
        if not code or not options["commune"]:
            raise CommandError("Give the cluster's CODE and --commune (or --file).")
        cluster = actions.add_cluster(
            actor,
            commune=options["commune"],
            hamlet=options["hamlet"],
            code=code,
            name=options["name"],
            latitude=options["latitude"],
            longitude=options["longitude"],
            model=options["model"],
            link=options["link"],
        )
        self.stdout.write(
            self.style.SUCCESS(f"Registered {cluster.code} in {cluster.area}.")
        )
        self.stdout.write(
            f"Next: grassroots clusters issue-credentials {cluster.code} "
            f"--out {cluster.code}.toml"
        )

    def _batch(self, actor, file: Path, out: Path | None, rotate: bool) -> None:
        if out is None:
            raise CommandError("Give --out DIRECTORY for the credentials files.")
        if not file.is_file():
            raise CommandError(f"{file} is not a file.")
        out.mkdir(parents=True, exist_ok=True, mode=0o700)
        taken = [p.name for p in out.glob("*.toml")]
        if taken:
            raise CommandError(
                f"{out} already holds credentials files ({', '.join(taken[:3])}…): "
                "use an empty directory."
            )
        try:
            with file.open("rb") as handle:
                done = actions.provision_clusters(handle, actor=actor, rotate=rotate)
        except tabular.TableError as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            raise CommandError(
                f"Nothing was registered and no credentials were issued: "
                f"{len(exc.errors)} problem(s) in {file.name}."
            ) from exc
        for row in done:
            path = out / f"{row.cluster.code}.toml"
            _write_secret_file(path, row.file)
            self.stdout.write(
                f"line {row.line}: {row.cluster.code} {row.outcome}, credentials in {path}"
            )
        self.stdout.write(
            self.style.SUCCESS(f"{len(done)} clusters provisioned from {file.name}.")
        )

    def _issue(self, actor, *, code, out, rotate, **options):
        cluster = self._cluster(code)
        path = None if out == "-" else Path(out)
        if path is not None and path.exists():
            raise CommandError(f"{path} exists already: nothing was issued.")
        secret = actions.issue_credentials(actor, cluster, replace=rotate)
        text = actions.agent_config(cluster, secret)
        if path is None:
            sys.stdout.write(text)
            return
        _write_secret_file(path, text)
        self.stdout.write(
            self.style.SUCCESS(
                f"Credentials of {cluster.code} in {path} (shown only now: keep it safe)."
            )
        )

    def _revoke(self, actor, *, code, **options):
        cluster = self._cluster(code)
        if not cluster.has_credentials:
            self.stdout.write(f"{cluster.code} has no credentials: nothing to revoke.")
            return
        actions.revoke_credentials(actor, cluster)
        self.stdout.write(
            self.style.SUCCESS(
                f"Credentials of {cluster.code} revoked; the broker refuses them within seconds."
            )
        )
