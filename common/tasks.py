from celery import shared_task


@shared_task(name="common.ping")
def ping() -> dict:
    """A round trip through the broker and the database: proves a worker can reach both."""
    from accounts.models import Region

    return {"pong": True, "regions": Region.objects.count()}


@shared_task(name="common.drain_outbox", acks_late=True)
def drain_outbox() -> int:
    """Beat job: publish outbox messages left pending (e.g. while the broker was down)."""
    from .outbox import drain

    return drain()
