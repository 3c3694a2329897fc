from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, no_translations

from programmes.domain.translation_status import TARGET_LANGUAGES
from programmes.exchange import translations
from programmes.exchange.progress import ProgressBar


class Command(BaseCommand):
    help = (
        "Import a translation file (XLIFF or PO) exported by export_translations: check every "
        "unit, then write the changed texts in one transaction. Units whose source text "
        "changed since the export are listed as conflicts and left alone."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The XLIFF or PO file.")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check the file and list what would change; write nothing.",
        )
        parser.add_argument(
            "--language",
            choices=TARGET_LANGUAGES,
            help="Refuse the file unless it is a translation into this language.",
        )
        parser.add_argument(
            "--user",
            metavar="USERNAME",
            help="Credit the change to this staff member, with their permissions (default: "
            "the command itself, which may change everything).",
        )
        parser.add_argument(
            "--progress",
            action="store_true",
            help="Show a progress bar on standard error even when it is not a terminal.",
        )

    @no_translations
    def handle(self, *args, file: Path, dry_run, language, user, progress, verbosity, **options):
        staff = None
        if user:
            staff = get_user_model().objects.filter(username=user, is_active=True).first()
            if staff is None:
                raise CommandError(f"No active user {user}.")
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"{file} cannot be read: {error.strerror}.") from error
        show = (progress or self.stderr.isatty()) and verbosity
        bar = ProgressBar(self.stderr._out, label="Checking") if show else None
        try:
            plan = translations.import_file(
                data, user=staff, language=language, dry_run=dry_run, progress=bar
            )
        except translations.TranslationFileError as error:
            problems = "\n".join(f"  {problem}" for problem in error.problems)
            raise CommandError(
                f"{file.name} is refused; nothing was changed.\n{problems}"
            ) from error
        if not verbosity:
            return
        for obj, changes in plan.objects:
            self.stdout.write(f"{obj._meta.verbose_name} “{obj}”:")
            for change in changes:
                self.stdout.write(f"  {change.label} ({plan.language})")
        for conflict in plan.conflicts:
            self.stdout.write(
                self.style.WARNING(
                    f"Conflict, not applied: {conflict.unit_id} ({conflict.label}): the source "
                    f"text changed since the export.\n  Then: {conflict.exported}\n"
                    f"  Now:  {conflict.current}"
                )
            )
        self.stdout.write(self.style.SUCCESS(str(plan)))
