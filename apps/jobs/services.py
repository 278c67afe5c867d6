"""Writes of the job life cycle: create (draft) → import → fund → live (JobCreated indexed) → stopped →
settled → refunded. Only this module writes Job.status."""

from __future__ import annotations

import hashlib
import json
import logging
import string
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from eth_account.signers.local import LocalAccount
from web3 import Web3

from apps.chain.client import Sent, get_web3, oracle_account, send
from apps.chain.local_chain import ANVIL_CHAIN_ID
from apps.chain.models import ChainEvent
from apps.chain.registry import contract, contract_at
from apps.jobs.events import JobStopped, JobWentLive
from apps.jobs.gold import split_gold_ids
from apps.jobs.importers import ImportRefused, UploadFile, image_size, parse_upload
from apps.jobs.kinds import UnknownTaskKind, kind_for
from apps.jobs.models import GoldRole, Item, Job, LabelClass
from apps.jobs.selectors import FundingCall, onchain_num_classes
from apps.lib.events import emit
from apps.storage.cid import unixfs_cid
from apps.storage.models import StoredBlob
from apps.storage.services import delete_blob, store_blob

logger = logging.getLogger(__name__)

MAX_CLASSES = 16  # JobManagement.MAX_CLASSES: labels are 4 bits on chain
MAX_REDUNDANCY = 12  # JobManagement.MAX_REDUNDANCY
UINT96_MAX = 2**96 - 1  # createJob takes price and budget as uint96
# Keys that pick a class on the labeling page, in order: 1..9 then 0 as on a keyboard, letters beyond ten.
SHORTCUTS = "1234567890"
LETTER_SHORTCUTS = string.ascii_lowercase


@dataclass(frozen=True)
class Upload:
    files: Sequence[UploadFile]
    gold_file: UploadFile | None = None


def _shortcuts(count: int) -> str:
    return SHORTCUTS if count <= len(SHORTCUTS) else LETTER_SHORTCUTS


def _validate_terms(
    *,
    task_type: str,
    class_names: Sequence[str],
    redundancy: int,
    price_per_label: int,
    budget: int,
    deadline: datetime,
    stopping_rule: str,
    target_accuracy: float | None,
    qualification_bar: float,
) -> None:
    errors: dict[str, str] = {}
    names = [name.strip() for name in class_names]
    try:
        fewest = kind_for(task_type).fewest_classes
    except UnknownTaskKind:
        raise ValidationError({"task_type": f"unknown task type {task_type!r}"}) from None
    if not fewest <= len(names) <= MAX_CLASSES:
        errors["classes"] = f"a job has {fewest} to {MAX_CLASSES} classes"
    elif any(not name for name in names) or len(set(names)) != len(names):
        errors["classes"] = "class names must be non-empty and different from each other"
    if not 1 <= redundancy <= MAX_REDUNDANCY:
        errors["redundancy"] = f"redundancy is 1 to {MAX_REDUNDANCY} labels per item"
    if not 0 < price_per_label <= UINT96_MAX:
        errors["price_per_label"] = "the price per label must be positive and below 2^96 base units"
    # The learner may stop early, so the budget need not cover every item: one label is the floor.
    if not 0 < budget <= UINT96_MAX:
        errors["budget"] = "the budget must be positive and below 2^96 base units"
    elif budget < price_per_label:
        errors["budget"] = "the budget must pay for at least one label"
    if deadline <= timezone.now():
        errors["deadline"] = "the deadline must be in the future"
    if not 0 <= qualification_bar <= 1:
        errors["qualification_bar"] = "the qualification bar is a share between 0 and 1"
    if stopping_rule == Job.StoppingRule.TARGET_ACCURACY and not (target_accuracy and 0 < target_accuracy <= 1):
        errors["target_accuracy"] = "stopping at a target accuracy needs a target between 0 and 1"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_job(
    *,
    requester,
    name: str,
    task_type: str,
    class_names: Sequence[str],
    redundancy: int,
    price_per_label: int,
    budget: int,
    deadline: datetime,
    instructions: str = "",
    qualification_bar: float = 0.8,
    qualification_size: int = 5,
    qualification_max_attempts: int = 3,
    qualification_wait_seconds: int = 600,
    domain: str = "",
    honeypot_min: int = 5,
    aggregation_method: str = Job.AggregationMethod.ANCHORED_DAWID_SKENE,
    stopping_rule: str = Job.StoppingRule.BUDGET,
    target_accuracy: float | None = None,
    anonymous: bool = False,
) -> Job:
    """A draft job with its classes; raises ValidationError naming each field at fault."""
    _validate_terms(
        task_type=task_type,
        class_names=class_names,
        redundancy=redundancy,
        price_per_label=price_per_label,
        budget=budget,
        deadline=deadline,
        stopping_rule=stopping_rule,
        target_accuracy=target_accuracy,
        qualification_bar=qualification_bar,
    )
    job = Job.objects.create(
        requester=requester,
        name=name,
        instructions=instructions,
        task_type=task_type,
        redundancy=redundancy,
        price_per_label=Decimal(price_per_label),
        budget=Decimal(budget),
        deadline=deadline,
        qualification_bar=qualification_bar,
        qualification_size=qualification_size,
        qualification_max_attempts=qualification_max_attempts,
        qualification_wait_seconds=qualification_wait_seconds,
        domain=domain,
        honeypot_min=honeypot_min,
        aggregation_method=aggregation_method,
        stopping_rule=stopping_rule,
        target_accuracy=target_accuracy if stopping_rule == Job.StoppingRule.TARGET_ACCURACY else None,
        anonymous=anonymous,
    )
    keys = _shortcuts(len(class_names))
    LabelClass.objects.bulk_create(
        LabelClass(job=job, index=i, name=name.strip(), shortcut=keys[i]) for i, name in enumerate(class_names)
    )
    return job


