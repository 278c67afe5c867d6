"""A labeler who already has a reputation in the job's domain is admitted with its voting weight
on chain; a newcomer costs no extra transaction (weight 0 on chain reads as 1)."""

from apps.chain.registry import job_instance
from apps.reputation.models import Reputation
from tests.labeling.test_qualification import answer_round


def test_admission_posts_the_reputation_weight(chain_job, labeler_for, dev_accounts, w3):
    chain_job.domain = "digits"
    chain_job.save()
    known, newcomer = labeler_for(dev_accounts[3]), labeler_for(dev_accounts[4])
    Reputation.objects.create(worker=known.user, domain="digits", score=0.9, weight=13)
    Reputation.objects.create(worker=newcomer.user, domain="letters", score=0.9, weight=13)  # another domain
    instance = job_instance(chain_job.instance_address, w3=w3)
    for labeler in (known, newcomer):
        assert answer_round(labeler, chain_job, wrong=0)[-1]["passed"] is True
    assert instance.functions.weightOf(known.account.address).call() == 13
    assert instance.functions.weightOf(newcomer.account.address).call() == 1
    weights_set = instance.events.WeightsSet().get_logs(from_block=0)
    assert [list(log.args.workers) for log in weights_set] == [[known.account.address]]
