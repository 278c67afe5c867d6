"""Gold boxes of an upload (the `gold` cell or COCO file that apps.jobs.importers reads), turned into
checked boxes. Pure: raises ImportRefused naming the item at fault, so the import stays all-or-nothing."""

from __future__ import annotations

import json
from collections.abc import Mapping

from django.conf import settings

from apps.boxes.geometry import Box, InvalidBoxes, validate_boxes
from apps.jobs.importers import ImportRefused


def parse_gold_boxes(*, where: str, cell: str, class_index: Mapping[str, int], width: int, height: int) -> list[Box]:
    """The canonical gold boxes of one image from its JSON box list (classes by name)."""
    try:
        records = json.loads(cell)
    except json.JSONDecodeError as error:
        raise ImportRefused(f"{where}: gold boxes are not a JSON list ({error.msg})") from error
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise ImportRefused(f"{where}: gold boxes must be a JSON list of {{class, x, y, w, h}} objects")
    boxes = []
    for n, record in enumerate(records, start=1):
        name = str(record.get("class", ""))
        if name not in class_index:
            raise ImportRefused(
                f"{where}, box {n}: class {name!r} is not a class of this job ({', '.join(class_index)})"
            )
        try:
            boxes.append(Box(class_index[name], *(float(record[k]) for k in ("x", "y", "w", "h"))))
        except (KeyError, TypeError, ValueError) as error:
            raise ImportRefused(f"{where}, box {n}: x, y, w and h must be numbers ({error!r})") from error
    try:
        return validate_boxes(
            boxes, num_classes=len(class_index), width=width, height=height, max_boxes=settings.BOXES_MAX_PER_ITEM
        )
    except InvalidBoxes as error:
        raise ImportRefused(f"{where}: {error}") from error
