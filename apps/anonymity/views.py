"""The anonymous claim page. It needs no session: what proves the reward is the identity kept in the
browser, and the page's calls are made without cookies."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from apps.jobs.models import Job


@require_GET
def claim_page(request: HttpRequest, job_id: int) -> HttpResponse:
    job = get_object_or_404(Job, pk=job_id, anonymous=True)
    return render(request, "anonymity/claim.html", {"job": job})
