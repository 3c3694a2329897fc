"""Erase registrations that are kept no longer: run it from cron, daily (docs/deployment.md)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from registrations import services


class Command(BaseCommand):
    help = (
        "Erase the personal data of mission registrations: sign-ups never confirmed within "
        "REGISTRATION_CONFIRM_HOURS, and every registration of a mission that ended "
        "REGISTRATION_RETENTION_MONTHS ago or longer. Anonymous counts (per mission, status "
        "and sector) stay for outcome reporting. Safe to run as often as you like."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--months",
            type=int,
            default=None,
            help="Months after a mission's end; default REGISTRATION_RETENTION_MONTHS "
            f"({settings.REGISTRATION_RETENTION_MONTHS}).",
        )

    def handle(self, *args, months, verbosity, **options):
        if months is not None and months < 0:
            raise CommandError("--months must be 0 or more.")
        expired = services.expire_unconfirmed()
        purged = services.purge_ended(months=months)
        if verbosity:
            self.stdout.write(f"{expired} unconfirmed sign-ups expired and deleted.")
            for mission, count in purged.items():
                self.stdout.write(
                    f"{count} registrations of “{mission}” (mission {mission.pk}) erased."
                )
            if not purged:
                self.stdout.write("No mission's registrations were due for erasure.")
