"""The product walk: use Puente the way its users do and fail on what a newcomer finds.

Each case signs in as one demo role (or as nobody) with the interface in one language
(en, es, pt) and walks, breadth first, from "/" and "/public/": every page the navigation
and the pages' links reach, every GET form submitted with the values it shows, every
download followed. It fails on
- any 5xx;
- any 4xx, except the few `EXPECTED_4XX` lists (a link the UI shows to a role that leads
  to 403 or 404 is a defect: the UI should not show it);
- a link that sends a signed-in user to the sign-in page;
- a year printed with a thousands separator ("2,026", "2.026", "2 026"), in the text or in
  an attribute (value=, a link's ?year=2%2C026), or in a CSV/JSON download;
- a literal "None" in the text, in an attribute, or as a CSV cell or JSON string;
- on an es or pt page, a text node (or a placeholder/title/aria-label/alt/button label)
  that is exactly a msgid the language's catalogue translates to something else;
- a page whose <html lang> is not the language asked for.

Bounds (so that the 24 cases stay within a few minutes): each case visits at most
`Bounds.per_view` (3) distinct URLs (path and sorted query) per view
(`resolve(path).view_name`) through links, `Bounds.forms_per_view` (2) more through GET
forms, `Bounds.downloads_per_view` (1) download per view, a different one of the view's
download links in each case, and `Bounds.total` (300) requests in all. The problems of a
case are reported together, one line each: "URL — problem — snippet (linked from page)".
docs/testing.md says more.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from puente.accounts.models import Role, User

from .crawler import Bounds, WalkResult, catalogue_load, view_name, walk

pytestmark = [pytest.mark.walk, pytest.mark.django_db]

ANONYMOUS = "anonymous"
ROLES = [role.value for role in Role] + [ANONYMOUS]
LANGUAGES = ["en", "es", "pt"]
START = ["/", "/public/"]

# 4xx answers the walk accepts: (role or "*", view name, status) -> the rule of
# docs/roles.md that makes it right. Empty: every link the demo roles are shown works for
# them. An entry is for a page that must answer 4xx to a link the role is right to see,
# never for a link the page should not show.
EXPECTED_4XX: dict[tuple[str, str, int], str] = {}


def expected_for(role: str) -> Any:
    def expected(key: str, status: int) -> str | None:
        name = view_name(key)
        return EXPECTED_4XX.get((role, name, status)) or EXPECTED_4XX.get(("*", name, status))

    return expected


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("role", ROLES)
def test_walk(role: str, language: str, walk_db: dict, walk_record: Any) -> None:
    # given a user of the role (or nobody) reading the interface in the language
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    if role != ANONYMOUS:
        if role not in walk_db:
            problem = f"the demo has no user with the role {role}: the walk cannot sign in"
            walk_record(role, language, WalkResult(), [problem])
            pytest.fail(problem)
        user = User.objects.get(email=walk_db[role])
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    catalogue = (
        None if language == "en" else catalogue_load(language, str(Path(settings.BASE_DIR).parent))
    )

    # when they walk the product
    result = walk(
        client,
        start=START,
        catalogue=catalogue,
        expected_status=expected_for(role),
        language=language,
        # each case fetches a different one of a view's downloads (csv, xlsx, hxl…)
        bounds=Bounds(rotation=ROLES.index(role) + LANGUAGES.index(language)),
    )

    # then nothing a newcomer would trip over
    problems = [str(p) for p in result.problems]
    walk_record(role, language, result, problems)
    assert result.pages > 1, f"the walk reached nothing: {result.visited}"
    assert not problems, f"{role} {language}: {len(problems)} problems\n" + "\n".join(problems)
