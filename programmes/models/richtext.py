"""Rich text: one allow-list for the editor, the model field and every write path.

django-prose-editor sanitizes only in ``Model.clean()``. Seeds, imports, the
API and services do not go through a form, so they call :func:`sanitize_html`
(via ``services.sanitize_rich_text``) with the very same allow-list.
"""

import nh3
from django.core.validators import MaxLengthValidator
from django_prose_editor.config import allowlist_from_extensions, expand_extensions
from django_prose_editor.fields import ProseEditorField

EXTENSIONS = {
    "Bold": True,
    "Italic": True,
    "Heading": {"levels": [3, 4]},
    "BulletList": True,
    "OrderedList": True,
    "ListItem": True,
    "Blockquote": True,
    "HardBreak": True,
    "Link": {"enableTarget": False, "protocols": ["http", "https", "mailto"]},
    "History": True,
}

# The longest rich text a field holds, in characters of HTML (tags included): some thirty
# printed pages, far more than any section of a page needs (the longest in the seed content
# has 1,900), and small enough that no write path stores a text no page can show.
RICH_TEXT_MAX_LENGTH = 50_000

_cleaner = nh3.Cleaner(**allowlist_from_extensions(expand_extensions(EXTENSIONS)))


def sanitize_html(html: str) -> str:
    """Return ``html`` with everything outside the allow-list removed."""
    if not html:
        return ""
    cleaned = _cleaner.clean(html).strip()
    return "" if cleaned in {"<p></p>", "<p><br></p>"} else cleaned


def RichTextField(verbose_name, **kwargs):  # noqa: N802 - reads like a field class
    """A translated-friendly rich text field with our allow-list and length limit.

    ``max_length`` alone would only reach the form's widget (Django does not enforce it
    on a ``TextField``); the validator makes ``full_clean()`` refuse a longer text too.
    """
    return ProseEditorField(
        verbose_name,
        config={"extensions": EXTENSIONS},
        sanitize=sanitize_html,
        blank=True,
        max_length=RICH_TEXT_MAX_LENGTH,
        validators=[MaxLengthValidator(RICH_TEXT_MAX_LENGTH)],
        **kwargs,
    )
