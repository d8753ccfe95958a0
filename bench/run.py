"""`make bench`: 5W import speed, end to end, against a hardware limit and a baseline.

For SQLite and PostgreSQL, on a database holding the demo response, it measures:
- `puente import 5w` of a realistic CSV of 1,000,000 rows (parse, validate, write, commit),
  wall clock of the whole command;
- the same of an XLSX of 100,000 rows;
- DuckDB reading the same CSV and aggregating it (close to the hardware limit);
- the baseline: openpyxl + one ORM query per reference + update_or_create per row (the way
  typical Django import tools work), on the first rows of the XLSX, as rows per second.
Results go to bench/results/ (JSON) and docs/performance.md (the table between markers).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
WORK = ROOT / "bench" / "work"
RESULTS = ROOT / "bench" / "results"
DOC = ROOT / "docs" / "performance.md"
PG_SERVER = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def puente(url: str, *args: str, capture: bool = True) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": url, "PUENTE_LANGUAGE": "en"}
    return subprocess.run(
        [str(BIN / "puente"), *args], env=env, check=True, capture_output=capture, text=True
    )


def timed_import(url: str, path: Path) -> dict:
    started = time.perf_counter()
    out = puente(url, "import", "5w", str(path), "--format", "json")
    seconds = time.perf_counter() - started
    report = json.loads(out.stdout)
    assert not report["errors"], report["errors"][:3]
    return {
        "seconds": round(seconds, 2),
        "rows": report["rows"],
        "imported": report["imported"],
        "updated": report["updated"],
        "rows_per_second": round(report["rows"] / seconds),
    }


def baseline(url: str, path: Path, rows: int) -> dict:
    env = {**os.environ, "DATABASE_URL": url}
    out = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "baseline_orm.py"), str(path), str(rows)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["rows_per_second"] = round(result["rows"] / result["seconds"])
    result["seconds"] = round(result["seconds"], 2)
    return result


def duckdb_limit(path: Path) -> dict:
    import duckdb

    started = time.perf_counter()
    con = duckdb.connect()
    rows = con.execute(
        "SELECT country, month, population_group, count(*), sum(new_beneficiaries) "
        f"FROM read_csv_auto('{path}', header=true) GROUP BY ALL"
    ).fetchall()  # noqa: S608
    total = con.execute(f"SELECT count(*) FROM read_csv_auto('{path}')").fetchone()[0]  # noqa: S608
    seconds = time.perf_counter() - started
    return {
        "seconds": round(seconds, 2),
        "rows": total,
        "groups": len(rows),
        "rows_per_second": round(total / seconds),
    }


def prepare_sqlite() -> str:
    path = WORK / "bench.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    url = f"sqlite:///{path}"
    puente(url, "migrate", "--noinput")
    puente(url, "demo-data")
    return url


def prepare_postgres() -> str:
    import psycopg

    with psycopg.connect(PG_SERVER, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS puente_bench WITH (FORCE)")
        conn.execute("CREATE DATABASE puente_bench")
    url = PG_SERVER.rsplit("/", 1)[0] + "/puente_bench"
    puente(url, "migrate", "--noinput")
    puente(url, "demo-data")
    return url


def generate_files(url: str, rows: int, xlsx_rows: int) -> tuple[Path, Path]:
    csv_path = WORK / f"5w-{rows}.csv"
    xlsx_path = WORK / f"5w-{xlsx_rows}.xlsx"
    code = (
        "import sys; sys.path.insert(0, 'bench'); import django, os;"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'puente.settings'); django.setup();"
        "from pathlib import Path; import generate as g; g.backdate_indicators(2022);"
        "p = g.reference_pools();"
        f"g.write_csv(Path('{csv_path}'), p, {rows}, seed=1);"
        f"g.write_xlsx(Path('{xlsx_path}'), p, {xlsx_rows}, seed=2)"
    )
    subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, check=True, env={**os.environ, "DATABASE_URL": url}
    )
    return csv_path, xlsx_path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--xlsx-rows", type=int, default=100_000)
    parser.add_argument("--baseline-rows", type=int, default=5_000)
    parser.add_argument("--databases", default="postgresql,sqlite")
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    RESULTS.mkdir(parents=True, exist_ok=True)

    results: dict = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "rows": args.rows,
        "xlsx_rows": args.xlsx_rows,
        "baseline_rows": args.baseline_rows,
        "databases": {},
    }
    prepared = {}
    for name in args.databases.split(","):
        print(f"preparing {name}", flush=True)
        prepared[name] = prepare_postgres() if name == "postgresql" else prepare_sqlite()
    print("generating files", flush=True)
    csv_path, xlsx_path = generate_files(next(iter(prepared.values())), args.rows, args.xlsx_rows)
    results["duckdb_csv"] = duckdb_limit(csv_path)
    print("duckdb", results["duckdb_csv"], flush=True)
    for name, url in prepared.items():
        entry: dict = {}
        entry["csv"] = timed_import(url, csv_path)
        print(name, "csv", entry["csv"], flush=True)
        entry["xlsx"] = timed_import(url, xlsx_path)
        print(name, "xlsx", entry["xlsx"], flush=True)
        entry["baseline_xlsx_orm"] = baseline(url, xlsx_path, args.baseline_rows)
        print(name, "baseline", entry["baseline_xlsx_orm"], flush=True)
        base = entry["baseline_xlsx_orm"]["rows_per_second"]
        entry["ratios"] = {
            "csv_vs_baseline": round(entry["csv"]["rows_per_second"] / base, 1),
            "xlsx_vs_baseline": round(entry["xlsx"]["rows_per_second"] / base, 1),
            "csv_vs_duckdb_time": round(
                entry["csv"]["seconds"] / results["duckdb_csv"]["seconds"], 1
            ),
        }
        results["databases"][name] = entry
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
    text = json.dumps(results, indent=2)
    (RESULTS / f"import-{stamp}.json").write_text(text + "\n")
    (RESULTS / "import-latest.json").write_text(text + "\n")
    write_doc(results)
    print(text)


def write_doc(results: dict) -> None:
    lines = [
        "<!-- bench:import:start -->",
        f"Measured {results['date']} on {results['machine']['cpus']} CPUs, Python "
        f"{results['machine']['python']}, with `make bench` "
        f"(`bench/run.py --rows {results['rows']} --xlsx-rows {results['xlsx_rows']} "
        f"--baseline-rows {results['baseline_rows']}`).",
        "",
        "| database | 1M-row CSV import | rows/s | 100k-row XLSX import | rows/s | "
        "baseline (openpyxl + ORM) rows/s | CSV vs baseline | XLSX vs baseline | "
        "CSV vs DuckDB (time) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, entry in results["databases"].items():
        lines.append(
            f"| {name} | {entry['csv']['seconds']} s | {entry['csv']['rows_per_second']:,} | "
            f"{entry['xlsx']['seconds']} s | {entry['xlsx']['rows_per_second']:,} | "
            f"{entry['baseline_xlsx_orm']['rows_per_second']:,} | "
            f"{entry['ratios']['csv_vs_baseline']}x | {entry['ratios']['xlsx_vs_baseline']}x | "
            f"{entry['ratios']['csv_vs_duckdb_time']}x slower |"
        )
    duck = results["duckdb_csv"]
    lines += [
        "",
        f"DuckDB reads and aggregates the same CSV in {duck['seconds']} s "
        f"({duck['rows_per_second']:,} rows/s).",
        "<!-- bench:import:end -->",
    ]
    block = "\n".join(lines)
    text = DOC.read_text() if DOC.exists() else ""
    if "<!-- bench:import:start -->" in text:
        before = text.split("<!-- bench:import:start -->")[0]
        after = text.split("<!-- bench:import:end -->")[1]
        text = before + block + after
    else:
        text += "\n" + block + "\n"
    DOC.write_text(text)


if __name__ == "__main__":
    main()
