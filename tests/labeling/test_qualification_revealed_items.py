"""Gold items whose answers a labeler was shown (qualification feedback) are not reused against it:
a retry draws unseen gold first, and revealed items never come back as its honeypots."""
import pytest

from apps.jobs.models import Item
from apps.labeling.models import Qualification
from tests.labeling.batching import serve
from tests.labeling.test_qualification import answer_round

# On PostgreSQL the honeypot pick skips revealed items inside serving._SERVE_SQL
pytestmark = pytest.mark.postgres_too


def test_retry_draws_unseen_gold_and_honeypots_skip_revealed_items(chain_job, labeler_for, dev_accounts, settings):
    chain_job.qualification_wait_seconds = 0
    chain_job.save()
    labeler = labeler_for(dev_accounts[3])
    assert answer_round(labeler, chain_job, wrong=4)[-1]["passed"] is False
    first = set(Qualification.objects.get().item_ids)
    assert answer_round(labeler, chain_job, wrong=0)[-1]["passed"] is True  # 8 gold items, 4 a round
    second = set(Qualification.objects.get().item_ids)
    assert not first & second
    assert set(Qualification.objects.get().revealed_ids) == first | second

    settings.LABELING_HONEYPOT_RATE = 1.0  # every gold item's answer is known to it: none may be served
    served = serve(labeler, chain_job, 10)
    assert len(served) == 10
    assert not Item.objects.filter(pk__in=[i["id"] for i in served], is_gold=True).exists()


def test_a_labeler_may_not_label_its_qualification_items(chain_job, labeler_for, dev_accounts):
    labeler = labeler_for(dev_accounts[3])
    assert answer_round(labeler, chain_job, wrong=0)[-1]["passed"] is True
    known = Qualification.objects.get().item_ids[0]
    body = {"mode": "wallet", "labels": [{"item": known, "label": 0}]}
    refused = labeler.api.post(f"/api/jobs/{chain_job.pk}/batches", body, format="json")
    assert refused.status_code == 400 and "qualification round" in refused.json()["detail"]
    assert not Item.objects.get(pk=known).labels.exists()
