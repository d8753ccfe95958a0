"""`make bench` (scaling): how the platform's figures behave as the 5W table grows.

One PostgreSQL database (`bench_scale`) is filled with reference data, the demo's
appealing partners and generated 5W rows, and grown from one point to the next
(`--points`, default 1M, 5M and 20M rows): each point adds the rows it lacks. The rows
come from bench/generate.py's realistic generator (partners report in the countries they
work in, on every sector's indicators, every month) spread over 2019-2025, a response's
history, growing to its busiest year, 2024 (`YEAR_SHARES`); they are validated rows,
written with PostgreSQL's COPY through `rows_insert`, the writer the import uses, with
the values and row keys `puente import 5w --status validated` would give them (loading
20M rows through the import itself would take most of an hour), then the table is
analysed and the cube of every year rebuilt.

At each point it measures:
- the import rate: `puente import 5w` of a new 100,000-row CSV (2025 rows, submitted)
  on top of the loaded table, wall clock (this includes the cube refresh it triggers);
- the rule: `puente people-reached` for the busiest year through December, by country
  and for the region alone, from the cube (wall clock of the command, best of three;
  `startup` is the same command's floor, `puente shell -c pass`), and `consolidate()`
  of the year without the cube, from the columnar copy (best of three) and from the 5W
  table (once);
- a cube refresh of the busiest country from December (`cube_refresh`), and of the whole
  busiest year for every country (`puente cube-rebuild`);
- the public dashboard JSON, region and busiest country, 50 sequential requests each
  (`--requests`) through gunicorn: cached (the figures cached once, then read), and
  uncached (the cache folder emptied before each request, so every request computes its
  figures: from the cube, and the ones the cube does not hold from the 5W table);
- sizes: the database, the 5W table with its indexes, the cube table, the columnar folder.

Results go to bench/results/scaling-*.json and docs/scaling.md (the table between markers).
`--keep` keeps the database and its folders for another look.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import multiprocessing
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PG_SERVER = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
DB_NAME = "bench_scale"
DB_URL = PG_SERVER.rsplit("/", 1)[0] + f"/{DB_NAME}"
WORK = ROOT / "bench" / "work" / "scaling"
RESULTS = ROOT / "bench" / "results"
DOC = ROOT / "docs" / "scaling.md"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "puente.settings")
os.environ["DATABASE_URL"] = DB_URL
os.environ["PUENTE_COLUMNAR_DIR"] = str(WORK / "columnar")
os.environ["PUENTE_CACHE_DIR"] = str(WORK / "cache")
os.environ["PUENTE_LANGUAGE"] = "en"

# A response's history: a share of the rows per year, growing to the busiest year.
YEAR_SHARES = {2019: 0.05, 2020: 0.09, 2021: 0.13, 2022: 0.16, 2023: 0.19, 2024: 0.20, 2025: 0.18}
BUSIEST = max(YEAR_SHARES, key=YEAR_SHARES.__getitem__)
IMPORT_YEAR = 2025
IMPORT_ROWS = 100_000
REQUESTS = 50
DEFAULT_POINTS = "1000000,5000000,20000000"


def puente(*args: str) -> tuple[float, subprocess.CompletedProcess]:
    started = time.perf_counter()
    done = subprocess.run(
        [str(BIN / "puente"), *args], capture_output=True, text=True, check=False, cwd=ROOT
    )
    seconds = time.perf_counter() - started
    if done.returncode:
        sys.exit(f"puente {' '.join(args)} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return seconds, done


def shell_json(code: str) -> dict:
    """Run Python code in `puente shell` and read the JSON it prints last."""
    _seconds, done = puente("shell", "-c", code)
    return json.loads(done.stdout.strip().splitlines()[-1])


def best_wall(runs: int, *args: str) -> float:
    return min(puente(*args)[0] for _run in range(runs))


def prepare() -> None:
    import psycopg

    with psycopg.connect(PG_SERVER, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")
    for folder in ("columnar", "cache"):
        shutil.rmtree(WORK / folder, ignore_errors=True)
    WORK.mkdir(parents=True, exist_ok=True)
    puente("migrate", "--noinput")
    puente("load-reference")
    puente(
        "shell",
        "-c",
        "from puente.demo.services import demo_partners_create; demo_partners_create(seed=2025)",
    )
    # The shipped indicators are in force from 2025: the history before uses the same
    # list, so that its rows are ones the import would accept.
    puente(
        "shell",
        "-c",
        "from puente.reference.models import Indicator; "
        f"Indicator.objects.filter(first_year__gt={min(YEAR_SHARES)}).update("
        f"first_year={min(YEAR_SHARES)})",
    )


import django  # noqa: E402

django.setup()

import generate  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from puente.analytics.models import ReachCell  # noqa: E402
from puente.core.bulk import copy_line, rows_insert  # noqa: E402
from puente.core.tabular import normalize_value  # noqa: E402
from puente.reporting.models import RowStatus  # noqa: E402
from puente.reporting.services.columns import RowKey  # noqa: E402
from puente.reporting.services.writer import INSERT_FIELDS, TABLE  # noqa: E402


def rows_count(status: str | None = None) -> int:
    with connection.cursor() as cursor:
        if status:
            cursor.execute(f"SELECT count(*) FROM {TABLE} WHERE status = %s", [status])  # noqa: S608
        else:
            cursor.execute(f"SELECT count(*) FROM {TABLE}")  # noqa: S608
        return cursor.fetchone()[0]


def pools_of(year: int) -> dict:
    """bench/generate.py's reference pools with the indicators in force in `year` and
    where each population group applies."""
    from puente.partners.models import Organisation
    from puente.reference.models import Admin1, Indicator, PopulationGroup

    # generate.reference_pools() reads `Indicator.counts_people` as a column, which it
    # no longer is (it follows `measure`): its areas and organisations, read here.
    pools: dict = {"areas": {}}
    for code, iso3 in Admin1.objects.values_list("iso_code", "country__iso3"):
        pools["areas"].setdefault(iso3, []).append(code)
    pools["orgs"] = [
        (o.acronym, [c.iso3 for c in o.countries.all()])
        for o in Organisation.objects.filter(appealing=True).prefetch_related("countries")
    ]
    pools["indicators"] = [
        (i.code, i.counts_people)
        for i in Indicator.objects.all()
        if (i.first_year or year) <= year and (i.last_year or year) >= year
    ]
    pools["group_countries"] = {
        g.code: {c.iso3 for c in g.countries.all()}
        for g in PopulationGroup.objects.prefetch_related("countries")
    }
    return pools


def generated(pools: dict, count: int, *, seed: int, year: int, start: int):
    """The generator's rows in the columns of the 5W import; a population group that does not apply in the row's country
    (Colombian returnees outside Colombia, people in transit in the Caribbean) becomes
    people in destination, which applies everywhere."""
    position = generate.HEADER.index("population_group")
    for generated_row in generate.rows(pools, count, seed=seed, year=year, start=start):
        # generate.rows() gives no conditionality and restriction (empty: not CVA terms).
        row = [*generated_row[:12], "", "", *generated_row[12:]]
        if row[1] not in pools["group_countries"][row[position]]:
            row[position] = "in-destination"
        yield row


def _ids() -> dict:
    """The ids the import would resolve the generator's codes to."""
    from puente.partners.models import Organisation
    from puente.reference.models import Admin1, Country, Indicator, PopulationGroup

    return {
        "country": dict(Country.objects.values_list("iso3", "id")),
        "admin1": dict(Admin1.objects.values_list("iso_code", "id")),
        "org": dict(Organisation.objects.values_list("acronym", "id")),
        "indicator": {i.code: (i.id, i.reporting_sector.id) for i in Indicator.objects.all()},
        "group": dict(PopulationGroup.objects.values_list("code", "id")),
    }


