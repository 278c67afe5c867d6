"""Box geometry, with no database and no chain: the canonical form of a box set and its on-chain
commitment, IoU, matching a labeler's boxes to gold, and consolidation of several workers' boxes into
consensus boxes.

Coordinates are image pixels, (x, y) the top-left corner, w and h the size. The canonical form rounds
each to a hundredth of a pixel (what the commitment encodes as integers) and sorts the boxes, so the
same drawing always gives the same commitment whatever order the page sent its boxes in.

Scores (docs/boxes.md):
- score_boxes_against_gold: boxes are paired one-to-one with the Hungarian algorithm (scipy) on IoU,
  only within a class; the score is the sum of the pairs' IoU over (pairs + unmatched answer boxes +
  unmatched gold boxes), i.e. the mean IoU over matched pairs with every unmatched box counted as 0.
  Missing a box and drawing a spurious one cost the same; an empty answer to an empty image is 1.
- consolidate: per class, workers are taken in turn (heaviest first) and each one's boxes are matched
  (Hungarian, IoU >= threshold) to the clusters built so far, one box per worker per cluster; an
  unmatched box starts a cluster. A cluster's box is the weighted mean of its members, its confidence
  the weight of the workers in it over the weight of every worker who answered the image. Clusters
  with confidence >= min_confidence are the consensus.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from eth_utils import keccak
from scipy.optimize import linear_sum_assignment

SCALE = 100  # commitment units per pixel
COUNT_LABEL_LIMIT = 15  # the 4-bit label of a box vote: min(box count, 15)
CLASS_LIMIT = 16  # one byte on chain, and jobs have at most 16 classes
MATCH_IOU = 0.5  # consolidation and the per-item pass threshold


@dataclass(frozen=True, order=True)
class Box:
    cls: int
    x: float
    y: float
    w: float
    h: float

    @property
    def area(self) -> float:
        return self.w * self.h

    def as_dict(self) -> dict:
        return {"class": self.cls, "x": self.x, "y": self.y, "w": self.w, "h": self.h}


@dataclass(frozen=True)
class ConsensusBox:
    box: Box
    confidence: float
    workers: int  # how many workers drew a box in this cluster

    def as_dict(self) -> dict:
        return {**self.box.as_dict(), "confidence": round(self.confidence, 6), "workers": self.workers}


class InvalidBoxes(ValueError):
    """A box set that cannot be stored; the message names the box at fault."""


def _quantize(value: float) -> int:
    return int(round(value * SCALE))


def box_from_dict(data: Mapping) -> Box:
    return Box(cls=int(data["class"]), x=float(data["x"]), y=float(data["y"]), w=float(data["w"]), h=float(data["h"]))


def canonical_boxes(boxes: Iterable[Box]) -> list[Box]:
    """Rounded to 1/SCALE pixel and sorted: the form that is stored, signed and committed to."""
    rounded = (Box(b.cls, *(_quantize(v) / SCALE for v in (b.x, b.y, b.w, b.h))) for b in boxes)
    return sorted(rounded)


def validate_boxes(
    boxes: Sequence[Box], *, num_classes: int, width: int | None, height: int | None, max_boxes: int
) -> list[Box]:
    """The canonical box set, or InvalidBoxes: every class a class of the job, every size positive
    (at least one commitment unit once rounded), every box inside the image, at most max_boxes."""
    if len(boxes) > max_boxes:
        raise InvalidBoxes(f"{len(boxes)} boxes is more than the {max_boxes} an image takes.")
    for n, box in enumerate(boxes, start=1):
        if not 0 <= box.cls < num_classes:
            raise InvalidBoxes(f"Box {n}: class {box.cls} does not exist in this job.")
        if not all(math.isfinite(v) for v in (box.x, box.y, box.w, box.h)):
            raise InvalidBoxes(f"Box {n}: coordinates must be finite numbers.")
    canonical = canonical_boxes(boxes)
    for box in canonical:
        if box.w <= 0 or box.h <= 0:
            raise InvalidBoxes(f"Box {_describe(box)}: width and height must be positive.")
        if box.x < 0 or box.y < 0:
            raise InvalidBoxes(f"Box {_describe(box)}: it starts outside the image.")
        if width is not None and height is not None and (box.x + box.w > width or box.y + box.h > height):
            raise InvalidBoxes(f"Box {_describe(box)}: it ends outside the {width}x{height} image.")
    return canonical


def _describe(box: Box) -> str:
    return f"(class {box.cls}, x {box.x:g}, y {box.y:g}, w {box.w:g}, h {box.h:g})"


def encode_boxes(boxes: Iterable[Box]) -> bytes:
    """17 bytes per canonical box: class u8, then x, y, w, h as u32 hundredths of a pixel, big-endian."""
    out = bytearray()
    for box in canonical_boxes(boxes):
        out.append(box.cls)
        for value in (box.x, box.y, box.w, box.h):
            out += _quantize(value).to_bytes(4, "big")
    return bytes(out)


def box_commitment(boxes: Iterable[Box]) -> bytes:
    """keccak256 of the canonical encoding: what a box vote commits to on chain."""
    return keccak(encode_boxes(boxes))


def count_label(boxes: Sequence[Box]) -> int:
    """The 4-bit on-chain label of a box vote."""
    return min(len(boxes), COUNT_LABEL_LIMIT)


def _boxes(boxes: Iterable[Box | Mapping]) -> list[Box]:
    return [box if isinstance(box, Box) else box_from_dict(box) for box in boxes]


# --- IoU and matching -------------------------------------------------------------------------


def iou(a: Box, b: Box) -> float:
    overlap_w = min(a.x + a.w, b.x + b.w) - max(a.x, b.x)
    overlap_h = min(a.y + a.h, b.y + b.h) - max(a.y, b.y)
    if overlap_w <= 0 or overlap_h <= 0:
        return 0.0
    overlap = overlap_w * overlap_h
    return overlap / (a.area + b.area - overlap)


def iou_matrix(a: Sequence[Box], b: Sequence[Box]) -> np.ndarray:
    """IoU of every pair, 0 across classes (a box of another class never matches)."""
    matrix = np.zeros((len(a), len(b)))
    for i, box_a in enumerate(a):
        for j, box_b in enumerate(b):
            if box_a.cls == box_b.cls:
                matrix[i, j] = iou(box_a, box_b)
    return matrix


def match_boxes(a: Sequence[Box], b: Sequence[Box], *, min_iou: float = 0.0) -> list[tuple[int, int, float]]:
    """One-to-one pairs (i, j, IoU) maximising the total IoU; pairs at or below min_iou (and all
    pairs of IoU 0) are left unmatched."""
    if not a or not b:
        return []
    matrix = iou_matrix(a, b)
    rows, cols = linear_sum_assignment(matrix, maximize=True)
    return [
        (int(i), int(j), float(matrix[i, j]))
        for i, j in zip(rows, cols)
        if matrix[i, j] > 0 and matrix[i, j] >= min_iou
    ]


def score_boxes_against_gold(answer: Sequence[Box | Mapping], gold: Sequence[Box | Mapping]) -> float:
    """Mean IoU over matched pairs with unmatched boxes (either side) counted as 0; 1.0 when both are
    empty. The pass score of box qualification rounds and honeypots. Boxes may be Box values or
    {"class", "x", "y", "w", "h"} dicts (as the API and the database hold them)."""
    answer, gold = _boxes(answer), _boxes(gold)
    if not answer and not gold:
        return 1.0
    pairs = match_boxes(answer, gold)
    return sum(score for _, _, score in pairs) / (len(answer) + len(gold) - len(pairs))


# --- consolidation ----------------------------------------------------------------------------


@dataclass
class _Cluster:
    members: list[tuple[Hashable, Box, float]]  # worker, box, weight

    def mean(self) -> Box:
        total = sum(weight for _, _, weight in self.members)
        coords = [sum(getattr(b, f) * weight for _, b, weight in self.members) / total for f in ("x", "y", "w", "h")]
        return canonical_boxes([Box(self.members[0][1].cls, *coords)])[0]


def consolidate(
    answers: Mapping[Any, Sequence[Box]],
    *,
    weights: Mapping[Any, float] | None = None,
    iou_threshold: float = MATCH_IOU,
    min_confidence: float = 0.5,
) -> list[ConsensusBox]:
    """Consensus boxes of one image from each worker's boxes (an empty list is a worker saying "no
    object"), with their confidence; sorted like canonical boxes."""
    weight_of = {worker: float((weights or {}).get(worker, 1.0)) for worker in answers}
    total = sum(weight_of.values())
    if total <= 0:
        return []
    order = sorted(answers, key=lambda w: (-weight_of[w], str(w)))
    clusters: list[_Cluster] = []
    for worker in order:
        boxes = list(answers[worker])
        centres = [cluster.mean() for cluster in clusters]
        pairs = match_boxes(boxes, centres, min_iou=iou_threshold)
        matched = set()
        for i, j, _ in pairs:
            clusters[j].members.append((worker, boxes[i], weight_of[worker]))
            matched.add(i)
        clusters.extend(
            _Cluster(members=[(worker, box, weight_of[worker])]) for i, box in enumerate(boxes) if i not in matched
        )
    consensus = []
    for cluster in clusters:
        confidence = sum(weight for _, _, weight in cluster.members) / total
        if confidence >= min_confidence:
            consensus.append(ConsensusBox(box=cluster.mean(), confidence=confidence, workers=len(cluster.members)))
    return sorted(consensus, key=lambda c: c.box)
