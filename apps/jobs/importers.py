"""Parsing of a requester's upload into items, before anything is stored.

Everything here is pure: it reads the uploaded bytes, checks them and returns ParsedItem values, or
raises ImportRefused naming the file at fault. Storing happens in services.import_items only once the
whole upload has passed, which is what makes an import all-or-nothing.

Formats (decided here, documented on the import page):
- a zip of images (folders inside are fine; each entry's path is its file name);
- image files, optionally with one CSV listing them: columns `filename` and optional `gold`;
- text: one CSV with a `text` column, or one JSONL file of objects with a `text` field, each with an
  optional `gold` column / field;
- gold answers: a `gold` column (class name; empty = not gold) or a separate gold CSV with columns
  `item` (the image's file name, or the text's row number counted from 1) and `gold`;
- bounding-box jobs: the `gold` cell is a JSON array of boxes `{"class": <name>, "x", "y", "w", "h"}`
  in image pixels (`[]`: a gold image with nothing to box), or the gold file is a COCO JSON file
  (`images[].file_name`, `annotations[].bbox` = [x, y, w, h], `categories[].name`) in which every
  listed image is gold. Boxes are checked against the image and the job's classes when stored.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import warnings
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import PurePosixPath
from typing import Protocol

from django.conf import settings
from PIL import Image, UnidentifiedImageError

from apps.lib.errors import AppError

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".bmp", ".webp", ".tif", ".tiff"}
TEXT_MEDIA_TYPE = "text/plain; charset=utf-8"
# Metadata a macOS archiver adds to every zip; it is not part of the requester's data.
ZIP_METADATA_PREFIX = "__MACOSX/"


class ImportRefused(AppError, ValueError):
    """The upload cannot be imported; the message names the file (and row) at fault."""


class UploadFile(Protocol):
    """What Django's UploadedFile offers and the importer needs."""

    name: str
    size: int

    def read(self) -> bytes: ...


@dataclass(frozen=True)
class ParsedItem:
    data: bytes
    media_type: str
    source_name: str
    gold: str | None  # class name
    where: str  # how refusals name it: the upload's file name, and the entry or row inside it


def max_file_bytes() -> int:
    return settings.STORAGE_MAX_UPLOAD_BYTES


def max_import_bytes() -> int:
    return settings.JOBS_MAX_IMPORT_BYTES


def _suffix(name: str) -> str:
    return PurePosixPath(name).suffix.lower()


def _check_size(name: str, size: int) -> None:
    if size > max_file_bytes():
        raise ImportRefused(f"{name}: {size:,} bytes is over the limit of {max_file_bytes():,} bytes per file")
    if size == 0:
        raise ImportRefused(f"{name}: the file is empty")


def _read(file: UploadFile) -> bytes:
    """The file's bytes, refused before reading when it is empty or over the per-file limit."""
    _check_size(file.name, file.size)
    return file.read()