def _number(text: object) -> int | None:
    return None if text == "" else int(text)  # type: ignore[call-overload]


def stored_rows(pools: dict, ids: dict, count: int, *, seed: int, year: int, start: int):
    """The generator's rows as `puente import 5w --status validated` stores them: the
    values of `INSERT_FIELDS`, with the same row keys."""
    now = timezone.now()
    activity_key = normalize_value("Actividad del plan")
    for row in generated(pools, count, seed=seed, year=year, start=start):
        (month_text, iso3, admin1, admin2, org, _implementing, code, activity, _rmrp) = row[:9]
        modality, cva, mechanism, group = row[9], row[10], row[11], row[14]
        month = dt.date(int(month_text[:4]), int(month_text[5:7]), 1)
        country, area, org_id = ids["country"][iso3], ids["admin1"][admin1], ids["org"][org]
        indicator, sector = ids["indicator"][code]
        group_id = ids["group"][group]
        key = RowKey(
            month=month,
            country=country,
            admin1=area,
            admin2=normalize_value(admin2),
            appealing_org=org_id,
            implementing_org=org_id,
            indicator=indicator,
            activity=activity_key,
            modality=modality,
            population_group=group_id,
        ).digest()
        yield (
            key,
            month,
            country,
            area,
            admin2,
            None,
            org_id,
            org_id,
            indicator,
            sector,
            activity,
            True,
            modality,
            cva or None,
            mechanism.replace(" ", "-"),
            "",
            "",
            group_id,
            *(_number(v) for v in row[15:]),
            RowStatus.VALIDATED,
            "",
            None,
            None,
            now,
        )


