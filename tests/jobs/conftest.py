"""Requester-side fixtures: a signed-in requester's API client, a stranger's, and upload builders."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from rest_framework.test import APIClient

from apps.jobs.models import Item, Job
from apps.storage.models import StoredBlob
from tests.factories import make_job, make_user

REQUESTER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"  # anvil account 1
STRANGER = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"  # anvil account 2


@dataclass
class Client:
    user: object
    api: APIClient


def signed_in(address: str) -> Client:
    user = make_user(address)
    api = APIClient()
    api.force_authenticate(user)
    return Client(user=user, api=api)


@pytest.fixture
def requester(db) -> Client:
    return signed_in(REQUESTER)


@pytest.fixture
def stranger(db) -> Client:
    return signed_in(STRANGER)


@pytest.fixture
def text_draft(requester) -> Job:
    """An empty draft text job with classes cat, dog, bird."""
    return make_job(requester=requester.user, num_items=0)


@pytest.fixture
def image_draft(requester) -> Job:
    return make_job(requester=requester.user, num_items=0, task_type=Job.TaskType.IMAGE_CLASSIFICATION)


def upload(name: str, data: bytes | str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data.encode() if isinstance(data, str) else data)


def png(shade: int, size: tuple[int, int] = (8, 8), mode: str = "L") -> bytes:
    """A small PNG; different shades give different bytes."""
    buffer = io.BytesIO()
    Image.new(mode, size, shade).save(buffer, format="PNG")
    return buffer.getvalue()


def zip_of(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def store_snapshot() -> tuple[int, int]:
    """(items, stored blobs): an import that failed must leave both as they were."""
    return Item.objects.count(), StoredBlob.objects.count()
