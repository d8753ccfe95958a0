from typing import Any

from django.http import HttpRequest

from puente.accounts.permissions import user_navigation


def navigation(request: HttpRequest) -> dict[str, Any]:
    return {"nav_items": user_navigation(request.user)}
