"""Hostile requester input (issue 16) answers a readable JSON refusal naming the field or the line,
and writes nothing: an instructions field of 3 MB, 150 files in one upload, a CSV whose header or a
field is over csv's 128 KB limit, two different images under one file name, a gold file giving an
item two answers."""

import pytest

from apps.jobs.models import INSTRUCTIONS_MAX_CHARS, Item, Job
from tests.jobs.conftest import png, store_snapshot, upload
from tests.jobs.test_create_job import terms
from tests.jobs.test_import_text import import_files


def refused(response, status: int, *needles: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    for needle in needles:
        assert needle in body["detail"]
    return body


def test_instructions_over_the_limit_are_refused_naming_the_field(requester):
    body = refused(
        requester.api.post("/api/jobs/", terms(instructions="x" * (INSTRUCTIONS_MAX_CHARS + 1)), format="json"), 400
    )
    assert body["field"] == "instructions" and "instructions" in body["detail"]
    assert not Job.objects.exists()


def test_a_body_of_3_mb_is_refused_as_too_big(requester):
    body = refused(requester.api.post("/api/jobs/", terms(instructions="x" * 3_000_000), format="json"), 413, "too big")
    assert body["code"] == "too_big"
    assert not Job.objects.exists()


def test_150_files_in_one_upload_are_refused(requester, text_draft):
    before = store_snapshot()
    files = [upload(f"t{n}.csv", f"text\nrow {n}\n") for n in range(150)]
    body = refused(import_files(requester, text_draft, *files), 400, "Too many files")
    assert body["field"] == "files" and store_snapshot() == before and not Item.objects.exists()


@pytest.mark.parametrize(
    ("csv", "where"),
    [
        ("text," + "h" * 200_000 + "\nhello,x\n", "texts.csv, header line"),  # a 50 MB header fails the same way
        ("text\nhello\n" + "y" * 200_000 + "\n", "texts.csv, row 2"),
        ('text\nhello\n"' + "z" * 200_000 + '"\n', "texts.csv, row 2"),
    ],
    ids=["header line", "unquoted field", "quoted field"],
)
def test_csv_over_the_field_size_limit_is_refused_with_the_line(requester, text_draft, csv, where):
    refused(import_files(requester, text_draft, upload("texts.csv", csv)), 400, where, "field larger than field limit")
    assert not Item.objects.exists()


def test_two_different_images_under_one_name_are_refused(requester, image_draft):
    body = refused(import_files(requester, image_draft, upload("a.png", png(1)), upload("a.png", png(2))), 400)
    assert "a.png: two different images" in body["detail"] and not Item.objects.exists()


def test_a_gold_file_giving_an_item_two_answers_is_refused_with_the_line(requester, text_draft):
    gold = upload("gold.csv", "item,gold\n1,cat\n2,dog\n1,dog\n")
    response = import_files(requester, text_draft, upload("t.csv", "text\na\nb\n"), gold_file=gold)
    refused(response, 400, "gold.csv, row 3: item '1' was given gold 'cat' already, now 'dog'")
    assert not Item.objects.exists()
