"""Send the events that no write caused, requeue lost deliveries, clear out the old log.

Run it every few minutes (cron, a systemd timer) and once after installing: see
docs/deployment.md, "Scheduled jobs".
"""

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from webhooks.models import Delivery
from webhooks.outbox import catch_up
from webhooks.tasks import requeue_overdue

FINISHED = (Delivery.State.SUCCEEDED, Delivery.State.FAILED, Delivery.State.CANCELLED)


class Command(BaseCommand):
    help = (
        "Send webhook events for content whose publish or unpublish date has come, queue "
        "again deliveries more than an hour overdue, and delete finished deliveries older "
        "than --keep-days."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--keep-days",
            type=int,
            default=30,
            help="Keep finished deliveries this many days in the log (default: 30).",
        )

    def handle(self, *args, keep_days, **options):
        changed = catch_up()
        requeued = requeue_overdue()
        cutoff = timezone.now() - timedelta(days=keep_days)
        old = Delivery.objects.filter(state__in=FINISHED, created_at__lt=cutoff)
        _total, deleted = old.delete()
        self.stdout.write(
            f"{changed} object(s) became or stopped being public; {requeued} overdue "
            f"deliveries queued again; {deleted.get('webhooks.Delivery', 0)} old deliveries "
            "deleted."
        )
