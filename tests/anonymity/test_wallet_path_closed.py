"""In an anonymous job a qualification pass lets the wallet join the group but does not admit it on
chain, and the wallet-labeling API refuses it: a labeler cannot vote from its wallet besides its
anonymous votes."""

from apps.chain.registry import job_instance
from apps.labeling.models import Qualification
from apps.labeling.qualification import NOT_ON_CHAIN_ANONYMOUS
from tests.labeling.test_qualification import answer_round


def test_pass_does_not_admit_the_wallet(chain_anonymous_job, labeler_for, dev_accounts, w3):
    job = chain_anonymous_job
    labeler = labeler_for(dev_accounts[3])
    assert answer_round(labeler, job, wrong=0)[-1]["passed"] is True
    assert Qualification.objects.get().admitted_tx == NOT_ON_CHAIN_ANONYMOUS
    index, _, _ = job_instance(job.instance_address, w3=w3).functions.workerInfo(labeler.account.address).call()
    assert index == 0
    assert labeler.api.get(f"/api/jobs/{job.pk}/qualification").json()["state"] == "admitted"
    refused = labeler.api.post(f"/api/jobs/{job.pk}/next-items", {}, format="json")
    assert refused.status_code == 403 and "anonymous" in refused.json()["detail"]
    batch = {"mode": "wallet", "labels": [{"item": 10, "label": 1}]}
    refused = labeler.api.post(f"/api/jobs/{job.pk}/batches", batch, format="json")
    assert refused.status_code == 403 and "anonymous" in refused.json()["detail"]
