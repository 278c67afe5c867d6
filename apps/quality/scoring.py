"""One answer scored against its gold answer, in [0, 1], per task type: qualification rounds and
honeypots share it, so a task type plugs in here once."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any


def _class_score(answer: Any, gold: Any) -> float:
    return 1.0 if answer == gold else 0.0


def _box_score(answer: Any, gold: Any) -> float:
    # Mean IoU of the labeler's boxes matched to the gold boxes (apps/boxes, the box task's app).
    from apps.boxes.geometry import score_boxes_against_gold

    return float(score_boxes_against_gold(answer, gold))


SCORERS: dict[str, Callable[[Any, Any], float]] = {
    "image_classification": _class_score,
    "text_classification": _class_score,
    "bounding_box": _box_score,
}


def score_against_gold(*, task_type: str, answer: Any, gold: Any) -> float:
    """1.0 for a perfect answer, 0.0 for a wrong one; partial credit where the task type has it."""
    try:
        scorer = SCORERS[task_type]
    except KeyError:
        raise ValueError(f"no gold scoring for task type {task_type!r}") from None
    return scorer(answer, gold)
