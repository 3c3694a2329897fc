from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, no_translations

from programmes.exchange.bundles import BundleError, import_bundle
from programmes.exchange.progress import ProgressBar


class Command(BaseCommand):
    help = (
        "Import an exchange bundle written by export_bundle: check it completely, then create "
        "or update every object by UUID in one transaction. Importing twice changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The bundle (a zip file).")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check the bundle and report what would be created, updated and left alone; "
            "write nothing.",
        )
        parser.add_argument(
            "--progress",
            action="store_true",
            help="Show a progress bar on standard error even when it is not a terminal.",
        )

    @no_translations
    def handle(self, *args, file: Path, dry_run: bool, progress: bool, verbosity, **options):
        # The bar redraws its line with "\r": written to the stream itself, as OutputWrapper
        # would end every write with a newline.
        bar = ProgressBar(self.stderr._out) if progress or self.stderr.isatty() else None
        try:
            report = import_bundle(file, dry_run=dry_run, progress=bar if verbosity else None)
        except BundleError as error:
            raise CommandError(f"{file.name} is refused: {error} Nothing was changed.") from error
        if verbosity:
            self.stdout.write(self.style.SUCCESS(str(report)))
