"""Export: every label with its provenance, and the item's aggregated label and confidence."""

import csv
import io
import json

import pytest

from apps.labeling.models import Label
from apps.quality.models import ItemAggregate
from tests.factories import make_job, make_labels, make_user

TX = "0x" + "cd" * 32
WORKER_A = "0x90F79bf6EB2c4f870365E785982E1f101E93b906"
WORKER_B = "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65"


@pytest.fixture
def labelled_job(requester):
    """Three items (item 0 gold: cat). A labelled 0 and 1 (confirmed, block 12); B labelled 1 (pending);
    item 1 aggregated to dog at 0.9; item 2 unlabelled."""
    job = make_job(requester=requester.user, num_items=3, gold={0: 0})
    a, b = make_user(WORKER_A), make_user(WORKER_B)
    make_labels(job=job, worker=a, labels={0: 0, 1: 1}, tx_hash=TX)
    Label.objects.filter(worker=a).update(block_number=12)
    make_labels(job=job, worker=b, labels={1: 2}, status=Label.Status.PENDING)
    ItemAggregate.objects.create(item=job.items.get(index=1), label=1, confidence=0.9, method="majority", votes=1)
    return job


EXPECTED = [
    {"item": 0, "source": "row 1", "gold": "cat", "label": "cat", "worker": WORKER_A, "status": "confirmed", "tx_hash": TX, "block": 12, "aggregated_label": None, "confidence": None},
    {"item": 1, "source": "row 2", "gold": None, "label": "dog", "worker": WORKER_A, "status": "confirmed", "tx_hash": TX, "block": 12, "aggregated_label": "dog", "confidence": 0.9},
    {"item": 1, "source": "row 2", "gold": None, "label": "bird", "worker": WORKER_B, "status": "pending", "tx_hash": None, "block": None, "aggregated_label": "dog", "confidence": 0.9},
    {"item": 2, "source": "row 3", "gold": None, "label": None, "worker": None, "status": None, "tx_hash": None, "block": None, "aggregated_label": None, "confidence": None},
]  # fmt: skip


def without_cid(record: dict) -> dict:
    assert record.pop("content_cid").startswith("b")
    return record


def test_jsonl_export(labelled_job, requester):
    response = requester.api.get(f"/api/jobs/{labelled_job.pk}/export/jsonl")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-ndjson"
    body = b"".join(response.streaming_content).decode()
    assert [without_cid(json.loads(line)) for line in body.splitlines()] == EXPECTED


def test_csv_export(labelled_job, requester):
    response = requester.api.get(f"/api/jobs/{labelled_job.pk}/export/csv")

    assert response.status_code == 200
    assert 'filename="job-' in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    as_text = [{k: "" if v is None else str(v) for k, v in record.items()} for record in EXPECTED]
    assert [without_cid(row) for row in rows] == as_text


def test_unknown_format_is_404(labelled_job, requester):
    assert requester.api.get(f"/api/jobs/{labelled_job.pk}/export/xlsx").status_code == 404
