"""Box jobs train no model: the learner ranks their images by how much the crowd's boxes agree,
serves half-answered images first, and asks for more answers where a full set still disagrees."""

import io

import numpy as np
import pytest
from PIL import Image

from apps.boxes.geometry import Box
from apps.boxes.models import BoxAnnotation
from apps.boxes.selectors import box_agreement
from apps.jobs.models import Item
from apps.learning.services import EXTRA_VOTES, retrain_job
from apps.storage.services import store_blob
from tests.boxes.conftest import make_box_job
from tests.factories import make_labels, make_user

pytestmark = pytest.mark.django_db

CAR = Box(0, 10, 20, 100, 50)
FAR = Box(0, 500, 400, 80, 60)  # no overlap with CAR
DRAWN = {  # item index -> each worker's boxes (redundancy 2)
    4: [[CAR], [Box(0, 11, 21, 99, 50)], [Box(0, 10, 19, 101, 51)]],  # agreed, full
    5: [[CAR], [FAR]],  # full, and the two answers disagree
    6: [[CAR]],  # one answer of two
    7: [[], []],  # both say "no object": agreed
}


def png(seed: int) -> bytes:
    pixels = np.random.default_rng(seed).integers(0, 255, size=(16, 16, 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def answered():
    job = make_box_job(requester=make_user("0x" + "1" * 40), redundancy=2)
    for item in Item.objects.filter(job=job):
        Item.objects.filter(pk=item.pk).update(content_cid=store_blob(data=png(item.index), content_type="image/png"))
    for n in range(3):
        worker = make_user("0x" + f"{n + 2}" * 40)
        drawn = {index: answers[n] for index, answers in DRAWN.items() if n < len(answers)}
        for label in make_labels(job=job, worker=worker, labels={i: len(b) for i, b in drawn.items()}):
            BoxAnnotation.objects.create(
                label=label,
                job=job,
                item=label.item,
                worker=worker,
                boxes=[b.as_dict() for b in drawn[label.item.index]],
                commitment="0x",
                verified=True,
            )
    return job


def test_agreement_per_image(answered):
    votes, agreement = box_agreement(job=answered, indexes=[4, 5, 6, 7, 8])
    assert votes.tolist() == [3, 2, 1, 2, 0]
    assert agreement.tolist() == pytest.approx([1.0, 0.5, 1.0, 1.0, 0.0])


def test_retrain_ranks_box_images_and_asks_for_more_where_they_disagree(answered):
    assert retrain_job(job_id=answered.pk) is None  # no model version for boxes
    items = {item.index: item for item in Item.objects.filter(job=answered)}
    assert items[5].labels_needed == 2 + EXTRA_VOTES  # full but disputed: more answers
    assert [items[i].labels_needed for i in (4, 6, 7)] == [2, 2, 2]
    open_items = [item for item in items.values() if not item.is_gold]
    # short of answers first, least agreed first (the disputed image, then the half-answered one),
    # then the unanswered pool; complete images last
    ranked = sorted(open_items, key=lambda item: -item.priority)
    assert [item.index for item in ranked[:2]] == [5, 6]
    assert {item.index for item in ranked[-2:]} == {4, 7}
    assert all(items[i].priority > items[4].priority for i in (8, 9, 10, 11))
