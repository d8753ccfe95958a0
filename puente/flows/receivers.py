"""Flow monitoring listens to the collection server (connected in `FlowsConfig.ready`):
each change to a submission of the shipped survey or daily tally sheet updates the
figures it gives (`submissions.submission_figures_update`).

The signal is sent inside the submission's transaction, with `send_robust`: an error here
cannot undo the submission, and it is logged rather than lost in the list of results
nobody reads. Where the figures are made follows `PUENTE_FLOWS_FIGURES`: "worker" (the
default) queues `tasks.submission_figures_task` for the background worker in that
transaction (in a savepoint), so the task is committed with the submission or not at
all, a device is answered as soon as its submission is stored, and the figures follow
within seconds; "inline" makes them in the request once the submission is committed
(`figures_inline` does so for one block of code: the demo), as does a task backend that
runs tasks at once (`PUENTE_TASKS=immediate`). `puente flows-rebuild` reads the figures
again from the stored answers, whatever was missed."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django_tasks.backends.immediate import ImmediateBackend

from puente.flows.submissions import FLOW_FORMS, submission_figures_update

logger = logging.getLogger(__name__)

_inline: ContextVar[bool] = ContextVar("flows_figures_inline", default=False)


@contextmanager
def figures_inline() -> Iterator[None]:
    """Within the block, the figures of announced submissions are made at once, whatever
    `PUENTE_FLOWS_FIGURES` says (the demo, which shows them without a worker)."""
    token = _inline.set(True)
    try:
        yield
    finally:
        _inline.reset(token)


def submission_changed_receive(
    sender: Any,
    *,
    submission_id: int,
    instance_id: str,
    form_id: str,
    project: str,
    outcome: str,
    replaced: str = "",
    **kwargs: Any,
) -> None:
    if form_id not in FLOW_FORMS:
        return
    from puente.flows.tasks import submission_figures_task

    inline = (
        _inline.get()
        or settings.PUENTE_FLOWS_FIGURES == "inline"
        or isinstance(submission_figures_task.get_backend(), ImmediateBackend)
    )
    if inline:
        transaction.on_commit(
            partial(
                _figures_make,
                submission_id=submission_id,
                instance_id=instance_id,
                form_id=form_id,
                project=project,
                outcome=outcome,
                replaced=replaced,
            )
        )
        return
    try:
        with transaction.atomic():
            submission_figures_task.enqueue(submission_id, outcome, replaced)
    except Exception:
        _failure_log(instance_id, form_id, project, outcome, "queued")


def _figures_make(
    *,
    submission_id: int,
    instance_id: str,
    form_id: str,
    project: str,
    outcome: str,
    replaced: str,
) -> None:
    try:
        submission_figures_update(submission_id=submission_id, outcome=outcome, replaced=replaced)
    except Exception:
        _failure_log(instance_id, form_id, project, outcome, "updated")


def _failure_log(instance_id: str, form_id: str, project: str, outcome: str, what: str) -> None:
    # The submission is stored whatever happens here; the rebuild reads it again.
    logger.exception(
        "flows: the figures of submission %s (%s, project %s, %s) were not %s; "
        "run `puente flows-rebuild --project %s`",
        instance_id,
        form_id,
        project,
        outcome,
        what,
        project,
    )
