"""`manage.py settle [--job N]`: settle (or resume settling) stopped jobs now, in this process —
for an operator after the settlement worker failed or was down."""

from django.core.management.base import BaseCommand

from apps.jobs.models import Job
from apps.rewards.settlement import settle_job


class Command(BaseCommand):
    help = "Settle stopped jobs, resuming any settlement left half-way"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--job", type=int, help="only this job")

    def handle(self, *args, job: int | None = None, **options) -> None:
        stopped = Job.objects.filter(status=Job.Status.STOPPED)
        if job is not None:
            stopped = stopped.filter(pk=job)
        for job_id in stopped.values_list("pk", flat=True):
            settlement = settle_job(job_id=job_id)
            self.stdout.write(f"job {job_id}: {settlement.step}, root {settlement.root}")
