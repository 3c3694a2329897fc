"""The bundle format: its name and version, its files, and the JSON Schema of ``bundle.json``.

Which objects and fields each list of ``bundle.json`` holds is declared once, for bundles and
the seed loader alike, in :mod:`programmes.exchange.sections`; ``bundle.schema.json`` beside
this module says the same for other programs (a test compares the two).
"""

import json
from functools import cache
from pathlib import Path

FORMAT = "twinning-cms-bundle"
FORMAT_VERSION = 1
GENERATOR = "Twinning CMS"
DOCUMENT_NAME = "bundle.json"
MEDIA_PREFIX = "media/"
SCHEMA_PATH = Path(__file__).resolve().parent / "bundle.schema.json"


@cache
def schema() -> dict:
    """The JSON Schema of ``bundle.json`` (draft 2020-12)."""
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
