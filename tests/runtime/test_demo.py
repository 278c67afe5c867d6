"""seed_demo on a real anvil: one demo job of digit images, funded on chain by the requester's
development key, LIVE once the indexer sees its JobCreated; seeding again finds it instead of
creating another."""

import io
from io import StringIO

import pytest
from django.core.management import call_command
from PIL import Image

from apps.chain.handlers import handle_pending
from apps.chain.indexer import index_once
from apps.jobs.models import GoldAnswer, Job
from apps.runtime.demo import CLASS_NAMES, DEMO_NAME, demo_requester, digit_png, digit_truth
from apps.storage.selectors import read_blob

ITEMS, GOLD = 60, 20


@pytest.fixture
def seeded(deployed, w3, settings) -> Job:
    settings.CHAIN_CONFIRMATIONS = 0
    call_command("seed_demo", items=ITEMS, gold=GOLD, stdout=StringIO())
    index_once(w3=w3)
    handle_pending()
    return Job.objects.get(name=DEMO_NAME)


def test_seed_demo_creates_one_live_job_funded_on_chain(seeded, w3):
    assert seeded.status == Job.Status.LIVE
    assert seeded.requester.address == demo_requester().address
    assert list(seeded.classes.order_by("index").values_list("name", flat=True)) == CLASS_NAMES
    assert seeded.items.count() == ITEMS
    assert w3.eth.get_code(seeded.instance_address)
    # The gold answers are the digits' known classes, and every class is represented.
    gold = GoldAnswer.objects.filter(item__job=seeded).select_related("item")
    assert gold.count() == GOLD
    assert all(digit_truth(read_blob(answer.item.content_cid)) == answer.label_index for answer in gold)
    assert {answer.label_index for answer in gold} == set(range(len(CLASS_NAMES)))


def test_seed_demo_again_finds_the_job_instead_of_creating_one(seeded):
    out = StringIO()
    call_command("seed_demo", items=ITEMS, gold=GOLD, stdout=out)

    assert Job.objects.filter(name=DEMO_NAME).count() == 1
    assert f"demo job {seeded.pk} already exists (live)" in out.getvalue()


def test_digit_truth_reads_the_class_from_the_image_and_knows_no_other_image():
    # load_digits' first ten images are the digits 0 to 9.
    assert [CLASS_NAMES[digit_truth(digit_png(row))] for row in range(10)] == [str(d) for d in range(10)]
    other = io.BytesIO()
    Image.new("L", (64, 64), color=7).save(other, format="PNG")
    assert digit_truth(other.getvalue()) is None
