"""The review-queue page of a job: its requester and staff only; decisions go through the API
(static/js/review.js)."""
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET

from apps.integrity.api import reviewable_job
from apps.integrity.selectors import review_queue


@require_GET
@ensure_csrf_cookie
@login_required(login_url="pages:signin")
def review_page(request: HttpRequest, job_id: int) -> HttpResponse:
    job = reviewable_job(job_id=job_id, user=request.user)
    return render(request, "integrity/review.html", {"job": job, **review_queue(job=job)})
