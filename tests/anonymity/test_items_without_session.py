"""Items of an anonymous job are served without the session, to holders of the job's group token
(the same for every member, so it does not say which member asks): gold items among the others, so
the list does not point them out (issue 11), never to a stranger, and only for anonymous jobs."""

from apps.anonymity.models import GroupJoin
from apps.anonymity.selectors import group_token
from apps.jobs.models import Item
from tests.anonymity.conftest import COMMITMENT
from tests.labeling.conftest import NUM_ITEMS


def items(client, job, token=None, count=100):
    headers = {"HTTP_X_GROUP_TOKEN": token} if token else {}
    return client.get(f"/api/anon/jobs/{job.pk}/items?count={count}", **headers)


def test_members_read_items_without_session(anonymous_job, qualified, no_session, dev_accounts):
    labeler = qualified(anonymous_job, dev_accounts[3])
    GroupJoin.objects.create(job=anonymous_job, worker=labeler.user, commitment=str(COMMITMENT), tx_hash="0x1")
    token = labeler.api.get(f"/api/jobs/{anonymous_job.pk}/anonymity/join").json()["group_token"]
    assert token == group_token(anonymous_job)

    reply = items(no_session, anonymous_job, token)
    assert reply.status_code == 200
    served = reply.json()["items"]
    assert sorted(i["index"] for i in served) == list(range(NUM_ITEMS))  # no gap names a gold item
    content = no_session.get(served[0]["content_url"], HTTP_X_GROUP_TOKEN=token)
    assert content.status_code == 200 and content.content.startswith(b"item ")


def test_strangers_are_refused(anonymous_job, no_session):
    assert items(no_session, anonymous_job).status_code == 403
    assert items(no_session, anonymous_job, "0" * 64).status_code == 403
    item = Item.objects.filter(job=anonymous_job, is_gold=False).first()
    assert no_session.get(f"/api/anon/items/{item.pk}/content").status_code == 403


def test_gold_content_is_served_like_any(anonymous_job, no_session):
    gold = Item.objects.filter(job=anonymous_job, is_gold=True).first()
    reply = no_session.get(f"/api/anon/items/{gold.pk}/content", HTTP_X_GROUP_TOKEN=group_token(anonymous_job))
    assert reply.status_code == 200


def test_full_items_are_not_served(anonymous_job, no_session):
    Item.objects.filter(job=anonymous_job, index=10).update(labels_taken=2)
    served = items(no_session, anonymous_job, group_token(anonymous_job)).json()["items"]
    assert 10 not in [i["index"] for i in served]


def test_bad_count(anonymous_job, no_session):
    token = group_token(anonymous_job)
    for count in ("0", "101", "x"):
        assert items(no_session, anonymous_job, token, count).status_code == 400