CHUNK = 100_000


def _copy_text(chunk: tuple) -> str:
    """The COPY text of one chunk of generated rows (run in a worker process)."""
    pools, ids, count, seed, year, start = chunk
    return "".join(
        map(copy_line, stored_rows(pools, ids, count, seed=seed, year=year, start=start))
    )


def grow(target: int, point_index: int) -> dict:
    """Add the validated rows the database lacks to hold `target` of them, spread over
    the years (the rows of the import measures, submitted, are not counted)."""
    have = rows_count(RowStatus.VALIDATED)
    missing = max(0, target - have)
    ids = _ids()
    started = time.perf_counter()
    offset = have
    chunks = []
    for year, share in YEAR_SHARES.items():
        count, pools = round(missing * share), pools_of(year)
        for first in range(0, count, CHUNK):
            size = min(CHUNK, count - first)
            seed = (point_index * 10_000 + year) * 1_000 + first // CHUNK
            chunks.append((pools, ids, size, seed, year, offset + first))
        offset += count
    # The rows are made (in Python, the slow part) by one process per CPU and written by
    # this one with one COPY per year's share, in order.
    names = ", ".join(INSERT_FIELDS)
    with (
        multiprocessing.get_context("fork").Pool(os.cpu_count()) as pool,
        transaction.atomic(),
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {TABLE} ({names}) FROM STDIN") as copy,  # noqa: S608
    ):
        written = 0
        for number, (chunk, text) in enumerate(
            zip(chunks, pool.imap(_copy_text, chunks), strict=True), start=1
        ):
            copy.write(text)
            written += chunk[2]
            if number % 10 == 0 or number == len(chunks):
                print(f"  {written:,} rows written", flush=True)
    load_seconds = time.perf_counter() - started
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {TABLE}")  # noqa: S608
    analyze_seconds = time.perf_counter() - started
    started = time.perf_counter()
    for year in YEAR_SHARES:
        if year != BUSIEST:  # the busiest year is rebuilt (and timed) by measure()
            puente("cube-rebuild", "--year", str(year))
    rebuild_seconds = time.perf_counter() - started
    return {
        "rows_added": offset - have,
        "copy_seconds": round(load_seconds, 1),
        "copy_rows_per_second": round((offset - have) / load_seconds) if offset > have else 0,
        "analyze_seconds": round(analyze_seconds, 1),
        "other_years_cube_rebuild_seconds": round(rebuild_seconds, 1),
    }


def check_rows_as_imported() -> dict:
    """The rows loaded with COPY are the ones the import stores: the same generated rows
    imported as validated through `puente import 5w` must all be found unchanged."""
    pools, ids = pools_of(IMPORT_YEAR), _ids()
    count, seed, start = 2000, 7, 2_000_000_000
    with transaction.atomic():
        rows_insert(
            TABLE,
            INSERT_FIELDS,
            stored_rows(pools, ids, count, seed=seed, year=IMPORT_YEAR, start=start),
        )
    path = WORK / "5w-check.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(generate.HEADER)
        writer.writerows(generated(pools, count, seed=seed, year=IMPORT_YEAR, start=start))
    _seconds, done = puente("import", "5w", str(path), "--status", "validated", "--format", "json")
    path.unlink()
    report = json.loads(done.stdout)
    found = {k: report[k] for k in ("rows", "imported", "updated", "unchanged")}
    if report["errors"] or found["unchanged"] != count:
        sys.exit(f"rows loaded with COPY differ from imported ones: {found} {report['errors'][:3]}")
    return found


