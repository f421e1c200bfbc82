"""Celery tasks of the catalog. Thin: each calls one service."""

from celery import shared_task
from django.utils import translation

from .imports.jobs import import_job_run


@shared_task(name="catalog.run_import", acks_late=True)
def run_import(job_id: int, language: str = "") -> str:
    """Import a large catalog file. Idempotent: a finished job is not run again; a job whose worker died half-way
    starts over, which is safe because the import is one transaction (nothing of the first attempt was kept).
    Row errors are written in the language of the user who uploaded the file."""
    with translation.override(language or None):
        job = import_job_run(job_id=job_id)
    return job.status if job is not None else "already finished"
