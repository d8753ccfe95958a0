"""Data collection's background task: a form's export too large to make while the page
waits, written by `puente worker` (docs/collect.md, "Exports")."""

from __future__ import annotations

from django_tasks import task

from puente.collect.services.export_jobs import form_export_run


@task()
def form_export_task(export_id: int) -> str:
    """`form_export_run` of one requested export; its state at the end."""
    return form_export_run(export_id)
