"""The labeler's rewards page, the requester's review-queue page of a job (its decisions go through
review_api.py, from static/js/review.js), and the endpoints the rewards panel and the requester's
settlement section call (the reads of settlement itself are in api.py)."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.jobs.models import Job
from apps.rewards.models import Payout
from apps.rewards.review_api import reviewable_job
from apps.rewards.scheduling import schedule_settlement
from apps.rewards.screening import review_queue


@require_GET
@ensure_csrf_cookie
@login_required(login_url="pages:signin")
def rewards_page(request: HttpRequest) -> HttpResponse:
    return render(request, "rewards/page.html")


@require_GET
@ensure_csrf_cookie
@login_required(login_url="pages:signin")
def review_page(request: HttpRequest, job_id: int) -> HttpResponse:
    """The review queue of a job: its requester and staff only."""
    job = reviewable_job(job_id=job_id, user=request.user)
    return render(request, "rewards/review.html", {"job": job, **review_queue(job=job)})


class PayoutsApi(APIView):
    """GET /api/rewards/payouts: the signed-in worker's payouts, newest job first. Amounts are decimal
    strings, as in the claim API."""

    def get(self, request: Request) -> Response:
        payouts = Payout.objects.filter(worker=request.user).select_related("job").order_by("-job_id")
        return Response(
            [
                {"job": p.job_id, "name": p.job.name, "amount": str(p.amount), "claimed": p.claimed_at is not None}
                for p in payouts
            ]
        )


class SettleApi(APIView):
    """POST /api/jobs/<id>/settle: the requester asks the settlement worker to settle a stopped job now.
    Asking twice is harmless: settle_job resumes and pays once."""

    def post(self, request: Request, job_id: int) -> Response:
        job = get_object_or_404(Job, pk=job_id, requester=request.user)
        if job.status != Job.Status.STOPPED:
            return Response({"detail": f"the job is {job.status}; only a stopped job is settled"}, status=409)
        schedule_settlement(job.pk)
        return Response({"status": "scheduled"}, status=202)
