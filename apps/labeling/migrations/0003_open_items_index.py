"""The next-item query's index, on the jobs app's table: only items that still take labels, in
serving order. Full items drop out of it, so the query never walks past them; the per-worker
exclusions are probes of the (item, worker) unique indexes of labels and leases.

It belongs to next-item serving (this app), hence here; both SQLite and PostgreSQL accept a partial
index whose predicate compares two columns, which Django's Index(condition=...) cannot express on a
model of another app."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("labeling", "0002_qualification"), ("jobs", "0001_initial")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS item_open_by_priority ON jobs_item (job_id, is_gold, priority DESC, id)"
            " WHERE labels_taken < labels_needed",
            "DROP INDEX IF EXISTS item_open_by_priority",
        )
    ]
