"""Photos: which uploads are accepted, what is stored, and the renditions pages show.

An upload is judged by what Pillow decodes, never by its name or content type:
only JPEG, PNG and WebP, at most 20 MB and 40 megapixels, and it must decode
completely. Decompression bombs (a small file that claims billions of pixels) are
refused before any pixel is decoded.

What is stored is not the upload but a re-encoding of it: upright (the EXIF
orientation applied), without EXIF, GPS positions, XMP or comments, under a new
random name (``photos/<uuid4 hex>.<ext>``) whose extension is that of the real
format.

Pages show *renditions*: a few widths, never wider than the original, each as
WebP and as JPEG, named after the original (``renditions/<hex>-<width>.<ext>``).
They are made when the photo is saved, from the image already in memory, and
made again on the first render only if missing (a restored backup, new widths);
a render otherwise costs one existence check and no decoding.

All of this lives in :class:`PhotoField` (with its form field and file class), so
the admin, imports, the API and a plain ``Photo.objects.create()`` get the same
checks and the same clean file.
"""

import io
import logging
import os
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import PurePosixPath

from django import forms
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.core.files.storage import Storage
from django.db import models
from django.db.models.fields.files import FieldFile, ImageFieldFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

logger = logging.getLogger(__name__)

MAX_BYTES = 20 * 1024 * 1024
MAX_PIXELS = 40_000_000
RENDITION_WIDTHS = (480, 960, 1600)
# The ``src`` of the ``<img>``, for the rare browser that ignores ``srcset``.
FALLBACK_WIDTH = 960
RENDITIONS_DIR = "renditions"
# The cache key (+ the marker's name) that says a remote storage holds a photo's renditions.
RENDITIONS_STORED_KEY = "renditions-stored:"
RENDITIONS_STORED_SECONDS = 24 * 3600

# The only decoders Pillow may run on an upload.
DECODERS = ("JPEG", "PNG", "WEBP")
# Pillow's name for each accepted format → the format the clean file is written in.
# MPO is a JPEG from a camera that embeds a second frame (a preview or a depth map);
# Pillow's JPEG decoder opens it.
ACCEPTED_FORMATS = {"JPEG": "JPEG", "MPO": "JPEG", "PNG": "PNG", "WEBP": "WEBP"}
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
ENCODER_OPTIONS = {
    "JPEG": {"quality": 90, "optimize": True},
    # zlib's fastest level: a 40-megapixel PNG takes seconds even so, and a few percent
    # more bytes on disk matter less than an editor waiting for the upload.
    "PNG": {"compress_level": 1},
    "WEBP": {"quality": 90, "method": 4},
}
RENDITION_FORMATS = (
    ("WEBP", "webp", {"quality": 80, "method": 4}),
    ("JPEG", "jpg", {"quality": 82, "optimize": True, "progressive": True}),
)

# Formats editors are likely to try, recognised by their first bytes, so the
# error can name them (an iPhone saves HEIC by default).
KNOWN_SIGNATURES = (
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
    (b"%PDF", "PDF"),
)
ISO_MEDIA_BRANDS = {b"heic": "HEIC", b"heix": "HEIC", b"mif1": "HEIC", b"avif": "AVIF"}

MESSAGES = {
    "too_large": _("The file is larger than 20 MB. Make the photo smaller and upload it again."),
    "too_many_pixels": _(
        "The photo is %(width)s × %(height)s pixels, more than 40 megapixels. "
        "Make it smaller and upload it again."
    ),
    "decompression_bomb": _(
        "The image claims to be far larger than 40 megapixels and was refused: "
        "it could overload the server."
    ),
    "other_format": _(
        "Files in the %(format)s format are not accepted. Upload a JPEG, PNG or WebP photo."
    ),
    "not_an_image": _("This file is not a JPEG, PNG or WebP image."),
    "damaged": _("The image file is damaged or incomplete. Export it again and upload it."),
}

# Set on an uploaded file once it passed the checks, so the form field, the model
# field's validator and the save do not each decode it again.
CHECKED_FORMAT_ATTRIBUTE = "checked_photo_format"


def refusal(code: str, **params) -> ValidationError:
    return ValidationError(MESSAGES[code], code=code, params=params or None)


# Checking an upload ---------------------------------------------------------------------


@contextmanager
def strict_pillow() -> Iterator[None]:
    """Pillow's decompression bomb *warning* raised as an error.

    Pillow refuses images over 2 × ``Image.MAX_IMAGE_PIXELS`` (179 megapixels) and
    only warns above ``MAX_IMAGE_PIXELS``; a warning must refuse an upload too.
    (``catch_warnings`` is process-wide: at worst, another thread also gets the
    warning as an error for a moment, which is what we would want there as well.)
    """
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        yield


