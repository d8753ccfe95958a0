"""`make bench` (part two): the consolidation rule at scale, and the dashboard under load.

On the PostgreSQL benchmark database filled by bench/run.py (every row set to validated
first), it measures:
- the engine: `consolidate(year, 12)` (S per country, admin-1, sector, group and X per
  country, admin-1, group, consolidated and monthly), and a full cube rebuild of the year;
- the same rule written by hand in DuckDB SQL over the same rows held in DuckDB (the
  limit), and as a pandas script (what an IM officer would write), both timed on data
  already in memory;
- the public dashboard JSON under 32 concurrent clients (wrk, 20 s, loopback, gunicorn).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "puente.settings")
os.environ.setdefault("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/puente_bench")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from puente.analytics.services.consolidation import consolidate  # noqa: E402
from puente.analytics.services.cube import cube_refresh  # noqa: E402
from puente.reference.models import Country  # noqa: E402

WORK = ROOT / "bench" / "work"
RESULTS = ROOT / "bench" / "results"
DOC = ROOT / "docs" / "performance.md"

RULE_SQL = """
WITH n AS (
  SELECT c, a, s, o, i, g, SUM(new) AS n_cons,
         SUM(CASE WHEN month = {month} THEN total ELSE 0 END) AS n_month
  FROM rows GROUP BY c, a, s, o, i, g),
p AS (SELECT c, a, s, o, g, MAX(n_cons) AS p_cons, MAX(n_month) AS p_month FROM n GROUP BY ALL),
ss AS (SELECT c, a, s, g, SUM(p_cons) AS s_cons, SUM(p_month) AS s_month FROM p GROUP BY ALL),
fam AS (SELECT c, a, COALESCE(parent, s) AS top, g, MAX(s_cons) AS t_cons, MAX(s_month) AS t_month
        FROM ss LEFT JOIN sectors USING (s) GROUP BY ALL)
