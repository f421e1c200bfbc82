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


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_broker_down_keeps_the_message_pending_and_drain_sends_it_later(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    from config.celery import app

    app.conf.broker_url = "redis://127.0.0.1:1/0"
    app.conf.broker_connection_retry = False
    app.conf.broker_connection_max_retries = 0
    app.conf.broker_transport_options = {"max_retries": 0, "socket_connect_timeout": 0.5}
    try:
        with transaction.atomic():
            enqueue("tests.record_call", args=["later"])
        message = OutboxMessage.objects.get()
        assert message.status == "pending" and message.last_error
    finally:
        app.conf.broker_url = settings.CELERY_BROKER_URL
        app.conf.broker_transport_options = {}
        app.conf.broker_connection_retry = True
    settings.CELERY_TASK_ALWAYS_EAGER = True  # the broker is "back" (eager stands in for it here)
    assert drain() == 1
    assert CALLS == ["later"]
    assert OutboxMessage.objects.get().status == "sent"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_burst_with_one_dedupe_key_is_coalesced(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    from config.celery import app

    original = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    app.conf.broker_connection_retry = False
    app.conf.broker_transport_options = {"max_retries": 0, "socket_connect_timeout": 0.5}
    try:
        for _ in range(5):
            with transaction.atomic():
                enqueue("tests.record_call", args=["refresh"], dedupe_key="refresh:hospital:1")
    finally:
        app.conf.broker_url = original
        app.conf.broker_transport_options = {}
        app.conf.broker_connection_retry = True
    assert OutboxMessage.objects.filter(status="pending").count() == 1
    settings.CELERY_TASK_ALWAYS_EAGER = True
    drain()
    assert CALLS == ["refresh"]
