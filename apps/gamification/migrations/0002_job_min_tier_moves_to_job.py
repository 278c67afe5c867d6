"""A job's minimum tier moves from JobTierRequirement onto the job (Job.min_tier, "" = open to all),
so serving a job learns it from the job row it loads anyway."""

from django.db import migrations


def requirements_to_jobs(apps, schema_editor):
    Job = apps.get_model("jobs", "Job")
    JobTierRequirement = apps.get_model("gamification", "JobTierRequirement")
    for job_id, min_tier in JobTierRequirement.objects.values_list("job_id", "min_tier"):
        # bronze never had a row (it is no requirement), but store it as "" if one slipped in
        Job.objects.filter(pk=job_id).update(min_tier="" if min_tier == "bronze" else min_tier)


def jobs_to_requirements(apps, schema_editor):
    Job = apps.get_model("jobs", "Job")
    JobTierRequirement = apps.get_model("gamification", "JobTierRequirement")
    JobTierRequirement.objects.bulk_create(
        JobTierRequirement(job_id=job_id, min_tier=min_tier)
        for job_id, min_tier in Job.objects.exclude(min_tier="").values_list("pk", "min_tier")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("gamification", "0001_auditgame_progress_badges_tiers"),
        ("jobs", "0006_job_min_tier"),
    ]

    operations = [
        migrations.RunPython(requirements_to_jobs, jobs_to_requirements),
        migrations.DeleteModel(
            name="JobTierRequirement",
        ),
    ]
