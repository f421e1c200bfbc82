"""Celery tasks of the catalog. Thin: each calls one service."""

from celery import shared_task


@shared_task(name="catalog.run_import", acks_late=True)
def run_import(job_id: int) -> str:
    """Import a large catalog file. Idempotent: a finished job is not run again; a job whose worker died half-way
    starts over, which is safe because the import is one transaction (nothing of the first attempt was kept)."""
    from .imports.jobs import import_job_run

    job = import_job_run(job_id=job_id)
    return job.status if job is not None else "already finished"
