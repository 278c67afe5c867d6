"""Live pushes go to a group or a channel once the transaction commits, never before, and not at all
when it rolls back; a message without a type is refused where it is made."""

import pytest
from django.db import transaction

from apps.lib.live import Channel, Group, send_on_commit
from tests.live_support import memory_layer, open_page, received  # noqa: F401  (fixture)


@pytest.mark.django_db(transaction=True)
def test_sent_after_commit_to_a_group_or_a_channel_and_not_after_a_rollback(memory_layer):  # noqa: F811
    layer = memory_layer
    page = open_page(layer, "some-group")
    with transaction.atomic():
        send_on_commit(Group("some-group"), {"type": "thing.changed"})
        send_on_commit(Channel("some-worker"), {"type": "thing.do", "id": 1})
        assert received(layer, page) == [] and received(layer, "some-worker") == []
    assert received(layer, page) == ["thing.changed"]
    assert received(layer, "some-worker") == ["thing.do"]

    with pytest.raises(RuntimeError), transaction.atomic():
        send_on_commit(Group("some-group"), {"type": "thing.changed"})
        raise RuntimeError("rolled back")
    assert received(layer, page) == []


def test_a_message_needs_a_type():
    with pytest.raises(ValueError, match="needs a 'type'"):
        send_on_commit(Group("some-group"), {"job": 1})
