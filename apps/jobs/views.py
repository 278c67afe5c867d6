"""Requester pages. They render what the requester owns; every change goes through the REST API from
static/js/requester.js, so the pages and API clients share one set of checks."""
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET

from apps.jobs.models import Job
from apps.jobs.dashboard import dashboard
from apps.jobs.selectors import job_of, jobs_of
from apps.labeling.selectors import pauses_of


def requester_page(view):
    """GET only, signed in (else the sign-in page), and the CSRF cookie the page's API calls send."""
    return require_GET(ensure_csrf_cookie(login_required(login_url="pages:signin")(view)))


@requester_page
def my_jobs(request: HttpRequest) -> HttpResponse:
    return render(request, "jobs/mine.html", {"jobs": jobs_of(requester=request.user)})


@requester_page
def new_job(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "jobs/new.html",
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
        "jobs/detail.html",
        {
            "job": job,
            "dashboard": dashboard(job=job).as_json(),
            "classes": job.classes.all(),
            "Status": Job.Status,
            "pauses": pauses_of(job=job),
        },
    )
