from django_tasks import task

from puente.reporting.services.imports import batch_run


@task()
def batch_import_task(batch_id: int) -> dict:
    """Run a recorded 5W import in the background worker."""
    return batch_run(batch_id).as_dict() | {"batch": batch_id}
