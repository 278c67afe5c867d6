"""Gold images look like any image to a labeler: no gold boxes in what the labeling API returns."""

import json

from apps.jobs.models import Item
from tests.boxes.conftest import GOLD_BOXES, gold_as_honeypots
from tests.boxes.helpers import box_dicts, submit


def test_gold_boxes_never_reach_the_labeler(box_job, admitted, dev_accounts, settings, w3):
    settings.LABELING_HONEYPOT_RATE = 1.0  # every new pick a gold image while any is left
    gold_as_honeypots(box_job)
    labeler = admitted(box_job, dev_accounts[3])
    reply = labeler.api.post(f"/api/jobs/{box_job.pk}/next-items", {"count": 5}, format="json")
    items = reply.json()["items"]
    gold_ids = set(Item.objects.filter(job=box_job, index__in=GOLD_BOXES).values_list("pk", flat=True))
    assert gold_ids <= {i["id"] for i in items}
    assert all(set(i) == {"id", "index", "media_type", "content_url", "width", "height"} for i in items)

    gold = Item.objects.get(job=box_job, index=0)
    answer = submit(labeler, box_job, gold.pk, box_dicts((0, 1, 1, 5, 5)))
    assert answer.status_code == 201
    listed = labeler.api.get(f"/api/labeling/jobs/{box_job.pk}/boxes/")
    for text in (reply.content, answer.content, listed.content):
        body = json.loads(text)
        assert "gold" not in json.dumps(body)
        assert "300.0" not in json.dumps(body) and "300," not in json.dumps(body)  # gold box x of item 0
