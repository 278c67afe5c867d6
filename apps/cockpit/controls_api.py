"""The requester's controls of a running or stopped job: honeypot pauses, the minimum labeler tier,
settling now and the refund call. Each answers 404 for a job that is not the caller's own."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.gamification.models import Tier
from apps.gamification.services import set_min_tier
from apps.jobs.models import Job
from apps.jobs.selectors import job_of
from apps.labeling import selectors, services
from apps.rewards.scheduling import schedule_settlement
from apps.rewards.selectors import refund_call, stop_call


@extend_schema_serializer(component_name="WorkerPause")
class PauseOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    worker = serializers.CharField(source="worker.address")
    created_at = serializers.DateTimeField()
    honeypots = serializers.IntegerField()
    score = serializers.FloatField()
    lifted_at = serializers.DateTimeField(allow_null=True)


class RequesterJobApi(APIView):
    def job(self, job_id: int) -> Job:
        """Only the requester's own job; any other answers 404, as the requester API does."""
        return get_object_or_404(Job, pk=job_id, requester=self.request.user)


class PausesApi(RequesterJobApi):
    @extend_schema(responses=PauseOutputSerializer(many=True))
    def get(self, request: Request, job_id: int) -> Response:
        """The job's honeypot pauses (active first): labelers whose hidden-gold score fell below the bar."""
        return Response(PauseOutputSerializer(selectors.pauses_of(job=self.job(job_id)), many=True).data)


class LiftPauseApi(RequesterJobApi):
    @extend_schema(request=None, responses=PauseOutputSerializer)
    def post(self, request: Request, job_id: int, pause_id: int) -> Response:
        pause = services.lift_pause(job=self.job(job_id), pause_id=pause_id, by=request.user)
        return Response(PauseOutputSerializer(pause).data)


class JobMinTierApi(APIView):
    """POST /api/jobs/<id>/min-tier {tier}: the requester opens its job only to that tier and above
    (bronze: to everyone). Any time: raising it also stops serving labelers below it."""

    @extend_schema_serializer(component_name="JobMinTier")
    class InputSerializer(serializers.Serializer):
        tier = serializers.ChoiceField(choices=Tier.choices)

    @extend_schema(request=InputSerializer, responses=InputSerializer)
    def post(self, request: Request, job_id: int) -> Response:
        job = job_of(job_id=job_id, requester=request.user)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        set_min_tier(job=job, tier=data.validated_data["tier"])
        return Response(data.validated_data, status=status.HTTP_200_OK)


class RefundCallApi(APIView):
    """GET /api/jobs/<id>/refund: the refund() call for the requester's wallet to send."""

    def get(self, request: Request, job_id: int) -> Response:
        job = get_object_or_404(Job, pk=job_id, requester=request.user)
        if job.status != Job.Status.SETTLED:
            return Response({"detail": f"the job is {job.status}; refund follows settlement"}, status=409)
        return Response(refund_call(job=job))


class SettleApi(APIView):
    """POST /api/jobs/<id>/settle: the requester asks the settlement worker to settle a stopped job now.
    Asking twice is harmless: settle_job resumes and pays once."""

    def post(self, request: Request, job_id: int) -> Response:
        job = get_object_or_404(Job, pk=job_id, requester=request.user)
        if job.status != Job.Status.STOPPED:
            return Response({"detail": f"the job is {job.status}; only a stopped job is settled"}, status=409)
        schedule_settlement(job.pk)
        return Response({"status": "scheduled"}, status=202)


class StopCallApi(APIView):
    """GET /api/jobs/<id>/stop-call: the stop() call for the requester's wallet, which closes labelling on
    chain so the stopped job can be settled before its deadline."""

    def get(self, request: Request, job_id: int) -> Response:
        job = get_object_or_404(Job, pk=job_id, requester=request.user)
        if not job.instance_address:
            return Response({"detail": f"the job is {job.status}; it has no escrow yet"}, status=409)
        return Response(stop_call(job=job))
