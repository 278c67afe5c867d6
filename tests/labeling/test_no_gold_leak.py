"""Labelers never receive a gold answer before answering: every endpoint that serves an item to a
labeler shows gold and normal items alike, and qualification feedback names the right answer
only of the item just answered."""

import json

from apps.jobs.models import GoldAnswer, Item
from tests.labeling.batching import serve

ITEM_FIELDS = {"id", "index", "media_type", "content_url", "width", "height"}


def test_qualification_reveals_an_answer_only_after_it_is_given(chain_job, labeler_for, dev_accounts):
    labeler = labeler_for(dev_accounts[3])
    url = f"/api/jobs/{chain_job.pk}/qualification"
    state = labeler.api.post(url).json()
    seen = []
    while state["item"]:
        assert set(state["item"]) == ITEM_FIELDS
        assert "correct" not in json.dumps(state)
        item_id = state["item"]["id"]
        feedback = labeler.api.post(f"{url}/answers", {"item": item_id, "label": 0}, format="json").json()
        assert feedback["correct_label"] == GoldAnswer.objects.get(item_id=item_id).label_index
        seen.append(item_id)
        state = labeler.api.get(url).json()
    assert len(seen) == 4 and len(set(seen)) == 4


def test_answering_an_item_outside_the_round_reveals_nothing(chain_job, labeler_for, dev_accounts):
    labeler = labeler_for(dev_accounts[3])
    url = f"/api/jobs/{chain_job.pk}/qualification"
    labeler.api.post(url)
    round_items = labeler.user.qualifications.get().item_ids
    outside = Item.objects.filter(job=chain_job, is_gold=True).exclude(pk__in=round_items).first()
    reply = labeler.api.post(f"{url}/answers", {"item": outside.pk, "label": 0}, format="json")
    assert reply.status_code == 400 and "correct_label" not in reply.json()


def test_honeypots_are_served_like_any_item(chain_job, admitted, dev_accounts, settings):
    labeler = admitted(chain_job, dev_accounts[3])
    settings.LABELING_HONEYPOT_RATE = 1.0
    honeypots = serve(labeler, chain_job, 3)
    settings.LABELING_HONEYPOT_RATE = 0.0
    normal = [item for item in serve(labeler, chain_job, 6) if item not in honeypots]  # leases held come back first
    assert len(normal) == 3
    assert Item.objects.filter(pk__in=[i["id"] for i in honeypots], is_gold=True).count() == 3
    assert not Item.objects.filter(pk__in=[i["id"] for i in normal], is_gold=True).exists()
    for item in honeypots + normal:
        assert set(item) == ITEM_FIELDS and item["media_type"] == "text/plain"
        content = labeler.api.get(item["content_url"])
        assert content.status_code == 200 and content.content.startswith(b"item ")
    assert labeler.api.get(f"/api/jobs/{chain_job.pk}/batches").json() == {"batches": []}
