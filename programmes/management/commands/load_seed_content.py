from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, no_translations

from programmes.exchange.seed import CONTENT_DIR, SeedContentError, load_seed_content


class Command(BaseCommand):
    help = (
        "Load the seed content (the data files in programmes/content/) and publish it. "
        "Objects are created or updated by UUID; running it again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--content-dir",
            type=Path,
            default=CONTENT_DIR,
            help="Directory with the *.toml data files (default: programmes/content/).",
        )

    @no_translations
    def handle(self, *args, content_dir, verbosity, **options):
        try:
            report = load_seed_content(content_dir)
        except SeedContentError as error:
            raise CommandError(str(error)) from error
        if verbosity:
            self.stdout.write(self.style.SUCCESS(str(report)))
