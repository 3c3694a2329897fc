"""Photos: only safe uploads, stored without metadata, shown as responsive renditions made once.

Every image here is generated with Pillow; the seed content has no photos.
"""

import io
import re
import struct
import warnings
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from PIL import ExifTags, Image, PngImagePlugin
from pytest_django.asserts import assertContains, assertInHTML, assertNotContains

from programmes.models import Photo, images
from programmes.models.images import MAX_BYTES, PhotoFormField, store_atomically

from ..factories import MissionFactory, PhotoFactory, RegionFactory

GALLERY_SIZES = (
    "(min-width: 72rem) 22rem, (min-width: 61rem) 33vw, (min-width: 41.5rem) 50vw, 100vw"
)
PLEASE_UPLOAD = "Upload a JPEG, PNG or WebP photo."
BOMB = (
    "The image claims to be far larger than 40 megapixels and was refused: "
    "it could overload the server."
)
DAMAGED = "The image file is damaged or incomplete. Export it again and upload it."


# Files -------------------------------------------------------------------------------


def encoded(image: Image.Image, image_format: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=image_format, **options)
    return buffer.getvalue()


def photo_like(width: int, height: int) -> Image.Image:
    """Gradients with grain: compresses about as a photo does."""
    return Image.merge(
        "RGB",
        [
            Image.linear_gradient("L").resize((width, height)),
            Image.radial_gradient("L").resize((width, height)),
            Image.effect_noise((width, height), 24),
        ],
    )


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_claiming(width: int, height: int) -> bytes:
    """A PNG of a few bytes whose header claims ``width`` × ``height`` pixels."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + png_chunk(b"IEND", b"")
    )


def upload(data: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def exif_with_position(orientation: int | None = None) -> Image.Exif:
    """EXIF as a phone writes it: camera, GPS position (Enschede), maybe an orientation."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Twinning Phone"
    exif[ExifTags.Base.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (52.0, 13.0, 12.0),
        ExifTags.GPS.GPSLongitudeRef: "E",
        ExifTags.GPS.GPSLongitude: (6.0, 53.0, 40.0),
    }
    if orientation:
        exif[ExifTags.Base.Orientation] = orientation
    return exif


def save_photo(data: bytes, name: str = "photo.jpg", **fields) -> Photo:
    """The way an import or the API would save: no form, straight through the model."""
    return Photo.objects.create(
        mission=fields.pop("mission", None) or MissionFactory(),
        alt_text_nl="Foto",
        image=upload(data, name),
        **fields,
    )


def stored_originals() -> set[str]:
    if not default_storage.exists("photos"):
        return set()
    return set(default_storage.listdir("photos")[1])


def stem(photo: Photo) -> str:
    return Path(photo.image.name).stem


def renditions_on_disk(photo: Photo) -> dict[str, tuple[str, tuple[int, int]]]:
    """Each rendition file of ``photo``: its format and size as Pillow reads them."""
    found = {}
    for path in Path(default_storage.path("renditions")).glob(f"{stem(photo)}-*"):
        with Image.open(path) as image:
            found[path.name] = (image.format, image.size)
    return found


@pytest.fixture
def in_english():
    """The refusals below are written as their English source strings."""
    with translation.override("en"):
        yield


def url(obj, language: str) -> str:
    with translation.override(language):
        return obj.get_absolute_url()


# Refused uploads ---------------------------------------------------------------------


SVG = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<svg xmlns="http://www.w3.org/2000/svg" width="640" height="480">'
    b"<script>alert(document.cookie)</script></svg>"
)

