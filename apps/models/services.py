"""Publishing a settled job's learned model on chain, and creating a collaborative model."""

from __future__ import annotations

import io
from collections.abc import Sequence

import joblib
import numpy as np
from django.db import transaction

from apps.chain import onchain_models as om
from apps.chain.client import get_web3, oracle_account
from apps.jobs.kinds import kind_for
from apps.jobs.models import Job
from apps.jobs.selectors import job_of
from apps.learning.selectors import job_features, latest_model_version
from apps.models.encoders import IMAGE_NUM_FEATURES
from apps.models.models import OnchainModel
from apps.models.publishing import linear_model, measure_quantisation, publish_linear
from apps.models.selectors import settlement_report_cid
from apps.quality.selectors import job_labels
from apps.storage.selectors import read_blob


class CannotPublish(ValueError):
    """The job's model cannot be published (yet); the message says why."""


def publish_job_model(*, job_id: int, requester) -> OnchainModel:
    """Publish the latest learner model of the requester's settled image job as a read-only
    Perceptron (the platform's oracle key sends the transactions), score it on the job's gold off and
    on chain, and record it. Publishing the same model version again returns the first record."""
    job = job_of(job_id=job_id, requester=requester)
    if job.status not in (Job.Status.SETTLED, Job.Status.REFUNDED):
        raise CannotPublish(f"the job is {job.status}: a model is published once the job is settled")
    kind = kind_for(job)
    if not (kind.takes_class_labels and kind.takes_images):  # the on-chain encoders take images
        raise CannotPublish("only image-classification jobs can publish their model for now")
    version = latest_model_version(job=job)
    if version is None or not version.artifact_cid:
        raise CannotPublish("the learner has not trained a model for this job")
    existing = OnchainModel.objects.filter(job=job, model_version=version.version).first()
    if existing is not None:
        return existing
    class_names = list(job.classes.order_by("index").values_list("name", flat=True))
    estimator = joblib.load(io.BytesIO(read_blob(version.artifact_cid)))
    try:
        linear = linear_model(estimator=estimator, num_classes=len(class_names))
    except ValueError as error:
        raise CannotPublish(str(error)) from error
    if linear.num_features != IMAGE_NUM_FEATURES:
        raise CannotPublish(
            f"the model takes {linear.num_features} features, the image encoder gives {IMAGE_NUM_FEATURES}"
        )
    X = job_features(job=job)
    gold = sorted(job_labels(job=job).gold.items())  # (row of X, class index), as the learner holds out
    w3 = get_web3()
    published = publish_linear(w3=w3, owner=oracle_account(), linear=linear, class_names=class_names)
    quantisation = (
        measure_quantisation(
            model=published.model,
            estimator=estimator,
            X=np.asarray(X)[[row for row, _ in gold]],
            y=[label for _, label in gold],
        )
        if gold
        else None
    )
    with transaction.atomic():
        return OnchainModel.objects.create(
            chain_id=w3.eth.chain_id,
            address=published.model.address,
            kind=OnchainModel.Kind.PERCEPTRON,
            encoder=OnchainModel.Encoder.IMAGE,
            name=job.name,
            class_names=class_names,
            num_features=linear.num_features,
            publisher=requester,
            job=job,
            model_version=version.version,
            settlement_report_cid=settlement_report_cid(job=job),
            offchain_accuracy=quantisation.offchain_accuracy if quantisation else None,
            onchain_accuracy=quantisation.onchain_accuracy if quantisation else None,
            gold_items=len(gold),
            deploy_gas=published.deploy_gas,
        )


def create_collaborative_model(
    *,
    publisher,
    name: str,
    encoder: str,
    class_names: Sequence[str],
    num_features: int,
    weights: Sequence[int],
    pricing: om.DepositPricing,
    refund_wait: int,
    creator_wait: int,
    anyone_wait: int,
) -> OnchainModel:
    """A Perceptron anyone trains through a Deposit-Refund-Take trainer (sparse input for text,
    dense for images; binary with two classes), started from `weights` (fixed point, bias last per
    vector). The platform's oracle key creates, loads and seals it and is the trainer's creator."""
    if encoder not in OnchainModel.Encoder.values:
        raise ValueError(f"unknown encoder {encoder!r}")
    w3 = get_web3()
    owner = oracle_account()
    binary = len(class_names) == 2
    created = om.create_model(
        w3=w3,
        owner=owner,
        kind="perceptron",
        class_names=class_names,
        params=om.perceptron_params(
            num_features=num_features, sparse=encoder == OnchainModel.Encoder.TEXT, binary=binary
        ),
    )
    sent = [created.sent, *om.load_values(model=created.contract, values=list(weights), owner=owner)]
    trainer = om.create_trainer(
        w3=w3,
        creator=owner,
        model=created.contract,
        params=om.trainer_params(
            refund_wait=refund_wait, creator_wait=creator_wait, anyone_wait=anyone_wait, pricing=pricing
        ),
    )
    sent += [trainer.sent, om.seal(model=created.contract, owner=owner, trainer=trainer.contract.address)]
    with transaction.atomic():
        return OnchainModel.objects.create(
            chain_id=w3.eth.chain_id,
            address=created.contract.address,
            trainer_address=trainer.contract.address,
            kind=OnchainModel.Kind.PERCEPTRON,
            encoder=encoder,
            name=name,
            class_names=list(class_names),
            num_features=num_features,
            publisher=publisher,
            deploy_gas=sum(s.gas_used for s in sent),
        )
