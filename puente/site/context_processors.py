from typing import Any

from django.http import HttpRequest

from puente.site.navigation import user_navigation


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The main menu of the user, with the link of the page shown (and its area) marked
    current: the longest link the page's path starts with."""
    entries = user_navigation(request.user)
    links = [item for entry in entries for item in entry.get("links", [entry])]
    path = request.path
    matches = [item for item in links if path == item["url"] or path.startswith(item["url"])]
    current = max(matches, key=lambda item: len(item["url"]), default=None)
    for entry in entries:
        entry["current"] = entry is current or any(i is current for i in entry.get("links", []))
        for item in entry.get("links", []):
            item["current"] = item is current
    return {"nav_items": entries}
