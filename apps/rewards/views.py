"""The labeler's rewards page and its payouts endpoint (the claim and balance reads are in api.py)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.rewards.models import Payout


@require_GET
@ensure_csrf_cookie
@login_required(login_url="pages:signin")
def rewards_page(request: HttpRequest) -> HttpResponse:
    return render(request, "rewards/page.html")


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
