"""A labeler sees its reputation and voting power in the job's domain on the job board and the
labeling page (and that it has none yet)."""

from apps.reputation.models import Reputation


def test_board_and_labeling_page_show_the_domain_reputation(chain_job, labeler_for, dev_accounts):
    chain_job.domain = "digits"
    chain_job.save()
    labeler = labeler_for(dev_accounts[3])
    assert "No reputation in digits yet · voting power 1" in labeler.api.get("/jobs/").content.decode()

    Reputation.objects.create(worker=labeler.user, domain="digits", score=0.9, weight=13)
    Reputation.objects.create(worker=labeler.user, domain="letters", score=0.3, weight=1)
    for url in ("/jobs/", f"/jobs/{chain_job.pk}/label"):
        page = labeler.api.get(url).content.decode()
        assert "Reputation in digits 90% · voting power 13" in page, url
