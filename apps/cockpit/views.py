"""Requester pages: my jobs, a new job, a job's dashboard and its flag review. They render what the
requester owns; every change goes through the REST API (api.py, controls_api.py, review_api.py) from
static/js, so the pages and API clients share one set of checks."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET

from apps.cockpit.dashboard import dashboard
from apps.cockpit.review_api import reviewable_job
from apps.jobs.models import Job
from apps.jobs.selectors import job_of, jobs_of
from apps.labeling.selectors import pauses_of
from apps.rewards.screening import review_queue


def requester_page(view):
    """GET only, signed in (else the sign-in page), and the CSRF cookie the page's API calls send."""
    return require_GET(ensure_csrf_cookie(login_required(login_url="pages:signin")(view)))


@requester_page
def my_jobs(request: HttpRequest) -> HttpResponse:
    return render(request, "cockpit/mine.html", {"jobs": jobs_of(requester=request.user)})


@requester_page
def new_job(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "cockpit/new.html",
        {
            "task_types": Job.TaskType.choices,
            "stopping_rules": Job.StoppingRule.choices,
            "aggregation_methods": Job.AggregationMethod.choices,
            "default_aggregation": Job.AggregationMethod.ANCHORED_DAWID_SKENE,
        },
    )


@requester_page
def job_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    job = job_of(job_id=job_id, requester=request.user)
    return render(
        request,
        "cockpit/detail.html",
        {
            "job": job,
            "dashboard": dashboard(job=job).as_json(),
            "classes": job.classes.all(),
            "Status": Job.Status,
            "pauses": pauses_of(job=job),
        },
    )


@requester_page
def review_page(request: HttpRequest, job_id: int) -> HttpResponse:
    """The review queue of a job: its requester and staff only."""
    job = reviewable_job(job_id=job_id, user=request.user)
    return render(request, "cockpit/review.html", {"job": job, **review_queue(job=job)})