def busiest_country(year: int) -> tuple[int, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT r.country_id, c.iso3 FROM {TABLE} r "  # noqa: S608
            "JOIN reference_country c ON c.id = r.country_id "
            "WHERE r.month >= %s AND r.month <= %s GROUP BY r.country_id, c.iso3 "
            "ORDER BY count(*) DESC LIMIT 1",
            [dt.date(year, 1, 1), dt.date(year, 12, 1)],
        )
        return cursor.fetchone()


def import_rate(point_index: int) -> dict:
    path = WORK / f"5w-import-{point_index}.csv"
    rows = generated(
        pools_of(IMPORT_YEAR),
        IMPORT_ROWS,
        seed=900 + point_index,
        start=1_000_000_000 + point_index * IMPORT_ROWS,
        year=IMPORT_YEAR,
    )
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(generate.HEADER)
        writer.writerows(rows)
    seconds, done = puente("import", "5w", str(path), "--format", "json")
    path.unlink()
    report = json.loads(done.stdout)
    assert not report["errors"], report["errors"][:3]
    return {
        "rows": report["rows"],
        "imported": report["imported"],
        "seconds": round(seconds, 2),
        "rows_per_second": round(report["rows"] / seconds),
    }


TIMED = """
import json, time
from puente.analytics.services.consolidation import consolidate
from puente.analytics.services.cube import cube_refresh
def best(runs, measure):
    seconds = []
    for _ in range(runs):
        started = time.perf_counter(); value = measure(); seconds.append(time.perf_counter() - started)
    return round(min(seconds), 3), value
"""


def rule_without_cube(year: int) -> dict:
    code = TIMED + (
        f"columnar, a = best(3, lambda: consolidate(year={year}, month=12, source='columnar'))\n"
        f"database, b = best(1, lambda: consolidate(year={year}, month=12, source='database'))\n"
        "total = lambda r: sum(c.consolidated for c in r.inter_sector.values())\n"
        "assert total(a) == total(b), (total(a), total(b))\n"
        "print(json.dumps({'columnar_seconds': columnar, 'database_seconds': database, "
        "'people_reached': total(a)}))"
    )
    return shell_json(code)


def country_month_refresh(country_id: int, year: int) -> float:
    code = TIMED + (
        f"seconds, _ = best(3, lambda: cube_refresh(country_ids=[{country_id}], year={year}, "
        "from_month=12))\nprint(json.dumps({'seconds': seconds}))"
    )
    return shell_json(code)["seconds"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _clear_cache() -> None:
    for entry in (WORK / "cache").glob("*"):
        entry.unlink(missing_ok=True)


def _p95(values: list[float]) -> float:
    return round(statistics.quantiles(values, n=20, method="inclusive")[18] * 1000, 1)


def dashboard(year: int, iso3: str, requests: int) -> dict:
    """p50/p95 in ms of `requests` sequential requests of the public dashboard JSON,
    region and one country, cached and uncached."""
    port = free_port()
    _seconds, keys = puente("generate-keys")  # a server without debug needs its keys
    env = {
        **os.environ,
        "PUENTE_ALLOWED_HOSTS": "127.0.0.1,localhost",
        **dict(line.split("=", 1) for line in keys.stdout.split()),
    }
    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "puente.wsgi:application",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            "2",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    base = f"http://127.0.0.1:{port}/public/data.json?year={year}&month=12"
    try:
        for _attempt in range(120):
            if server.poll() is not None:
                sys.exit("gunicorn stopped; its errors are above")
            try:
                urllib.request.urlopen(base, timeout=120).read()  # noqa: S310
                break
            except OSError:
                time.sleep(0.5)
        result = {}
        for scope, url in (("region", base), ("country", f"{base}&country={iso3}")):
            for cached in (True, False):
                seconds = []
                urllib.request.urlopen(url, timeout=300).read()  # noqa: S310
                for _request in range(requests):
                    if not cached:
                        _clear_cache()
                    started = time.perf_counter()
                    with urllib.request.urlopen(url, timeout=300) as answer:  # noqa: S310
                        answer.read()
                        assert answer.status == 200, answer.status
                    seconds.append(time.perf_counter() - started)
                result[f"{scope}_{'cached' if cached else 'uncached'}"] = {
                    "p50_ms": round(statistics.median(seconds) * 1000, 1),
                    "p95_ms": _p95(seconds),
                }
        return result
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def sizes() -> dict:
    def folder(path: Path) -> int:
        return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())

    with connection.cursor() as cursor:
        # The 5W table is partitioned by year: its sizes are those of its partitions (the
        # parent holds no rows; a plain table is its own only member).
        cursor.execute(
            "SELECT pg_database_size(current_database()), "
            "sum(pg_total_relation_size(relid))::bigint, sum(pg_relation_size(relid))::bigint, "
            "sum(pg_indexes_size(relid))::bigint, "
            "pg_total_relation_size(%s) FROM pg_partition_tree(%s)",
            [ReachCell._meta.db_table, TABLE],
        )
        database, table_total, table, indexes, cube = cursor.fetchone()
    cells = ReachCell.objects.count()
    mb = 1024 * 1024
    return {
        "database_mb": round(database / mb, 1),
        "rows_table_with_indexes_mb": round(table_total / mb, 1),
        "rows_table_mb": round(table / mb, 1),
        "rows_indexes_mb": round(indexes / mb, 1),
        "cube_table_mb": round(cube / mb, 1),
        "cube_cells": cells,
        "columnar_mb": round(folder(WORK / "columnar") / mb, 1),
    }


