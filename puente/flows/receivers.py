"""Flow monitoring listens to the collection server (connected in `FlowsConfig.ready`):
each change to a submission of the shipped survey or daily tally sheet updates the
figures it gives (`submissions.submission_figures_update`).

The signal is sent after the submission's transaction committed, with `send_robust`: an
error here cannot undo the submission, and it is logged rather than lost in the list of
results nobody reads. `puente flows-rebuild` reads the figures again from the stored
answers."""

from __future__ import annotations

import logging
from typing import Any

from puente.flows.submissions import FLOW_FORMS, submission_figures_update

logger = logging.getLogger(__name__)


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
    try:
        submission_figures_update(submission_id=submission_id, outcome=outcome, replaced=replaced)
    except Exception:
        # The submission is stored whatever happens here; the rebuild reads it again.
        logger.exception(
            "flows: the figures of submission %s (%s, project %s, %s) were not updated; "
            "run `puente flows-rebuild --project %s`",
            instance_id,
            form_id,
            project,
            outcome,
            project,
        )
