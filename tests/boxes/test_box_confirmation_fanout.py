"""A confirmed box vote is followed by what follows any confirmed label: the job's open dashboards
are told, the learner is woken, the labeler's points count it; and its undo on a reorganisation
tells the dashboards and takes the points back."""

from apps.cockpit.consumers import dashboard_group
from apps.gamification.models import WorkerProgress
from apps.labeling.models import LabelBatch
from apps.learning.handlers import LEARNER_CHANNEL
from tests.boxes.conftest import index_and_handle
from tests.boxes.helpers import box_dicts, submit
from tests.boxes.test_submit_boxes import serve
from tests.chain.indexer_support import reorg
from tests.live_support import memory_layer, open_page, received  # noqa: F401  (fixture)


def test_a_confirmed_box_vote_pushes_the_dashboard_and_wakes_the_learner(
    box_job,
    admitted,
    dev_accounts,
    w3,
    memory_layer,
    django_capture_on_commit_callbacks,  # noqa: F811
):
    layer = memory_layer
    dashboard = open_page(layer, dashboard_group(box_job.pk))
    labeler = admitted(box_job, dev_accounts[3])
    with django_capture_on_commit_callbacks(execute=True):
        index_and_handle(w3)  # the job's creation and the admission, so that only the vote is new below
        submit(labeler, box_job, serve(labeler, box_job)["id"], box_dicts((0, 10, 10, 100, 80)))
    for channel in (dashboard, LEARNER_CHANNEL):
        received(layer, channel)  # set aside what the creation and the submission sent

    with django_capture_on_commit_callbacks(execute=True):
        index_and_handle(w3)

    assert LabelBatch.objects.get().status == LabelBatch.Status.CONFIRMED
    assert received(layer, dashboard) == ["dashboard.changed"]
    assert received(layer, LEARNER_CHANNEL) == ["learning.retrain"]
    assert WorkerProgress.objects.get(worker__address=labeler.account.address).labels == 1

    with django_capture_on_commit_callbacks(execute=True):
        reorg(w3, 1)  # the block holding the box vote is replaced by an empty one
        index_and_handle(w3)

    assert LabelBatch.objects.get().status == LabelBatch.Status.SUBMITTED
    assert received(layer, dashboard) == ["dashboard.changed"]
    assert WorkerProgress.objects.get(worker__address=labeler.account.address).labels == 0
