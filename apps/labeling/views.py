from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET

from apps.jobs.kinds import kind_for
from apps.jobs.models import Job
from apps.labeling import selectors
from apps.labeling.gates import lock_for
from apps.reputation.selectors import reputation_of

TOKEN_UNIT = Decimal(10**18)  # CrowdToken has 18 decimals


@require_GET
@ensure_csrf_cookie
def job_board(request: HttpRequest) -> HttpResponse:
    jobs = list(selectors.live_jobs())
    for job in jobs:
        job.reward = f"{job.price_per_label / TOKEN_UNIT:f}"
        job.lock = lock_for(job=job, worker=request.user)
        if request.user.is_authenticated:
            job.standing = selectors.standing(job=job, worker=request.user)
    return render(request, "labeling/board.html", {"jobs": jobs})


@require_GET
@ensure_csrf_cookie
@login_required(login_url="pages:signin")
def label_page(request: HttpRequest, job_id: int) -> HttpResponse:
    job = get_object_or_404(Job, pk=job_id, status=Job.Status.LIVE)
    classes = [{"index": c.index, "name": c.name, "shortcut": c.shortcut} for c in job.classes.all()]
    kind = kind_for(job)
    boxes = not kind.takes_class_labels
    reputation = reputation_of(worker=request.user, domain=job.domain)
    context = {"job": job, "classes": classes, "boxes": boxes, "reputation": reputation}
    return render(request, "labeling/label.html", context)
