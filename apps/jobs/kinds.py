"""Task kinds as plug-ins: what a kind of task (class labels on images, on texts, bounding boxes, …)
must provide, and the registry the rest of the platform asks instead of branching on `task_type`.

A kind registers itself in its app's `AppConfig.ready()` (`register_kind(BoxKind())`); the apps that
serve, score, settle, screen, rank and export jobs call `kind_for(job)` and never import a kind's app.
So a new kind is a room added: its own app, one `register_kind`, and no branch anywhere else.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import numpy as np
    from django.db.models import QuerySet

    from apps.chain.relaying import RelayCall
    from apps.jobs.importers import ParsedItem
    from apps.jobs.models import Job


@dataclass(frozen=True)
class SettlementOutcome:
    """A kind's settlement arithmetic for a job: `outcome` has the `payouts`, `root`, `total`,
    `truth_words` and `report` that settlement posts and stores (apps.rewards), and
    `store_aggregates` writes the kind's per-item results once the payouts are computed."""

    outcome: Any
    store_aggregates: Callable[[], None]


@dataclass(frozen=True)
class Screening:
    """What integrity screening found for a job's workers: their user pks and addresses (same order
    as the assessment's worker positions) and the assessment (apps.integrity.signals.Assessment)."""

    worker_ids: list[int]
    addresses: list[str]
    assessment: Any


@dataclass(frozen=True)
class ExportFile:
    content: bytes | Any  # bytes, or an iterator of text chunks for streamed formats
    media_type: str
    filename: str


class TaskKind(Protocol):
    """One kind of task. Attributes describe it; methods do the kind-specific part of a concern
    whose common part lives in the concern's app."""

    task_type: str  # a value of apps.jobs.models.Job.TaskType
    fewest_classes: int  # a job of this kind needs at least this many classes
    takes_images: bool  # items are images (sizes recorded, image features) rather than texts
    takes_class_labels: bool  # a label is one class index (a box job's label is its box answer)
    model_input: str  # what one row of the exported model's input is ("" when no model is trained)
    export_formats: Mapping[str, str]  # this kind's own export formats -> media type
    # (answers, agreement in [0, 1]) per item index, for a kind the learner ranks by the crowd's
    # agreement instead of a model of its own; None: the learner trains a classifier.
    crowd_agreement: Callable[..., tuple[np.ndarray, np.ndarray]] | None

    def onchain_classes(self, job: Job) -> int:
        """createJob's numClasses for the job."""
        ...

    def parse_gold(self, *, job: Job, parsed: Sequence[ParsedItem], sizes: Sequence[tuple]) -> list[Any | None]:
        """Each uploaded item's checked gold answer (None: not gold); raises ImportRefused naming the row."""
        ...

    def store_gold(self, *, gold_by_item: Mapping[int, Any]) -> None:
        """Store parsed gold answers per item pk (inside the import's transaction)."""
        ...

    def gold_answers(self, *, item_ids: Sequence[int]) -> Mapping[int, Any]:
        """item pk -> gold answer of those items that are gold, in score_against_gold's form."""
        ...

    def score_against_gold(self, *, answer: Any, gold: Any) -> float:
        """1.0 for a perfect answer, 0.0 for a wrong one; partial credit where the kind has it."""
        ...

    def honeypot_answers(self, *, labels: QuerySet) -> list[tuple[Any, Any]]:
        """(answer, gold) for the given live labels on gold items, in score_against_gold's form."""
        ...

    def settlement_outcome(self, *, job: Job, withheld: frozenset[str]) -> SettlementOutcome:
        """The job's truth, payouts and report, with `withheld` addresses paid nothing."""
        ...

    def screening(self, *, job: Job) -> Screening:
        """The integrity signals of the job's workers from its final answers."""
        ...

    def features(self, *, blobs: Sequence[bytes]) -> Any:
        """One feature row per item (the learner's input), in the order given."""
        ...

    def standalone_model(self, *, estimator: Any, blobs: Iterable[bytes]) -> Any:
        """The learner's estimator made runnable on the job's raw items (`blobs`, in item order,
        read lazily: a kind whose model takes feature rows never reads them)."""
        ...

    def export(self, *, job: Job, fmt: str) -> ExportFile:
        """One of this kind's own export formats (a key of export_formats)."""
        ...

    def relay_call(self, *, batch: Any) -> RelayCall:
        """The contract call, with its gas limit, that relays a signed batch of this kind (`batch`: a
        labeling LabelBatch; typed loosely because labeling stands above this registry)."""
        ...


def relay_nonce(batch: Any) -> int:
    """A relayed batch's EIP-712 nonce (wallet batches have none, and are never relayed)."""
    if batch.nonce is None:
        raise ValueError(f"batch {batch.pk} has no nonce: only signed batches are relayed")
    return int(batch.nonce)


class UnknownTaskKind(LookupError):
    pass


_kinds: dict[str, TaskKind] = {}


def register_kind(kind: TaskKind) -> None:
    """Make `kind` the one serving jobs of `kind.task_type`; registering the same kind again is a no-op."""
    current = _kinds.get(kind.task_type)
    if current is not None and type(current) is not type(kind):
        raise ValueError(f"task type {kind.task_type!r} is served by {type(current).__name__} already")
    _kinds[kind.task_type] = kind


def kind_for(job_or_task_type: Job | str) -> TaskKind:
    """The registered kind of a job (or of a task type)."""
    task_type = job_or_task_type if isinstance(job_or_task_type, str) else job_or_task_type.task_type
    try:
        return _kinds[task_type]
    except KeyError:
        raise UnknownTaskKind(f"no task kind serves {task_type!r}; registered: {', '.join(sorted(_kinds))}") from None


def registered_kinds() -> Mapping[str, TaskKind]:
    return dict(_kinds)
