import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, no_translations

from programmes.domain.translation_status import TARGET_LANGUAGES
from programmes.exchange import translations
from programmes.exchange.progress import ProgressBar
from programmes.models import Mission, Organisation, Partnership


class Command(BaseCommand):
    help = (
        "Write a translation file (XLIFF 1.2, XLIFF 2.0 or PO) of missions, partnerships with "
        "everything under them, an organisation's content or the shared reference data, for "
        "a translation agency. import_translations reads it back."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The file to write, or - for standard output.")
        parser.add_argument("--language", required=True, choices=TARGET_LANGUAGES)
        parser.add_argument(
            "--source",
            default=translations.SOURCE_LANGUAGE,
            choices=translations.SOURCE_LANGUAGES,
            help="The language the agency translates from (default: Dutch).",
        )
        parser.add_argument(
            "--format", default=translations.XLIFF_12, choices=list(translations.FORMATS)
        )
        parser.add_argument("--mission", action="append", default=[], metavar="SLUG")
        parser.add_argument("--partnership", action="append", default=[], metavar="SLUG")
        parser.add_argument(
            "--organisation", metavar="SLUG", help="Everything this organisation owns."
        )
        parser.add_argument(
            "--shared", action="store_true", help="The shared reference data (regions, …)."
        )
        parser.add_argument(
            "--missing",
            action="store_true",
            help="Only the texts that are not yet translated into the language.",
        )
        parser.add_argument(
            "--progress",
            action="store_true",
            help="Show a progress bar on standard error even when it is not a terminal.",
        )

    @no_translations
    def handle(self, *args, file, language, source, mission, partnership, verbosity, **options):
        missions = self._by_slug(Mission, mission)
        partnerships = self._by_slug(Partnership, partnership)
        organisation = None
        if options["organisation"]:
            organisation = Organisation.objects.filter(slug=options["organisation"]).first()
            if organisation is None:
                raise CommandError(f"No organisation with the slug {options['organisation']}.")
        if not (missions or partnerships or organisation or options["shared"]):
            raise CommandError(
                "Choose what to export: --mission, --partnership, --organisation or --shared."
            )
        names = [obj.slug for obj in (*missions, *partnerships)]
        if organisation is not None:
            names.append(organisation.slug)
        if options["shared"]:
            names.append("shared")
        selection = translations.Selection(
            missions=missions,
            partnerships=partnerships,
            organisation=organisation,
            shared=options["shared"],
            missing_only=options["missing"],
            name=names[0] if len(names) == 1 else "translations",
        )
        show = options["progress"] or self.stderr.isatty()
        bar = ProgressBar(self.stderr._out, label="Exporting") if show and verbosity else None
        try:
            result = translations.export(
                selection,
                source_language=source,
                target_language=language,
                file_format=options["format"],
                progress=bar,
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        if file == "-":
            sys.stdout.buffer.write(result.content)
            sys.stdout.flush()
        else:
            Path(file).write_bytes(result.content)
        if verbosity and file != "-":
            left_out = (
                f"; {result.without_source} left out, their {source} text is empty"
                if result.without_source
                else ""
            )
            self.stdout.write(self.style.SUCCESS(f"Wrote {file}: {result.units} texts{left_out}."))

    @staticmethod
    def _by_slug(model, slugs: list[str]):
        found = list(model.objects.filter(slug__in=slugs))
        unknown = sorted(set(slugs) - {obj.slug for obj in found})
        if unknown:
            raise CommandError(f"No {model._meta.verbose_name} with the slug {', '.join(unknown)}.")
        return found
