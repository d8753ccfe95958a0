"""Who an OpenRosa request comes from and the project it may act on, decided once per
process for as long as nothing it rests on changes.

ODK Collect sends its credentials with every request. Through the ORM, the user, their
role assignments and the project cost three queries, and Django's SQL compiler spends
about 3 ms of CPU on them: half of a submission's time in Python. Here one plain statement
reads the rows the decision rests on:
- the user's: id, active, superuser, the Digest secret (a new password changes it);
- each of their role assignments: role, scope kind and the scope's keys;
- the project's: id and country.

An allowed decision (the user, their assignments, the project) is kept under exactly those
values, taken from the objects the decision was made with. A changed or removed role, a
deactivated account, a new password or a project moved to another country gives other
values, so the next request is decided afresh through the ORM, as the first one was.
Platform and organisation scopes reach countries through other tables (their member
countries) that the statement does not read: users holding one are always decided afresh.
Refusals are never kept, nor decisions that a project's managers may see its data (another
table again).
"""

from __future__ import annotations

import copy
import functools
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from django.db import connection

from puente.accounts.models import RoleAssignment, ScopeKind, User
from puente.accounts.permissions import Action, user_roles
from puente.collect.models import Project

# Scopes whose reach over a project lies wholly in the assignment's own row.
_SELF_CONTAINED_SCOPES = frozenset(
    {ScopeKind.REGION, ScopeKind.COUNTRY, ScopeKind.SECTOR, ScopeKind.PROJECT}
)
_USER_FIELDS = ("id", "is_active", "is_superuser", "digest_ha1")
_ROLE_FIELDS = (
    "id",
    "role",
    "scope_kind",
    "platform_id",
    "country_id",
    "sector_id",
    "organisation_id",
    "project_id",
)
_PROJECT_FIELDS = ("id", "country_id")
_LIMIT = 512

Key = tuple[Any, ...]
_KEPT: OrderedDict[Key, tuple[User, list[RoleAssignment], Project]] = OrderedDict()
_LOCK = threading.Lock()


def _column(model: type[Any], alias: str, name: str) -> str:
    return f"{alias}.{connection.ops.quote_name(str(model._meta.get_field(name).column))}"


def _columns(model: type[Any], alias: str, names: tuple[str, ...]) -> str:
    return ", ".join(_column(model, alias, name) for name in names)


@functools.cache
def _statement(vendor: str) -> str:
    """Built from the models' names only: nothing a client sent is in it."""
    quote = connection.ops.quote_name
    user = quote(User._meta.db_table)
    role = quote(RoleAssignment._meta.db_table)
    project = quote(Project._meta.db_table)
    return (
        f"SELECT {_columns(User, 'u', _USER_FIELDS)}, "  # noqa: S608 (no client's values)
        f"{_columns(Project, 'p', _PROJECT_FIELDS)}, "
        f"{_columns(RoleAssignment, 'r', _ROLE_FIELDS)} "
        f"FROM {user} u "
        f"LEFT OUTER JOIN {project} p ON {_column(Project, 'p', 'code')} = %s "
        f"LEFT OUTER JOIN {role} r ON {_column(RoleAssignment, 'r', 'user')} = "
        f"{_column(User, 'u', 'id')} "
        f"WHERE {_column(User, 'u', 'email')} = %s "
        f"ORDER BY {_column(RoleAssignment, 'r', 'id')}"
    )


@dataclass(frozen=True)
class Rows:
    """What the statement read: the values a kept decision must match."""

    email: str
    code: str
    user: tuple[Any, ...]
    project: tuple[Any, ...] | None
    roles: tuple[tuple[Any, ...], ...]

    @property
    def user_id(self) -> int:
        return int(self.user[0])

    @property
    def active(self) -> bool:
        return bool(self.user[1])

    @property
    def digest_ha1(self) -> str:
        return str(self.user[3] or "")


def rows_read(email: str, code: str) -> Rows | None:
    """The rows a decision for `email` on project `code` rests on; None for no such user.
    One statement, outside the ORM's compiler."""
    email, code = email.lower(), code.lower()
    with connection.cursor() as cursor:
        cursor.execute(_statement(connection.vendor), [code, email])
        found = cursor.fetchall()
    if not found:
        return None
    width_user, width_project = len(_USER_FIELDS), len(_PROJECT_FIELDS)
    first = found[0]
    project = tuple(first[width_user : width_user + width_project])
    return Rows(
        email=email,
        code=code,
        # (SQLite gives booleans as 0 and 1: they compare and hash as False and True.)
        user=tuple(first[:width_user]),
        project=project if project[0] is not None else None,
        roles=tuple(
            tuple(row[width_user + width_project :])
            for row in found
            if row[width_user + width_project] is not None
        ),
    )


def _key(action: Action, rows: Rows) -> Key:
    return (action, rows.email, rows.code, rows.user, rows.project, rows.roles)


def _key_of(action: Action, email: str, code: str, user: User, project: Project) -> Key | None:
    """The key of a decision made with these objects; None when it cannot be kept."""
    if action == Action.VIEW_COLLECTED:
        # A project's managers see its data: another table, which the statement does not read.
        return None
    roles = sorted(user_roles(user), key=lambda a: a.pk)
    if any(a.scope_kind not in _SELF_CONTAINED_SCOPES for a in roles):
        return None
    return (
        action,
        email.lower(),
        code.lower(),
        tuple(getattr(user, name) for name in _USER_FIELDS),
        tuple(getattr(project, name) for name in _PROJECT_FIELDS),
        tuple(tuple(getattr(a, name) for name in _ROLE_FIELDS) for a in roles),
    )


def decision_kept(action: Action, rows: Rows) -> tuple[User, Project] | None:
    """The user and project of a decision kept under exactly these rows: copies (the kept
    objects are shared by the threads), the user's assignments already read."""
    with _LOCK:
        found = _KEPT.get(_key(action, rows))
        if found is None:
            return None
        _KEPT.move_to_end(_key(action, rows))
    user, roles, project = found
    user = copy.copy(user)
    setattr(user, "_puente_roles", list(roles))  # noqa: B010
    return user, copy.copy(project)


def decision_keep(action: Action, email: str, code: str, user: User, project: Project) -> None:
    """Keep an allowed decision under the values of the objects it was made with."""
    key = _key_of(action, email, code, user, project)
    if key is None:
        return
    kept = (copy.copy(user), list(user_roles(user)), copy.copy(project))
    with _LOCK:
        _KEPT[key] = kept
        _KEPT.move_to_end(key)
        while len(_KEPT) > _LIMIT:
            _KEPT.popitem(last=False)


def decisions_forget() -> None:
    """Forget every kept decision (tests; a restored database)."""
    with _LOCK:
        _KEPT.clear()
