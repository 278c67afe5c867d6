import time

from django.core.management.base import BaseCommand, CommandError

from apps.runtime.simulator import BotReport, make_bots, simulate


def accuracy_range(text: str) -> tuple[float, float]:
    low, _, high = text.partition("-")
    bounds = (float(low), float(high or low))
    if not 0 <= bounds[0] <= bounds[1] <= 1:
        raise ValueError(text)
    return bounds


class Command(BaseCommand):
    help = "Drive bot labelers (honest and spammers) through a running server's API and the chain, on a digits demo job"

    def add_arguments(self, parser):
        parser.add_argument("--job", type=int, required=True, help="the demo job's id (seed_demo prints it)")
        parser.add_argument("--workers", type=int, default=20, help="honest bots")
        parser.add_argument("--spammers", type=int, default=5, help="bots answering at random")
        parser.add_argument(
            "--accuracy", type=accuracy_range, default=(0.7, 0.95), help="honest bots' accuracy, e.g. 0.7-0.95"
        )
        parser.add_argument("--labels-per-worker", type=int, default=30)
        parser.add_argument("--server", default="http://127.0.0.1:8000")
        parser.add_argument(
            "--seed", type=int, default=None, help="same bots and answers on every run (a re-run resumes them)"
        )
        parser.add_argument("--concurrency", type=int, default=8, help="bots working at once")
        parser.add_argument(
            "--timeout", type=float, default=120, help="seconds to wait for the job to go live and for confirmations"
        )

    def handle(
        self, *args, job, workers, spammers, accuracy, labels_per_worker, server, seed, concurrency, timeout, **options
    ):
        if workers + spammers < 1:
            raise CommandError("no bots: give --workers and/or --spammers")
        bots = make_bots(workers=workers, spammers=spammers, accuracy=accuracy, seed=seed)
        started = time.monotonic()
        reports = simulate(
            server=server,
            job_id=job,
            bots=bots,
            labels_per_worker=labels_per_worker,
            concurrency=concurrency,
            timeout=timeout,
            on_done=self.print_bot,
        )
        self.print_summary(reports, seconds=time.monotonic() - started)

    def print_bot(self, report: BotReport) -> None:
        kind = "honest " if report.honest else "spammer"
        line = (
            f"{kind} {report.address}  {report.qualification:<11} sent {report.sent:>3}  "
            f"confirmed {report.confirmed:>3}  failed {report.failed:>3}"
        )
        self.stdout.write(line + (f"  ({report.error})" if report.error else ""))

    def print_summary(self, reports: list[BotReport], *, seconds: float) -> None:
        for honest, kind in ((True, "honest"), (False, "spammers")):
            group = [r for r in reports if r.honest == honest]
            admitted = sum(r.qualification == "admitted" for r in group)
            self.stdout.write(f"{kind}: {admitted} admitted, {len(group) - admitted} not admitted of {len(group)}")
        sent, confirmed, failed = (sum(getattr(r, f) for r in reports) for f in ("sent", "confirmed", "failed"))
        self.stdout.write(
            self.style.SUCCESS(f"labels sent {sent}, confirmed {confirmed}, failed {failed} in {seconds:.1f} s")
        )
