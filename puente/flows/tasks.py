"""Flow monitoring's background task: the figures of one changed submission, made by the
worker (`puente worker`) instead of in the request that stored it (docs/flows.md)."""

from __future__ import annotations

from django_tasks import task

from puente.flows.submissions import submission_figures_update


@task()
def submission_figures_task(submission_id: int, outcome: str, replaced: str = "") -> str:
    """`submission_figures_update` for one announced change; what it made."""
    return submission_figures_update(
        submission_id=submission_id, outcome=outcome, replaced=replaced
    )
