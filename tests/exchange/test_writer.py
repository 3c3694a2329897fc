"""The one writer of incoming content: the seed loader and the bundle importer agree.

Both turn what they read into the same entries and write them with
``programmes.exchange.writer.ContentWriter``; these tests check what follows from sharing it.
The rules themselves are tested through each path, in ``test_seed.py`` and ``test_bundles.py``.
"""

import io
import uuid

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from reversion.models import Revision

from programmes.exchange import bundles
from programmes.models import Region
from tests.exchange.bundle_helpers import database_state, empty_install
from tests.factories import RegionFactory


def load_seed() -> str:
    out = io.StringIO()
    call_command("load_seed_content", verbosity=1, stdout=out)
    return out.getvalue()


def test_the_seed_after_a_bundle_of_the_seed_changes_nothing(seeded, tmp_path, settings):
    """The seed's entries are what a bundle holds: not one value is written differently."""
    settings.MEDIA_ROOT = tmp_path / "media"
    path = tmp_path / "seed.zip"
    bundles.export_bundle(path)
    empty_install()
    imported = bundles.import_bundle(path)
    assert imported.created.total() == imported.loaded.total() == 73
    before, revisions = database_state(), Revision.objects.count()

    output = load_seed()

    assert output.endswith("(0 created, 0 updated, 73 unchanged).\n")
    assert (database_state(), Revision.objects.count()) == (before, revisions)


def test_a_bundle_of_the_seed_over_the_seed_changes_nothing(seeded, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    path = tmp_path / "seed.zip"
    bundles.export_bundle(path)
    before, revisions = database_state(), Revision.objects.count()

    report = bundles.import_bundle(path)

    assert (report.created.total(), report.updated.total(), report.unchanged) == (0, 0, 73)
    assert (database_state(), Revision.objects.count()) == (before, revisions)


def test_only_a_focus_area_is_taken_over_by_its_slug(db):
    """Focus areas got their UUIDs late (migration 0009); every other object had its own.

    A region an editor made with a slug the seed also uses keeps its UUID and is not
    overwritten: the seed refuses, naming the block, and writes nothing.
    """
    RegionFactory(slug="zhejiang", uuid=uuid.uuid4())

    with pytest.raises(CommandError) as refusal:
        call_command("load_seed_content", verbosity=0)

    assert str(refusal.value).startswith('shared.toml, [[regions]] "zhejiang": slug: ')
    assert list(Region.objects.values_list("slug", flat=True)) == ["zhejiang"]
