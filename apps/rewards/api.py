"""Thin HTTP views over the rewards selectors."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.jobs.models import Job
from apps.rewards.selectors import claim_for, claim_window, worker_balances


class ClaimApi(APIView):
    """GET /api/jobs/<id>/claim: {index, amount, proof} for the signed-in worker, with when claims
    open and close on chain and whether one would be accepted now (claimable)."""

    def get(self, request: Request, job_id: int) -> Response:
        job = get_object_or_404(Job, pk=job_id)
        claim = claim_for(job=job, worker=request.user)
        if claim is None:
            return Response({"detail": "no payout for you in this job"}, status=404)
        return Response(claim | claim_window(job=job))


class BalanceApi(APIView):
    """GET /api/rewards/balance: pending, claimable and wallet balance of the signed-in labeler."""

    def get(self, request: Request) -> Response:
        balances = worker_balances(worker=request.user)
        return Response({key: None if value is None else str(value) for key, value in balances.items()})
