"""Bad input is refused with a message naming the file, and a refused import leaves nothing behind:
no item, no gold answer, no blob it stored (a blob another item uses stays)."""

import pytest
from PIL import Image

from apps.jobs.models import GoldAnswer
from apps.storage.selectors import read_blob
from tests.jobs.conftest import png, store_snapshot, upload, zip_of
from tests.jobs.test_import_text import import_files


def bomb() -> bytes:
    # More pixels than Pillow's MAX_IMAGE_PIXELS in a few kilobytes of PNG.
    side = int(Image.MAX_IMAGE_PIXELS**0.5) + 100
    return png(0, size=(side, side), mode="1")


IMAGE_CASES = {
    "corrupt image": ([upload("pets.zip", zip_of({"a.png": png(1), "b.png": png(2)[:40]}))], "pets.zip/b.png"),
    "not an image": ([upload("pets.zip", zip_of({"a.png": png(1), "notes.png": b"just text"}))], "pets.zip/notes.png"),
    "image bomb": ([upload("bomb.png", bomb())], "bomb.png: refused as a decompression bomb"),
    "zip entry with ..": ([upload("pets.zip", zip_of({"a.png": png(1), "../evil.png": png(2)}))], "../evil.png"),
    "absolute zip entry": ([upload("pets.zip", zip_of({"a.png": png(1), "/etc/evil.png": png(2)}))], "/etc/evil.png"),
    "empty file": ([upload("a.png", png(1)), upload("empty.png", b"")], "empty.png: the file is empty"),
    "empty zip entry": (
        [upload("pets.zip", zip_of({"a.png": png(1), "b.png": b""}))],
        "pets.zip/b.png: the file is empty",
    ),
    "duplicate image": (
        [upload("pets.zip", zip_of({"a.png": png(1), "copy.png": png(1)}))],
        "pets.zip/copy.png: same content as pets.zip/a.png",
    ),
    "image not listed": (
        [upload("a.png", png(1)), upload("b.png", png(2)), upload("list.csv", "filename\na.png\n")],
        "b.png",
    ),
    "unknown gold class": (
        [upload("a.png", png(1)), upload("list.csv", "filename,gold\na.png,unicorn\n")],
        "a.png: gold class 'unicorn'",
    ),
}

TEXT_CASES = {
    "wrong encoding": ([upload("texts.csv", "text\ncaf\u00e9\n".encode("latin-1"))], "texts.csv: not UTF-8"),
    "no text column": ([upload("texts.csv", "body\nhello\n")], "texts.csv: no `text` column"),
    "empty text": ([upload("texts.csv", 'text\nhello\n""\n')], "texts.csv, row 2: the text is empty"),
    "duplicate row": (
        [upload("texts.csv", "text\nhello\nhello\n")],
        "texts.csv, row 2: same content as texts.csv, row 1",
    ),
    "bad jsonl": ([upload("texts.jsonl", '{"text": "a"}\n{oops\n')], "texts.jsonl, record 2"),
    "unknown gold class": ([upload("texts.csv", "text,gold\nhello,unicorn\n")], "gold class 'unicorn'"),
}


def assert_refused(client, job, files, message, **kwargs) -> None:
    before = store_snapshot()
    response = import_files(client, job, *files, **kwargs)

    assert response.status_code == 400
    assert message in response.data["detail"]
    assert store_snapshot() == before
    assert not GoldAnswer.objects.exists()
    job.refresh_from_db()
    assert job.manifest_cid == ""


@pytest.mark.parametrize("case", IMAGE_CASES)
def test_bad_image_input_is_refused(requester, image_draft, case):
    files, message = IMAGE_CASES[case]
    assert_refused(requester, image_draft, files, message)


@pytest.mark.parametrize("case", TEXT_CASES)
def test_bad_text_input_is_refused(requester, text_draft, case):
    files, message = TEXT_CASES[case]
    assert_refused(requester, text_draft, files, message)


def test_gold_file_naming_an_unknown_item(requester, text_draft):
    gold = upload("gold.csv", "item,gold\n7,cat\n")
    assert_refused(
        requester, text_draft, [upload("t.csv", "text\na\n")], "gold.csv, row 1: no imported item '7'", gold_file=gold
    )


def test_file_over_the_size_limit(requester, text_draft, settings):
    settings.STORAGE_MAX_UPLOAD_BYTES = 100
    assert_refused(
        requester, text_draft, [upload("big.csv", "text\n" + "x" * 200)], "big.csv: 205 bytes is over the limit"
    )


def test_zip_entry_over_the_size_limit(requester, image_draft, settings):
    settings.STORAGE_MAX_UPLOAD_BYTES = 2_000
    archive = zip_of({"a.png": png(1), "big.png": png(1) + b"\0" * 5000})  # deflates to far below the limit
    assert_refused(requester, image_draft, [upload("pets.zip", archive)], "pets.zip/big.png")


def test_import_over_the_overall_cap(requester, image_draft, settings):
    settings.JOBS_MAX_IMPORT_BYTES = 100
    assert_refused(requester, image_draft, [upload("a.png", png(1)), upload("b.png", png(2))], "over the import limit")


def test_refused_after_storing_deletes_only_the_new_blobs(requester, text_draft, stranger):
    """A duplicate of an item already in the job is found once blobs are stored: those the import
    stored go, the one the existing item uses stays."""
    import_files(requester, text_draft, upload("first.csv", "text\nalready here\n"))
    text_draft.refresh_from_db()
    manifest_before = text_draft.manifest_cid
    existing = text_draft.items.get().content_cid
    before = store_snapshot()

    response = import_files(requester, text_draft, upload("second.csv", "text\nbrand new\nalready here\n"))

    assert response.status_code == 400
    assert "second.csv, row 2: this job already holds the same content" in response.data["detail"]
    assert store_snapshot() == before
    assert read_blob(existing) == b"already here"
    text_draft.refresh_from_db()
    assert text_draft.manifest_cid == manifest_before


def test_only_a_draft_takes_imports(requester, text_draft):
    text_draft.status = "live"
    text_draft.save()

    response = import_files(requester, text_draft, upload("t.csv", "text\na\n"))

    assert response.status_code == 400
    assert "cannot import data into a job that is live" in response.data["detail"]
