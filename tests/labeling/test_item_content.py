"""Item content is served to the job's requester and admitted labelers only."""

from rest_framework.test import APIClient

from apps.jobs.models import Item
from apps.labeling.models import Qualification
from tests.factories import make_user
from tests.labeling.conftest import make_db_job


def client_for(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def test_content_access(db):
    requester = make_user("0x" + "11" * 20)
    job = make_db_job(requester=requester, num_items=3, gold={0: 1})
    item = Item.objects.get(job=job, index=1)
    url = f"/api/items/{item.pk}/content"
    labeler = make_user("0x" + "22" * 20)

    assert client_for(requester).get(url).content == b"item 1"
    assert client_for(labeler).get(url).status_code == 403
    assert APIClient().get(url).status_code == 403
    Qualification.objects.create(job=job, worker=labeler, passed=True, admitted_tx="0x" + "ab" * 32)
    reply = client_for(labeler).get(url)
    assert reply.status_code == 200 and reply["Content-Type"] == "text/plain"