def open_image(file: File) -> Image.Image:
    """Open ``file`` with only the accepted formats' decoders; refuse anything else.

    Restricting the decoders keeps Pillow's rarely used parsers away from
    untrusted files. Call within :func:`strict_pillow`.
    """
    file.seek(0)
    try:
        return Image.open(file, formats=DECODERS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise refusal("decompression_bomb") from None
    except UnidentifiedImageError:
        file.seek(0)
        known = recognise(file.read(1024))
        if known:
            raise refusal("other_format", format=known) from None
        raise refusal("not_an_image") from None
    except Exception:
        raise refusal("damaged") from None


def recognise(head: bytes) -> str | None:
    """The name of a refused format from a file's first bytes, if it is a common one."""
    for signature, name in KNOWN_SIGNATURES:
        if head.startswith(signature):
            return name
    if head[4:8] == b"ftyp" and head[8:12] in ISO_MEDIA_BRANDS:
        return ISO_MEDIA_BRANDS[head[8:12]]
    if b"<svg" in head.lower():
        return "SVG"
    return None


def check_upload(file: File) -> str:
    """The format ``file`` will be stored in ("JPEG", "PNG", "WEBP"), or a ValidationError.

    The file must be small enough, name few enough pixels in its header, pass
    Pillow's ``verify()`` and then decode completely (``verify()`` alone misses a
    truncated JPEG).
    """
    checked = getattr(file, CHECKED_FORMAT_ATTRIBUTE, None)
    if checked:
        return checked
    if file.size > MAX_BYTES:
        raise refusal("too_large")
    with strict_pillow():
        image = open_image(file)
        width, height = image.size
        if width * height > MAX_PIXELS:
            raise refusal("too_many_pixels", width=width, height=height)
        stored_format = ACCEPTED_FORMATS[image.format]
        try:
            image.verify()
            open_image(file).load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise refusal("decompression_bomb") from None
        except ValidationError:
            raise
        except Exception:
            raise refusal("damaged") from None
    setattr(file, CHECKED_FORMAT_ATTRIBUTE, stored_format)
    return stored_format


# What Pillow shows of the metadata containers of JPEG (APP1 EXIF and XMP, APP13 with IPTC,
# COM), PNG (eXIf, XMP, text chunks) and WebP (EXIF, XMP chunks). A stored original has none
# of them (``upright()``); only the colour profile is kept.
METADATA_KEYS = {"exif", "xmp", "XML:com.adobe.xmp", "photoshop", "comment", "iptc"}


def metadata_in(file: File) -> list[str]:
    """The kinds of metadata (EXIF, XMP, comments, text chunks) ``file`` carries.

    A file that :func:`clean_upload` made carries none. Files that arrive already stored
    (an exchange bundle's originals) are checked with this rather than re-encoded, so that
    the same photo keeps the same bytes and checksum on every install.
    """
    with strict_pillow():
        image = open_image(file)
        found = sorted(key for key in image.info if key in METADATA_KEYS)
        if image.getexif() and "exif" not in found:
            found.append("exif")
        text = getattr(image, "text", None)  # PNG text chunks (also compressed ones)
        if text:
            found.extend(f"text chunk “{key}”" for key in text if key != "XML:com.adobe.xmp")
    return found


def validate_photo(value: FieldFile) -> None:
    """Model field validator: a new upload must pass :func:`check_upload`.

    A file already stored was checked and cleaned when it was saved; it is not
    opened again each time the photo's caption is edited.
    """
    if value and not value._committed:  # Django's own flag for "not in storage yet"
        check_upload(value.file)


# The stored original --------------------------------------------------------------------


def upright(image: Image.Image) -> Image.Image:
    """A new image: EXIF orientation applied, RGB(A) or greyscale, without any metadata.

    The ICC colour profile is kept for RGB images (it is colour, not personal data;
    without it wide-gamut phone photos look dull). It is dropped when the pixels
    are converted, because it would no longer describe them.
    """
    icc_profile = image.info.get("icc_profile") if image.mode in ("RGB", "RGBA") else None
    turned = ImageOps.exif_transpose(image)
    if turned.mode.startswith("I"):
        # 16-bit greyscale (a PNG): Pillow's conversions would clip it to white.
        turned = turned.convert("I").point(lambda value: value / 256).convert("L")
        turned.info.pop("transparency", None)
    has_alpha = turned.mode in ("RGBA", "LA", "PA") or "transparency" in turned.info
    if has_alpha and turned.mode != "RGBA":
        turned = turned.convert("RGBA")
    elif not has_alpha and turned.mode not in ("RGB", "L"):
        turned = turned.convert("RGB")
        icc_profile = None
    turned.info = {"icc_profile": icc_profile} if icc_profile else {}
    return turned


def encode(image: Image.Image, image_format: str, **options) -> bytes:
    """``image`` in ``image_format``, with its colour profile (if any) and nothing else."""
    if icc_profile := image.info.get("icc_profile"):
        options = {**options, "icc_profile": icc_profile}
    buffer = io.BytesIO()
    image.save(buffer, format=image_format, **options)
    return buffer.getvalue()


@dataclass(frozen=True)
class CleanPhoto:
    image: Image.Image
    data: bytes
    extension: str


def clean_upload(file: File) -> CleanPhoto:
    """The upload re-encoded in its own format: upright and without metadata."""
    stored_format = check_upload(file)
    with strict_pillow():
        image = upright(open_image(file))
    return CleanPhoto(
        image=image,
        data=encode(image, stored_format, **ENCODER_OPTIONS[stored_format]),
        extension=EXTENSIONS[stored_format],
    )


# Renditions -----------------------------------------------------------------------------


def rendition_widths(original_width: int) -> list[int]:
    """The widths made of a photo: never wider than the original, so never upscaled."""
    return sorted({min(width, original_width) for width in RENDITION_WIDTHS})


def scaled_size(size: tuple[int, int], width: int) -> tuple[int, int]:
    original_width, original_height = size
    return width, max(1, round(original_height * width / original_width))


def rendition_name(original_name: str, width: int, extension: str) -> str:
    """``renditions/<hex>-<width>.<ext>``: follows from the original, so a render can find it.

    A replaced image gets a new random name and so new renditions: a rendition's
    URL always shows the same pixels and may be cached forever.
    """
    return f"{RENDITIONS_DIR}/{PurePosixPath(original_name).stem}-{width}.{extension}"


def completion_marker(original_name: str, original_width: int) -> str:
    """The rendition written last: when it exists, all of them do."""
    return rendition_name(original_name, rendition_widths(original_width)[-1], "jpg")


def flattened(image: Image.Image) -> Image.Image:
    """For JPEG: transparency on a white background."""
    if image.mode != "RGBA":
        return image
    background = Image.new("RGB", image.size, "white")
    background.paste(image, mask=image.getchannel("A"))
    background.info = dict(image.info)
    return background


def make_renditions(image: Image.Image, original_name: str, storage: Storage) -> None:
    """Write every rendition of ``image`` (from :func:`upright`), the marker last."""
    widths = rendition_widths(image.width)
    # Widest first, each from the one before: scaling 40 megapixels down once is the
    # expensive part, and 1600 → 960 → 480 loses nothing visible.
    scaled = {}
    resized = image
    for width in reversed(widths):
        if width < resized.width:
            resized = resized.resize(
                scaled_size(image.size, width), Image.Resampling.LANCZOS, reducing_gap=2.0
            )
        scaled[width] = resized
    for image_format, extension, options in RENDITION_FORMATS:
        for width in widths:
            version = scaled[width]
            if image_format == "JPEG":
                version = flattened(version)
            data = encode(version, image_format, **options)
            store_atomically(storage, rendition_name(original_name, width, extension), data)


def local_path(storage: Storage, name: str) -> str | None:
    """``name``'s path on this machine's file system, ``None`` for a remote storage (S3)."""
    try:
        return storage.path(name)
    except NotImplementedError:
        return None


def store_atomically(storage: Storage, name: str, data: bytes) -> None:
    """Write ``name`` so no reader ever sees half a file, however many processes write it.

    On the file system: a temporary file in the same directory, then ``os.replace``.
    Remote storages (S3 and the like) have no path and store an object whole in one
    request. They never overwrite (``twinning/media_storage.py``): when another process
    stored ``name`` first, the storage puts these bytes under another name, and that
    copy is deleted again (the content is the same whoever writes it).
    """
    path = local_path(storage, name)
    if path is None:
        saved = storage.save(name, ContentFile(data))
        if saved != name:
            storage.delete(saved)
        return
    directory = os.path.dirname(path)
    os.makedirs(directory, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=directory, prefix=".", suffix=".part")
    try:
        with os.fdopen(descriptor, "wb") as out:
            out.write(data)
        if storage.file_permissions_mode is not None:
            os.chmod(temporary, storage.file_permissions_mode)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


@dataclass(frozen=True)
class Rendition:
    url: str
    width: int
    height: int


@dataclass(frozen=True)
class Renditions:
    """What ``templates/includes/picture.html`` needs: both ``srcset``s and the sizes."""

    webp: tuple[Rendition, ...]
    jpeg: tuple[Rendition, ...]

    @property
    def webp_srcset(self) -> str:
        return srcset(self.webp)

    @property
    def jpeg_srcset(self) -> str:
        return srcset(self.jpeg)

    @property
    def fallback(self) -> Rendition:
        """The JPEG for ``src``: the widest not wider than ``FALLBACK_WIDTH``."""
        return [r for r in self.jpeg if r.width <= FALLBACK_WIDTH][-1]

    @property
    def largest(self) -> Rendition:
        """Its size goes in ``width``/``height``: the browser reserves the right shape."""
        return self.jpeg[-1]


def srcset(renditions: tuple[Rendition, ...]) -> str:
    return ", ".join(f"{rendition.url} {rendition.width}w" for rendition in renditions)


def renditions_stored(storage: Storage, marker: str) -> bool:
    """Whether the rendition written last (``marker``) is in ``storage``.

    On the file system one ``stat``. A remote storage answers over the network (an S3
    ``HEAD``, for every photo of every page and API answer not cached whole), so there a
    "yes" is remembered in the shared cache: names never change, and renditions are
    never deleted. For a day only, so renditions lost from the bucket are made again.
    """
    if local_path(storage, marker) is not None:
        return storage.exists(marker)
    key = RENDITIONS_STORED_KEY + marker
    if cache.get(key):
        return True
    if storage.exists(marker):
        cache.set(key, True, RENDITIONS_STORED_SECONDS)
        return True
    return False


def renditions_for(image_file: ImageFieldFile, size: tuple[int, int]) -> Renditions | None:
    """The renditions of a stored photo of ``size``, made now if they are missing.

    ``None`` when the original cannot be read (lost from storage): the page then
    shows the other photos rather than failing.
    """
    storage = image_file.storage
    if not renditions_stored(storage, completion_marker(image_file.name, size[0])):
        try:
            with image_file.open("rb"), strict_pillow():
                image = upright(open_image(image_file))
        except (OSError, ValidationError):
            logger.warning("Cannot make renditions of %s", image_file.name, exc_info=True)
            return None
        make_renditions(image, image_file.name, storage)
    versions = {
        extension: tuple(
            Rendition(
                storage.url(rendition_name(image_file.name, width, extension)),
                *scaled_size(size, width),
            )
            for width in rendition_widths(size[0])
        )
        for _format, extension, _options in RENDITION_FORMATS
    }
    return Renditions(webp=versions["webp"], jpeg=versions["jpg"])


# The fields -----------------------------------------------------------------------------


class PhotoFormField(forms.FileField):
    """An upload refused with a message that names the problem (see ``MESSAGES``).

    Not ``forms.ImageField``: its own check would answer first, with one generic
    message for every kind of refusal, and it trusts the file name's extension.
    """

    def to_python(self, data):
        file = super().to_python(data)
        if file is not None:
            check_upload(file)
        return file

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        if isinstance(widget, forms.FileInput) and "accept" not in widget.attrs:
            attrs["accept"] = "image/jpeg,image/png,image/webp"
        return attrs


class PhotoFieldFile(ImageFieldFile):
    def save(self, name, content, save=True):
        """Store the clean re-encoding of ``content`` and make its renditions.

        ``name`` is only a suggestion in Django; here it is not used at all: the
        field's ``upload_to`` makes a random name, and the extension follows the
        real format. Every way of saving a file (a form, ``Photo.objects.create``,
        ``photo.image.save()``) passes through here.
        """
        photo = clean_upload(content)
        name = f"photo.{photo.extension}"
        super().save(name, ContentFile(photo.data, name=name), save=save)
        make_renditions(photo.image, self.name, self.storage)

    def _get_image_dimensions(self):
        """Like Django's, but an image Pillow calls a bomb has no size instead of an error.

        Django reads the size as soon as a file is assigned, before any validator
        runs; the validator then refuses the file with a message.
        """
        if not hasattr(self, "_dimensions_cache"):
            try:
                with strict_pillow():
                    return super()._get_image_dimensions()
            except (Image.DecompressionBombError, Image.DecompressionBombWarning):
                self._dimensions_cache = (None, None)
        return self._dimensions_cache


class PhotoField(models.ImageField):
    """An ``ImageField`` that accepts only safe photos and stores them clean."""

    attr_class = PhotoFieldFile
    default_validators = [validate_photo]

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": PhotoFormField, **kwargs})
