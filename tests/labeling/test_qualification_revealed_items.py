"""Gold items whose answers a labeler was shown (qualification feedback) are not reused against it:
a retry draws unseen qualification gold first, and honeypots come from the other, never-shown set."""

import pytest

from apps.jobs.models import GoldRole, Item
from apps.labeling.models import Qualification
from tests.labeling.batching import serve
from tests.labeling.test_qualification import answer_round

# On PostgreSQL the honeypot pick skips revealed items inside serving._SERVE_SQL
pytestmark = pytest.mark.postgres_too


def test_retry_draws_unseen_gold(chain_job, labeler_for, dev_accounts):
    chain_job.qualification_wait_seconds = 0
    chain_job.save()
    Item.objects.filter(job=chain_job, is_gold=True).update(gold_role=GoldRole.QUALIFICATION)  # 8, 4 a round
    labeler = labeler_for(dev_accounts[3])
    assert answer_round(labeler, chain_job, wrong=4)[-1]["passed"] is False
    first = set(Qualification.objects.get().item_ids)
    assert answer_round(labeler, chain_job, wrong=0)[-1]["passed"] is True
    second = set(Qualification.objects.get().item_ids)
    assert not first & second
    assert set(Qualification.objects.get().revealed_ids) == first | second


def test_rounds_and_honeypots_draw_from_disjoint_gold(chain_job, labeler_for, dev_accounts, settings):
    chain_job.qualification_wait_seconds = 0
    chain_job.save()
    labeler = labeler_for(dev_accounts[3])
    assert answer_round(labeler, chain_job, wrong=4)[-1]["passed"] is False
    assert answer_round(labeler, chain_job, wrong=0)[-1]["passed"] is True  # the retry reuses the 4 it has
    revealed = set(Qualification.objects.get().revealed_ids)
    qualification_gold = set(Item.objects.filter(gold_role=GoldRole.QUALIFICATION).values_list("pk", flat=True))
    assert revealed == qualification_gold and len(revealed) == 4

    settings.LABELING_HONEYPOT_RATE = 1.0
    served = serve(labeler, chain_job, 10)
    gold = set(Item.objects.filter(pk__in=[i["id"] for i in served], is_gold=True).values_list("pk", flat=True))
    assert len(gold) == 4 and not gold & revealed  # every honeypot, none of them ever shown


def test_a_labeler_may_not_label_its_qualification_items(chain_job, labeler_for, dev_accounts):
    labeler = labeler_for(dev_accounts[3])
    assert answer_round(labeler, chain_job, wrong=0)[-1]["passed"] is True
    known = Qualification.objects.get().item_ids[0]
    body = {"mode": "wallet", "labels": [{"item": known, "label": 0}]}
    refused = labeler.api.post(f"/api/jobs/{chain_job.pk}/batches", body, format="json")
    assert refused.status_code == 400 and "qualification rounds" in refused.json()["detail"]
    assert not Item.objects.get(pk=known).labels.exists()


def test_answers_one_wallet_was_shown_never_score_another(chain_job, labeler_for, admitted, dev_accounts, settings):
    """Issue 11: wallets pooling their rounds' feedback must learn nothing about anyone's honeypots."""
    scout = labeler_for(dev_accounts[3])
    assert answer_round(scout, chain_job, wrong=0)[-1]["passed"] is True
    shown = set(Qualification.objects.get(worker=scout.user).revealed_ids)
    settings.LABELING_HONEYPOT_RATE = 1.0
    other = admitted(chain_job, dev_accounts[4])
    served = {i["id"] for i in serve(other, chain_job, 12)}
    assert Item.objects.filter(pk__in=served, is_gold=True).count() == 4 and not served & shown
