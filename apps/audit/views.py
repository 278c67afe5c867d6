"""The audit page of a settled job (requester and staff)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from apps.audit.selectors import NotSettled, audited_job, job_audit


@require_GET
@login_required(login_url="pages:signin")
def audit_page(request: HttpRequest, job_id: int) -> HttpResponse:
    try:
        job = audited_job(job_id=job_id, user=request.user)
    except NotSettled as error:
        return render(request, "audit/page.html", {"job_id": job_id, "error": str(error)}, status=409)
    return render(request, "audit/page.html", {"job_id": job_id, "audit": job_audit(job=job)})
