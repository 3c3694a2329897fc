from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, no_translations

from programmes.exchange.bundles import SECTIONS_BY_KEY, export_bundle
from programmes.models import Partnership


class Command(BaseCommand):
    help = (
        "Write an exchange bundle (a zip with bundle.json and the photos) of all content, or "
        "with --partnership of those partnerships and what they refer to. import_bundle reads it."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The zip file to write, e.g. bundle.zip.")
        parser.add_argument(
            "--partnership",
            action="append",
            default=[],
            metavar="SLUG",
            help="Only this partnership (by slug) and what it refers to; may be repeated.",
        )

    @no_translations
    def handle(self, *args, file: Path, partnership: list[str], verbosity, **options):
        partnerships = None
        if partnership:
            partnerships = list(Partnership.objects.filter(slug__in=partnership))
            unknown = sorted(set(partnership) - {p.slug for p in partnerships})
            if unknown:
                raise CommandError(f"No partnership with the slug {', '.join(unknown)}.")
        directory = file.resolve().parent
        if not directory.is_dir():
            raise CommandError(f"{directory} is not a directory.")
        counts = export_bundle(file, partnerships)
        if verbosity:
            listed = ", ".join(SECTIONS_BY_KEY[key].counted(count) for key, count in counts.items())
            size = file.stat().st_size
            self.stdout.write(
                self.style.SUCCESS(f"Wrote {file} ({size:,} bytes): {listed or 'no content'}.")
            )