REFUSALS = [
    pytest.param(
        lambda: upload(SVG, "drawing.svg", "image/svg+xml"),
        f"Files in the SVG format are not accepted. {PLEASE_UPLOAD}",
        id="svg",
    ),
    pytest.param(
        lambda: upload(SVG, "drawing.jpg", "image/jpeg"),
        f"Files in the SVG format are not accepted. {PLEASE_UPLOAD}",
        id="svg named .jpg",
    ),
    pytest.param(
        lambda: upload(encoded(Image.new("P", (8, 8)), "GIF"), "animation.gif", "image/gif"),
        f"Files in the GIF format are not accepted. {PLEASE_UPLOAD}",
        id="gif",
    ),
    pytest.param(
        lambda: upload(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(64)),
        f"Files in the HEIC format are not accepted. {PLEASE_UPLOAD}",
        id="heic from an iPhone",
    ),
    pytest.param(
        lambda: upload(b"Dit is geen foto.\n", "photo.jpg", "image/jpeg"),
        "This file is not a JPEG, PNG or WebP image.",
        id="text named .jpg",
    ),
    pytest.param(
        lambda: upload((data := encoded(photo_like(256, 192), "JPEG"))[: len(data) // 2]),
        DAMAGED,
        id="truncated jpeg",
    ),
    pytest.param(
        lambda: upload(encoded(photo_like(64, 48), "PNG")[:-100], "photo.png", "image/png"),
        DAMAGED,
        id="truncated png",
    ),
    pytest.param(
        lambda: upload(png_claiming(30_000, 30_000), "small.png", "image/png"),
        BOMB,
        id="decompression bomb",
    ),
    pytest.param(
        lambda: upload(encoded(Image.new("1", (8000, 5001)), "PNG"), "plan.png", "image/png"),
        "The photo is 8000 × 5001 pixels, more than 40 megapixels. "
        "Make it smaller and upload it again.",
        id="over 40 megapixels",
    ),
    pytest.param(
        lambda: upload(
            (data := encoded(Image.new("RGB", (64, 48)), "JPEG")) + bytes(MAX_BYTES + 1 - len(data))
        ),
        "The file is larger than 20 MB. Make the photo smaller and upload it again.",
        id="over 20 MB",
    ),
]


@pytest.mark.parametrize(("make_upload", "message"), REFUSALS)
@pytest.mark.usefixtures("in_english")
def test_the_form_field_refuses_with_a_message_naming_the_problem(make_upload, message):
    with pytest.raises(ValidationError) as refused:
        PhotoFormField().clean(make_upload())

    assert refused.value.messages == [message]


@pytest.mark.parametrize(("make_upload", "message"), REFUSALS)
@pytest.mark.usefixtures("in_english")
def test_the_model_refuses_too_so_imports_and_the_api_cannot_store_it(db, make_upload, message):
    photo = Photo(mission=MissionFactory(), alt_text_nl="Foto", image=make_upload())
    stored_before = stored_originals()

    with pytest.raises(ValidationError) as refused:
        photo.full_clean()
    assert refused.value.message_dict == {"image": [message]}
    # Saving without validating first does not store it either.
    with pytest.raises(ValidationError), transaction.atomic():
        photo.save()

    assert not Photo.objects.exists()
    assert stored_originals() == stored_before


@pytest.mark.usefixtures("in_english")
def test_pillows_bomb_warning_refuses_even_where_warnings_are_ignored():
    """100 megapixels: Pillow only warns (it errs from 179); the check makes it an error."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ValidationError) as refused:
            PhotoFormField().clean(upload(png_claiming(10_000, 10_000), "big.png", "image/png"))

    assert refused.value.messages == [BOMB]


@pytest.mark.parametrize(
    ("data", "name", "extension", "image_format"),
    [
        (encoded(photo_like(64, 48), "JPEG"), "photo.jpeg", "jpg", "JPEG"),
        (encoded(photo_like(64, 48), "PNG"), "photo.png", "png", "PNG"),
        (encoded(photo_like(64, 48), "WEBP"), "photo.webp", "webp", "WEBP"),
        # The name and the content type do not count, the content does.
        (encoded(photo_like(64, 48), "JPEG"), "Scherm.PNG", "jpg", "JPEG"),
    ],
)
def test_accepted_photos_get_an_unguessable_name_with_their_real_extension(
    db, data, name, extension, image_format
):
    photo = save_photo(data, name)

    assert re.fullmatch(rf"photos/[0-9a-f]{{32}}\.{extension}", photo.image.name)
    with default_storage.open(photo.image.name) as stored, Image.open(stored) as image:
        assert (image.format, image.size) == (image_format, (64, 48))
    assert (photo.width, photo.height) == (64, 48)


# What is stored ----------------------------------------------------------------------


def test_gps_and_other_metadata_are_removed_from_the_original_and_every_rendition(db):
    data = encoded(
        photo_like(1200, 800),
        "JPEG",
        exif=exif_with_position(),
        xmp=b'<x:xmpmeta xmlns:x="adobe:ns:meta/">exif:GPSLatitude 52,13.2N</x:xmpmeta>',
        comment=b"Taken at home",
    )
    with Image.open(io.BytesIO(data)) as original:
        assert original.getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the upload has a position
        assert {"exif", "xmp", "comment"} <= original.info.keys()

    photo = save_photo(data)

    names = [photo.image.name] + [f"renditions/{name}" for name in renditions_on_disk(photo)]
    assert len(names) == 7
    for name in names:
        with default_storage.open(name) as stored:
            content = stored.read()
        with Image.open(io.BytesIO(content)) as image:
            assert len(image.getexif()) == 0, name
            assert not {"exif", "xmp", "comment"} & image.info.keys(), name
        for trace in (b"Exif", b"GPS", b"xmpmeta", b"Taken at home", b"Twinning Phone"):
            assert trace not in content, (name, trace)


def test_png_text_and_exif_are_removed_and_transparency_kept(db):
    text = PngImagePlugin.PngInfo()
    text.add_text("Comment", "Taken at home")
    text.add_itxt("XML:com.adobe.xmp", "<x:xmpmeta>exif:GPSLatitude 52,13.2N</x:xmpmeta>")
    data = encoded(
        Image.new("RGBA", (40, 30), (0, 128, 0, 128)),
        "PNG",
        pnginfo=text,
        exif=exif_with_position(),
    )

    photo = save_photo(data, "logo.png")

    with default_storage.open(photo.image.name) as stored:
        content = stored.read()
    with Image.open(io.BytesIO(content)) as image:
        assert (image.format, image.mode) == ("PNG", "RGBA")
        assert len(image.getexif()) == 0
        assert not {"Comment", "XML:com.adobe.xmp", "exif"} & image.info.keys()
    assert b"Taken at home" not in content and b"GPS" not in content
    # WebP keeps the transparency; a JPEG has none, so it gets a white background.
    stem_ = stem(photo)
    with Image.open(default_storage.path(f"renditions/{stem_}-40.webp")) as webp:
        assert webp.mode == "RGBA"
    with Image.open(default_storage.path(f"renditions/{stem_}-40.jpg")) as jpeg:
        assert jpeg.mode == "RGB"
        red, green, blue = jpeg.getpixel((20, 15))
        assert (red, blue) > (100, 100) and green > 150


def test_a_16_bit_greyscale_png_keeps_its_greys(db):
    photo = save_photo(encoded(Image.new("I;16", (40, 30), 30_000), "PNG"), "scan.png")

    with default_storage.open(photo.image.name) as stored, Image.open(stored) as image:
        assert (image.mode, image.getpixel((20, 15))) == ("L", 117)


def test_a_photo_taken_sideways_is_stored_upright(db):
    """Orientation 6: the camera was turned; viewers rotate the pixels 90° clockwise."""
    sideways = Image.new("RGB", (64, 48), "blue")
    sideways.paste("red", (0, 0, 32, 48))  # the left half, which is the top when upright
    data = encoded(sideways, "JPEG", exif=exif_with_position(orientation=6))

    photo = save_photo(data)

    assert (photo.width, photo.height) == (48, 64)
    with default_storage.open(photo.image.name) as stored, Image.open(stored) as image:
        assert image.size == (48, 64)
        assert len(image.getexif()) == 0  # no orientation left to apply twice
        top_red, _, top_blue = image.getpixel((24, 8))
        bottom_red, _, bottom_blue = image.getpixel((24, 56))
    assert top_red > 200 and top_blue < 60
    assert bottom_blue > 200 and bottom_red < 60


def test_replacing_the_image_stores_a_new_file_under_a_new_name(db):
    photo = PhotoFactory()
    first_name = photo.image.name

    photo.image = upload(encoded(photo_like(80, 60), "PNG"), "new.png")
    photo.save()

    assert re.fullmatch(r"photos/[0-9a-f]{32}\.png", photo.image.name)
    assert photo.image.name != first_name
    assert (photo.width, photo.height) == (80, 60)


def test_editing_the_caption_does_not_touch_the_stored_file(db):
    photo = PhotoFactory()
    name = photo.image.name
    modified = Path(default_storage.path(name)).stat().st_mtime_ns

    photo = Photo.objects.get(pk=photo.pk)
    photo.caption_nl = "Een nieuw bijschrift"
    photo.full_clean()
    photo.save()

    assert photo.image.name == name
    assert Path(default_storage.path(name)).stat().st_mtime_ns == modified


# Renditions --------------------------------------------------------------------------


def test_renditions_at_each_width_as_webp_and_jpeg(db):
    photo = save_photo(encoded(photo_like(2000, 1500), "JPEG"))

    hex_ = stem(photo)
    assert renditions_on_disk(photo) == {
        f"{hex_}-480.webp": ("WEBP", (480, 360)),
        f"{hex_}-960.webp": ("WEBP", (960, 720)),
        f"{hex_}-1600.webp": ("WEBP", (1600, 1200)),
        f"{hex_}-480.jpg": ("JPEG", (480, 360)),
        f"{hex_}-960.jpg": ("JPEG", (960, 720)),
        f"{hex_}-1600.jpg": ("JPEG", (1600, 1200)),
    }


def test_renditions_are_never_wider_than_the_original(db):
    photo = save_photo(encoded(photo_like(700, 500), "PNG"), "scan.png")

    hex_ = stem(photo)
    assert renditions_on_disk(photo) == {
        f"{hex_}-480.webp": ("WEBP", (480, 343)),
        f"{hex_}-700.webp": ("WEBP", (700, 500)),
        f"{hex_}-480.jpg": ("JPEG", (480, 343)),
        f"{hex_}-700.jpg": ("JPEG", (700, 500)),
    }


def test_renditions_are_made_on_save_and_not_again_on_each_render(client, db):
    photo = PhotoFactory(image__width=1000, image__height=750)
    paths = [Path(default_storage.path(f"renditions/{name}")) for name in renditions_on_disk(photo)]
    assert len(paths) == 6
    before = {path: (path.stat().st_ino, path.stat().st_mtime_ns) for path in paths}

    with mock.patch.object(images, "make_renditions", wraps=images.make_renditions) as make:
        for language in ("nl", "en", "zh-hans"):
            assertContains(client.get(url(photo.mission, language)), "<picture>")

    assert make.call_count == 0
    assert {path: (path.stat().st_ino, path.stat().st_mtime_ns) for path in paths} == before


def test_missing_renditions_are_made_on_the_first_render_only(db):
    """After a restore without ``renditions/``, or when the widths change."""
    photo = PhotoFactory(image__width=1000, image__height=750)
    paths = [Path(default_storage.path(f"renditions/{name}")) for name in renditions_on_disk(photo)]
    for path in paths:
        path.unlink()

    with mock.patch.object(images, "make_renditions", wraps=images.make_renditions) as make:
        for _ in range(3):
            render_to_string("includes/picture.html", {"photo": Photo.objects.get(pk=photo.pk)})

    assert make.call_count == 1
    assert all(path.exists() for path in paths)


def test_processes_making_the_same_renditions_at_once_leave_whole_files_only(db):
    photo = PhotoFactory(image__width=1000, image__height=750)
    with default_storage.open(photo.image.name) as stored, Image.open(stored) as image:
        image.load()

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(
            pool.map(
                lambda _: images.make_renditions(image.copy(), photo.image.name, default_storage),
                range(8),
            )
        )

    directory = Path(default_storage.path("renditions"))
    assert not list(directory.glob(".*.part"))
    assert len(renditions_on_disk(photo)) == 6
    for path in directory.glob(f"{stem(photo)}-*"):
        with Image.open(path) as rendition:
            rendition.load()


def test_a_rendition_is_replaced_whole_never_rewritten_in_place(db):
    """A reader that opened the old file reads all of it while another process replaces it."""
    store_atomically(default_storage, "renditions/atomic-test.jpg", b"old rendition")
    path = Path(default_storage.path("renditions/atomic-test.jpg"))

    with path.open("rb") as reader:
        store_atomically(default_storage, "renditions/atomic-test.jpg", b"new rendition")
        assert reader.read() == b"old rendition"
    assert path.read_bytes() == b"new rendition"
    assert oct(path.stat().st_mode & 0o777) == oct(0o644)


def test_a_photo_whose_file_was_lost_is_left_out_of_the_page(client, db, caplog):
    mission = MissionFactory()
    lost = PhotoFactory(mission=mission, alt_text_en="Lost photo")
    kept = PhotoFactory(mission=mission, alt_text_en="Kept photo")
    Path(default_storage.path(lost.image.name)).unlink()
    for name in renditions_on_disk(lost):
        Path(default_storage.path(f"renditions/{name}")).unlink()

    response = client.get(url(mission, "en"))

    assertNotContains(response, 'alt="Lost photo"')
    assertContains(response, 'alt="Kept photo"')
    assert f"Cannot make renditions of {lost.image.name}" in caplog.text
    assert kept.image.name not in caplog.text


# The page ----------------------------------------------------------------------------


def picture_html(photo: Photo, *, alt: str, caption: str, credit: str, lang: str = "") -> str:
    """The markup ``includes/picture.html`` gives a lazy 2000 × 1500 photo in the gallery."""
    base = f"/media/renditions/{stem(photo)}"
    lang_attr = f' lang="{lang}"' if lang else ""
    return f"""
    <figure class="photo">
      <picture>
        <source type="image/webp"
          srcset="{base}-480.webp 480w, {base}-960.webp 960w, {base}-1600.webp 1600w"
          sizes="{GALLERY_SIZES}">
        <img src="{base}-960.jpg"
          srcset="{base}-480.jpg 480w, {base}-960.jpg 960w, {base}-1600.jpg 1600w"
          sizes="{GALLERY_SIZES}" width="1600" height="1200" alt="{alt}"{lang_attr}
          loading="lazy" decoding="async">
      </picture>
      <figcaption>
        <span{lang_attr}>{caption}</span>
        <span class="photo__credit">{credit}</span>
      </figcaption>
    </figure>"""


@pytest.mark.parametrize(
    ("language", "alt", "caption", "credit"),
    [
        ("nl", "De haven van Dalian", "Containerschepen in Dalian", "Foto: Gemeente Enschede"),
        ("en", "The port of Dalian", "Container ships in Dalian", "Photo: Gemeente Enschede"),
        ("zh-hans", "大连港", "大连的集装箱船", "图片来源：Gemeente Enschede"),
    ],
)
def test_mission_page_shows_a_responsive_picture_with_caption_and_credit(
    client, db, language, alt, caption, credit
):
    photo = PhotoFactory(
        image__width=2000,
        image__height=1500,
        credit="Gemeente Enschede",
        alt_text_nl="De haven van Dalian",
        alt_text_en="The port of Dalian",
        alt_text_zh_hans="大连港",
        caption_nl="Containerschepen in Dalian",
        caption_en="Container ships in Dalian",
        caption_zh_hans="大连的集装箱船",
    )

    response = client.get(url(photo.mission, language))

    assertInHTML(picture_html(photo, alt=alt, caption=caption, credit=credit), response.text)


def test_alt_text_and_caption_shown_from_dutch_say_they_are_dutch(client, db):
    photo = PhotoFactory(
        image__width=2000,
        image__height=1500,
        alt_text_nl="De haven van Dalian",
        alt_text_en="",
        alt_text_zh_hans="",
        caption_nl="Containerschepen in Dalian",
        caption_en="",
        caption_zh_hans="",
    )

    response = client.get(url(photo.mission, "zh-hans"))

    assertInHTML(
        picture_html(
            photo,
            alt="De haven van Dalian",
            caption="Containerschepen in Dalian",
            credit="图片来源：Gemeente Enschede",
            lang="nl",
        ),
        response.text,
    )


def test_region_page_shows_its_photos_as_responsive_pictures(client, db):
    region = RegionFactory()
    photo = PhotoFactory(
        mission=None,
        region=region,
        image__width=2000,
        image__height=1500,
        alt_text_en="West Lake",
        caption_en="West Lake in Hangzhou",
    )

    response = client.get(url(region, "en"))

    assertInHTML(
        picture_html(
            photo,
            alt="West Lake",
            caption="West Lake in Hangzhou",
            credit="Photo: Gemeente Enschede",
        ),
        response.text,
    )


def test_a_gallery_above_the_fold_loads_its_first_photo_at_once(db):
    mission = MissionFactory()
    photos = PhotoFactory.create_batch(3, mission=mission)

    above = render_to_string(
        "includes/photo_gallery.html", {"photos": photos, "above_the_fold": True}
    )
    below = render_to_string("includes/photo_gallery.html", {"photos": photos})

    loading = re.compile(r'loading="(\w+)"')
    assert loading.findall(above) == ["eager", "lazy", "lazy"]
    assert above.count('fetchpriority="high"') == 1
    assert above.count('decoding="async"') == 2
    assert loading.findall(below) == ["lazy", "lazy", "lazy"]
    assert "fetchpriority" not in below


@pytest.mark.parametrize("photos", [1, 10])
def test_mission_page_queries_do_not_grow_with_photos(
    client, db, django_assert_num_queries, settings, photos
):
    mission = MissionFactory(programme_items=3)
    PhotoFactory.create_batch(photos, mission=mission)

    # 6 for the page and 1 for its registration panel, 2 for the navigation (site pages,
    # publishers), 7 for the read model (tests/public/test_public_pages.py); then 1.
    with django_assert_num_queries(16):
        response = client.get(url(mission, "en"))
    settings.PAGE_CACHE_SECONDS = 0  # the page cache would answer first
    with django_assert_num_queries(1):
        stored = client.get(url(mission, "en"))

    assert response.text.count("<picture>") == photos
    assert stored.content == response.content


def test_the_factory_makes_a_real_jpeg(db):
    photo = PhotoFactory()

    with default_storage.open(photo.image.name) as stored, Image.open(stored) as image:
        assert (image.format, image.size) == ("JPEG", (64, 48))


# The admin ---------------------------------------------------------------------------


def photo_form(mission, image, **overrides) -> dict:
    return {
        "image": image,
        "alt_text_nl": "De haven van Dalian",
        "alt_text_en": "The port of Dalian",
        "alt_text_zh_hans": "大连港",
        "caption_nl": "Containerschepen in Dalian",
        "caption_en": "",
        "caption_zh_hans": "",
        "credit": "Gemeente Enschede",
        "order": "3",
        "mission": str(mission.pk),
        "region": "",
        **overrides,
    }


def test_the_admin_refuses_an_svg_in_dutch_and_keeps_what_the_editor_typed(admin_client):
    mission = MissionFactory()

    response = admin_client.post(
        reverse("admin:programmes_photo_add"),
        photo_form(mission, upload(SVG, "kaart.svg", "image/svg+xml")),
        headers={"accept-language": "nl"},
    )

    assert response.status_code == 200
    assertContains(
        response,
        "Bestanden in het SVG-formaat worden niet geaccepteerd. Upload een JPEG-, PNG- of "
        "WebP-foto.",
    )
    for typed in (
        "De haven van Dalian",
        "The port of Dalian",
        "大连港",
        "Containerschepen in Dalian",
    ):
        assertContains(response, f'value="{typed}"')
    assertContains(response, 'name="credit" value="Gemeente Enschede"')
    assertContains(response, 'name="order" value="3"')
    assert not Photo.objects.exists()


def upload_through_the_admin(admin_client, mission) -> Photo:
    """A 1200 × 900 phone photo with a GPS position, uploaded as an editor does; the result."""
    data = encoded(photo_like(1200, 900), "JPEG", exif=exif_with_position())

    response = admin_client.post(
        reverse("admin:programmes_photo_add"), photo_form(mission, upload(data, "IMG_0001.JPG"))
    )

    assert response.status_code == 302
    return Photo.objects.get()


def test_the_admin_stores_an_accepted_photo_clean(admin_client):
    mission = MissionFactory()

    photo = upload_through_the_admin(admin_client, mission)

    assert (photo.mission, photo.alt_text_en, photo.width, photo.height) == (
        mission,
        "The port of Dalian",
        1200,
        900,
    )
    assert re.fullmatch(r"photos/[0-9a-f]{32}\.jpg", photo.image.name)
    with default_storage.open(photo.image.name) as stored, Image.open(stored) as image:
        assert len(image.getexif()) == 0
    assert len(renditions_on_disk(photo)) == 6


def test_the_admin_file_input_offers_only_accepted_types(admin_client):
    response = admin_client.get(reverse("admin:programmes_photo_add"))

    assertContains(response, 'accept="image/jpeg,image/png,image/webp"')