def measure(point: int, point_index: int, requests: int) -> dict:
    print(f"point {point:,}: loading", flush=True)
    checked = check_rows_as_imported() if point_index == 0 else None
    load = grow(point, point_index)
    if checked:
        load["check_rows_as_imported"] = checked
    country_id, iso3 = busiest_country(BUSIEST)
    entry: dict = {"point": point, "load": load, "busiest_year": BUSIEST, "busiest_country": iso3}
    print("  cube rebuild of the busiest year", flush=True)
    entry["cube_rebuild_year_seconds"] = round(puente("cube-rebuild", "--year", str(BUSIEST))[0], 2)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM {TABLE} WHERE month >= %s AND month <= %s",  # noqa: S608
            [dt.date(BUSIEST, 1, 1), dt.date(BUSIEST, 12, 1)],
        )
        entry["busiest_year_rows"] = cursor.fetchone()[0]
    print("  the rule", flush=True)
    through = ("--year", str(BUSIEST), "--through", f"{BUSIEST}-12")
    entry["rule"] = {
        "startup_seconds": round(best_wall(3, "shell", "-c", "pass"), 2),
        "by_country_seconds": round(best_wall(3, "people-reached", *through, "--by", "country"), 2),
        "region_seconds": round(best_wall(3, "people-reached", *through), 2),
        **rule_without_cube(BUSIEST),
    }
    print("  cube refresh of a country-month", flush=True)
    entry["cube_refresh_country_month_seconds"] = country_month_refresh(country_id, BUSIEST)
    print("  dashboard", flush=True)
    entry["dashboard"] = dashboard(BUSIEST, iso3, requests)
    print("  import", flush=True)
    entry["import"] = import_rate(point_index)
    entry["rows"] = rows_count()
    entry["validated_rows"] = rows_count(RowStatus.VALIDATED)
    entry["sizes"] = sizes()
    print(json.dumps(entry), flush=True)
    return entry


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--points", default=DEFAULT_POINTS, help="5W rows, comma separated")
    parser.add_argument("--keep", action="store_true", help="keep the database and folders")
    parser.add_argument(
        "--requests", type=int, default=REQUESTS, help="dashboard requests of each kind"
    )
    args = parser.parse_args()
    points = sorted(int(p) for p in args.points.split(","))
    RESULTS.mkdir(parents=True, exist_ok=True)
    prepare()
    started = time.perf_counter()
    try:
        entries = [measure(point, index, args.requests) for index, point in enumerate(points)]
    finally:
        connection.close()
        if not args.keep:
            import psycopg

            with psycopg.connect(PG_SERVER, autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
            shutil.rmtree(WORK, ignore_errors=True)
    results = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "points": points,
        "years": list(YEAR_SHARES),
        "year_shares": YEAR_SHARES,
        "dashboard_requests": args.requests,
        "total_seconds": round(time.perf_counter() - started),
        "entries": entries,
    }
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
    text = json.dumps(results, indent=2)
    (RESULTS / f"scaling-{stamp}.json").write_text(text + "\n")
    (RESULTS / "scaling-latest.json").write_text(text + "\n")
    write_doc(results)
    print(text)