def _require_requester(job: Job, user) -> None:
    if job.requester_id != user.pk:
        raise PermissionDenied("only the job's requester may do this")


def _require_status(job: Job, *allowed: str, action: str) -> None:
    if job.status not in allowed:
        raise ValidationError(f"cannot {action} a job that is {job.get_status_display().lower()}")


def _manifest(job: Job) -> bytes:
    """The public description of the dataset that createJob commits to: classes and item CIDs in id
    order. Which items are gold is left out on purpose: the manifest is public, gold must not be."""
    document = {
        "version": 1,
        "task_type": job.task_type,
        "classes": list(job.classes.values_list("name", flat=True)),
        "items": list(job.items.order_by("index").values_list("content_cid", flat=True)),
    }
    return json.dumps(document, separators=(",", ":"), sort_keys=True).encode()


def manifest_digest(manifest: bytes) -> str:
    # JobManagement's NatSpec: sha2-256 of the manifest's content, which anyone holding the CID can recheck.
    return "0x" + hashlib.sha256(manifest).hexdigest()


def import_items(*, job: Job, upload: Upload) -> int:
    """Add the upload's items to a draft job and rebuild its manifest; returns how many were added.
    The caller has checked that the user owns the job (the API finds it through selectors.job_of).

    All or nothing: ImportRefused (naming the file) leaves no item, gold answer or new blob behind.
    """
    _require_status(job, Job.Status.DRAFT, action="import data into")
    kind = kind_for(job)
    images = kind.takes_images
    parsed = parse_upload(files=upload.files, gold_file=upload.gold_file, images=images)
    sizes = [image_size(item.data) if images else (None, None) for item in parsed]
    gold = kind.parse_gold(job=job, parsed=parsed, sizes=sizes)
    new_cids: list[str] = []
    try:
        with transaction.atomic():
            locked = Job.objects.select_for_update().get(pk=job.pk)
            _require_status(locked, Job.Status.DRAFT, action="import data into")
            known = set(locked.items.values_list("content_cid", flat=True))
            start = locked.items.count()
            rows = []
            for offset, item in enumerate(parsed):
                existed = StoredBlob.objects.filter(cid=unixfs_cid(item.data)).exists()
                cid = store_blob(data=item.data, content_type=item.media_type)
                if not existed:
                    new_cids.append(cid)
                if cid in known:
                    raise ImportRefused(f"{item.where}: this job already holds the same content (duplicate)")
                rows.append(
                    Item(
                        job=locked,
                        index=start + offset,
                        content_cid=cid,
                        media_type=item.media_type,
                        source_name=item.source_name[:500],
                        is_gold=gold[offset] is not None,
                        labels_needed=locked.redundancy,
                        width=sizes[offset][0],
                        height=sizes[offset][1],
                    )
                )
            created = Item.objects.bulk_create(rows)
            kind.store_gold(gold_by_item={row.pk: g for row, g in zip(created, gold) if g is not None})
            _store_manifest(locked)
            job.refresh_from_db()
    except Exception:
        _forget_blobs(new_cids)
        raise
    return len(parsed)


