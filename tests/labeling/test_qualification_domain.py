"""Domain qualification: a pass in one job is reused by the same requester's other jobs of that
domain (no new round, still admitted on chain per job); not across domains or requesters."""

import pytest

from apps.chain.registry import job_instance
from apps.labeling.models import Qualification
from tests.factories import make_user
from tests.labeling.conftest import make_db_job
from tests.labeling.test_qualification import answer_round


@pytest.fixture
def second_job(make_job, roles):
    def create(*, domain: str, requester=None):
        on_chain = make_job(num_items=30, num_classes=3, redundancy=2, requester=requester or roles.requester)
        owner = make_user((requester or roles.requester).address)
        return make_db_job(requester=owner, instance_address=on_chain.instance.address, domain=domain)

    return create


def onchain_index(job, account, w3) -> int:
    return job_instance(job.instance_address, w3=w3).functions.workerInfo(account.address).call()[0]


def test_pass_is_reused_in_the_domain_and_admitted_on_chain(chain_job, second_job, labeler_for, dev_accounts, w3):
    chain_job.domain = "digits"
    chain_job.save()
    other = second_job(domain="digits")
    labeler = labeler_for(dev_accounts[3])
    assert answer_round(labeler, chain_job, wrong=0)[-1]["passed"] is True

    state = labeler.api.post(f"/api/jobs/{other.pk}/qualification").json()
    assert state["state"] == "admitted" and state["reused"] is True and state["item"] is None
    reused = Qualification.objects.get(job=other)
    assert reused.attempts == 0 and reused.reused_from.job_id == chain_job.pk
    assert onchain_index(other, labeler.account, w3) > 0
    assert labeler.api.post(f"/api/jobs/{other.pk}/next-items", {}, format="json").status_code == 200


def test_no_reuse_across_domains_or_requesters(chain_job, second_job, labeler_for, dev_accounts, roles, w3):
    chain_job.domain = "digits"
    chain_job.save()
    other_domain = second_job(domain="letters")
    other_requester = second_job(domain="digits", requester=roles.stranger)
    labeler = labeler_for(dev_accounts[3])
    assert answer_round(labeler, chain_job, wrong=0)[-1]["passed"] is True
    for job in (other_domain, other_requester):
        state = labeler.api.post(f"/api/jobs/{job.pk}/qualification").json()
        assert state["state"] == "running" and state["item"] is not None
        assert onchain_index(job, labeler.account, w3) == 0
