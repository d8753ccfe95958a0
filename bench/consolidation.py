"""`make bench` (part two): the consolidation rule at scale, and the dashboard under load.

It fills a PostgreSQL database of its own (`puente_bench_consolidation`) with the demo
response and two years of generated 5W rows imported as validated: 1,000,000 rows in
2023 and 5,000,000 in 2022 (in files of a million; `--reuse` keeps a database already
filled). For each year it measures:
- the cube rebuild of the year: the columnar copy of the rows written again, then twelve
  months consolidated (what a change to every country would cost);
- the engine: `consolidate(year, 12)` over its columnar copy (how the cube is refreshed),
  and over the 5W table in the database (how one organisation's figures are computed);
- the same rule written by hand in DuckDB SQL over the same rows held in DuckDB (the
  limit);
- the same rule as a pandas script (what an IM officer would write): reading the export
  of the year's rows and computing, and the computing alone;
and the public dashboard JSON under 32 concurrent clients on the 5M-row year (wrk, 20 s,
loopback, gunicorn). Every timing except the cube rebuild is the best of three runs.
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
BIN = Path(sys.executable).parent
PG_SERVER = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
DB_URL = PG_SERVER.rsplit("/", 1)[0] + "/puente_bench_consolidation"
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "puente.settings")
os.environ["DATABASE_URL"] = DB_URL
WORK = ROOT / "bench" / "work"
RESULTS = ROOT / "bench" / "results"
DOC = ROOT / "docs" / "performance.md"
os.environ.setdefault("PUENTE_COLUMNAR_DIR", str(WORK / "columnar"))
SIZES = {2023: 1_000_000, 2022: 5_000_000}
CHUNK = 1_000_000


def puente(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": DB_URL, "PUENTE_LANGUAGE": "en"}
    done = subprocess.run(
        [str(BIN / "puente"), *args], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode:
        sys.exit(f"puente {' '.join(args)} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return done


def prepare(reuse: bool) -> dict:
    """The benchmark database with its rows; the seconds each import took."""
    import psycopg

    with psycopg.connect(PG_SERVER, autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = 'puente_bench_consolidation'"
        ).fetchone()
        if reuse and exists:
            return {}
        conn.execute("DROP DATABASE IF EXISTS puente_bench_consolidation WITH (FORCE)")
        conn.execute("CREATE DATABASE puente_bench_consolidation")
    puente("migrate", "--noinput")
    puente("demo-data")
    imports = {}
    for year, size in SIZES.items():
        for part in range(size // CHUNK):
            path = WORK / f"5w-{year}-{part}.csv"
            if not path.exists():
                code = (
                    "import sys; sys.path.insert(0, 'bench'); import django, os;"
                    "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'puente.settings');"
                    "django.setup(); from pathlib import Path; import generate as g;"
                    f"g.backdate_indicators({min(SIZES)});"
                    f"g.write_csv(Path('{path}'), g.reference_pools(), {CHUNK}, "
                    f"seed={year * 10 + part}, start={part * CHUNK}, year={year})"
                )
                subprocess.run(
                    [sys.executable, "-c", code],
                    cwd=ROOT,
                    check=True,
                    env={**os.environ, "DATABASE_URL": DB_URL},
                )
            started = time.perf_counter()
            out = puente("import", "5w", str(path), "--status", "validated", "--format", "json")
            report = json.loads(out.stdout)
            assert not report["errors"], report["errors"][:3]
            imports[f"{year}-{part}"] = round(time.perf_counter() - started, 1)
            print(f"imported {path.name} in {imports[f'{year}-{part}']} s", flush=True)
    return imports


import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from puente.analytics.services.consolidation import consolidate  # noqa: E402
from puente.analytics.services.cube import cube_refresh  # noqa: E402
from puente.reference.models import Country  # noqa: E402


def best_of(runs: int, measure) -> tuple[float, object]:
    best, value = float("inf"), None
    for _run in range(runs):
        started = time.perf_counter()
        value = measure()
        best = min(best, time.perf_counter() - started)
    return best, value


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

# What the engine computes beside the rule: breakdown sums, CVA value and outputs per
# (c, a, s, g), over every validated RMRP row of the year through December.
EXTRAS_SQL = """
SELECT c, a, s, g, SUM(girls), SUM(boys), SUM(women), SUM(men), SUM(other), SUM(cva),
       SUM(quantity)
