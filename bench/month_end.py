"""`make bench` (part four): the month-end peak (docs/performance.md, "Month-end peak").

200 partner files of 5,000 rows posted to `POST /api/5w/imports/` by 32 concurrent
clients on loopback, two background workers importing them, while one more client reads
the dashboard's JSON; the goals: every row stored once, the upload answered in under
500 ms (p95), the dashboard JSON in under 100 ms (p95) meanwhile.

It makes a PostgreSQL database of its own (`bench_peak`, dropped first and at the
end unless `--keep`), migrated, with the reference data and `--files` partner
organisations spread over the 17 countries, each working in one, each with one
partner-reporter account and API token: each file is uploaded with its own organisation's
token, so every row goes through the per-row scope check a partner's upload goes through.
Each file holds `--rows` valid 5W rows (bench/generate.py's rows) of its organisation in
its country, all of one month (the last month). The year's cube is built before the peak,
as on a platform whose dashboards were read earlier in the year.

`puente serve` then runs on a free loopback port in production mode (`--web-workers`
processes of `--threads` threads), and `--workers` `puente worker` processes at niceness
`--worker-nice` (docs/deploy.md: the web answers first). `--clients` client processes
take the next file from a shared queue and post it, timing each answer; one more process
reads `/dashboard/data.json` (the region, then a country, in turn; a session of a sector
coordinator) until the last batch is finished. Then: every batch `done` with no error,
the 5W row count exactly files x rows, no row key twice; the coordinators' review is
stood in for by validating the month's rows at once (outside the measured time), which
refreshes the cube as a review does, and the region's people reached, read from the cube
through the served dashboard JSON and in-process, must equal `puente people-reached`
after `puente cube-rebuild` made the cube again from the rows.

Results go to bench/results/month-end-<stamp>.json and month-end-latest.json, and to the
table in docs/performance.md.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import multiprocessing
import os
import platform
import queue
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import requests
from collect_submit import free_port, percentile  # sets its own DATABASE_URL: reset below

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PG_SERVER = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
DB_NAME = "bench_peak"
DB_URL = PG_SERVER.rsplit("/", 1)[0] + "/" + DB_NAME
WORK = ROOT / "bench" / "work" / "month-end"
RESULTS = ROOT / "bench" / "results"
DOC = ROOT / "docs" / "performance.md"
UPLOAD_GOAL_MS = 500.0
DASHBOARD_GOAL_MS = 100.0
READER_SCOPE = "sector:HEA"  # the dashboard reader: a sector coordinator, no second factor
PASSWORD = "bench-peak-pass-2026"  # noqa: S105 (accounts of a throwaway database)

sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "puente.settings")
os.environ["DATABASE_URL"] = DB_URL
os.environ["PUENTE_MEDIA_ROOT"] = str(WORK / "media")
os.environ["PUENTE_CACHE_DIR"] = str(WORK / "cache")
os.environ["PUENTE_COLUMNAR_DIR"] = str(WORK / "columnar")


def report_month() -> dt.date:
    """The month the partners report at month end: the last one (never in the future)."""
    first = dt.datetime.now(dt.UTC).date().replace(day=1)
    return (first - dt.timedelta(days=1)).replace(day=1)


def reporter_email(number: int) -> str:
    return f"reporter{number:03d}@bench.puente.org"


# --- The database, the files, the processes ------------------------------------------------


def prepare(files: int, rows: int) -> tuple[dict[str, str], list[dict[str, Any]], str]:
    """A migrated database with the reference data, the partners, their tokens and the
    dashboard reader's session; the files written; the environment of the server."""
    import psycopg

    with psycopg.connect(PG_SERVER, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")
    shutil.rmtree(WORK, ignore_errors=True)
    (WORK / "media").mkdir(parents=True)
    (WORK / "files").mkdir()
    env = {
        **os.environ,
        "DATABASE_URL": DB_URL,
        "PUENTE_DEBUG": "0",
        "PUENTE_ALLOWED_HOSTS": "127.0.0.1",
        "PUENTE_LANGUAGE": "en",
    }
    keys = subprocess.run(
        [str(BIN / "puente"), "generate-keys"], env=env, capture_output=True, text=True, check=True
    ).stdout
    for line in keys.splitlines():
        name, sep, value = line.partition("=")
        if sep:
            env[name] = value
            os.environ[name] = value
    subprocess.run(
        [str(BIN / "puente"), "migrate", "--noinput", "-v", "0"], env=env, check=True, cwd=ROOT
    )
    subprocess.run([str(BIN / "puente"), "load-reference"], env=env, check=True, cwd=ROOT)

    import django

    django.setup()
    import generate
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from rest_framework.authtoken.models import Token

    from puente.accounts.services import role_assign, scope_parse, user_create
    from puente.partners.services import organisation_upsert
    from puente.reference.models import Admin1, Country, Indicator, PopulationGroup
    from puente.reference.selectors import group_countries, indicators_in_force

    countries = list(Country.objects.order_by("iso3"))
    areas: dict[str, list[str]] = {}
    for code, iso3 in Admin1.objects.values_list("iso_code", "country__iso3"):
        areas.setdefault(iso3, []).append(code)
    month = report_month()
    # What applies where: each file holds indicators in force in its country that year and
    # population groups that apply there (the generator draws from all of them).
    in_force = indicators_in_force()
    groups = group_countries()
    group_codes = dict(PopulationGroup.objects.values_list("pk", "code"))
    jobs = []
    for number in range(files):
        country = countries[number % len(countries)]
        acronym = f"P{number:03d}"
        organisation_upsert(
            acting_user=None,
            acronym=acronym,
            name=f"Socio {number:03d}",
            type="national-ngo",
            countries=[country],
            appealing=True,
        )
        user, _generated = user_create(
            acting_user=None, email=reporter_email(number), password=PASSWORD
        )
        role_assign(
            acting_user=None,
            user=user,
            role="partner-reporter",
            scope=scope_parse(f"organisation:{acronym}"),
        )
        indicators = [
            (indicator.code, indicator.counts_people)
            for indicator in Indicator.objects.order_by("code")
            if _applies(in_force[indicator.pk], country.pk, month.year)
        ]
        applicable = sorted(
            code for pk, code in group_codes.items() if pk not in groups or country.pk in groups[pk]
        )
        pools = {"areas": areas, "orgs": [(acronym, [country.iso3])], "indicators": indicators}
        path = WORK / "files" / f"5w-{acronym}-{country.iso3}-{month:%Y-%m}.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=generate.HEADER)
            writer.writeheader()
            for values in generate.rows(
                pools, rows, seed=number + 1, year=month.year, start=number * rows
            ):
                row = dict(zip(generate.GENERATED_HEADER, values, strict=True))
                row["month"] = f"{month:%Y-%m}"  # one month: the one the partners close
                if row["population_group"] not in applicable:
                    row["population_group"] = applicable[number % len(applicable)]
                writer.writerow(row)
        jobs.append(
            {"file": str(path), "token": Token.objects.create(user=user).key, "number": number}
        )
    reader, _generated = user_create(
        acting_user=None, email="reader@bench.puente.org", password=PASSWORD
    )
    role_assign(
        acting_user=None, user=reader, role="sector-coordinator", scope=scope_parse(READER_SCOPE)
    )
    # A signed-in session of the reader, as the login page makes one.
    session = SessionStore()
    session[SESSION_KEY] = str(reader.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = reader.get_session_auth_hash()
    session.create()
    cookie = f"{settings.SESSION_COOKIE_NAME}={session.session_key}"
    # A platform at month end has read its dashboards earlier in the year: the year's cube
    # exists. A fresh database's first read would build it, every country's, inside a web
    # process during the peak (docs/performance.md, "Month-end peak").
    from puente.analytics.services.cube import cube_ensure

    cube_ensure(year=month.year)
    return env, jobs, cookie


def _applies(
    in_force: tuple[int | None, int | None, frozenset[int] | None], country: int, year: int
) -> bool:
    first, last, countries = in_force
    return (
        (first is None or first <= year)
        and (last is None or year <= last)
        and (countries is None or country in countries)
    )


def server_start(env: dict[str, str], workers: int, threads: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    command = [
        str(BIN / "puente"),
        "serve",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
    ]
    log = (WORK / "serve.log").open("wb")
    server = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    for _attempt in range(240):
        if server.poll() is not None:
            sys.exit(f"puente serve exited; see {WORK / 'serve.log'}")
        try:
            requests.get(f"{base}/healthz", timeout=10)
            return server, base
        except (requests.ConnectionError, requests.Timeout):
            time.sleep(0.25)
    server.kill()
    sys.exit("puente serve did not answer")


def workers_start(env: dict[str, str], count: int, niceness: int) -> list[subprocess.Popen]:
    processes = []
    for number in range(count):
        command = [
            str(BIN / "puente"),
            "worker",
            "--interval",
            "0.2",
            "--worker-id",
            f"bench-peak-{number}",
        ]
        if niceness:
            command = ["nice", "-n", str(niceness), *command]
        log = (WORK / f"worker-{number}.log").open("wb")
        processes.append(
            subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        )
    return processes


# --- The clients (processes of their own) ----------------------------------------------------


def uploader_run(base: str, files: Any, answers: Any, start_at: float) -> None:
    """Post the next file of the shared queue until it is empty; one answer per file."""
    session = requests.Session()
    time.sleep(max(0.0, start_at - time.time()))
    while True:
        try:
            job = files.get_nowait()
        except queue.Empty:
            return
        content = Path(job["file"]).read_bytes()
        started = time.perf_counter()
        try:
            response = session.post(
                f"{base}/api/5w/imports/",
                headers={"Authorization": f"Token {job['token']}"},
                files={"file": (Path(job["file"]).name, content, "text/csv")},
                data={"policy": "reject-file", "status": "submitted"},
                timeout=120,
            )
            status, body = response.status_code, response.json()
        except (requests.RequestException, ValueError) as exc:
            status, body = 0, {"error": str(exc)[:200]}
        answers.put(
            {
                "number": job["number"],
                "status": status,
                "ms": (time.perf_counter() - started) * 1000,
                "batch": body.get("id"),
                "url": body.get("url"),
                "error": None if status == 202 else body,
                "ended": time.time(),
            }
        )


def reader_run(base: str, cookie: str, stop: Any, readings: Any, start_at: float) -> None:
    """Read the dashboard's JSON, the region and a country in turn, until told to stop."""
    session = requests.Session()
    session.headers["Cookie"] = cookie
    month = report_month()
    region = {"year": month.year, "month": month.month}
    queries = [region, {**region, "country": "COL"}]
    time.sleep(max(0.0, start_at - time.time()))
    count = 0
    while not stop.is_set():
        params = queries[count % len(queries)]
        count += 1
        started = time.perf_counter()
        try:
            response = session.get(f"{base}/dashboard/data.json", params=params, timeout=60)
            status = response.status_code
        except requests.RequestException:
            status = 0
        readings.put(
            {
                "status": status,
                "ms": (time.perf_counter() - started) * 1000,
                "country": params.get("country", ""),
            }
        )
        time.sleep(0.05)


def batches_wait(timeout: float) -> float | None:
    """Seconds until no batch is queued or running (None: not within `timeout`)."""
    from puente.reporting.models import ImportBatch

    started = time.time()
    waiting = (ImportBatch.State.QUEUED, ImportBatch.State.RUNNING)
    while time.time() - started < timeout:
        if not ImportBatch.objects.filter(state__in=waiting).exists():
            return time.time()
        time.sleep(0.5)
    return None


# --- The checks after the run ------------------------------------------------------------------


def region_people_reached(base: str, cookie: str) -> dict[str, Any]:
    """The region's people reached of the month: from the cube as the served dashboard
    JSON and the selector read it, and after `puente cube-rebuild` as `puente
    people-reached` prints it."""
    from django.db.models import Sum

    from puente.analytics.selectors import people_reached
    from puente.reporting.models import ActivityRow, RowStatus
    from puente.reporting.signals import validated_rows_announce

    month = report_month()
    # The coordinators' review, stood in for: every row of the month validated at once,
    # announced as a review announces it (the cube of each country refreshed).
    rows = ActivityRow.objects.filter(month=month)
    pairs = set(rows.values_list("country_id", "month").distinct())
    rows.update(status=RowStatus.VALIDATED)
    validated_rows_announce(pairs)
    served = requests.get(
        f"{base}/dashboard/data.json",
        params={"year": month.year, "month": month.month},
        headers={"Cookie": cookie},
        timeout=120,
    ).json()
    cube = people_reached(year=month.year, month=month.month)[0]
    env = {**os.environ, "DATABASE_URL": DB_URL}
    subprocess.run(
        [str(BIN / "puente"), "cube-rebuild", "--year", str(month.year)],
        env=env,
        check=True,
        cwd=ROOT,
        capture_output=True,
    )
    fresh = json.loads(
        subprocess.run(
            [
                str(BIN / "puente"),
                "people-reached",
                "--year",
                str(month.year),
                "--through",
                f"{month:%Y-%m}",
                "--format",
                "json",
            ],
            env=env,
            check=True,
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stdout
    )
    fresh_row = fresh[0] if isinstance(fresh, list) else fresh
    new_beneficiaries = rows.aggregate(n=Sum("new_beneficiaries"))["n"] or 0
    return {
        "served_monthly": served["headline"]["monthly"],
        "served_consolidated": served["headline"]["consolidated"],
        "cube_monthly": cube["monthly"],
        "cube_consolidated": cube["consolidated"],
        "rebuilt_monthly": fresh_row["monthly"],
        "rebuilt_consolidated": fresh_row["consolidated"],
        # Not a figure of the rule (it counts each partner's people once per row): the
        # ceiling the consolidated figure stays under.
        "sum_of_new_beneficiaries": new_beneficiaries,
    }


# --- The run -----------------------------------------------------------------------------------


def summary(values: list[float]) -> dict[str, float]:
    values = sorted(values)
    if not values:
        return {"count": 0, "p50": 0.0, "p95": 0.0, "max": 0.0}
    return {
        "count": len(values),
        "p50": round(percentile(values, 50), 1),
        "p95": round(percentile(values, 95), 1),
        "max": round(values[-1], 1),
    }


def drop_database() -> None:
    import psycopg
    from django.db import connections

    connections.close_all()
    with psycopg.connect(PG_SERVER, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=200, help="files (one organisation each)")
    parser.add_argument("--rows", type=int, default=5000, help="rows per file")
    parser.add_argument("--clients", type=int, default=32, help="concurrent uploaders")
    parser.add_argument("--web-workers", type=int, default=2, help="puente serve processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per web process")
    parser.add_argument("--workers", type=int, default=2, help="puente worker processes")
    parser.add_argument("--worker-nice", type=int, default=10, help="niceness of the workers")
    parser.add_argument(
        "--timeout", type=float, default=3600, help="seconds to wait for the last batch"
    )
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--no-doc", action="store_true", help="do not update the doc")
    parser.add_argument(
        "--doc-only", action="store_true", help="write the doc from the latest results only"
    )
    args = parser.parse_args()
    if args.doc_only:
        write_doc(json.loads((RESULTS / "month-end-latest.json").read_text()))
        return
    RESULTS.mkdir(parents=True, exist_ok=True)
    load_before = os.getloadavg()
    print(f"preparing {DB_NAME}: {args.files} files of {args.rows} rows", flush=True)
    prepared = time.time()
    env, jobs, cookie = prepare(args.files, args.rows)
    prepare_seconds = time.time() - prepared
    from django.db import connections
    from django.db.models import Count

    from puente.reporting.models import ActivityRow, ImportBatch

    connections.close_all()  # the clients are forked: they must not share it
    server, base = server_start(env, args.web_workers, args.threads)
    workers = workers_start(env, args.workers, args.worker_nice)
    context = multiprocessing.get_context("fork")
    files, answers, readings = context.Queue(), context.Queue(), context.Queue()
    for job in jobs:
        files.put(job)
    stop = context.Event()
    start_at = time.time() + 2 + args.clients * 0.05
    print(
        f"{args.clients} clients, puente serve {args.web_workers} x {args.threads} threads, "
        f"{args.workers} workers (nice {args.worker_nice}), on {base}",
        flush=True,
    )
    done_at: float | None = None
    try:
        reader = context.Process(target=reader_run, args=(base, cookie, stop, readings, start_at))
        reader.start()
        clients = [
            context.Process(target=uploader_run, args=(base, files, answers, start_at))
            for _ in range(args.clients)
        ]
        for client in clients:
            client.start()
        posts = [answers.get(timeout=args.timeout) for _ in jobs]
        for client in clients:
            client.join()
        done_at = batches_wait(max(1.0, args.timeout - (time.time() - start_at)))
        stop.set()
        reader.join(timeout=120)
        dashboard: list[dict[str, Any]] = []
        while True:
            try:
                dashboard.append(readings.get(timeout=1))
            except queue.Empty:
                break
        states = dict(ImportBatch.objects.values_list("state").annotate(n=Count("id")).order_by())
        errors = ImportBatch.objects.exclude(report__errors=[]).count()
        first_batch_errors = [
            error
            for report in ImportBatch.objects.exclude(report__errors=[]).values_list(
                "report", flat=True
            )[:3]
            for error in report.get("errors", [])[:3]
        ]
        stored = ActivityRow.objects.count()
        distinct = ActivityRow.objects.values("row_key").distinct().count()
        checked = time.time()
        reached = region_people_reached(base, cookie) if done_at else {}
        check_seconds = time.time() - checked
    finally:
        stop.set()
        for process in (server, *workers):
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
    if not args.keep:
        drop_database()

    expected = args.files * args.rows
    upload_ms = summary([p["ms"] for p in posts])
    dashboard_ms = summary([r["ms"] for r in dashboard])
    seconds = (done_at - start_at) if done_at else None
    checks = {
        "every_upload_answered_202": all(p["status"] == 202 for p in posts),
        "every_batch_done_in_time": done_at is not None and states == {"done": len(jobs)},
        "no_batch_with_an_error": errors == 0,
        "every_row_stored": stored == expected,
        "no_row_twice": distinct == stored,
        "every_dashboard_answer_200": bool(dashboard)
        and all(r["status"] == 200 for r in dashboard),
        "cube_equals_rebuilt": bool(reached)
        and reached["served_monthly"] == reached["cube_monthly"] == reached["rebuilt_monthly"]
        and reached["served_consolidated"]
        == reached["cube_consolidated"]
        == reached["rebuilt_consolidated"],
    }
    results = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "command": " ".join(["bench/month_end.py", *sys.argv[1:]]),
        "load_average_before": [round(x, 2) for x in load_before],
        "server": {
            "web_workers": args.web_workers,
            "threads": args.threads,
            "import_workers": args.workers,
            "import_workers_nice": args.worker_nice,
        },
        "clients": args.clients,
        "files": args.files,
        "rows_per_file": args.rows,
        "prepare_seconds": round(prepare_seconds, 1),
        "rows_expected": expected,
        "rows_stored": stored,
        "rows_distinct_keys": distinct,
        "batch_states": states,
        "upload_ms": upload_ms,
        "dashboard_ms": dashboard_ms,
        "dashboard_reads": len(dashboard),
        "seconds_until_last_batch_done": round(seconds, 2) if seconds else None,
        "rows_per_second": round(stored / seconds, 1) if seconds else None,
        "upload_goal_ms": UPLOAD_GOAL_MS,
        "upload_p95_vs_goal": round(upload_ms["p95"] / UPLOAD_GOAL_MS, 2),
        "dashboard_goal_ms": DASHBOARD_GOAL_MS,
        "dashboard_p95_vs_goal": round(dashboard_ms["p95"] / DASHBOARD_GOAL_MS, 2),
        "region_people_reached": reached,
        # After the run, not measured by the goals: validating the month, the cube again.
        "check_seconds": round(check_seconds, 1),
        "checks": checks,
    }
    failed_posts = [p for p in posts if p["status"] != 202][:5]
    if failed_posts:
        results["first_errors"] = failed_posts
    if first_batch_errors:
        results["first_batch_errors"] = first_batch_errors
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
    text = json.dumps(results, indent=2, default=str)
    (RESULTS / f"month-end-{stamp}.json").write_text(text + "\n")
    (RESULTS / "month-end-latest.json").write_text(text + "\n")
    if not args.no_doc:
        write_doc(results)
    print(text)
    if not all(checks.values()):
        sys.exit("a check failed: " + ", ".join(k for k, ok in checks.items() if not ok))


def write_doc(results: dict[str, Any]) -> None:
    upload, board = results["upload_ms"], results["dashboard_ms"]
    checks = results["checks"]
    server = results["server"]
    reached = results.get("region_people_reached") or {}
    lines = [
        "<!-- bench:month-end:start -->",
        f"Measured {results['date']} with `make bench` (`{results['command'].strip()}`) on "
        f"{results['machine']['cpus']} CPUs, PostgreSQL, `puente serve` with "
        f"{server['web_workers']} processes of {server['threads']} threads, "
        f"{server['import_workers']} `puente worker` processes at niceness "
        f"{server['import_workers_nice']}.",
        "",
        "| | |",
        "|---|---|",
        f"| files posted to `POST /api/5w/imports/` | {results['files']} of "
        f"{results['rows_per_file']:,} rows, by {results['clients']} concurrent clients |",
        f"| rows expected / stored / distinct keys | {results['rows_expected']:,} / "
        f"{results['rows_stored']:,} / {results['rows_distinct_keys']:,} |",
        f"| batches | {', '.join(f'{v} {k}' for k, v in results['batch_states'].items())} |",
        f"| upload answer: p50 / p95 / max | {upload['p50']} / {upload['p95']} / "
        f"{upload['max']} ms |",
        f"| upload p95 / 500 ms (goal: under 1) | {results['upload_p95_vs_goal']} |",
        f"| dashboard JSON meanwhile ({results['dashboard_reads']} reads): p50 / p95 / max | "
        f"{board['p50']} / {board['p95']} / {board['max']} ms |",
        f"| dashboard p95 / 100 ms (goal: under 1) | {results['dashboard_p95_vs_goal']} |",
        f"| until the last batch was done, rows per second | "
        f"{results['seconds_until_last_batch_done']} s, {results['rows_per_second']} |",
        "| region's people reached, monthly: served / cube / rebuilt | "
        + " / ".join(
            f"{reached[k]:,}" if k in reached else "-"
            for k in ("served_monthly", "cube_monthly", "rebuilt_monthly")
        )
        + " |",
        "| load average of the machine before the run (1, 5, 15 min) | "
        + ", ".join(str(x) for x in results["load_average_before"])
        + " |",
        f"| checks | {'all passed' if all(checks.values()) else 'FAILED: '}"
        + ", ".join(k for k, ok in checks.items() if not ok)
        + " |",
        "<!-- bench:month-end:end -->",
    ]
    block = "\n".join(lines)
    text = DOC.read_text()
    start, end = "<!-- bench:month-end:start -->", "<!-- bench:month-end:end -->"
    if start in text:
        text = text.split(start)[0] + block + text.split(end)[1]
    else:
        text += "\n## Month-end peak\n" + block + "\n"
    DOC.write_text(text)


if __name__ == "__main__":
    main()
