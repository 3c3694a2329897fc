"""Exchange bundles: export, import, every refusal, the admin's download and the schema.

The round trip with generated content is in ``test_bundle_round_trip.py``.
"""

import datetime as dt
import hashlib
import io
import json
import re
import tracemalloc
import uuid
import zipfile
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command, execute_from_command_line
from django.core.management.base import CommandError
from jsonschema import Draft202012Validator
from PIL import Image, PngImagePlugin

from programmes.domain import permissions, services
from programmes.exchange import bundles
from programmes.models import AuditLogEntry, FocusArea, KeyFigure, Mission, Partnership, Region
from programmes.models.images import metadata_in
from tests.exchange.bundle_helpers import (
    database_state,
    declare_count,
    declare_sizes,
    empty_install,
    media_state,
    read_document,
    rewrite,
    zip_bomb,
)
from tests.factories import (
    ClusterFactory,
    FocusAreaFactory,
    KeyFigureFactory,
    MissionFactory,
    ObjectiveFactory,
    OutcomeFactory,
    PartnershipFactory,
    PhotoFactory,
    RegionFactory,
    StaffFactory,
)


@pytest.fixture
def media_root(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def content(db, media_root):
    """A partnership with all kinds of content, and a second one that has nothing to do with it."""
    province = RegionFactory(slug="zhejiang", kind=Region.Kind.PROVINCE, time_zone="Asia/Shanghai")
    city = RegionFactory(slug="hangzhou", parent=province)
    KeyFigureFactory(region=province)
    ClusterFactory(region=city)
    area = FocusAreaFactory(slug="economy")
    partnership = PartnershipFactory(slug="enschede-hangzhou", partner_region=city)
    partnership.focus_areas.set([area])
    ObjectiveFactory(partnership=partnership)
    mission = MissionFactory(
        slug="inspiration-trip",
        partnership=partnership,
        programme_items=3,
        destinations=[city],
        organisers=[partnership.owner],
    )
    photo = PhotoFactory(mission=mission)
    outcome = OutcomeFactory(mission=mission, area=area)
    other = PartnershipFactory(slug="elsewhere")
    return SimpleNamespace(
        province=province,
        city=city,
        area=area,
        partnership=partnership,
        mission=mission,
        photo=photo,
        outcome=outcome,
        other=other,
    )


@pytest.fixture
def bundle(content, tmp_path) -> Path:
    path = tmp_path / "bundle.zip"
    call_command("export_bundle", str(path), verbosity=0)
    return path


def mission_entry(document: dict, slug: str = "inspiration-trip") -> dict:
    return next(m for m in document["missions"] if m["slug"] == slug)


def import_output(path: Path, *args: str) -> str:
    out = io.StringIO()
    call_command("import_bundle", str(path), *args, stdout=out)
    return out.getvalue()


# Export ---------------------------------------------------------------------------------------


def test_export_holds_every_language_and_refers_by_uuid(content, bundle):
    document = read_document(bundle)
    assert document["format"] == "twinning-cms-bundle"
    assert document["format_version"] == 1
    assert document["languages"] == ["nl", "en", "zh-hans"]
    assert document["partnerships_only"] is None
    mission = mission_entry(document)
    assert mission["title"] == {
        "nl": content.mission.title_nl,
        "en": content.mission.title_en,
        "zh-hans": content.mission.title_zh_hans,
    }
    assert mission["partnership"] == str(content.partnership.uuid)
    assert mission["destinations"] == [str(content.city.uuid)]
    assert mission["status"] == "published"
    assert len(mission["programme_items"]) == 3
    assert [item["order"] for item in mission["programme_items"]] == [0, 1, 2]
    city = next(r for r in document["regions"] if r["slug"] == "hangzhou")
    assert city["parent"] == str(content.province.uuid)
    [outcome] = document["outcomes"]
    assert (outcome["mission"], outcome["area"]) == (
        str(content.mission.uuid),
        str(content.area.uuid),
    )
    [photo] = mission["photos"]
    with zipfile.ZipFile(bundle) as archive:
        data = archive.read(photo["file"]["path"])
    assert photo["file"] == {
        "path": f"media/{content.photo.image.name}",
        "sha256": hashlib.sha256(data).hexdigest(),
        "size": len(data),
    }
    with content.photo.image.open("rb") as original:
        assert data == original.read()
    Draft202012Validator(bundles.schema()).validate(document)


def test_export_of_one_partnership_holds_what_it_refers_to(content, tmp_path):
    path = tmp_path / "one.zip"
    call_command("export_bundle", "--partnership", "enschede-hangzhou", str(path), verbosity=0)
    document = read_document(path)
    assert document["partnerships_only"] == [str(content.partnership.uuid)]
    assert [p["slug"] for p in document["partnerships"]] == ["enschede-hangzhou"]
    regions = {r["slug"] for r in document["regions"]}
    # Its two regions, the province the partner city lies in, the cities of the programme and
    # the regions of the organisations it refers to; not the other partnership's regions.
    assert {"hangzhou", "zhejiang", content.partnership.home_region.slug} <= regions
    assert content.other.home_region.slug not in regions
    assert content.other.owner.slug not in {o["slug"] for o in document["organisations"]}
    assert [a["slug"] for a in document["focus_areas"]] == ["economy"]
    Draft202012Validator(bundles.schema()).validate(document)


def test_export_refuses_an_unknown_partnership(content, tmp_path):
    with pytest.raises(CommandError, match="No partnership with the slug nowhere"):
        call_command("export_bundle", "--partnership", "nowhere", str(tmp_path / "x.zip"))
    assert not (tmp_path / "x.zip").exists()


@pytest.mark.parametrize("missions", [1, 4])
def test_export_queries_do_not_grow(db, media_root, django_assert_num_queries, missions):
    partnership = PartnershipFactory()
    for _ in range(missions):
        mission = MissionFactory(partnership=partnership, programme_items=2)
        PhotoFactory(mission=mission)
        OutcomeFactory(mission=mission)
    # 4 UUID maps, the photos' files; focus areas, regions (+ key figures, clusters, photos),
    # organisations, partnerships (+ objectives, focus areas), missions (+ programme items,
    # photos, destinations, organisers), outcomes.
    with django_assert_num_queries(20):
        bundles.BundleExporter().write(io.BytesIO())


# Import ---------------------------------------------------------------------------------------


def test_importing_the_same_bundle_changes_nothing(content, bundle):
    before = database_state()
    output = import_output(bundle)
    assert "(0 created, 0 updated, 24 unchanged; 0 media files written)" in output
    assert database_state() == before


def test_import_updates_by_uuid_and_logs_the_change(content, bundle, tmp_path):
    document = read_document(bundle)
    mission_entry(document)["title"]["en"] = "Inspiration trip to Hangzhou"
    output = import_output(rewrite(bundle, tmp_path / "changed.zip", document=document))
    assert "(0 created, 1 updated, 23 unchanged;" in output
    content.mission.refresh_from_db()
    assert content.mission.title_en == "Inspiration trip to Hangzhou"
    entry = AuditLogEntry.objects.get(object_id=str(content.mission.pk))
    assert (entry.action, entry.message) == ("changed", bundles.IMPORT_COMMENT)
    assert entry.changed_fields == ["title_en"]


def test_regions_carry_their_own_time_zone_not_the_inherited_one(content, bundle):
    regions = {region["slug"]: region for region in read_document(bundle)["regions"]}
    assert regions["zhejiang"]["time_zone"] == "Asia/Shanghai"
    assert regions["hangzhou"]["time_zone"] == ""  # it inherits Zhejiang's


def test_a_bundle_from_before_time_zones_leaves_them_as_they_are(content, bundle, tmp_path):
    document = read_document(bundle)
    for region in document["regions"]:
        del region["time_zone"]
    Region.objects.filter(pk=content.city.pk).update(time_zone="Asia/Urumqi")

    output = import_output(rewrite(bundle, tmp_path / "older.zip", document=document))

    assert "(0 created, 0 updated, 24 unchanged;" in output
    zones = dict(Region.objects.values_list("slug", "time_zone"))
    assert (zones["zhejiang"], zones["hangzhou"]) == ("Asia/Shanghai", "Asia/Urumqi")


def test_destinations_travel_in_the_missions_order(content, tmp_path):
    shanghai = RegionFactory(slug="shanghai", name_nl="Shanghai")
    services.set_in_order(content.mission, "destinations", [shanghai, content.city])
    path = tmp_path / "ordered.zip"
    call_command("export_bundle", str(path), verbosity=0)
    document = read_document(path)
    # In the mission's order, not sorted like the other lists of UUIDs.
    assert mission_entry(document)["destinations"] == [str(shanghai.uuid), str(content.city.uuid)]

    mission_entry(document)["destinations"].reverse()
    output = import_output(rewrite(path, tmp_path / "reversed.zip", document=document))

    assert "(0 created, 1 updated, 24 unchanged;" in output
    assert services.pks_in_order(content.mission, "destinations") == [content.city.pk, shanghai.pk]
    assert "(0 created, 0 updated, 25 unchanged;" in import_output(tmp_path / "reversed.zip")


def test_a_destination_twice_is_refused_however_its_uuid_is_written(
    changed, content, bundle, tmp_path
):
    city = str(content.city.uuid)
    mission_entry(changed)["destinations"] = [city, city.upper()]  # unique for the schema
    path = rewrite(bundle, tmp_path / "twice.zip", document=changed)
    assert f"“destinations” lists {city} twice." in refuse(path)


def test_end_times_travel_and_an_older_bundle_leaves_them(content, tmp_path):
    item = content.mission.programme_items.order_by("order").first()
    item.date, item.start_time, item.end_time = dt.date(2026, 5, 12), dt.time(10), dt.time(12)
    item.save()
    path = tmp_path / "timed.zip"
    call_command("export_bundle", str(path), verbosity=0)
    document = read_document(path)
    exported = mission_entry(document)["programme_items"][0]
    assert (exported["start_time"], exported["end_time"]) == ("10:00:00", "12:00:00")

    for entry in mission_entry(document)["programme_items"]:
        del entry["end_time"]  # a bundle from before end times
    output = import_output(rewrite(path, tmp_path / "older.zip", document=document))

    assert "(0 created, 0 updated, 24 unchanged;" in output
    item.refresh_from_db()
    assert item.end_time == dt.time(12)


def test_an_end_time_before_the_start_time_is_refused(changed, content, bundle, tmp_path):
    item = mission_entry(changed)["programme_items"][0]
    item.update(date="2026-05-12", start_time="12:00:00", end_time="10:00:00")
    path = rewrite(bundle, tmp_path / "backwards.zip", document=changed)
    assert (
        "end_time: The end time must be after the start time: a programme item ends on the "
        "day it starts."
    ) in refuse(path)


def test_key_figures_carry_their_chart_title_in_every_language(content, bundle, tmp_path):
    figure = KeyFigure.objects.get(region=content.province)
    document = read_document(bundle)
    (entry,) = next(r for r in document["regions"] if r["slug"] == "zhejiang")["key_figures"]
    assert entry["chart_title"] == {
        "nl": figure.chart_title_nl,
        "en": figure.chart_title_en,
        "zh-hans": figure.chart_title_zh_hans,
    }
    entry["chart_title"] = {"nl": "Buitenlandse handel", "en": "Foreign trade", "zh-hans": ""}

    import_output(rewrite(bundle, tmp_path / "chart.zip", document=document))

    figure.refresh_from_db()
    assert (figure.chart_title_nl, figure.chart_title_en, figure.chart_title_zh_hans) == (
        "Buitenlandse handel",
        "Foreign trade",
        "",
    )


def test_a_bundle_from_before_chart_titles_leaves_them_as_they_are(content, bundle, tmp_path):
    document = read_document(bundle)
    for region in document["regions"]:
        for figure in region["key_figures"]:
            del figure["chart_title"]
    KeyFigure.objects.filter(region=content.province).update(chart_title_nl="Handel")

    output = import_output(rewrite(bundle, tmp_path / "older.zip", document=document))

    assert "(0 created, 0 updated, 24 unchanged;" in output
    assert KeyFigure.objects.get(region=content.province).chart_title_nl == "Handel"


def test_import_sanitizes_rich_text(content, bundle, tmp_path):
    document = read_document(bundle)
    mission_entry(document)["why"]["zh-hans"] = (
        '<p>为什么<img src="x" onerror="alert(1)"></p><script>alert(1)</script>'
    )
    import_output(rewrite(bundle, tmp_path / "script.zip", document=document))
    content.mission.refresh_from_db()
    assert content.mission.why_zh_hans == "<p>为什么</p>"


def test_import_matches_a_focus_area_by_slug_when_its_uuid_is_unknown(content, bundle, tmp_path):
    """An older install's focus areas have random UUIDs; the slug says which one it is."""
    document = read_document(bundle)
    fixed = str(uuid.uuid4())
    old = document["focus_areas"][0]["uuid"]
    text = json.dumps(document).replace(old, fixed)
    output = import_output(rewrite(bundle, tmp_path / "areas.zip", document=text.encode()))
    assert "(0 created, 1 updated, 23 unchanged;" in output  # its relations keep pointing to it
    area = FocusArea.objects.get(slug="economy")
    assert str(area.uuid) == fixed
    assert area.pk == content.area.pk


def test_import_into_an_empty_install_creates_everything(content, bundle, media_root):
    empty_install()
    for path in media_root.rglob("*"):
        if path.is_file():
            path.unlink()
    output = import_output(bundle)
    assert "(24 created, 0 updated, 0 unchanged; 1 media file written)" in output
    photo = Mission.objects.get(uuid=content.mission.uuid).photos.get()
    with zipfile.ZipFile(bundle) as archive, photo.image.open("rb") as stored:
        assert stored.read() == archive.read(f"media/{photo.image.name}")
    assert (photo.width, photo.height) == (64, 48)


def test_dry_run_reports_and_writes_nothing(content, bundle, media_root):
    empty_install()
    for path in media_root.rglob("*"):
        if path.is_file():
            path.unlink()
    before = database_state(), media_state(media_root)
    output = import_output(bundle, "--dry-run")
    assert "An import would make 24 created, 0 updated, 0 unchanged. Nothing was written." in (
        output
    )
    assert (database_state(), media_state(media_root)) == before


def test_progress_bar_on_request(content, bundle):
    err = io.StringIO()
    call_command("import_bundle", str(bundle), "--progress", stdout=io.StringIO(), stderr=err)
    assert err.getvalue().endswith("Importing 100% [" + "█" * 30 + "] 24/24\n")


def test_a_failure_while_writing_undoes_everything_media_included(
    content, bundle, tmp_path, settings
):
    """The outcome is checked last, when the photo is stored already: both are undone."""
    document = read_document(bundle)
    document["outcomes"][0]["partnership"] = str(content.other.uuid)
    broken = rewrite(bundle, tmp_path / "broken.zip", document=document)
    empty_install()
    settings.MEDIA_ROOT = tmp_path / "empty-media"
    message = refuse(broken, settings.MEDIA_ROOT)
    assert "$.outcomes[0] (outcome" in message
    assert "mission: This mission belongs to another partnership." in message


def test_a_slug_taken_by_another_object_is_refused(content, bundle, tmp_path):
    document = read_document(bundle)
    region = next(r for r in document["regions"] if r["slug"] == "hangzhou")
    region["uuid"] = str(uuid.uuid4())  # a different region, with the slug of ours
    text = json.dumps(document).replace(str(content.city.uuid), region["uuid"])
    message = refuse(rewrite(bundle, tmp_path / "slug.zip", document=text.encode()))
    assert f"(region {region['uuid']}, “hangzhou”)" in message
    assert "slug: Region with this Slug already exists." in message


# Refusals: each says what and where, and changes nothing ---------------------------------------


def refuse(path: Path, media: Path | None = None) -> str:
    """Import ``path``, which must be refused, and check that nothing changed."""
    media = Path(media or django_settings.MEDIA_ROOT)
    before = database_state(), media_state(media)
    with pytest.raises(CommandError) as refusal:
        call_command("import_bundle", str(path), verbosity=0)
    assert (database_state(), media_state(media)) == before
    message = str(refusal.value)
    assert message.startswith(f"{path.name} is refused: ")
    assert message.endswith(" Nothing was changed.")
    return message


@pytest.fixture
def changed(bundle) -> dict:
    """The bundle's document with a change, so an import that went through would show."""
    document = read_document(bundle)
    mission_entry(document)["title"]["nl"] = "Gewijzigd"
    return document


def test_not_a_zip(content, tmp_path, capsys):
    path = tmp_path / "bundle.zip"
    path.write_bytes(b"PK? no, plain text")
    assert "bundle.zip is not a zip file (File is not a zip file)." in refuse(path)
    with pytest.raises(SystemExit) as exit_status:  # as a command: a message and status 1
        execute_from_command_line(["manage.py", "import_bundle", str(path)])
    assert exit_status.value.code == 1
    assert "CommandError: bundle.zip is refused: bundle.zip is not a zip file" in (
        capsys.readouterr().err
    )


def test_no_bundle_json(bundle, tmp_path):
    path = rewrite(bundle, tmp_path / "nodoc.zip", drop=["bundle.json"])
    assert "nodoc.zip has no bundle.json: not an exchange bundle." in refuse(path)


def test_invalid_json(bundle, tmp_path):
    path = rewrite(bundle, tmp_path / "invalid.zip", document=b'{"format": "twinning-cms-bundle",')
    assert (
        "bundle.json is not valid JSON: Expecting property name enclosed in double quotes: "
        "line 1 column 34 (char 33)."
    ) in refuse(path)


def test_json_nested_too_deeply(bundle, tmp_path):
    path = rewrite(bundle, tmp_path / "deep.zip", document=b"[" * 100_000 + b"]" * 100_000)
    assert "bundle.json is nested too deeply to be a bundle." in refuse(path)


def test_missing_format_version(changed, bundle, tmp_path):
    del changed["format_version"]
    path = rewrite(bundle, tmp_path / "noversion.zip", document=changed)
    assert 'bundle.json has no "format_version".' in refuse(path)


def test_wrong_format_version(changed, bundle, tmp_path):
    changed["format_version"] = 2
    path = rewrite(bundle, tmp_path / "v2.zip", document=changed)
    assert "bundle.json has format_version 2; this install reads version 1." in refuse(path)


def test_schema_violation_names_the_json_path(changed, bundle, tmp_path):
    mission_entry(changed)["programme_items"][1]["kind"] = "party"
    path = rewrite(bundle, tmp_path / "schema.zip", document=changed)
    message = refuse(path)
    assert "bundle.json does not match the bundle schema at " in message
    assert "$.missions[0].programme_items[1].kind: 'party' is not one of " in message


def test_missing_media_file(changed, content, bundle, tmp_path):
    name = f"media/{content.photo.image.name}"
    path = rewrite(bundle, tmp_path / "nophoto.zip", document=changed, drop=[name])
    assert (
        f"bundle.json, $.missions[0].photos[0] (photo {content.photo.uuid}, "
        f"“{content.photo.alt_text_nl}”): the media file “{name}” is missing from the zip."
    ) in refuse(path)


def jpeg(colour: str) -> bytes:
    data = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(data, "JPEG")
    return data.getvalue()


def test_checksum_mismatch(changed, content, bundle, tmp_path):
    name = f"media/{content.photo.image.name}"
    other = jpeg("red")
    path = rewrite(bundle, tmp_path / "sum.zip", document=changed, files={name: other})
    expected = mission_entry(changed)["photos"][0]["file"]["sha256"]
    assert (
        f"$.missions[0].photos[0] (photo {content.photo.uuid}, “{content.photo.alt_text_nl}”): "
        f"checksum mismatch for “{name}”: bundle.json says SHA-256 {expected}, the file has "
        f"{hashlib.sha256(other).hexdigest()}."
    ) in refuse(path)


def test_a_media_file_that_is_no_photo(changed, content, bundle, tmp_path):
    name = f"media/{content.photo.image.name}"
    script = b"<svg onload='alert(1)'></svg>"
    mission_entry(changed)["photos"][0]["file"]["sha256"] = hashlib.sha256(script).hexdigest()
    path = rewrite(bundle, tmp_path / "svg.zip", document=changed, files={name: script})
    assert f"“{name}” is not an accepted photo: " in refuse(path)


def test_reference_to_an_unknown_uuid(changed, content, bundle, tmp_path):
    unknown = str(uuid.uuid4())
    item = mission_entry(changed)["programme_items"][2]
    item["city"] = unknown
    path = rewrite(bundle, tmp_path / "unknown.zip", document=changed)
    assert (
        f"$.missions[0].programme_items[2] (programme item {item['uuid']}, "
        f"“{item['title']['nl']}”): “city” refers to region {unknown}, which is neither in the "
        "bundle nor on this install."
    ) in refuse(path)


def test_an_unknown_time_zone(changed, content, bundle, tmp_path):
    region = next(r for r in changed["regions"] if r["slug"] == "hangzhou")
    region["time_zone"] = "Mars/Olympus_Mons"
    path = rewrite(bundle, tmp_path / "mars.zip", document=changed)
    assert (
        f"(region {region['uuid']}, “hangzhou”): “time_zone”: “Mars/Olympus_Mons” "
        "is not a known time zone. Use an IANA name such as Asia/Shanghai."
    ) in refuse(path)


def test_media_path_escaping_the_media_folder(changed, content, bundle, tmp_path):
    mission_entry(changed)["photos"][0]["file"]["path"] = "media/../../settings.py"
    path = rewrite(bundle, tmp_path / "escape.zip", document=changed)
    assert (
        f"$.missions[0].photos[0] (photo {content.photo.uuid}, “{content.photo.alt_text_nl}”): "
        "file path “media/../../settings.py” escapes the media folder."
    ) in refuse(path)


@pytest.mark.parametrize(
    "name", ["../outside.txt", "/etc/cron.d/job", "media/photos/../../../x.py", "settings.py"]
)
def test_zip_entry_escaping_the_media_folder(changed, bundle, tmp_path, name):
    path = rewrite(bundle, tmp_path / "entry.zip", document=changed, files={name: b"x"})
    assert (
        f"Zip entry “{name}” escapes the media folder: a bundle holds only bundle.json and "
        "files under media/."
    ) in refuse(path)


def test_symbolic_link_in_the_zip(changed, bundle, tmp_path):
    path = rewrite(bundle, tmp_path / "link.zip", document=changed)
    with zipfile.ZipFile(path, "a") as archive:
        link = zipfile.ZipInfo("media/photos/link.jpg")
        link.external_attr = 0o120777 << 16
        archive.writestr(link, "/etc/passwd")
    assert (
        "Zip entry “media/photos/link.jpg” is a symbolic link; a bundle holds plain files only."
    ) in refuse(path)


# Limits: a hostile bundle is refused before it costs memory ------------------------------------

MB = 1024**2


def refuse_measured(path: Path) -> tuple[str, int]:
    """``refuse(path)``'s message, and the most memory Python held meanwhile (bytes)."""
    tracemalloc.start()
    try:
        message = refuse(path)
        return message, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_document_over_the_limit_is_refused_before_it_is_unpacked(changed, tmp_path):
    padding = bundles.MAX_DOCUMENT_BYTES  # with the document itself: over the limit
    path = zip_bomb(tmp_path / "big.zip", json.dumps(changed).encode(), padding)
    assert path.stat().st_size < 100_000
    size = zipfile.ZipFile(path).getinfo("bundle.json").file_size

    message, peak = refuse_measured(path)

    assert (
        f"Zip entry “bundle.json” would unpack to {size:,} bytes, more than the limit of "
        "32 MB (33,554,432 bytes) for bundle.json."
    ) in message
    assert peak < 5 * MB


def test_a_zip_bomb_that_understates_its_size_is_never_inflated(changed, tmp_path):
    """The header says 1,000 bytes; the entry inflates to twice the limit: zipfile stops."""
    path = zip_bomb(tmp_path / "bomb.zip", json.dumps(changed).encode(), 2 * 32 * MB)
    declare_sizes(path, 1_000)

    message, peak = refuse_measured(path)

    assert (
        "Zip entry “bundle.json” is damaged or not what its header declares (Bad CRC-32 for "
        "file 'bundle.json')."
    ) in message
    assert peak < 5 * MB


def test_a_photo_over_the_limit_is_refused_before_it_is_unpacked(changed, bundle, tmp_path):
    files = {"media/photos/huge.jpg": b"\0" * (20 * MB + 1)}
    path = rewrite(bundle, tmp_path / "photo.zip", document=changed, files=files)
    assert (
        "Zip entry “media/photos/huge.jpg” would unpack to 20,971,521 bytes, more than the "
        "limit of 20 MB (20,971,520 bytes) for a photo."
    ) in refuse(path)


def test_a_zip_over_the_total_limit_is_refused(changed, bundle, tmp_path):
    """205 photos of 20 MB (as their headers say): over 4 GB in all."""
    files = {f"media/photos/{number}.jpg": b"" for number in range(205)}
    path = rewrite(bundle, tmp_path / "total.zip", document=changed, files=files)
    declare_sizes(path, 20 * MB, set(files))
    assert ("The zip would unpack to more than the limit of 4 GB (4,294,967,296 bytes).") in refuse(
        path
    )


def test_too_many_entries(changed, bundle, tmp_path):
    files = {f"media/photos/{number}.jpg": b"" for number in range(10_000)}
    path = rewrite(bundle, tmp_path / "many.zip", document=changed, files=files)
    message = (
        "The zip holds 10,002 entries, more than the limit of 10,000 (bundle.json, the photos "
        "and any folders)."
    )
    assert message in refuse(path)
    # An end record that understates the count: the entries are counted again once read.
    assert message in refuse(declare_count(path, 2))


def test_a_table_of_contents_over_the_limit_is_refused_before_it_is_read(changed, bundle, tmp_path):
    path = rewrite(bundle, tmp_path / "contents.zip", document=changed)
    with zipfile.ZipFile(path, "a") as archive:
        for number in range(100):  # few entries, each with a long comment in the contents
            info = zipfile.ZipInfo(f"media/photos/{number}.jpg")
            info.comment = b"x" * 60_000
            archive.writestr(info, b"")
    message = refuse(path)
    assert "The zip's table of contents takes " in message
    assert " bytes, more than the limit of 5 MB (5,242,880 bytes)." in message


@pytest.mark.parametrize(
    ("json_path", "limit"),
    [
        ("$.regions[0].summary", 1_000),
        ("$.missions[0].why", 50_000),
        ("$.missions[0].programme_items[0].description", 5_000),
        ("$.missions[0].title", 200),
    ],
)
def test_a_text_over_its_limit_is_refused(changed, bundle, tmp_path, json_path, limit):
    keys = re.findall(r"\.(\w+)(?:\[(\d+)\])?", json_path)
    text = changed
    for key, number in keys:
        text = text[key] if number == "" else text[key][int(number)]
    text["en"] = "界" * (limit + 1)
    path = rewrite(bundle, tmp_path / "long.zip", document=changed)
    assert (
        f"bundle.json does not match the bundle schema at {json_path}.en: a text of "
        f"{limit + 1:,} characters, longer than the limit of {limit:,}."
    ) in refuse(path)


def test_a_20_mb_summary_is_refused_without_quoting_it(changed, bundle, tmp_path):
    changed["regions"][0]["summary"]["nl"] = "x" * (20 * MB)
    path = rewrite(bundle, tmp_path / "summary.zip", document=changed)
    assert refuse(path) == (
        "summary.zip is refused: bundle.json does not match the bundle schema at "
        "$.regions[0].summary.nl: a text of 20,971,520 characters, longer than the limit of "
        "1,000. Nothing was changed."
    )


def test_texts_at_their_limits_travel(content, tmp_path, media_root):
    """What the models accept, the schema accepts: the longest texts export and import."""
    for kind in bundles.all_sections():
        for instance in kind.model.objects.all():
            for name in kind.translated:
                limit = kind.model._meta.get_field(name).max_length
                for language in bundles.LANGUAGES:
                    setattr(instance, f"{name}_{language.replace('-', '_')}", "界" * limit)
            instance.save()
    path = tmp_path / "longest.zip"
    bundles.export_bundle(path)
    before = read_document(path)
    empty_install()
    report = bundles.import_bundle(path)
    assert report.created.total() == report.loaded.total()
    again = tmp_path / "again.zip"
    bundles.export_bundle(again)
    after = read_document(again)
    assert {**after, "exported_at": None} == {**before, "exported_at": None}


# The schema --------------------------------------------------------------------------------


def test_schema_is_served_before_the_api(client):
    response = client.get("/api/v1/schema/bundle.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/schema+json"
    served = json.loads(response.content)
    assert served == bundles.schema()
    assert served["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(served)


def schema_definition(kind: bundles.Section) -> dict:
    name = {id(bundles.REGION_PHOTOS): "region_photo", id(bundles.MISSION_PHOTOS): "mission_photo"}
    return bundles.schema()["$defs"][name.get(id(kind), kind.model._meta.model_name)]


@pytest.mark.parametrize("kind", list(bundles.all_sections()), ids=lambda k: k.key)
def test_schema_follows_the_models(kind):
    """A new field or choice in a model is a new format: the schema must say so too."""
    properties = schema_definition(kind)["properties"]
    expected = {"uuid", *kind.translated, *kind.fields, *kind.references, *kind.many}
    expected |= {child.key for child in kind.children} | ({"file"} if kind.media else set())
    assert set(properties) == expected
    for name in kind.fields:
        choices = kind.model._meta.get_field(name).choices
        if choices and name != "status":
            assert properties[name]["enum"] == [value for value, _label in choices]


@pytest.mark.parametrize("kind", list(bundles.all_sections()), ids=lambda k: k.key)
def test_schema_has_the_models_text_limits(kind):
    """Each text's maxLength is its field's: a bundle the schema accepts, the models accept."""
    properties = schema_definition(kind)["properties"]
    for name in kind.translated:
        limit = kind.model._meta.get_field(name).max_length
        assert limit is not None
        assert properties[name]["properties"] == {
            language: {"maxLength": limit} for language in bundles.LANGUAGES
        }
    for name in kind.fields:
        field = kind.model._meta.get_field(name)
        if field.get_internal_type() in {"CharField", "URLField"} and not field.choices:
            assert properties[name]["maxLength"] == field.max_length


def test_schema_has_the_importers_photo_limit():
    size = bundles.schema()["$defs"]["media_file"]["properties"]["size"]
    assert size["maximum"] == bundles.MAX_MEDIA_FILE_BYTES == 20 * MB


# The admin's download ---------------------------------------------------------------------------


def bundle_url(partnership: Partnership) -> str:
    return f"/admin/programmes/partnership/{partnership.pk}/bundle/"


def download(response) -> dict:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="')
    assert response.streaming
    path = io.BytesIO(b"".join(response.streaming_content))
    with zipfile.ZipFile(path) as archive:
        return json.loads(archive.read("bundle.json"))


@pytest.mark.parametrize("role", [permissions.SITE_MANAGER, permissions.PUBLISHER])
def test_managers_and_publishers_download_a_partnerships_bundle(client, content, role):
    client.force_login(StaffFactory(role=role, organisations=[content.partnership.owner]))
    page = client.get(f"/admin/programmes/partnership/{content.partnership.pk}/change/")
    assert f'href="{bundle_url(content.partnership)}"' in page.content.decode()
    document = download(client.get(bundle_url(content.partnership)))
    assert [p["slug"] for p in document["partnerships"]] == ["enschede-hangzhou"]
    assert [m["slug"] for m in document["missions"]] == ["inspiration-trip"]


def test_editors_get_no_bundle(client, content):
    client.force_login(
        StaffFactory(role=permissions.EDITOR, organisations=[content.partnership.owner])
    )
    page = client.get(f"/admin/programmes/partnership/{content.partnership.pk}/change/")
    assert bundle_url(content.partnership) not in page.content.decode()
    assert client.get(bundle_url(content.partnership)).status_code == 403


def test_publishers_get_no_bundle_of_another_organisation(client, content):
    client.force_login(
        StaffFactory(role=permissions.PUBLISHER, organisations=[content.other.owner])
    )
    assert client.get(bundle_url(content.partnership)).status_code == 404  # not theirs: not there


def test_bundle_of_the_selected_partnerships(client, content):
    client.force_login(StaffFactory(role=permissions.SITE_MANAGER))
    response = client.post(
        "/admin/programmes/partnership/",
        {
            "action": "download_bundle_selected",
            "_selected_action": [content.partnership.pk, content.other.pk],
        },
    )
    document = download(response)
    assert document["partnerships_only"] == sorted(
        [str(content.partnership.uuid), str(content.other.uuid)]
    )
    assert {p["slug"] for p in document["partnerships"]} == {"enschede-hangzhou", "elsewhere"}


def jpeg_with_gps() -> bytes:
    """A photo as a phone takes it: with the place it was taken in its EXIF."""
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (52.0, 13.0, 12.0), 3: "E", 4: (6.0, 53.0, 40.0)}  # GPSInfo
    data = io.BytesIO()
    Image.new("RGB", (8, 8), "green").save(data, "JPEG", exif=exif)
    return data.getvalue()


@pytest.mark.parametrize(
    ("kind", "photo"),
    [
        ("exif", jpeg_with_gps),
        ("comment", lambda: _saved("JPEG", comment=b"Enschede, Hengelosestraat 12")),
        ("text chunk “Location”", lambda: _png_with_text("Location", "52.22 N 6.89 E")),
    ],
)
def test_a_photo_with_metadata_is_refused(changed, content, bundle, tmp_path, kind, photo):
    """The admin strips metadata from every upload; an import must not bring it in."""
    name, data = f"media/{content.photo.image.name}", photo()
    mission_entry(changed)["photos"][0]["file"]["sha256"] = hashlib.sha256(data).hexdigest()
    path = rewrite(bundle, tmp_path / "gps.zip", document=changed, files={name: data})
    assert f"“{name}” carries metadata ({kind}), such as a camera's GPS position" in refuse(path)


def test_an_exported_photo_carries_no_metadata(content):
    """What the importer asks of a bundle's photos holds for every photo this install stores."""
    with content.photo.image.open("rb") as file:
        assert metadata_in(file) == []


def _saved(image_format: str, **options) -> bytes:
    data = io.BytesIO()
    Image.new("RGB", (8, 8), "blue").save(data, image_format, **options)
    return data.getvalue()


def _png_with_text(key: str, value: str) -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text(key, value)
    return _saved("PNG", pnginfo=info)
