"""Creating a draft job over the REST API, and the terms it refuses."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.jobs.models import Job

TOKEN = 10**18


def terms(**overrides) -> dict:
    return {
        "name": "Cats and dogs",
        "instructions": "Pick the animal.",
        "task_type": "image_classification",
        "classes": ["cat", "dog"],
        "redundancy": 3,
        "price_per_label": str(TOKEN),
        "budget": str(50 * TOKEN),
        "deadline": (timezone.now() + timedelta(days=3)).isoformat(),
        "qualification_bar": 0.75,
        "qualification_size": 4,
        "stopping_rule": "target_accuracy",
        "target_accuracy": 0.9,
        **overrides,
    }


def test_create_job_makes_a_draft_with_its_classes(requester):
    response = requester.api.post("/api/jobs/", terms(), format="json")

    assert response.status_code == 201, response.data
    job = Job.objects.get(pk=response.data["id"])
    assert (job.status, job.requester, job.redundancy) == (Job.Status.DRAFT, requester.user, 3)
    assert (job.price_per_label, job.budget, job.target_accuracy) == (TOKEN, 50 * TOKEN, 0.9)
    assert [(c.index, c.name, c.shortcut) for c in job.classes.all()] == [(0, "cat", "1"), (1, "dog", "2")]
    assert response.data["budget"] == str(50 * TOKEN)  # amounts go out as decimal strings


def test_more_than_ten_classes_get_letter_shortcuts(requester):
    response = requester.api.post("/api/jobs/", terms(classes=[f"c{i}" for i in range(12)]), format="json")

    assert response.status_code == 201, response.data
    assert [c["shortcut"] for c in response.data["classes"]][:3] == ["a", "b", "c"]


def test_budget_below_all_items_is_allowed(requester):
    # The learner may stop early: the budget needs to cover one label, not the whole dataset.
    response = requester.api.post("/api/jobs/", terms(budget=str(TOKEN)), format="json")

    assert response.status_code == 201, response.data


@pytest.mark.parametrize(
    ("field", "overrides"),
    [
        ("budget", {"budget": str(TOKEN - 1)}),
        ("budget", {"budget": "0"}),
        ("price_per_label", {"price_per_label": "0"}),
        ("classes", {"classes": [f"c{i}" for i in range(17)]}),
        ("classes", {"classes": ["only"]}),
        ("classes", {"classes": ["same", "same"]}),
        ("redundancy", {"redundancy": 0}),
        ("redundancy", {"redundancy": 13}),
        ("deadline", {"deadline": (timezone.now() - timedelta(minutes=1)).isoformat()}),
        ("target_accuracy", {"target_accuracy": None}),
        ("qualification_bar", {"qualification_bar": 1.5}),
    ],
)
def test_invalid_terms_are_refused_naming_the_field(requester, field, overrides):
    response = requester.api.post("/api/jobs/", terms(**overrides), format="json")

    assert response.status_code == 400
    assert field in response.data.get("errors", response.data)
    assert not Job.objects.exists()


def test_amounts_must_be_decimal_strings_of_base_units(requester):
    response = requester.api.post("/api/jobs/", terms(price_per_label="1.5"), format="json")

    assert response.status_code == 400
    assert "price_per_label" in response.data