def _decode_text(name: str, data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")  # tolerate the byte-order mark spreadsheet programs write
    except UnicodeDecodeError as error:
        raise ImportRefused(
            f"{name}: not UTF-8 text (invalid byte at position {error.start}); save it as UTF-8"
        ) from error


def image_media_type(name: str, data: bytes) -> str:
    """The image's media type once Pillow has decoded all of it; refuses anything else, truncated
    images, and decompression bombs (pixel count over Image.MAX_IMAGE_PIXELS)."""
    try:
        with warnings.catch_warnings():
            # Pillow only warns between MAX_IMAGE_PIXELS and twice that; a bomb is a bomb.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                image.verify()  # structure and checksums
            with Image.open(io.BytesIO(data)) as image:
                image.load()  # verify() does not decode: a truncated image passes it
                return Image.MIME.get(image.format, f"image/{image.format.lower()}")
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise ImportRefused(f"{name}: refused as a decompression bomb ({error})") from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise ImportRefused(f"{name}: not a readable image ({error})") from error


def _csv_rows(name: str, data: bytes, *, required: str) -> list[tuple[int, dict[str, str]]]:
    """(row number from 1, row) for each data row; the header must name `required`."""
    reader = csv.DictReader(io.StringIO(_decode_text(name, data), newline=""))
    try:  # csv refuses a field (the header's included) over csv.field_size_limit(): 128 KB
        fields = [field.strip().lower() for field in reader.fieldnames or []]
    except csv.Error as error:
        raise ImportRefused(f"{name}, header line: not a valid CSV header ({error})") from error
    if required not in fields:
        shown = ", ".join(fields)
        shown = shown if len(shown) <= 200 else shown[:200] + "…"
        raise ImportRefused(f"{name}: no `{required}` column in the header (found: {shown or 'nothing'})")
    reader.fieldnames = fields
    rows = []
    try:
        for n, row in enumerate(reader, start=1):
            rows.append((n, {k: (v or "").strip() for k, v in row.items() if k}))
    except csv.Error as error:
        raise ImportRefused(f"{name}, row {len(rows) + 1}: not valid CSV ({error})") from error
    return rows


def _jsonl_rows(name: str, data: bytes) -> list[tuple[int, dict[str, str]]]:
    rows = []
    lines = [line for line in _decode_text(name, data).splitlines() if line.strip()]
    for n, line in enumerate(lines, start=1):
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise ImportRefused(f"{name}, record {n}: not valid JSON ({error.msg})") from error
        if not isinstance(record, dict) or not isinstance(record.get("text"), str):
            raise ImportRefused(f"{name}, record {n}: expected an object with a string `text` field")
        gold = record.get("gold")
        rows.append((n, {"text": record["text"], "gold": "" if gold is None else str(gold).strip()}))
    return rows


def _text_items(name: str, rows: Iterable[tuple[int, dict[str, str]]]) -> list[ParsedItem]:
    items = []
    for n, row in rows:
        if not row["text"].strip():
            raise ImportRefused(f"{name}, row {n}: the text is empty")
        items.append(
            ParsedItem(
                data=row["text"].encode(),
                media_type=TEXT_MEDIA_TYPE,
                source_name=f"row {n}",
                gold=row.get("gold") or None,
                where=f"{name}, row {n}",
            )
        )
    return items


def _safe_entry_name(name: str) -> str:
    """The entry's path inside the archive; refuses paths that would land outside it when extracted."""
    path = PurePosixPath(name.replace("\\", "/"))
    if path.is_absolute() or ".." in path.parts or (path.parts and path.parts[0].endswith(":")):
        raise ImportRefused(f"{name}: zip entry escapes the archive's folder")
    return str(path)


def _zip_images(file: UploadFile) -> list[ParsedItem]:
    data = _read(file)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as error:
        raise ImportRefused(f"{file.name}: not a valid zip archive ({error})") from error
    with archive:
        entries = [e for e in archive.infolist() if not e.is_dir() and not e.filename.startswith(ZIP_METADATA_PREFIX)]
        # Sizes are checked from the directory before anything is inflated: a zip bomb never expands.
        total = 0
        for entry in entries:
            _check_size(f"{file.name}/{_safe_entry_name(entry.filename)}", entry.file_size)
            total += entry.file_size
        if total > max_import_bytes():
            raise ImportRefused(
                f"{file.name}: unpacks to {total:,} bytes, over the import limit of {max_import_bytes():,}"
            )
        items = []
        for entry in entries:
            source = _safe_entry_name(entry.filename)
            try:
                content = archive.read(entry)
            except (zipfile.BadZipFile, OSError) as error:
                raise ImportRefused(f"{file.name}/{source}: cannot be unpacked ({error})") from error
            where = f"{file.name}/{source}"
            media_type = image_media_type(where, content)
            items.append(ParsedItem(data=content, media_type=media_type, source_name=source, gold=None, where=where))
    if not items:
        raise ImportRefused(f"{file.name}: the archive holds no files")
    return items


def _image_files(images: Sequence[UploadFile], listing: UploadFile | None) -> list[ParsedItem]:
    by_name: dict[str, ParsedItem] = {}
    for file in images:
        data = _read(file)
        if file.name in by_name:
            if by_name[file.name].data != data:
                raise ImportRefused(f"{file.name}: two different images are uploaded under this name")
            continue  # the same image twice is one item
        by_name[file.name] = ParsedItem(
            data=data, media_type=image_media_type(file.name, data), source_name=file.name, gold=None, where=file.name
        )
    if listing is None:
        return list(by_name.values())
    items, listed = [], set()
    for n, row in _csv_rows(listing.name, _read(listing), required="filename"):
        filename = row["filename"]
        if filename not in by_name:
            raise ImportRefused(f"{listing.name}, row {n}: {filename!r} is not among the uploaded images")
        if filename in listed:
            raise ImportRefused(f"{listing.name}, row {n}: {filename!r} is listed twice")
        listed.add(filename)
        items.append(replace(by_name[filename], gold=row.get("gold") or None))
    unlisted = sorted(set(by_name) - listed)
    if unlisted:
        raise ImportRefused(f"{unlisted[0]}: uploaded but not listed in {listing.name}")
    return items


def image_size(data: bytes) -> tuple[int, int]:
    """(width, height) in pixels of an image image_media_type accepted."""
    with Image.open(io.BytesIO(data)) as image:
        return image.size


def _coco_gold(items: list[ParsedItem], gold_file: UploadFile) -> list[ParsedItem]:
    """Items with the boxes of a COCO file as their gold: each listed image's annotations, as the
    JSON box list of a `gold` cell (class by name)."""
    name = gold_file.name
    try:
        coco = json.loads(_decode_text(name, _read(gold_file)))
        categories = {c["id"]: str(c["name"]) for c in coco["categories"]}
        images = {i["id"]: str(i["file_name"]) for i in coco["images"]}
        boxes: dict[int, list[dict]] = {image_id: [] for image_id in images}
        for n, annotation in enumerate(coco.get("annotations", []), start=1):
            where = f"{name}, annotation {n}"
            if annotation["image_id"] not in images:
                raise ImportRefused(f"{where}: image_id {annotation['image_id']} is not in `images`")
            if annotation["category_id"] not in categories:
                raise ImportRefused(f"{where}: category_id {annotation['category_id']} is not in `categories`")
            x, y, w, h = (float(v) for v in annotation["bbox"])
            boxes[annotation["image_id"]].append(
                {"class": categories[annotation["category_id"]], "x": x, "y": y, "w": w, "h": h}
            )
    except ImportRefused:
        raise
    except json.JSONDecodeError as error:
        raise ImportRefused(f"{name}: not valid JSON ({error.msg})") from error
    except (KeyError, TypeError, ValueError) as error:
        raise ImportRefused(f"{name}: not a COCO file with images, annotations and categories ({error!r})") from error
    keys = {item.source_name: i for i, item in enumerate(items)}
    answers: dict[int, str] = {}
    for image_id, file_name in images.items():
        if file_name not in keys:
            raise ImportRefused(f"{name}: image {file_name!r} is not among the imported images")
        answers[keys[file_name]] = json.dumps(boxes[image_id])
    return [replace(item, gold=answers.get(i, item.gold)) for i, item in enumerate(items)]


def _apply_gold_file(items: list[ParsedItem], gold_file: UploadFile) -> list[ParsedItem]:
    """Items with the gold answers of a separate CSV (`item`, `gold`) or COCO JSON file merged in."""
    if _suffix(gold_file.name) == ".json":
        return _coco_gold(items, gold_file)
    keys = {item.source_name: i for i, item in enumerate(items)}
    answers: dict[int, str] = {}
    for n, row in _csv_rows(gold_file.name, _read(gold_file), required="item"):
        key = row["item"]
        index = keys.get(key if key in keys else f"row {key}")
        if index is None:
            raise ImportRefused(f"{gold_file.name}, row {n}: no imported item {key!r}")
        if not row.get("gold"):
            raise ImportRefused(f"{gold_file.name}, row {n}: the `gold` cell is empty")
        if answers.get(index, row["gold"]) != row["gold"]:
            raise ImportRefused(
                f"{gold_file.name}, row {n}: item {key!r} was given gold {answers[index]!r} already, now {row['gold']!r}"
            )
        answers[index] = row["gold"]
    return [replace(item, gold=answers.get(i, item.gold)) for i, item in enumerate(items)]


def parse_upload(*, files: Sequence[UploadFile], gold_file: UploadFile | None, images: bool) -> list[ParsedItem]:
    """The items of an upload for an image (`images`) or text job, checked; raises ImportRefused."""
    if not files:
        raise ImportRefused("no files were uploaded")
    total = sum(f.size for f in files) + (gold_file.size if gold_file else 0)
    if total > max_import_bytes():
        raise ImportRefused(f"the upload holds {total:,} bytes, over the import limit of {max_import_bytes():,}")
    by_kind: dict[str, list[UploadFile]] = {"zip": [], "csv": [], "jsonl": [], "image": []}
    for file in files:
        suffix = _suffix(file.name)
        kind = "image" if suffix in IMAGE_SUFFIXES else suffix.lstrip(".")
        if kind not in by_kind:
            raise ImportRefused(f"{file.name}: unsupported file type (expected a zip, images, CSV or JSONL)")
        by_kind[kind].append(file)
    zips, csvs, jsonls, image_files = by_kind["zip"], by_kind["csv"], by_kind["jsonl"], by_kind["image"]
    if images:
        if jsonls or len(csvs) > 1 or (zips and (image_files or csvs)) or len(zips) > 1:
            raise ImportRefused(
                "an image job takes one zip of images, or image files with at most one CSV listing them"
            )
        items = _zip_images(zips[0]) if zips else _image_files(image_files, csvs[0] if csvs else None)
    else:
        if zips or image_files or len(csvs) + len(jsonls) != 1:
            raise ImportRefused("a text job takes one CSV file with a `text` column or one JSONL file")
        if csvs:
            items = _text_items(csvs[0].name, _csv_rows(csvs[0].name, _read(csvs[0]), required="text"))
        else:
            items = _text_items(jsonls[0].name, _jsonl_rows(jsonls[0].name, _read(jsonls[0])))
    if not items:
        raise ImportRefused(f"{files[0].name}: holds no items")
    _refuse_duplicates(items)
    return _apply_gold_file(items, gold_file) if gold_file else items


def _refuse_duplicates(items: Iterable[ParsedItem]) -> None:
    # Same bytes, same CID: two items would be one blob, and a labeler would label it twice.
    seen: dict[bytes, str] = {}
    for item in items:
        first = seen.setdefault(hashlib.sha256(item.data).digest(), item.where)
        if first != item.where:
            raise ImportRefused(f"{item.where}: same content as {first} (duplicate)")
