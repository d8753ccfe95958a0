"""Flow monitoring listens to the collection server (connected in `FlowsConfig.ready`):
each change to a submission of the shipped survey or daily tally sheet updates the
figures it gives (`submissions.submission_figures_update`).

The signal is sent after the submission's transaction committed, with `send_robust`: an
error here cannot undo the submission, and it is logged rather than lost in the list of
results nobody reads. Where the figures are made follows `PUENTE_FLOWS_FIGURES`: "worker"
(the default) queues `tasks.submission_figures_task` for the background worker, so a
device is answered as soon as its submission is stored and the figures follow within
seconds; "inline" makes them here, in the request (`figures_inline` does so for one
block of code: the demo). `puente flows-rebuild` reads the figures again from the stored
answers, whatever was missed."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings

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
    inline = _inline.get() or settings.PUENTE_FLOWS_FIGURES == "inline"
    try:
        if inline:
            submission_figures_update(
                submission_id=submission_id, outcome=outcome, replaced=replaced
            )
        else:
            from puente.flows.tasks import submission_figures_task

            submission_figures_task.enqueue(submission_id, outcome, replaced)
    except Exception:
        # The submission is stored whatever happens here; the rebuild reads it again.
        logger.exception(
            "flows: the figures of submission %s (%s, project %s, %s) were not %s; "
            "run `puente flows-rebuild --project %s`",
            instance_id,
            form_id,
            project,
            outcome,
            "updated" if inline else "queued",
            project,
        )