def _rows_label(n: int) -> str:
    return f"{n / 1_000_000:g}M" if n >= 1_000_000 else f"{n / 1000:g}k"


ROWS = [
    ("validated 5W rows loaded", lambda e: f"{e['validated_rows']:,}"),
    ("5W rows in the database, with the imports' submitted ones", lambda e: f"{e['rows']:,}"),
    ("rows of the busiest year", lambda e: f"{e['busiest_year_rows']:,} ({e['busiest_year']})"),
    ("import: `puente import 5w`, 100,000-row CSV", lambda e: f"{e['import']['seconds']} s"),
    ("import rate", lambda e: f"{e['import']['rows_per_second']:,} rows/s"),
    (
        "rule from the cube: `people-reached --by country`",
        lambda e: f"{e['rule']['by_country_seconds']} s",
    ),
    (
        "rule from the cube: `people-reached`, the region",
        lambda e: f"{e['rule']['region_seconds']} s",
    ),
    (
        "`puente` command startup (floor of the two above)",
        lambda e: f"{e['rule']['startup_seconds']} s",
    ),
    (
        "rule without the cube: `consolidate()`, columnar copy",
        lambda e: f"{e['rule']['columnar_seconds']} s",
    ),
    (
        "rule without the cube: `consolidate()`, 5W table",
        lambda e: f"{e['rule']['database_seconds']} s",
    ),
    (
        "cube refresh: busiest country, December",
        lambda e: f"{e['cube_refresh_country_month_seconds']} s",
    ),
    (
        "cube refresh: busiest year, every country (`cube-rebuild`)",
        lambda e: f"{e['cube_rebuild_year_seconds']} s",
    ),
    (
        "dashboard JSON p95, region, cached",
        lambda e: f"{e['dashboard']['region_cached']['p95_ms']} ms",
    ),
    (
        "dashboard JSON p95, region, uncached",
        lambda e: f"{e['dashboard']['region_uncached']['p95_ms']} ms",
    ),
    (
        "dashboard JSON p95, busiest country, cached",
        lambda e: f"{e['dashboard']['country_cached']['p95_ms']} ms",
    ),
    (
        "dashboard JSON p95, busiest country, uncached",
        lambda e: f"{e['dashboard']['country_uncached']['p95_ms']} ms",
    ),
    ("database size (`pg_database_size`)", lambda e: f"{e['sizes']['database_mb']:,} MB"),
    ("5W table with its indexes", lambda e: f"{e['sizes']['rows_table_with_indexes_mb']:,} MB"),
    ("of which indexes", lambda e: f"{e['sizes']['rows_indexes_mb']:,} MB"),
    (
        "cube table (cells, every year)",
        lambda e: f"{e['sizes']['cube_table_mb']:,} MB ({e['sizes']['cube_cells']:,})",
    ),
    ("columnar folder", lambda e: f"{e['sizes']['columnar_mb']:,} MB"),
    (
        "loading the rows (COPY)",
        lambda e: f"{e['load']['copy_seconds']} s ({e['load']['copy_rows_per_second']:,} rows/s)",
    ),
]


def write_doc(results: dict) -> None:
    entries = results["entries"]
    lines = [
        "<!-- bench:scaling:start -->",
        f"Measured {results['date']} on {results['machine']['cpus']} CPUs, PostgreSQL, with "
        f"`bench/scaling.py --points {','.join(str(p) for p in results['points'])}` "
        f"({results['total_seconds']:,} s in all); dashboard p95 of "
        f"{results['dashboard_requests']} requests of each kind.",
        "",
        "| | " + " | ".join(f"{_rows_label(e['point'])} rows" for e in entries) + " |",
        "|---|" + "---|" * len(entries),
    ]
    for label, value in ROWS:
        lines.append(f"| {label} | " + " | ".join(value(e) for e in entries) + " |")
    lines.append("<!-- bench:scaling:end -->")
    block = "\n".join(lines)
    text = DOC.read_text() if DOC.exists() else "# Scaling\n"
    if "<!-- bench:scaling:start -->" in text:
        text = (
            text.split("<!-- bench:scaling:start -->")[0]
            + block
            + text.split("<!-- bench:scaling:end -->")[1]
        )
    else:
        text += "\n" + block + "\n"
    DOC.write_text(text)


if __name__ == "__main__":
    main()
