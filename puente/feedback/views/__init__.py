"""Feedback pages: the public form and status check (no sign-in), and the operators'
and PSEA focal points' pages, one module per concern. Views parse, call one service or
selector, render."""

from puente.feedback.views.code_list import code_list, code_list_edit
from puente.feedback.views.dashboard import dashboard, dashboard_export
from puente.feedback.views.handling import (
    attachment,
    item_detail,
    item_list,
    log,
    overdue_list,
)
from puente.feedback.views.public import public_form, public_status

__all__ = [
    "attachment",
    "code_list",
    "code_list_edit",
    "dashboard",
    "dashboard_export",
    "item_detail",
    "item_list",
    "log",
    "overdue_list",
    "public_form",
    "public_status",
]
