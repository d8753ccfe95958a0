"""What the collection server announces to the apps above it. Collect never imports them:
flow monitoring (and any app that turns answers into figures) listens instead.

`submission_changed` is sent once the transaction that changed a submission commits, with
`submission_id` (the `Submission` primary key), `instance_id`, `form_id` (the XForm's
id), `project` (the project code) and `outcome`:

- `stored`: a new submission was received (for an edit, `replaced` names the instanceID
  it replaces; what the replaced one gave is withdrawn before the new one is read);
- `approved` / `rejected`: a review decision (a rejected submission's figures are
  withdrawn; approving it again restores them);
- `corrected`: an officer corrected answers; `data` on the submission holds the new values.

A listener that fails does not undo the submission: the answers are kept as sent, and
the figures can be read again from them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.dispatch import Signal

if TYPE_CHECKING:
    from puente.collect.models import Submission

submission_changed = Signal()


def submission_announce(submission: Submission, *, outcome: str, replaced: str = "") -> None:
    """Send submission_changed for this submission once the current transaction commits."""
    values = {
        "submission_id": submission.pk,
        "instance_id": submission.instance_id,
        "form_id": submission.form.form_id,
        "project": submission.form.project.code,
        "outcome": outcome,
        "replaced": replaced,
    }

    def send() -> None:
        submission_changed.send_robust(sender=submission_changed, **values)

    transaction.on_commit(send)
