"""Importing text items: CSV and JSONL, gold from a column or a separate file."""

import json

from apps.jobs.models import GoldAnswer, Job
from apps.storage.selectors import read_blob
from tests.jobs.conftest import upload


def import_files(client, job: Job, *files, gold_file=None):
    data = {"files": list(files), **({"gold_file": gold_file} if gold_file else {})}
    return client.api.post(f"/api/jobs/{job.pk}/import", data, format="multipart")


def test_csv_with_a_gold_column(requester, text_draft):
    csv = "text,gold\nA purring animal,cat\nIt barks,\nIt tweets,bird\n"

    response = import_files(requester, text_draft, upload("texts.csv", csv))

    assert response.status_code == 200, response.data
    assert response.data["imported"] == 3
    items = list(text_draft.items.order_by("index"))
    assert [read_blob(i.content_cid).decode() for i in items] == ["A purring animal", "It barks", "It tweets"]
    assert [i.source_name for i in items] == ["row 1", "row 2", "row 3"]
    assert [i.is_gold for i in items] == [True, False, True]
    assert dict(GoldAnswer.objects.values_list("item__index", "label_index")) == {0: 0, 2: 2}


def test_jsonl_with_a_gold_field(requester, text_draft):
    lines = [{"text": "first", "gold": "dog"}, {"text": "second"}, {"text": "third", "gold": None}]

    response = import_files(requester, text_draft, upload("texts.jsonl", "\n".join(map(json.dumps, lines))))

    assert response.status_code == 200, response.data
    assert text_draft.items.count() == 3
    assert dict(GoldAnswer.objects.values_list("item__index", "label_index")) == {0: 1}


def test_gold_from_a_separate_file_by_row_number(requester, text_draft):
    gold = upload("gold.csv", "item,gold\n2,bird\n")

    response = import_files(requester, text_draft, upload("texts.csv", "text\none\ntwo\n"), gold_file=gold)

    assert response.status_code == 200, response.data
    assert dict(GoldAnswer.objects.values_list("item__index", "label_index")) == {1: 2}


def test_import_writes_the_manifest_without_gold(requester, text_draft):
    import_files(requester, text_draft, upload("texts.csv", "text,gold\none,cat\ntwo,\n"))
    text_draft.refresh_from_db()

    manifest = json.loads(read_blob(text_draft.manifest_cid))

    assert manifest["classes"] == ["cat", "dog", "bird"]
    assert manifest["items"] == list(text_draft.items.order_by("index").values_list("content_cid", flat=True))
    assert "gold" not in json.dumps(manifest)
    assert text_draft.manifest_digest.startswith("0x") and len(text_draft.manifest_digest) == 66


def test_a_second_import_appends(requester, text_draft):
    import_files(requester, text_draft, upload("a.csv", "text\none\n"))

    response = import_files(requester, text_draft, upload("b.csv", "text\ntwo\n"))

    assert response.status_code == 200, response.data
    assert list(text_draft.items.order_by("index").values_list("index", flat=True)) == [0, 1]