def _forget_blobs(cids: Sequence[str]) -> None:
    """Delete blobs a failed import stored, except those an item (of any job) refers to."""
    referenced = set(Item.objects.filter(content_cid__in=cids).values_list("content_cid", flat=True))
    for cid in set(cids) - referenced:
        delete_blob(cid)


def _store_manifest(job: Job) -> None:
    manifest = _manifest(job)
    job.manifest_cid = store_blob(data=manifest, content_type="application/json")
    job.manifest_digest = manifest_digest(manifest)
    job.save(update_fields=["manifest_cid", "manifest_digest"])


@transaction.atomic
def record_funding(*, job: Job, by, tx_hash: str) -> Job:
    """The requester's wallet sent createJob: the job waits in FUNDING for the indexer. The hash is
    kept only to show the requester; the job goes live from the indexed event, not from this."""
    _require_requester(job, by)
    job = Job.objects.select_for_update().get(pk=job.pk)
    # From FUNDING too: a createJob that reverted or was dropped is sent again.
    _require_status(job, Job.Status.DRAFT, Job.Status.FUNDING, action="fund")
    if not job.manifest_digest:
        raise ValidationError("import the dataset before funding the job")
    job.status = Job.Status.FUNDING
    job.created_tx = tx_hash
    job.save(update_fields=["status", "created_tx"])
    return job


def _event_matches(job: Job, args: dict) -> bool:
    # Every parameter the escrow was created with must be the job's: a requester's own createJob with
    # another price or item count must not make this job live.
    expected = {
        "numItems": job.items.count(),
        "numClasses": onchain_num_classes(job),
        "redundancy": job.redundancy,
        "pricePerLabel": int(job.price_per_label),
        "budget": int(job.budget),
        "deadline": int(job.deadline.timestamp()),
    }
    return all(int(args[key]) == value for key, value in expected.items())


def on_job_created(event: ChainEvent) -> None:
    """Chain handler for JobManagement's JobCreated: the job with the event's requester, manifest
    digest and parameters goes LIVE, bound to its on-chain instance. Runs once per event."""
    if event.contract != "JobManagement":
        return
    args = event.args
    candidates = Job.objects.select_for_update().filter(
        requester__address=Web3.to_checksum_address(args["requester"]),
        manifest_digest=args["manifest"].lower(),
        status__in=[Job.Status.DRAFT, Job.Status.FUNDING],
        onchain_id__isnull=True,
    )
    job = next((job for job in candidates if _event_matches(job, args)), None)
    if job is None:
        logger.warning("JobCreated %s (tx %s) matches no job awaiting funding", args.get("jobId"), event.tx_hash)
        return
    job.status = Job.Status.LIVE
    job.chain_id = event.chain_id
    job.onchain_id = int(args["jobId"])
    job.instance_address = Web3.to_checksum_address(args["instance"])
    job.created_tx = event.tx_hash
    job.save(update_fields=["status", "chain_id", "onchain_id", "instance_address", "created_tx"])
    split_gold(job=job)
    emit(JobWentLive(job_id=job.pk))


