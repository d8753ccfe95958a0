"""Reads from a streaming replica (docs/deploy.md, "Reads from a replica"), on a real
primary and standby: the standby's replay is paused, so whatever the primary writes
meanwhile is missing from the standby, and a page showing it must have read the primary.

- API reads land on the standby (they show the old figure until replay resumes);
- the import result page after an upload and the review queue after a decision show the
  write just made; the same queue read without the client's `puente_primary` cookie is
  the standby's, still without it;
- signing in works while replay is paused (sessions and users are read on the primary);
- reads that need everything the primary committed up to a position
  (`replica_reads_from`) go to the primary until the standby has replayed it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
import requests

from puente.reporting.tests.conftest import good_row, last_month
from tests.replica.harness import COORDINATOR, REPORTER, Site, csv_of

pytestmark = pytest.mark.replica

HEALTH_GROUP = 'name="sector" value="HEA"'


def test_api_reads_land_on_the_standby(site: Site, tmp_path: Path) -> None:
    # given the rows as both databases hold them
    before = site.api_row_count()
    assert before == site.cluster.count(site.cluster.primary, "reporting_activityrow")
    rows = tmp_path / "more.csv"
    rows.write_bytes(csv_of(good_row(admin1="Bolívar", admin2="Magangué")))

    with site.cluster.replay_paused():
        # when a row is imported on the primary while the standby does not replay
        site.puente("import", "5w", str(rows), "--status", "submitted")
        assert site.cluster.count(site.cluster.primary, "reporting_activityrow") == before + 1
        # then the API still reads the standby's figure
        assert site.api_row_count() == before

    # and once the standby replayed the primary's WAL, the new one
    assert site.api_row_count() == before + 1


def test_the_import_result_page_shows_the_import_just_made(
    site: Site, without_pin: Callable[[requests.Session], requests.Session]
) -> None:
    with site.cluster.replay_paused():
        # given a partner reporter signed in while the standby does not replay
        before = site.api_row_count()
        browser = site.signed_in(REPORTER)
        # when they upload a 5W file
        response = browser.post(
            f"{site.url}/reporting/upload/",
            data={
                "policy": "reject-file",
                "status": "submitted",
                "csrfmiddlewaretoken": browser.cookies["csrftoken"],
            },
            files={"file": ("protection.csv", csv_of(good_row(indicator="PRO-01")))},
            timeout=60,
        )
        # then the page it lands on is the import's result, with the row imported
        assert response.status_code == 200, response.text[:2000]
        assert re.search(r"/reporting/imports/\d+/$", response.url), response.url
        assert "protection.csv" in response.text
        assert re.search(r"<dt>New rows</dt><dd>1</dd>", response.text), response.text[:3000]
        # (and even without the cookie, since the import's page always reads the primary)
        assert without_pin(browser).get(response.url, timeout=30).status_code == 200
        # while the standby does not have the row yet
        assert site.api_row_count() == before


def test_the_review_queue_after_a_decision_shows_the_decision(
    site: Site, without_pin: Callable[[requests.Session], requests.Session]
) -> None:
    queue = f"{site.url}/reporting/review/?country=COL&month={last_month()}&status=submitted"
    with site.cluster.replay_paused():
        # given ORGA's health rows of last month, submitted, in the coordinator's queue
        browser = site.signed_in(COORDINATOR)
        assert HEALTH_GROUP in browser.get(queue, timeout=30).text
        # when the coordinator validates them
        response = browser.post(
            f"{site.url}/reporting/review/decide/",
            data={
                "appealing_org": "ORGA",
                "country": "COL",
                "month": last_month(),
                "sector": "HEA",
                "decision": "validated",
                "filters": f"country=COL&month={last_month()}&status=submitted",
                "csrfmiddlewaretoken": browser.cookies["csrftoken"],
            },
            timeout=30,
        )
        # then the queue they are sent back to no longer lists them
        assert response.status_code == 200
        assert response.history and response.history[0].status_code == 302
        assert "rows updated" in response.text
        assert HEALTH_GROUP not in response.text
        # which the standby, read by the same page without the cookie, does not know yet
        assert HEALTH_GROUP in without_pin(browser).get(queue, timeout=30).text

    # once the standby replayed, every reader sees the decision
    assert HEALTH_GROUP not in browser.get(queue, timeout=30).text


def test_signing_in_works_while_replay_is_paused(
    site: Site, without_pin: Callable[[requests.Session], requests.Session]
) -> None:
    with site.cluster.replay_paused():
        # given a session made while the standby does not replay
        browser = without_pin(site.signed_in(REPORTER))
        # when the user opens a page of signed-in users, reading the standby for its data
        response = browser.get(f"{site.url}/reporting/", allow_redirects=False, timeout=30)
        # then the session is found (on the primary): the page, not the sign-in
        assert response.status_code == 200, response.headers.get("Location")
        assert 'action="/accounts/logout/"' in response.text


POSITION_CHECK = (
    "from puente.core.replica import primary_position, replica_reads, replica_reads_from; "
    "from puente.reporting.models import ActivityRow; "
    "position = primary_position()\n"
    "with replica_reads():\n"
    "    stale = ActivityRow.objects.count()\n"
    "    with replica_reads_from(position):\n"
    "        current = ActivityRow.objects.count()\n"
    "print('COUNTS', stale, current)"
)


def test_reads_from_a_primary_position_skip_a_standby_that_has_not_replayed_it(
    site: Site, tmp_path: Path
) -> None:
    # given a row written on the primary while the standby does not replay
    rows = tmp_path / "one.csv"
    rows.write_bytes(csv_of(good_row(admin1="Bolívar", admin2="Arjona")))
    with site.cluster.replay_paused():
        site.puente("import", "5w", str(rows), "--status", "submitted")
        on_primary = site.cluster.count(site.cluster.primary, "reporting_activityrow")
        # when a reader asks for what the primary had committed by now
        output = site.puente("shell", "-c", POSITION_CHECK)
    # then it reads the primary (the standby, read without the position, lacks the row)
    stale, current = (int(n) for n in output.split("COUNTS ")[1].split())
    assert (stale, current) == (on_primary - 1, on_primary)
    # and, once the standby has replayed it, the standby
    again = site.puente("shell", "-c", POSITION_CHECK)
    assert again.split("COUNTS ")[1].split() == [str(on_primary)] * 2


def test_dashboard_figures_cached_after_a_refresh_are_never_the_lagging_standbys(
    site: Site, tmp_path: Path, without_pin: Callable[[requests.Session], requests.Session]
) -> None:
    month = last_month()
    data = f"{site.url}/dashboard/data.json?country=COL&year={month[:4]}&month={int(month[5:])}"
    browser = without_pin(site.signed_in(COORDINATOR))

    def reached() -> int:
        response = browser.get(data, timeout=60)
        assert response.status_code == 200, response.text[:1000]
        return int(response.json()["headline"]["consolidated"])

    before = reached()
    rows = tmp_path / "validated.csv"
    rows.write_bytes(csv_of(good_row(admin1="Magdalena", admin2="Santa Marta", indicator="PRO-01")))
    with site.cluster.replay_paused():
        # when validated rows are imported on the primary (the cube refreshed, its version
        # bumped in the cache the server shares) while the standby does not replay
        site.puente("import", "5w", str(rows), "--status", "validated")
        # then the dashboard, read without the cookie, computes the new version's figures
        # from the primary, not from the standby's old cube
        during = reached()
        assert during > before
    # and the figures cached under that version stay right once the standby caught up
    assert reached() == during
