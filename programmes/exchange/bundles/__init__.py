"""Exchange bundles: a whole install's (or a few partnerships') content in one zip file.

Two installs (a municipality and a province, the European and the Chinese side) exchange
their material as a bundle; ``manage.py export_bundle`` writes one, ``import_bundle`` reads
one, and the admin offers a partnership's bundle as a download.

A bundle is a zip file with

* ``bundle.json``: the format and its version, and every object with every language of
  every translated text, each object and each reference between objects by UUID, in the
  sections of :mod:`programmes.exchange.sections`. Its JSON Schema is ``bundle.schema.json``
  in this package, served at ``/api/v1/schema/bundle.json``;
* ``media/…``: the originals of the photos, each with its SHA-256 in ``bundle.json``.

**What travels.** Content and its publication state (status, publish and unpublish
dates), so the receiving install shows what the sending one shows, scheduled publications
included, and a bundle is a lossless copy. Not: database ids, ``created_at`` and
``updated_at`` (they describe rows of one install; an import that changes an object gives
it a new ``updated_at``, which is what the receiving install's partner API needs), staff,
memberships, revisions and the audit log (they describe people and history of one install),
and photo renditions (made again from the original).

**The modules.** ``schema`` (the format's name, version and JSON Schema), ``export`` (writing,
streamed, for ``manage.py export_bundle`` and the admin's download alike) and ``importing``
(every check before anything is written, then the content writer of
:mod:`programmes.exchange.writer`, which the seed loader uses too). What they offer their
callers is imported here, so callers write ``bundles.export_bundle``, ``bundles.import_bundle``.
"""

from ..sections import (
    LANGUAGES,
    MISSION_PHOTOS,
    REGION_PHOTOS,
    SECTIONS,
    SECTIONS_BY_KEY,
    Section,
    all_sections,
)
from .export import BundleExporter, export_bundle, stream_bundle
from .importing import (
    IMPORT_COMMENT,
    MAX_DOCUMENT_BYTES,
    MAX_MEDIA_FILE_BYTES,
    UNCHECKED,
    BundleError,
    ImportReport,
    import_bundle,
)
from .schema import FORMAT, FORMAT_VERSION, SCHEMA_PATH, schema

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "IMPORT_COMMENT",
    "LANGUAGES",
    "MAX_DOCUMENT_BYTES",
    "MAX_MEDIA_FILE_BYTES",
    "MISSION_PHOTOS",
    "REGION_PHOTOS",
    "SCHEMA_PATH",
    "SECTIONS",
    "SECTIONS_BY_KEY",
    "UNCHECKED",
    "BundleError",
    "BundleExporter",
    "ImportReport",
    "Section",
    "all_sections",
    "export_bundle",
    "import_bundle",
    "schema",
    "stream_bundle",
]
