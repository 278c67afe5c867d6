"""COCO, YOLO and Pascal VOC exports of the consensus boxes, read back with independent readers
(pycocotools; plain text and xml.dom parsing) and checked against the consensus."""

import io
import json
import zipfile
from xml.dom import minidom

import pytest
from pycocotools.coco import COCO
from rest_framework.test import APIClient

from apps.boxes.geometry import Box
from apps.boxes.models import BoxAnnotation, ConsensusBoxes
from apps.jobs.models import Item, Job
from tests.boxes.conftest import CLASSES, HEIGHT, WIDTH, make_box_job
from tests.factories import make_job, make_labels, make_user

REQUESTER = "0x" + "1" * 40
WORKERS = ["0x" + d * 40 for d in "234"]
DRAWN = {  # item index -> each worker's boxes
    4: [[Box(0, 10, 20, 100, 50), Box(1, 300, 100, 40, 120)], [Box(0, 12, 20, 100, 52)], [Box(0, 11, 21, 99, 50)]],
    5: [[Box(1, 600, 400, 40, 80)], [Box(1, 601, 399, 39, 81)], []],
}


@pytest.fixture
def labelled(db):
    job = make_box_job(requester=make_user(REQUESTER))
    for worker_n, address in enumerate(WORKERS):
        worker = make_user(address)
        labels = make_labels(job=job, worker=worker, labels={index: len(d[worker_n]) for index, d in DRAWN.items()})
        for label in labels:
            boxes = DRAWN[label.item.index][worker_n]
            BoxAnnotation.objects.create(
                label=label,
                job=job,
                item=label.item,
                worker=worker,
                boxes=[b.as_dict() for b in boxes],
                commitment="0x",
                verified=True,
            )
    # Item 6 as settlement stored it: its consensus wins over the (absent) answers.
    settled = {"class": 1, "x": 5.0, "y": 6.0, "w": 7.0, "h": 8.0, "confidence": 0.5, "workers": 1}
    ConsensusBoxes.objects.create(item=Item.objects.get(job=job, index=6), boxes=[settled], annotations=2)
    return job


def expected(job):
    """item index -> [(class, x, y, w, h, confidence)] as the export must hold them."""
    return {
        4: [(0, 11.0, 20.33, 99.67, 50.67, 1.0)],  # the person was drawn once of three: no consensus
        5: [(1, 600.5, 399.5, 39.5, 80.5, 2 / 3)],
        6: [(1, 5.0, 6.0, 7.0, 8.0, 0.5)],
    }


def close(found, wanted, tolerance):
    """Same boxes in the same order, every number within `tolerance`."""
    assert len(found) == len(wanted), (found, wanted)
    for got, want in zip(found, wanted):
        assert got[0] == want[0] and got[1:] == pytest.approx(want[1:], abs=tolerance), (got, want)


def download(job, fmt, user=REQUESTER):
    api = APIClient()
    api.force_authenticate(make_user(user))
    return api.get(f"/api/jobs/{job.pk}/export/{fmt}")


def unzip(reply) -> zipfile.ZipFile:
    assert reply.status_code == 200, reply.content
    assert reply["Content-Type"] == "application/zip"
    return zipfile.ZipFile(io.BytesIO(reply.content))


def test_coco_reads_back_with_pycocotools(labelled, tmp_path):
    path = tmp_path / "annotations.json"
    path.write_bytes(unzip(download(labelled, "coco")).read("annotations.json"))
    coco = COCO(str(path))
    assert [c["name"] for c in coco.loadCats(coco.getCatIds())] == list(CLASSES)
    assert len(coco.getImgIds()) == labelled.items.count()
    found = {}
    for image_id in coco.getImgIds():
        image = coco.loadImgs(image_id)[0]
        assert (image["width"], image["height"]) == (WIDTH, HEIGHT)
        assert image["file_name"] == f"img{image_id:02d}.png"
        annotations = coco.loadAnns(coco.getAnnIds(imgIds=[image_id]))
        if annotations:
            found[image_id] = [(a["category_id"] - 1, *a["bbox"], a["score"]) for a in annotations]
    assert found.keys() == expected(labelled).keys()
    for index, boxes in expected(labelled).items():
        close(found[index], boxes, 1e-6)  # confidences are kept to 6 decimals


def test_yolo_round_trips(labelled):
    archive = unzip(download(labelled, "yolo"))
    assert archive.read("classes.txt").decode().splitlines() == list(CLASSES)
    files = [n for n in archive.namelist() if n.startswith("labels/")]
    assert len(files) == labelled.items.count()
    for index, boxes in expected(labelled).items():
        rows = [line.split() for line in archive.read(f"labels/img{index:02d}.txt").decode().splitlines()]
        back = [
            (
                int(c),
                (float(cx) - float(w) / 2) * WIDTH,
                (float(cy) - float(h) / 2) * HEIGHT,
                float(w) * WIDTH,
                float(h) * HEIGHT,
                float(conf),
            )
            for c, cx, cy, w, h, conf in rows
        ]
        close(back, boxes, 1e-3)
    assert archive.read("labels/img07.txt") == b""


def test_voc_round_trips(labelled):
    archive = unzip(download(labelled, "voc"))
    for index, boxes in expected(labelled).items():
        document = minidom.parseString(archive.read(f"Annotations/img{index:02d}.xml"))
        text = lambda node, tag: node.getElementsByTagName(tag)[0].firstChild.data  # noqa: E731
        assert text(document, "filename") == f"img{index:02d}.png"
        assert (int(text(document, "width")), int(text(document, "height"))) == (WIDTH, HEIGHT)
        back = []
        for obj in document.getElementsByTagName("object"):
            xmin, ymin, xmax, ymax = (float(text(obj, tag)) for tag in ("xmin", "ymin", "xmax", "ymax"))
            cls = CLASSES.index(text(obj, "name"))
            back.append((cls, xmin, ymin, xmax - xmin, ymax - ymin, float(text(obj, "confidence"))))
        close(back, boxes, 0.006)


def test_only_the_requester_and_only_box_jobs(labelled, db):
    assert download(labelled, "coco", user=WORKERS[0]).status_code == 404
    text_job = make_job(requester=make_user(REQUESTER), status=Job.Status.LIVE)
    assert download(text_job, "coco").status_code == 404
    csv_export = download(labelled, "csv")  # the label export still works on box jobs, votes as box counts
    rows = b"".join(csv_export.streaming_content).decode().splitlines()
    assert sorted(row.split(",")[4] for row in rows[1:] if row.startswith("4,")) == ["1", "1", "2"]
    assert json.loads(unzip(download(labelled, "coco")).read("annotations.json"))["annotations"][0]["iscrowd"] == 0