def split_gold(*, job: Job) -> None:
    """Give the job's gold items their roles (apps.jobs.gold), once, when its gold is final: the job
    goes live with its imports closed."""
    gold = Item.objects.filter(job=job, is_gold=True)
    if gold.exclude(gold_role="").exists():
        return
    qualification, honeypots = split_gold_ids(
        list(gold.order_by("pk").values_list("pk", flat=True)),
        round_size=job.qualification_size,
        max_attempts=job.qualification_max_attempts,
    )
    Item.objects.filter(pk__in=qualification).update(gold_role=GoldRole.QUALIFICATION)
    Item.objects.filter(pk__in=honeypots).update(gold_role=GoldRole.HONEYPOT)


def stop_live_job(*, job_id: int) -> bool:
    """LIVE -> STOPPED (the requester's stop below, or a stopping rule), announced as JobStopped (the
    rewards app schedules the settlement); False when the job was not live."""
    with transaction.atomic():
        stopped = bool(Job.objects.filter(pk=job_id, status=Job.Status.LIVE).update(status=Job.Status.STOPPED))
        if stopped:
            emit(JobStopped(job_id=job_id))
    return stopped


def mark_job_settled(*, job_id: int) -> bool:
    """STOPPED -> SETTLED once its settlement is done; False when the job was not stopped."""
    return bool(Job.objects.filter(pk=job_id, status=Job.Status.STOPPED).update(status=Job.Status.SETTLED))


def mark_job_refunded(*, instance: str) -> int:
    """An indexed Refunded event: the job of that escrow is REFUNDED, from settled, or from live or
    stopped when the requester took the budget back after the deadline and grace without a settlement."""
    unrefunded = (Job.Status.LIVE, Job.Status.STOPPED, Job.Status.SETTLED)
    jobs = Job.objects.filter(instance_address__iexact=instance, status__in=unrefunded)
    return jobs.update(status=Job.Status.REFUNDED)


def stop_job(*, job: Job, by) -> Job:
    """The requester stops a live job by hand; it is then settled as after a stopping rule."""
    _require_requester(job, by)
    if not stop_live_job(job_id=job.pk):
        job.refresh_from_db()
        if job.status != Job.Status.STOPPED:  # stopping twice is harmless; anything else is refused
            _require_status(job, Job.Status.LIVE, action="stop")
    job.refresh_from_db()
    return job


def set_job_min_tier(*, job: Job, min_tier: str) -> None:
    """Store the job's minimum labeler tier ("" = open to all). Its values and their meaning are the
    gamification app's (apps.gamification.services.set_min_tier validates them and calls this)."""
    Job.objects.filter(pk=job.pk).exclude(min_tier=min_tier).update(min_tier=min_tier)
    job.min_tier = min_tier


def send_funding(*, call: FundingCall, account: LocalAccount, w3: Web3) -> Sent:
    """approve + createJob for `call`, sent from a key the server holds (the demo's requester, tests):
    the same two calls a requester's browser wallet sends from the funding page."""
    budget = int(call.budget)
    token = contract_at("CrowdToken", call.token, w3=w3)
    send(token.functions.approve(Web3.to_checksum_address(call.management), budget), sender=account)
    return send(
        contract_at("JobManagement", call.management, w3=w3).functions.createJob(
            call.num_items,
            call.num_classes,
            call.redundancy,
            int(call.price_per_label),
            call.deadline,
            budget,
            bytes.fromhex(call.manifest.removeprefix("0x")),
        ),
        sender=account,
    )


def mint_test_tokens(*, address: str, amount: int) -> str:
    """Development faucet: mint `amount` base units of CrowdToken to `address`; returns the tx hash.
    Refused on any chain but anvil's, where the oracle key is a public development key."""
    w3 = get_web3()
    if w3.eth.chain_id != ANVIL_CHAIN_ID:
        raise PermissionDenied(f"the faucet runs only on the local development chain ({ANVIL_CHAIN_ID})")
    token = contract("CrowdToken", w3=w3)
    return send(token.functions.mint(Web3.to_checksum_address(address), amount), sender=oracle_account()).tx_hash
