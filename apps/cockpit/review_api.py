"""Review-queue API of settlement's screening, for a job's requester and staff. Anyone else (labelers
included) gets 404 for the job and its flags, so a labeler never learns who was flagged or why."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.chain.client import ChainNotConfigured
from apps.integrity.models import WorkerFlag
from apps.integrity.selectors import can_review, job_flags
from apps.integrity.services import MAX_NOTE
from apps.jobs.models import Job
from apps.rewards.screening import reassess_job, review_flag, review_queue


class SignalSerializer(serializers.Serializer):
    name = serializers.CharField()
    score = serializers.FloatField(allow_null=True)
    threshold = serializers.FloatField()
    fired = serializers.BooleanField()
    reason = serializers.CharField()
    related = serializers.ListField(child=serializers.CharField())


class DecisionSerializer(serializers.Serializer):
    status = serializers.CharField()
    note = serializers.CharField()
    reviewer = serializers.CharField(source="reviewer.address", default=None)
    created_at = serializers.DateTimeField()


class FlagSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    worker = serializers.CharField(source="worker.address")
    status = serializers.CharField()
    holds_payout = serializers.BooleanField()
    reasons = serializers.ListField(child=serializers.CharField())
    signals = SignalSerializer(many=True)
    cluster = serializers.ListField(child=serializers.CharField())
    decisions = DecisionSerializer(many=True, source="decisions.all")


class ReviewQueueSerializer(serializers.Serializer):
    settlement_step = serializers.CharField(allow_null=True)
    held = serializers.BooleanField()
    hold_reason = serializers.CharField(allow_blank=True)
    flags = FlagSerializer(many=True)


def reviewable_job(*, job_id: int, user) -> Job:
    job = get_object_or_404(Job, pk=job_id)
    if not can_review(job=job, user=user):
        raise Http404
    return job


class ReviewQueueApi(APIView):
    """GET /api/jobs/<id>/flags: the job's flagged workers with every signal and decision, and whether
    settlement is held. POST: assess the job's workers now (settlement also does it when it starts)."""

    @extend_schema(responses=ReviewQueueSerializer)
    def get(self, request: Request, job_id: int) -> Response:
        job = reviewable_job(job_id=job_id, user=request.user)
        return Response(ReviewQueueSerializer(review_queue(job=job)).data)

    @extend_schema(request=None, responses=ReviewQueueSerializer)
    def post(self, request: Request, job_id: int) -> Response:
        job = reviewable_job(job_id=job_id, user=request.user)
        if not job.instance_address:
            return Response({"detail": "the job is not on chain yet: no labels to assess"}, status=409)
        try:
            reassess_job(job=job)
        except ChainNotConfigured as error:
            return Response({"detail": str(error)}, status=503)
        return Response(ReviewQueueSerializer(review_queue(job=job)).data)


class ReviewDecisionApi(APIView):
    """POST /api/flags/<id>/review {"decision": "approved"|"rejected", "note": "..."}: decide a flag.
    Approve pays the worker; reject withholds its pay, which returns to the requester with the refund."""

    class InputSerializer(serializers.Serializer):
        decision = serializers.ChoiceField(choices=[WorkerFlag.Status.APPROVED, WorkerFlag.Status.REJECTED])
        note = serializers.CharField(max_length=MAX_NOTE)

    @extend_schema(request=InputSerializer, responses=FlagSerializer)
    def post(self, request: Request, flag_id: int) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            decision = data.validated_data
            flag = review_flag(
                flag_id=flag_id, reviewer=request.user, status=decision["decision"], note=decision["note"]
            )
        except PermissionDenied as error:
            raise Http404 from error
        except ValidationError as error:
            return Response({"detail": " ".join(error.messages)}, status=status.HTTP_409_CONFLICT)
        return Response(FlagSerializer(job_flags(job=flag.job).get(pk=flag.pk)).data)
