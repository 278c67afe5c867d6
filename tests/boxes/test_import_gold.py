"""Importing a bounding-box job: images with their pixel size, gold boxes from a CSV `gold` column or
a COCO file, and refusals that leave nothing behind."""

import json

import pytest

from apps.boxes.models import GoldBoxes
from apps.jobs.models import GoldAnswer, Job
from tests.factories import make_job
from tests.jobs.conftest import png, requester, store_snapshot, upload, zip_of  # noqa: F401  (fixture)
from tests.jobs.test_import_text import import_files

SIZE = (64, 48)


@pytest.fixture
def box_draft(requester):  # noqa: F811
    return make_job(
        requester=requester.user, num_items=0, task_type=Job.TaskType.BOUNDING_BOX, class_names=("car", "person")
    )


def images():
    return [upload(f"{name}.png", png(shade, SIZE)) for name, shade in (("a", 1), ("b", 2), ("c", 3))]


def gold_of(job):
    return dict(GoldBoxes.objects.filter(item__job=job).values_list("item__source_name", "boxes"))


def test_gold_boxes_from_a_csv_column(requester, box_draft):  # noqa: F811
    cell = json.dumps(
        [{"class": "person", "x": 1, "y": 2, "w": 10, "h": 20}, {"class": "car", "x": 30, "y": 5, "w": 4, "h": 4}]
    )
    listing = "filename,gold\n" + f'a.png,"{cell.replace(chr(34), chr(34) * 2)}"\nb.png,[]\nc.png,\n'
    reply = import_files(requester, box_draft, *images(), upload("files.csv", listing))
    assert reply.status_code == 200, reply.data
    items = list(box_draft.items.order_by("index").values_list("source_name", "is_gold", "width", "height"))
    assert items == [("a.png", True, 64, 48), ("b.png", True, 64, 48), ("c.png", False, 64, 48)]
    assert gold_of(box_draft) == {
        "a.png": [
            {"class": 0, "x": 30.0, "y": 5.0, "w": 4.0, "h": 4.0},
            {"class": 1, "x": 1.0, "y": 2.0, "w": 10.0, "h": 20.0},
        ],
        "b.png": [],
    }
    assert not GoldAnswer.objects.exists()


def coco(annotations, images=("a.png", "b.png")):
    return json.dumps(
        {
            "images": [{"id": n + 1, "file_name": name, "width": 64, "height": 48} for n, name in enumerate(images)],
            "categories": [{"id": 1, "name": "car"}, {"id": 7, "name": "person"}],
            "annotations": annotations,
        }
    )


def test_gold_boxes_from_a_coco_file(requester, box_draft):  # noqa: F811
    annotations = [
        {"id": 1, "image_id": 1, "category_id": 7, "bbox": [1.5, 2, 10, 20]},
        {"id": 2, "image_id": 1, "category_id": 1, "bbox": [30, 5, 4, 4]},
    ]
    archive = upload("set.zip", zip_of({"a.png": png(1, SIZE), "b.png": png(2, SIZE), "c.png": png(3, SIZE)}))
    reply = import_files(requester, box_draft, archive, gold_file=upload("gold.json", coco(annotations)))
    assert reply.status_code == 200, reply.data
    assert gold_of(box_draft) == {
        "a.png": [
            {"class": 0, "x": 30.0, "y": 5.0, "w": 4.0, "h": 4.0},
            {"class": 1, "x": 1.5, "y": 2.0, "w": 10.0, "h": 20.0},
        ],
        "b.png": [],  # listed without annotations: a gold image with nothing to box
    }


@pytest.mark.parametrize(
    "annotations, gold_images, message",
    [
        ([{"image_id": 1, "category_id": 1, "bbox": [60, 0, 10, 10]}], ("a.png",), "ends outside the 64x48 image"),
        ([{"image_id": 1, "category_id": 1, "bbox": [0, 0, -3, 10]}], ("a.png",), "width and height must be positive"),
        (
            [{"image_id": 1, "category_id": 9, "bbox": [0, 0, 3, 10]}],
            ("a.png",),
            "category_id 9 is not in `categories`",
        ),
        ([{"image_id": 4, "category_id": 1, "bbox": [0, 0, 3, 10]}], ("a.png",), "image_id 4 is not in `images`"),
        ([], ("zzz.png",), "'zzz.png' is not among the imported images"),
        ([{"image_id": 1, "category_id": 1, "bbox": "wide"}], ("a.png",), "not a COCO file"),
    ],
)
def test_bad_coco_gold_is_refused_and_nothing_is_kept(requester, box_draft, annotations, gold_images, message):  # noqa: F811
    before = store_snapshot()
    reply = import_files(requester, box_draft, *images(), gold_file=upload("gold.json", coco(annotations, gold_images)))
    assert reply.status_code == 400 and message in json.dumps(reply.data), reply.data
    assert store_snapshot() == before and not GoldBoxes.objects.exists()


def test_bad_gold_cell_is_refused(requester, box_draft):  # noqa: F811
    for cell, message in (
        ('"[{""class"": ""truck"", ""x"": 1, ""y"": 1, ""w"": 2, ""h"": 2}]"', "class 'truck' is not a class"),
        ("not json", "not a JSON list"),
    ):
        reply = import_files(
            requester, box_draft, *images(), upload("files.csv", f"filename,gold\na.png,{cell}\nb.png,\nc.png,\n")
        )
        assert reply.status_code == 400 and message in json.dumps(reply.data), reply.data
    assert not box_draft.items.exists()


def test_a_box_job_takes_one_class(requester):  # noqa: F811
    body = {
        "name": "Cars",
        "task_type": "bounding_box",
        "classes": ["car"],
        "redundancy": 3,
        "price_per_label": "10",
        "budget": "1000",
        "deadline": "2099-01-01T00:00:00Z",
    }
    reply = requester.api.post("/api/jobs/", body, format="json")
    assert reply.status_code == 201, reply.data
    assert reply.data["task_type"] == "bounding_box"
