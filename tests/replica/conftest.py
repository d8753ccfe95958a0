"""A real PostgreSQL primary and streaming standby (scripts/pg-replica), a Puente migrated
on the primary with a few users and 5W rows, and a Puente server reading from the standby
(`DATABASE_REPLICA_URL`). Everything is started once for the module and stopped after it.
Without PostgreSQL's server binaries the tests are skipped, except in CI (`CI=true`), where
they fail."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests

from puente.reporting.tests.conftest import good_row
from tests.replica.harness import (
    COORDINATOR,
    PARTNERS_CSV,
    PASSWORD,
    PUENTE,
    REPORTER,
    ROOT,
    Cluster,
    Site,
    csv_of,
    free_port,
    site_env,
)


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    started = subprocess.run(  # noqa: S603
        [str(ROOT / "scripts" / "pg-replica"), "start"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if started.returncode == 3:  # PostgreSQL's server binaries are not installed
        reason = started.stderr.strip()
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI needs PostgreSQL's server binaries for the replica test: {reason}")
        pytest.skip(reason)
    assert started.returncode == 0, started.stdout + started.stderr
    values = dict(line.split("=", 1) for line in started.stdout.split())
    found = Cluster(values["PG_REPLICA_DIR"], values["PRIMARY_URL"], values["REPLICA_URL"])
    try:
        yield found
    finally:
        subprocess.run(  # noqa: S603
            [str(ROOT / "scripts" / "pg-replica"), "stop", found.directory],
            timeout=60,
            check=False,
        )


@pytest.fixture(scope="module")
def site(cluster: Cluster, tmp_path_factory: Any) -> Iterator[Site]:
    """Puente migrated on the primary, reference data, the organisation ORGA, a partner
    reporter of ORGA and a health coordinator of Colombia, ORGA's health rows of last month
    in Colombia submitted; a server on a free port reading GETs from the standby."""
    tmp = tmp_path_factory.mktemp("replica-site")
    env = site_env(
        cluster.primary,
        tmp,
        DATABASE_REPLICA_URL=cluster.replica,
        PUENTE_REQUIRE_2FA="0",
        PUENTE_TASKS="immediate",
        PUENTE_LOGIN_FAILURE_LIMIT="1000",
        PUENTE_REPLICA_PIN_SECONDS="60",
    )
    site = Site("", env, "", cluster)
    site.puente("migrate", "--noinput", "-v", "0")
    site.puente("load-reference", "-v", "0")
    partners = tmp / "partners.csv"
    partners.write_text(PARTNERS_CSV)
    site.puente("import", "partners", str(partners))
    site.puente(
        "create-user", REPORTER, "--role", "partner-reporter", "--scope", "organisation:ORGA",
        "--password", PASSWORD,
    )  # fmt: skip
    site.puente(
        "create-user", COORDINATOR, "--role", "sector-coordinator", "--scope", "sector:COL/HEA",
        "--password", PASSWORD,
    )  # fmt: skip
    rows = tmp / "5w.csv"
    rows.write_bytes(csv_of(good_row(), good_row(admin1="Bolívar", admin2="Cartagena")))
    site.puente("import", "5w", str(rows), "--status", "submitted")
    site.token = site.puente("drf_create_token", COORDINATOR).split()[2]

    port = free_port()
    log = (tmp / "server.log").open("w")
    server = subprocess.Popen(  # noqa: S603
        [PUENTE, "runserver", "--noreload", f"127.0.0.1:{port}"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    site.url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            assert server.poll() is None, (tmp / "server.log").read_text()[-3000:]
            try:
                if requests.get(f"{site.url}/healthz", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            time.sleep(0.2)
        else:
            raise AssertionError("the server did not answer /healthz in 30 s")
        cluster.wait_for_replay()
        yield site
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


@pytest.fixture
def without_pin() -> Callable[[requests.Session], requests.Session]:
    """The same signed-in browser, as if its last write were long ago."""

    def forget(browser: requests.Session) -> requests.Session:
        browser.cookies.pop("puente_primary", None)
        return browser

    return forget