SELECT c, a, g, MAX(t_cons) AS x_cons, MAX(t_month) AS x_month FROM fam GROUP BY ALL
"""


def export_rows(year: int) -> Path:
    path = WORK / f"validated-{year}.csv"
    with connection.cursor() as cursor, path.open("wb") as handle:
        sql = (
            "COPY (SELECT r.country_id, r.admin1_id, r.sector_id, r.appealing_org_id, "
            "r.indicator_id, r.population_group_id, EXTRACT(MONTH FROM r.month)::int, "
            "COALESCE(r.new_beneficiaries, 0), COALESCE(r.total_monthly, 0) "
            "FROM reporting_activityrow r JOIN reference_indicator i ON i.id = r.indicator_id "
            "WHERE r.status = 'validated' AND r.rmrp_activity AND i.counts_people "
            f"AND r.month >= '{year}-01-01' AND r.month <= '{year}-12-01') TO STDOUT WITH CSV"
        )
        with cursor.cursor.copy(sql) as copy:
            for block in copy:
                handle.write(block)
    return path


def duckdb_rule(path: Path) -> tuple[float, int]:
    import duckdb

    con = duckdb.connect()
    con.execute(
        f"CREATE TABLE rows AS SELECT * FROM read_csv('{path}', header=false, columns="
        "{'c':'INT','a':'INT','s':'INT','o':'INT','i':'INT','g':'INT','month':'INT',"
        "'new':'BIGINT','total':'BIGINT'})"
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, parent_id FROM reference_sector")
        sectors = cursor.fetchall()
    con.execute("CREATE TABLE sectors (s INT, parent INT)")
    con.executemany("INSERT INTO sectors VALUES (?, ?)", sectors)
    started = time.perf_counter()
    result = con.execute(RULE_SQL.format(month=12)).fetchall()
    return time.perf_counter() - started, sum(r[3] for r in result)


def pandas_rule(path: Path) -> tuple[float, int]:
    import pandas as pd

    frame = pd.read_csv(
        path, header=None, names=["c", "a", "s", "o", "i", "g", "month", "new", "total"]
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, COALESCE(parent_id, id) FROM reference_sector")
        parents = dict(cursor.fetchall())
    started = time.perf_counter()
    frame["month_total"] = frame["total"].where(frame["month"] == 12, 0)
    n = frame.groupby(["c", "a", "s", "o", "i", "g"], as_index=False)[["new", "month_total"]].sum()
    p = n.groupby(["c", "a", "s", "o", "g"], as_index=False)[["new", "month_total"]].max()
    s = p.groupby(["c", "a", "s", "g"], as_index=False)[["new", "month_total"]].sum()
    s["top"] = s["s"].map(parents)
    t = s.groupby(["c", "a", "top", "g"], as_index=False)[["new", "month_total"]].max()
    x = t.groupby(["c", "a", "g"], as_index=False)[["new", "month_total"]].max()
    return time.perf_counter() - started, int(x["new"].sum())


def load_test(year: int, country: str, seconds: int, connections: int) -> dict:
    if not shutil.which("wrk"):
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "wrk"],
            check=True,
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        )
    env = {
        **os.environ,
        "PUENTE_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PUENTE_CACHE_DIR": str(WORK / "cache"),
    }
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "puente.wsgi:application",
            "-b",
            "127.0.0.1:8765",
            "-w",
            "4",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        url = f"http://127.0.0.1:8765/public/data.json?year={year}&month=12&country={country}"
        for _attempt in range(60):
            try:
                subprocess.run(["curl", "-sf", "-o", "/dev/null", url], check=True, timeout=30)
                break
            except subprocess.CalledProcessError:
                time.sleep(0.5)
        script = WORK / "p95.lua"
        script.write_text(
            "done = function(summary, latency, requests)\n"
            '  io.write(string.format("JSON {\\"p50\\": %f, \\"p95\\": %f, \\"p99\\": %f, '
            '\\"requests\\": %d, \\"errors\\": %d, \\"non2xx\\": %d}\\n", '
            "latency:percentile(50)/1000, latency:percentile(95)/1000, "
            "latency:percentile(99)/1000, summary.requests, summary.errors.connect + "
            "summary.errors.read + summary.errors.write + summary.errors.timeout, "
            "summary.errors.status))\nend\n"
        )
        out = subprocess.run(
            ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "-s", str(script), url],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        line = next(line for line in out.splitlines() if line.startswith("JSON "))
        result = json.loads(line[5:])
        result.update(url=url, connections=connections, seconds=seconds)
        return result
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--year", type=int, default=2024)
    parser.add_argument("--country", default="COL")
    parser.add_argument("--seconds", type=int, default=20)
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE reporting_activityrow SET status = 'validated' WHERE status <> 'validated'"
        )
        cursor.execute("ANALYZE reporting_activityrow")
        cursor.execute(
            "SELECT count(*) FROM reporting_activityrow WHERE month >= %s AND month <= %s",
            [dt.date(args.year, 1, 1), dt.date(args.year, 12, 1)],
        )
        rows = cursor.fetchone()[0]
    started = time.perf_counter()
    result = consolidate(year=args.year, month=12)
    engine_seconds = time.perf_counter() - started
    engine_total = sum(c.consolidated for c in result.inter_sector.values())
    started = time.perf_counter()
    cube_refresh(country_ids=list(Country.objects.values_list("id", flat=True)), year=args.year)
    cube_seconds = time.perf_counter() - started
    path = export_rows(args.year)
    duck_seconds, duck_total = duckdb_rule(path)
    pandas_seconds, pandas_total = pandas_rule(path)
    assert engine_total == duck_total == pandas_total, (engine_total, duck_total, pandas_total)
    load = load_test(args.year, args.country, args.seconds, 32)
    results = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "rows": rows,
        "people_reached": engine_total,
        "engine_seconds": round(engine_seconds, 3),
        "cube_rebuild_seconds": round(cube_seconds, 2),
        "duckdb_seconds": round(duck_seconds, 3),
        "pandas_seconds": round(pandas_seconds, 3),
        "engine_vs_duckdb": round(engine_seconds / duck_seconds, 1),
        "pandas_vs_engine": round(pandas_seconds / engine_seconds, 1),
        "dashboard_load": load,
    }
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
    text = json.dumps(results, indent=2)
    (RESULTS / f"consolidation-{stamp}.json").write_text(text + "\n")
    (RESULTS / "consolidation-latest.json").write_text(text + "\n")
    write_doc(results)
    print(text)


def write_doc(results: dict) -> None:
    load = results["dashboard_load"]
    block = "\n".join(
        [
            "<!-- bench:consolidation:start -->",
            f"Measured {results['date']} with `make bench` (`bench/consolidation.py`) on "
            f"{results['rows']:,} validated rows in PostgreSQL.",
            "",
            "| what | seconds |",
            "|---|---|",
            f"| engine: consolidate one year through December | {results['engine_seconds']} |",
            f"| engine: rebuild the cube of the year (12 months) | {results['cube_rebuild_seconds']} |",
            f"| DuckDB, the rule by hand, rows in memory | {results['duckdb_seconds']} |",
            f"| pandas, the rule by hand, rows in memory | {results['pandas_seconds']} |",
            "",
            f"Engine vs DuckDB: {results['engine_vs_duckdb']}x the time (goal: 2x). pandas vs engine: "
            f"{results['pandas_vs_engine']}x the time (goal: 10x). All three give "
            f"{results['people_reached']:,} people reached.",
            "",
            f"Public dashboard JSON ({load['url'].split('8765')[1]}), {load['connections']} "
            f"concurrent clients for {load['seconds']} s (wrk, gunicorn, 4 sync workers): "
            f"{load['requests']:,} requests, p50 {load['p50']:.1f} ms, p95 {load['p95']:.1f} ms, "
            f"p99 {load['p99']:.1f} ms, {load['errors']} connection errors, {load['non2xx']} "
            "non-2xx answers.",
            "<!-- bench:consolidation:end -->",
        ]
    )
    text = DOC.read_text()
    if "<!-- bench:consolidation:start -->" in text:
        text = (
            text.split("<!-- bench:consolidation:start -->")[0]
            + block
            + text.split("<!-- bench:consolidation:end -->")[1]
        )
    else:
        text += "\n## Consolidation and dashboards\n" + block + "\n"
    DOC.write_text(text)


if __name__ == "__main__":
    csv.field_size_limit(1 << 20)
    main()
