"""Registrations as files: CSV and XLSX for the travel agency, JSON for one person.

Staff choose the columns (``RegistrationExportForm`` in ``registrations.py``): a travel
agency needs names and dietary requirements, not what someone hopes to find in China. The
dietary and visa notes are off unless chosen, and say so.

A cell that starts with ``=``, ``+``, ``-``, ``@`` or a tab could be run as a formula by a
spreadsheet (a name such as ``=HYPERLINK(…)``, typed into the public form): in CSV it gets
a leading apostrophe (OWASP's advice), in XLSX it is written as a string cell, which Excel
never evaluates. CSV is UTF-8 with a byte order mark, so that Excel reads Chinese names
correctly. Files are answered ``Cache-Control: private, no-store``.
"""

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from registrations.models import Registration

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _moment(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


@dataclass(frozen=True)
class Column:
    label: str
    value: Callable[[Registration], str]
    sensitive: bool = False
    default: bool = True


COLUMNS = {
    "mission": Column(_("mission"), lambda r: str(r.mission)),
    "name": Column(_("name"), lambda r: r.name),
    "organisation": Column(_("organisation"), lambda r: r.organisation),
    "role": Column(_("role"), lambda r: r.role),
    "email": Column(_("e-mail address"), lambda r: r.email),
    "phone": Column(_("telephone"), lambda r: r.phone),
    "sector": Column(_("sector"), lambda r: str(r.sector) if r.sector else ""),
    "interests": Column(_("what they hope to find or offer"), lambda r: r.interests),
    "status": Column(_("status"), lambda r: str(r.get_status_display())),
    "language": Column(_("language"), lambda r: r.language),
    "created_at": Column(_("signed up"), lambda r: _moment(r.created_at), default=False),
    "confirmed_at": Column(_("confirmed"), lambda r: _moment(r.confirmed_at), default=False),
    "dietary": Column(
        _("dietary requirements"), lambda r: r.dietary, sensitive=True, default=False
    ),
    "visa_notes": Column(_("visa notes"), lambda r: r.visa_notes, sensitive=True, default=False),
}


def rows(registrations: Iterable[Registration], columns: list[str]) -> Iterator[list[str]]:
    """The header, then one row per registration, in ``columns``' order."""
    yield [str(COLUMNS[name].label) for name in columns]
    for registration in registrations:
        yield [COLUMNS[name].value(registration) for name in columns]


def _inert(value: str) -> str:
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def csv_response(registrations, columns: list[str], filename: str) -> HttpResponse:
    buffer = io.StringIO()
    buffer.write("\ufeff")  # Excel reads UTF-8 only with a byte order mark
    writer = csv.writer(buffer)
    for row in rows(registrations, columns):
        writer.writerow([_inert(value) for value in row])
    return _attachment(buffer.getvalue().encode(), "text/csv; charset=utf-8", f"{filename}.csv")


def xlsx_response(registrations, columns: list[str], filename: str) -> HttpResponse:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(_("registrations"))[:31])
    bold = Font(bold=True)
    for number, row in enumerate(rows(registrations, columns)):
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"  # text, never a formula
            if number == 0:
                cell.font = bold
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _attachment(buffer.getvalue(), XLSX_TYPE, f"{filename}.xlsx")


def person_json(registration: Registration) -> HttpResponse:
    """Everything stored about one person, for their request (GDPR art. 15 and 20)."""
    data = {
        "mission": str(registration.mission),
        "mission_url": registration.mission.get_absolute_url(),
        "status": registration.status,
        "name": registration.name,
        "organisation": registration.organisation,
        "role": registration.role,
        "email": registration.email,
        "phone": registration.phone,
        "sector": str(registration.sector) if registration.sector else None,
        "what_they_hope_to_find_or_offer": registration.interests,
        "dietary_requirements": registration.dietary,
        "visa_notes": registration.visa_notes,
        "language": registration.language,
        "agreed_to_the_privacy_notice": _iso(registration.consented_at),
        "agreed_to_the_use_of_dietary_and_visa_notes": _iso(registration.sensitive_consented_at),
        "signed_up": _iso(registration.created_at),
        "confirmed": _iso(registration.confirmed_at),
        "status_changed": _iso(registration.status_changed_at),
        "changed": _iso(registration.updated_at),
    }
    content = json.dumps(data, ensure_ascii=False, indent=2).encode()
    return _attachment(
        content, "application/json; charset=utf-8", f"registration-{registration.pk}.json"
    )


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def _attachment(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
