"""A bounding-box job's consensus boxes for its requester, zipped, in the three formats detectors
train on. Every image of the job is listed (an image without consensus boxes has none); boxes are
the settlement's consensus (apps.boxes.models.ConsensusBoxes), or for images not settled yet the
consensus of the verified answers so far, each with its confidence.

- coco: `annotations.json` — images (id = on-chain item id, file_name, width, height), categories
  (id = class index + 1, COCO reserving 0), annotations (bbox [x, y, w, h] in pixels, area,
  iscrowd 0, score = confidence).
- yolo: `classes.txt` (one name per line, line n = class n) and `labels/<image stem>.txt`, one line
  per box `class cx cy w h confidence`, coordinates normalised to the image size.
- voc: `Annotations/<image stem>.xml`, one <object> per box with <bndbox> xmin = x, ymin = y,
  xmax = x + w, ymax = y + h (pixel edges) and <confidence>.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from xml.etree import ElementTree

from apps.boxes.geometry import consolidate
from apps.boxes.selectors import box_settlement_input, consensus_boxes
from apps.jobs.models import Job

FORMATS = ("coco", "yolo", "voc")
MEDIA_TYPE = "application/zip"


@dataclass(frozen=True)
class ExportImage:
    index: int
    file_name: str
    width: int
    height: int
    boxes: list[dict]  # {"class", "x", "y", "w", "h", "confidence", "workers"}


def export_images(*, job: Job) -> Iterator[ExportImage]:
    stored = consensus_boxes(job=job)
    answers = box_settlement_input(job=job).answers
    for item in job.items.order_by("index").only("pk", "index", "source_name", "width", "height"):
        if item.pk in stored:
            boxes = stored[item.pk]
        else:
            boxes = [c.as_dict() for c in consolidate(answers.get(item.index, {}))]
        yield ExportImage(item.index, item.source_name, item.width, item.height, boxes)


def export_boxes(*, job: Job, fmt: str) -> bytes:
    """The zip of `fmt` (one of FORMATS)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown box export format {fmt!r}; use one of {', '.join(FORMATS)}")
    names = list(job.classes.order_by("index").values_list("name", flat=True))
    images = list(export_images(job=job))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, content in {"coco": _coco, "yolo": _yolo, "voc": _voc}[fmt](names, images):
            archive.writestr(path, content)
    return buffer.getvalue()


def _stem(image: ExportImage) -> str:
    # Source names may hold folders (zip imports); flattened so that every file lands in one folder.
    return str(PurePosixPath(image.file_name).with_suffix("")).replace("/", "__")


def _coco(names: list[str], images: list[ExportImage]) -> Iterator[tuple[str, str]]:
    annotations = []
    for image in images:
        for box in image.boxes:
            annotations.append(
                {
                    "id": len(annotations) + 1,
                    "image_id": image.index,
                    "category_id": box["class"] + 1,
                    "bbox": [box["x"], box["y"], box["w"], box["h"]],
                    "area": box["w"] * box["h"],
                    "iscrowd": 0,
                    "score": box["confidence"],
                }
            )
    document = {
        "info": {"description": "CrowdAL consensus boxes"},
        "images": [{"id": i.index, "file_name": i.file_name, "width": i.width, "height": i.height} for i in images],
        "categories": [{"id": index + 1, "name": name} for index, name in enumerate(names)],
        "annotations": annotations,
    }
    yield "annotations.json", json.dumps(document, indent=1)


def _yolo(names: list[str], images: list[ExportImage]) -> Iterator[tuple[str, str]]:
    yield "classes.txt", "".join(f"{name}\n" for name in names)
    for image in images:
        lines = [
            f"{box['class']} {(box['x'] + box['w'] / 2) / image.width:.6f} {(box['y'] + box['h'] / 2) / image.height:.6f}"
            f" {box['w'] / image.width:.6f} {box['h'] / image.height:.6f} {box['confidence']:.6f}\n"
            for box in image.boxes
        ]
        yield f"labels/{_stem(image)}.txt", "".join(lines)


def _voc(names: list[str], images: list[ExportImage]) -> Iterator[tuple[str, str]]:
    for image in images:
        root = ElementTree.Element("annotation")
        ElementTree.SubElement(root, "filename").text = image.file_name
        size = ElementTree.SubElement(root, "size")
        for tag, value in (("width", image.width), ("height", image.height), ("depth", 3)):
            ElementTree.SubElement(size, tag).text = str(value)
        for box in image.boxes:
            obj = ElementTree.SubElement(root, "object")
            ElementTree.SubElement(obj, "name").text = names[box["class"]]
            ElementTree.SubElement(obj, "difficult").text = "0"
            ElementTree.SubElement(obj, "confidence").text = f"{box['confidence']:.6f}"
            bndbox = ElementTree.SubElement(obj, "bndbox")
            edges = (
                ("xmin", box["x"]),
                ("ymin", box["y"]),
                ("xmax", box["x"] + box["w"]),
                ("ymax", box["y"] + box["h"]),
            )
            for tag, value in edges:
                ElementTree.SubElement(bndbox, tag).text = f"{value:.2f}"
        ElementTree.indent(root)
        yield f"Annotations/{_stem(image)}.xml", ElementTree.tostring(root, encoding="unicode")
