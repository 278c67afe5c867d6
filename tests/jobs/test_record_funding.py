"""The page reports the createJob it sent: the job waits in FUNDING (the chain, not this, makes it live)."""

from apps.jobs.models import Job
from tests.factories import make_job
from tests.jobs.conftest import upload

TX = "0x" + "ab" * 32


def test_funding_sent_puts_an_imported_draft_in_funding(requester, text_draft):
    requester.api.post(
        f"/api/jobs/{text_draft.pk}/import", {"files": [upload("t.csv", "text\na\n")]}, format="multipart"
    )

    response = requester.api.post(f"/api/jobs/{text_draft.pk}/funding", {"tx_hash": TX})

    assert response.status_code == 200, response.data
    text_draft.refresh_from_db()
    assert (text_draft.status, text_draft.created_tx, text_draft.onchain_id) == (Job.Status.FUNDING, TX, None)


def test_funding_is_recorded_only_for_an_imported_draft(requester):
    empty = make_job(requester=requester.user, num_items=0)

    response = requester.api.post(f"/api/jobs/{empty.pk}/funding", {"tx_hash": TX})

    assert response.status_code == 400
    assert "import the dataset" in response.data["detail"]
