"""The review queue answers only the job's requester and staff; labelers (flagged or not) get 404 and
never see a flag. Bad decisions are refused with a reason and change nothing; good ones are audited."""

import pytest

from apps.integrity.models import ReviewDecision, WorkerFlag
from apps.rewards.models import Settlement
from tests.factories import make_job, make_user

pytestmark = pytest.mark.django_db

REQUESTER, WORKER, OTHER, STAFF = ("0x" + c * 40 for c in "abcd")


@pytest.fixture
def flag():
    job = make_job(requester=make_user(REQUESTER), num_items=2)
    signal = {
        "name": "too_fast",
        "score": 200.0,
        "threshold": 600.0,
        "fired": True,
        "reason": "median 200 ms",
        "related": [],
    }
    return WorkerFlag.objects.create(job=job, worker=make_user(WORKER), signals=[signal])


@pytest.mark.parametrize("who", [WORKER, OTHER])
def test_labelers_and_other_requesters_see_nothing(client, flag, who):
    client.force_login(make_user(who))
    assert client.get(f"/api/jobs/{flag.job_id}/flags").status_code == 404
    assert client.get(f"/requester/jobs/{flag.job_id}/review").status_code == 404
    response = client.post(
        f"/api/flags/{flag.pk}/review", {"decision": "approved", "note": "me"}, content_type="application/json"
    )
    assert response.status_code == 404
    assert WorkerFlag.objects.get(pk=flag.pk).status == WorkerFlag.Status.PENDING
    assert not ReviewDecision.objects.exists()


def test_signed_out_is_refused(client, flag):
    assert client.get(f"/api/jobs/{flag.job_id}/flags").status_code == 403


def test_requester_sees_the_queue_and_decides_with_an_audited_note(client, flag):
    client.force_login(flag.job.requester)
    queue = client.get(f"/api/jobs/{flag.job_id}/flags").json()
    assert queue["held"] is False and [f["worker"] for f in queue["flags"]] == [WORKER]
    assert queue["flags"][0]["reasons"] == ["median 200 ms"]
    page = client.get(f"/requester/jobs/{flag.job_id}/review")
    assert page.status_code == 200 and "median 200 ms" in page.content.decode()

    decided = client.post(
        f"/api/flags/{flag.pk}/review", {"decision": "rejected", "note": "bot"}, content_type="application/json"
    )

    assert decided.status_code == 200 and decided.json()["status"] == "rejected"
    (decision,) = ReviewDecision.objects.filter(flag=flag)
    assert (decision.status, decision.note, decision.reviewer.address) == ("rejected", "bot", REQUESTER)


def test_staff_may_review(client, flag):
    staff = make_user(STAFF)
    staff.is_staff = True
    staff.save()
    client.force_login(staff)
    response = client.post(
        f"/api/flags/{flag.pk}/review", {"decision": "approved", "note": "checked"}, content_type="application/json"
    )
    assert response.status_code == 200 and WorkerFlag.objects.get(pk=flag.pk).status == "approved"


@pytest.mark.parametrize(
    "body",
    [{"decision": "approved", "note": "  "}, {"decision": "maybe", "note": "x"}, {"decision": "rejected"}],
)
def test_bad_decisions_are_refused_and_change_nothing(client, flag, body):
    client.force_login(flag.job.requester)
    response = client.post(f"/api/flags/{flag.pk}/review", body, content_type="application/json")
    assert response.status_code in (400, 409) and response.json()
    assert WorkerFlag.objects.get(pk=flag.pk).status == WorkerFlag.Status.PENDING
    assert not ReviewDecision.objects.exists()


def test_no_decision_once_payouts_are_computed(client, flag):
    Settlement.objects.create(job=flag.job, step=Settlement.Step.COMPUTED)
    client.force_login(flag.job.requester)
    response = client.post(
        f"/api/flags/{flag.pk}/review", {"decision": "rejected", "note": "late"}, content_type="application/json"
    )
    assert response.status_code == 409 and "computed" in response.json()["detail"]
    assert WorkerFlag.objects.get(pk=flag.pk).status == WorkerFlag.Status.PENDING


def test_assessing_is_for_the_requester_of_a_job_on_chain(client, flag):
    client.force_login(make_user(WORKER))
    assert client.post(f"/api/jobs/{flag.job_id}/flags").status_code == 404
    client.force_login(flag.job.requester)
    response = client.post(f"/api/jobs/{flag.job_id}/flags")
    assert response.status_code == 409 and "not on chain" in response.json()["detail"]
