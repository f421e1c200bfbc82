import pytest
from celery import shared_task
from django.db import transaction

from common.models import OutboxMessage
from common.outbox import drain, enqueue

CALLS: list = []


@shared_task(name="tests.record_call")
def record_call(value):
    CALLS.append(value)
    return value


@pytest.fixture(autouse=True)
def _clear():
    CALLS.clear()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_message_is_sent_after_commit_and_not_on_rollback(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    with transaction.atomic():
        enqueue("tests.record_call", args=["kept"])
        assert CALLS == []  # nothing runs before the data is committed
    assert CALLS == ["kept"]
    assert OutboxMessage.objects.get().status == "sent"

    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue("tests.record_call", args=["lost"])
        raise RuntimeError("business change failed")
    assert CALLS == ["kept"]
    assert OutboxMessage.objects.count() == 1


@pytest.fixture
def broker_down(settings, monkeypatch):
    """Publishing fails as it does when Redis is unreachable (the real outage is exercised in CI's fault suite)."""
    from kombu.exceptions import OperationalError

    from common import outbox

    def refuse(message):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    settings.CELERY_TASK_ALWAYS_EAGER = False
    monkeypatch.setattr(outbox, "_send", refuse)
    return monkeypatch


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_broker_down_keeps_the_message_pending_and_drain_sends_it_later(settings, broker_down):
    with transaction.atomic():
        enqueue("tests.record_call", args=["later"])
    message = OutboxMessage.objects.get()
    assert message.status == "pending" and "Connection refused" in message.last_error
    assert drain() == 0  # still down: nothing sent, nothing lost
    broker_down.undo()
    settings.CELERY_TASK_ALWAYS_EAGER = True  # the broker is back (eager stands in for it here)
    assert drain() == 1
    assert CALLS == ["later"]
    assert OutboxMessage.objects.get().status == "sent"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_burst_with_one_dedupe_key_is_coalesced(settings, broker_down):
    for _ in range(5):
        with transaction.atomic():
            enqueue("tests.record_call", args=["refresh"], dedupe_key="refresh:hospital:1")
    assert OutboxMessage.objects.filter(status="pending").count() == 1
    broker_down.undo()
    settings.CELERY_TASK_ALWAYS_EAGER = True
    drain()
    assert CALLS == ["refresh"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_process_dying_while_handing_over_leaves_the_message_pending(settings, monkeypatch):
    """Marked sent only in the transaction that hands it to the broker: a death before that commits loses nothing."""
    from common import outbox

    settings.CELERY_TASK_ALWAYS_EAGER = False

    def die(message):
        raise SystemExit("worker killed during the hand-over")

    monkeypatch.setattr(outbox, "_send", die)
    with pytest.raises(SystemExit), transaction.atomic():
        enqueue("tests.record_call", args=["survives"])
    message = OutboxMessage.objects.get()
    assert message.status == "pending" and message.sent_at is None

    handed = []
    monkeypatch.setattr(outbox, "_send", lambda m: handed.append(m.args))
    assert drain() == 1
    assert handed == [["survives"]]
    message.refresh_from_db()
    assert message.status == "sent" and message.attempts == 1