FROM extras GROUP BY ALL
"""


def copy_out(sql: str, path: Path) -> None:
    """Write what a `COPY ... TO STDOUT` statement gives to `path`."""
    with (
        connection.cursor() as cursor,
        path.open("wb") as handle,
        cursor.cursor.copy(sql) as copy,
    ):
        for block in copy:
            handle.write(block)


def export_rows(year: int) -> Path:
    path = WORK / f"validated-{year}.csv"
    sql = (
        "COPY (SELECT r.country_id, r.admin1_id, r.sector_id, r.appealing_org_id, "
        "r.indicator_id, r.population_group_id, EXTRACT(MONTH FROM r.month)::int, "
        "COALESCE(r.new_beneficiaries, 0), COALESCE(r.total_monthly, 0) "
        "FROM reporting_activityrow r JOIN reference_indicator i ON i.id = r.indicator_id "
        "WHERE r.status = 'validated' AND r.rmrp_activity AND i.counts_people "
        f"AND r.month >= '{year}-01-01' AND r.month <= '{year}-12-01') TO STDOUT WITH CSV"
    )
    copy_out(sql, path)
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
    seconds, result = best_of(3, lambda: con.execute(RULE_SQL.format(month=12)).fetchall())
    return seconds, sum(r[3] for r in result)  # type: ignore[union-attr]


def duckdb_extras(year: int) -> float:
    """The breakdown, CVA and outputs sums the engine also computes, in DuckDB, rows in
    memory: what "the same work" adds to the rule."""
    import duckdb

    path = WORK / f"extras-{year}.csv"
    sql = (
        "COPY (SELECT r.country_id, r.admin1_id, r.sector_id, r.population_group_id, "
        "CASE WHEN i.counts_people THEN r.girls ELSE 0 END, "
        "CASE WHEN i.counts_people THEN r.boys ELSE 0 END, "
        "CASE WHEN i.counts_people THEN r.women ELSE 0 END, "
        "CASE WHEN i.counts_people THEN r.men ELSE 0 END, "
        "CASE WHEN i.counts_people THEN r.other ELSE 0 END, r.cva_value_usd, "
        "CASE WHEN i.counts_people THEN 0 ELSE r.quantity END "
        "FROM reporting_activityrow r JOIN reference_indicator i ON i.id = r.indicator_id "
        "WHERE r.status = 'validated' AND r.rmrp_activity "
        f"AND r.month >= '{year}-01-01' AND r.month <= '{year}-12-01') TO STDOUT WITH CSV"
    )
    copy_out(sql, path)
    con = duckdb.connect()
    con.execute(
        f"CREATE TABLE extras AS SELECT * FROM read_csv('{path}', header=false, columns="
        "{'c':'INT','a':'INT','s':'INT','g':'INT','girls':'INT','boys':'INT','women':'INT',"
        "'men':'INT','other':'INT','cva':'DECIMAL(14,2)','quantity':'INT'})"
    )
    seconds, _result = best_of(3, lambda: con.execute(EXTRAS_SQL).fetchall())
    return seconds


def export_5w(year: int) -> Path:
    """The year's rows as the platform's 5W export gives them (the columns of
    reporting/services/exports.py: codes and names, every status)."""
    path = WORK / f"5w-export-{year}.csv"
    sql = (
        "COPY (SELECT to_char(r.month, 'YYYY-MM') AS month, c.iso3 AS country, "
        "a.iso_code AS admin1, a.name AS admin1_name, r.admin2, o.acronym AS appealing_org, "
        "io.acronym AS implementing_org, i.code AS indicator, s.code AS sector, r.activity, "
        "CASE WHEN r.rmrp_activity THEN 'yes' ELSE 'no' END AS rmrp_activity, r.modality, "
        "r.cva_value_usd, r.delivery_mechanism, g.code AS population_group, r.quantity, "
        "r.total_monthly, r.new_beneficiaries, r.girls, r.boys, r.women, r.men, r.other, "
        "r.disability, r.status "
        "FROM reporting_activityrow r JOIN reference_country c ON c.id = r.country_id "
        "JOIN reference_admin1 a ON a.id = r.admin1_id "
        "JOIN partners_organisation o ON o.id = r.appealing_org_id "
        "JOIN partners_organisation io ON io.id = r.implementing_org_id "
        "JOIN reference_indicator i ON i.id = r.indicator_id "
        "JOIN reference_sector s ON s.id = r.sector_id "
        "JOIN reference_populationgroup g ON g.id = r.population_group_id "
        f"WHERE r.month >= '{year}-01-01' AND r.month <= '{year}-12-01') "
        "TO STDOUT WITH (FORMAT csv, HEADER)"
    )
    copy_out(sql, path)
    return path


def pandas_officer(path: Path) -> tuple[float, float, int]:
    """What an IM officer runs: the platform's 5W export and the indicator and sector
    lists in, the rule out, keyed by the codes the export carries. (seconds for the rule,
    seconds for the rule plus the breakdown, CVA and outputs sums, people reached)."""
    import pandas as pd

    with connection.cursor() as cursor:
        cursor.execute("SELECT code, counts_people FROM reference_indicator")
        counts = dict(cursor.fetchall())
        cursor.execute(
            "SELECT s.code, COALESCE(p.code, s.code) FROM reference_sector s "
            "LEFT JOIN reference_sector p ON p.id = s.parent_id"
        )
        parents = dict(cursor.fetchall())
    place = ["country", "admin1"]

    def rule(export) -> int:
        frame = export[
            (export["status"] == "validated")
            & (export["rmrp_activity"] == "yes")
            & export["indicator"].map(counts)
        ]
        frame = frame.assign(
            month_total=frame["total_monthly"].where(frame["month"].str[5:7] == "12", 0)
        )
        measures = ["new_beneficiaries", "month_total"]
        n = frame.groupby([*place, "sector", "appealing_org", "indicator", "population_group"])[
            measures
        ].sum()
        p = n.groupby([*place, "sector", "appealing_org", "population_group"])[measures].max()
        s = p.groupby([*place, "sector", "population_group"])[measures].sum().reset_index()
        s["top"] = s["sector"].map(parents)
        t = s.groupby([*place, "top", "population_group"])[measures].max()
        x = t.groupby([*place, "population_group"])[measures].max()
        return int(x["new_beneficiaries"].sum())

    def extras(export) -> None:
        """The sums the engine gives beside the rule, per (country, admin1, sector, group)."""
        frame = export[(export["status"] == "validated") & (export["rmrp_activity"] == "yes")]
        people = frame["indicator"].map(counts).astype(bool)
        sums = pd.DataFrame(
            {
                **{
                    b: frame[b].where(people, 0).fillna(0)
                    for b in ("girls", "boys", "women", "men", "other")
                },
                "cva": frame["cva_value_usd"].fillna(0),
                "outputs": frame["quantity"].where(~people, 0).fillna(0),
            }
        )
        keys = [frame[k] for k in (*place, "sector", "population_group")]
        sums.groupby(keys).sum()

    def run_rule() -> int:
        return rule(pd.read_csv(path, low_memory=False))

    def run_all() -> int:
        export = pd.read_csv(path, low_memory=False)
        extras(export)
        return rule(export)

    seconds, total = best_of(3, run_rule)
    all_seconds, _total = best_of(3, run_all)
    return seconds, all_seconds, total  # type: ignore[return-value]


def pandas_rule(path: Path) -> tuple[float, float, int]:
    """(read and compute, compute alone, people reached)."""
    import pandas as pd

    with connection.cursor() as cursor:
        cursor.execute("SELECT id, COALESCE(parent_id, id) FROM reference_sector")
        parents = dict(cursor.fetchall())

    def read():
        return pd.read_csv(
            path, header=None, names=["c", "a", "s", "o", "i", "g", "month", "new", "total"]
        )

    def compute(frame):
        frame = frame.copy()
        frame["month_total"] = frame["total"].where(frame["month"] == 12, 0)
        keys = ["c", "a", "s", "o", "i", "g"]
        n = frame.groupby(keys, as_index=False)[["new", "month_total"]].sum()
        p = n.groupby(["c", "a", "s", "o", "g"], as_index=False)[["new", "month_total"]].max()
        s = p.groupby(["c", "a", "s", "g"], as_index=False)[["new", "month_total"]].sum()
        s["top"] = s["s"].map(parents)
        t = s.groupby(["c", "a", "top", "g"], as_index=False)[["new", "month_total"]].max()
        x = t.groupby(["c", "a", "g"], as_index=False)[["new", "month_total"]].max()
        return int(x["new"].sum())

    whole, total = best_of(3, lambda: compute(read()))
    frame = read()
    alone, _total = best_of(3, lambda: compute(frame))
    return whole, alone, total  # type: ignore[return-value]


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


def measure_year(year: int) -> dict:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM reporting_activityrow WHERE month >= %s AND month <= %s",
            [dt.date(year, 1, 1), dt.date(year, 12, 1)],
        )
        rows = cursor.fetchone()[0]
    countries = list(Country.objects.values_list("id", flat=True))
    started = time.perf_counter()
    cube_refresh(country_ids=countries, year=year)
    cube_seconds = time.perf_counter() - started
    columnar_seconds, columnar = best_of(
        3, lambda: consolidate(year=year, month=12, source="columnar")
    )
    database_seconds, database = best_of(
        1, lambda: consolidate(year=year, month=12, source="database")
    )
    engine_total = sum(c.consolidated for c in columnar.inter_sector.values())  # type: ignore[union-attr]
    database_total = sum(c.consolidated for c in database.inter_sector.values())  # type: ignore[union-attr]
    path = export_rows(year)
    duck_seconds, duck_total = duckdb_rule(path)
    pandas_seconds, pandas_compute_seconds, pandas_total = pandas_rule(path)
    extras_seconds = duckdb_extras(year)
    officer_seconds, officer_all_seconds, officer_total = pandas_officer(export_5w(year))
    assert engine_total == database_total == duck_total == pandas_total == officer_total, (
        engine_total,
        database_total,
        duck_total,
        pandas_total,
        officer_total,
    )
    result = {
        "year": year,
        "rows": rows,
        "people_reached": engine_total,
        "cube_rebuild_seconds": round(cube_seconds, 2),
        "engine_seconds": round(columnar_seconds, 3),
        "engine_database_seconds": round(database_seconds, 2),
        "duckdb_seconds": round(duck_seconds, 3),
        "pandas_seconds": round(pandas_seconds, 2),
        "pandas_compute_seconds": round(pandas_compute_seconds, 2),
        "duckdb_with_extras_seconds": round(duck_seconds + extras_seconds, 3),
        "pandas_officer_seconds": round(officer_seconds, 2),
        "pandas_officer_same_work_seconds": round(officer_all_seconds, 2),
    }
    result["engine_vs_duckdb"] = round(columnar_seconds / duck_seconds, 2)
    result["pandas_vs_engine"] = round(pandas_seconds / columnar_seconds, 1)
    result["pandas_compute_vs_engine"] = round(pandas_compute_seconds / columnar_seconds, 1)
    result["engine_vs_duckdb_same_work"] = round(
        columnar_seconds / (duck_seconds + extras_seconds), 2
    )
    result["pandas_officer_vs_engine"] = round(officer_seconds / columnar_seconds, 1)
    result["pandas_officer_same_work_vs_engine"] = round(officer_all_seconds / columnar_seconds, 1)
    print(json.dumps(result), flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--country", default="COL")
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--reuse", action="store_true", help="keep a filled database")
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    imports = prepare(args.reuse)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE reporting_activityrow")
    years = [measure_year(year) for year in sorted(SIZES, key=SIZES.get)]
    load = load_test(max(SIZES, key=SIZES.get), args.country, args.seconds, 32)
    results = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "imports_seconds": imports,
        "years": years,
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
    lines = [
        "<!-- bench:consolidation:start -->",
        f"Measured {results['date']} with `make bench` (`bench/consolidation.py`) on "
        f"{results['cpus']} CPUs, PostgreSQL; best of three runs except the cube rebuild.",
        "",
        "| | " + " | ".join(f"{y['rows']:,} rows ({y['year']})" for y in results["years"]) + " |",
        "|---|" + "---|" * len(results["years"]),
    ]
    rows = [
        ("engine: consolidate the year through December (columnar copy)", "engine_seconds"),
        ("engine: the same on the 5W table in PostgreSQL", "engine_database_seconds"),
        ("engine: rebuild the cube of the year (copy + 12 months)", "cube_rebuild_seconds"),
        ("DuckDB, the rule by hand (X only), rows in memory", "duckdb_seconds"),
        (
            "DuckDB, the rule plus breakdown, CVA and outputs (the engine's work)",
            "duckdb_with_extras_seconds",
        ),
        ("pandas, the rule, rows already in an integer DataFrame", "pandas_compute_seconds"),
        ("pandas, the rule, reading a narrow integer CSV first", "pandas_seconds"),
        (
            "pandas as an IM officer runs it: the 5W export in, the rule out",
            "pandas_officer_seconds",
        ),
    ]
    for label, key in rows:
        lines.append(f"| {label} | " + " | ".join(f"{y[key]} s" for y in results["years"]) + " |")
    ratios = [
        (
            "engine vs DuckDB doing the same work (goal: at most 2x)",
            "engine_vs_duckdb_same_work",
            "x",
        ),
        ("engine vs DuckDB's rule alone", "engine_vs_duckdb", "x"),
        (
            "pandas as an IM officer runs it vs engine (goal: at least 10x)",
            "pandas_officer_vs_engine",
            "x",
        ),
        ("pandas computing alone vs engine", "pandas_compute_vs_engine", "x"),
    ]
    for label, key, unit in ratios:
        lines.append(
            f"| {label} | " + " | ".join(f"{y[key]}{unit}" for y in results["years"]) + " |"
        )
    lines += [
        "",
        "The engine (both sources), DuckDB and both pandas scripts give the same people "
        "reached: "
        + ", ".join(f"{y['people_reached']:,} ({y['year']})" for y in results["years"])
        + ".",
        "",
        f"Public dashboard JSON ({load['url'].split('8765')[1]}), {load['connections']} "
        f"concurrent clients for {load['seconds']} s (wrk, gunicorn, 4 sync workers): "
        f"{load['requests']:,} requests, p50 {load['p50']:.1f} ms, p95 {load['p95']:.1f} ms, "
        f"p99 {load['p99']:.1f} ms, {load['errors']} connection errors, {load['non2xx']} "
        "non-2xx answers.",
        "<!-- bench:consolidation:end -->",
    ]
    block = "\n".join(lines)
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
