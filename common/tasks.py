from celery import shared_task
from django.db.migrations.recorder import MigrationRecorder

from .jobs import run
from .outbox import drain
from .partitions.services import partitions_ensure


@shared_task(name="common.ping")
def ping() -> dict:
    """A round trip through the broker and the database: proves a worker can reach both (the count of applied
    migrations identifies the database without depending on its business data)."""
    return {"pong": True, "migrations": MigrationRecorder.Migration.objects.count()}


@shared_task(name="common.drain_outbox", acks_late=True)
def drain_outbox() -> int:
    """Beat job: publish outbox messages left pending (e.g. while the broker was down)."""
    return drain()


@shared_task(name="common.run_job", acks_late=True)
def run_job(job_id: int) -> None:
    """A long job started from a page (common.jobs)."""
    run(job_id)


@shared_task(name="common.ensure_partitions", acks_late=True)
def ensure_partitions() -> dict:
    """Beat job: the flow tables' monthly partitions created ahead; rows left in a DEFAULT partition are logged."""
    result = partitions_ensure()
    return {"created": result.created, "default_rows": result.default_rows}
