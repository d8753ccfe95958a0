"""What the collection server announces to the apps above it. Collect never imports them:
flow monitoring (and any app that turns answers into figures) listens instead.

`submission_changed` is sent inside the transaction that changes a submission, with
`submission_id` (the `Submission` primary key), `instance_id`, `form_id` (the XForm's
id), `project` (the project code) and `outcome`:

- `stored`: a new submission was received (for an edit, `replaced` names the instanceID
  it replaces; what the replaced one gave is withdrawn before the new one is read);
- `approved` / `rejected`: a review decision (a rejected submission's figures are
  withdrawn; approving it again restores them);
- `corrected`: an officer corrected answers; `data` on the submission holds the new values.

A listener queues its work there, so that the work is committed with the change or not
at all (a process that dies just after the commit loses nothing), or defers it to the
commit with `transaction.on_commit`. A listener that fails does not undo the
submission (`send_robust`; a listener that writes does so in a savepoint of its own):
the answers are kept as sent, and the figures can be read again from them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.dispatch import Signal

if TYPE_CHECKING:
    from puente.collect.models import Submission

submission_changed = Signal()


def submission_announce(submission: Submission, *, outcome: str, replaced: str = "") -> None:
    """Send submission_changed for this submission, inside the current transaction."""
    values = {
        "submission_id": submission.pk,
        "instance_id": submission.instance_id,
        "form_id": submission.form.form_id,
        "project": submission.form.project.code,
        "outcome": outcome,
        "replaced": replaced,
    }
    submission_changed.send_robust(sender=submission_changed, **values)
