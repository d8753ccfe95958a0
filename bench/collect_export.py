"""`make bench` (collected data): 100,000 submissions of the shipped flow-monitoring survey
exported to CSV (docs/performance.md, "Collected data: exports"; goal: under 30 s on
PostgreSQL).

It makes a PostgreSQL database of its own (`puente_bench_collect_export`, dropped first;
`--reuse` keeps the one a run before filled), migrated, with the reference data and a
project in Colombia where the shipped survey is published. It generates the submissions
as ODK Collect writes them (groups, a travellers repeat of 0 to 4 people, needs and the
other select_multiple questions, a geopoint), reads each one's answers the way
`submission_store` does (`parsing`: the survey's XForm, the XML, `json_values`), and
bulk-creates the `Submission` rows, with 2% of them edited once (the replaced instance
stays, `superseded_by` set, and is not exported). Five data collectors send them.

Measured: `form_export` (the function `puente forms export` runs) writing the CSV tables
of the current submissions into a fresh folder, best of `--runs`; then the command
itself in a process of its own, for its wall time and its peak memory (max RSS). The
rows and bytes of each table are recorded and checked (one row per current submission
in the form's table, one per traveller in the repeat's). Results go to
bench/results/collect-export-<stamp>.json and collect-export-latest.json, and to the
table in docs/performance.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PG_SERVER = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
DB_NAME = "puente_bench_collect_export"
DB_URL = PG_SERVER.rsplit("/", 1)[0] + "/" + DB_NAME
WORK = ROOT / "bench" / "work" / "collect-export"
RESULTS = ROOT / "bench" / "results"
DOC = ROOT / "docs" / "performance.md"
SURVEY = ROOT / "puente" / "flows" / "data" / "flow-monitoring-survey.xlsx"
PROJECT = "fm-col-export"
FORM_ID = "flow_monitoring_survey"
GOAL_SECONDS = 30.0
EDITED_SHARE = 0.02

sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "puente.settings")
os.environ["DATABASE_URL"] = DB_URL
os.environ["PUENTE_MEDIA_ROOT"] = str(WORK / "media")

COUNTRIES = ["VEN", "COL", "ECU", "PER", "BOL", "CHL", "ARG", "BRA", "PAN"]
DESTINATIONS = ["COL", "ECU", "PER", "CHL", "ARG", "BRA", "PAN", "MEX", "USA", "undecided"]
TRANSPORT = ["walking", "bus", "car", "truck", "motorcycle", "boat"]
NEEDS = ["food", "water", "hygiene", "shelter", "health", "transport", "cash", "information"]
INCIDENTS = ["theft", "fraud", "extortion", "threats", "discrimination"]
POINTS = ["cucuta-simon-bolivar", "rumichaca", "ipiales-terminal", "paraguachon"]


def survey_xml(number: int, instance_id: str, deprecated_id: str = "") -> tuple[str, int]:
    """A filled survey as ODK Collect writes it, and its number of travellers.
    Deterministic for `number`."""
    rng = random.Random(number)
    day = dt.date(2026, 1, 1) + dt.timedelta(days=rng.randrange(330))
    started = dt.datetime(day.year, day.month, day.day, 8, tzinfo=dt.UTC) + dt.timedelta(
        minutes=rng.randrange(600)
    )
    travellers = [
        (
            rng.choice(["partner", "child", "parent", "sibling", "other-family"]),
            rng.choice(["female", "male"]),
            rng.randrange(0, 70),
            rng.choice(["yes", "no", "no", "no"]),
        )
        for _ in range(rng.choice([0, 0, 1, 2, 3, 4]))
    ]
    minors = any(age < 18 for _r, _s, age, _d in travellers)
    age = rng.randrange(18, 75)
    incidents = rng.choice([["none"], ["none"], rng.sample(INCIDENTS, rng.randrange(1, 3))])
    affected = incidents != ["none"]
    destination = rng.choice(DESTINATIONS)
    reasons = " ".join(rng.sample(["family", "work", "safety", "services"], 2))
    repeat = "".join(
        f"<travellers><traveller_relation>{relation}</traveller_relation>"
        f"<traveller_sex>{sex}</traveller_sex><traveller_age>{t_age}</traveller_age>"
        f"<traveller_disability>{disability}</traveller_disability></travellers>"
        for relation, sex, t_age, disability in travellers
    )
    deprecated = f"<deprecatedID>{deprecated_id}</deprecatedID>" if deprecated_id else ""
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<data xmlns:jr="http://openrosa.org/javarosa" xmlns:orx="http://openrosa.org/xforms"'
        f' id="{FORM_ID}" version="2026010101">'
        f"<start>{started.isoformat(timespec='milliseconds')}</start>"
        f"<end>{(started + dt.timedelta(minutes=9)).isoformat(timespec='milliseconds')}</end>"
        f"<deviceid>collect:bench{number % 5:02d}</deviceid>"
        f"<interview><point>{rng.choice(POINTS)}</point><survey_date>{day.isoformat()}"
        "</survey_date>"
        f"<location>{7.88 + rng.random() / 10:.6f} {-72.49 - rng.random() / 10:.6f} "
        f"{rng.randrange(250, 400)}.0 {rng.randrange(3, 20)}.0</location>"
        "<consent>yes</consent></interview>"
        f"<profile><nationality>VEN</nationality><sex>{rng.choice(['female', 'male'])}</sex>"
        f"<age>{age}</age><age_group>{'60+' if age >= 60 else '18-59'}</age_group>"
        f"<travels_with_others>{'yes' if travellers else 'no'}</travels_with_others></profile>"
        f"{repeat}<group_size>{len(travellers) + 1}</group_size>"
        "<route><origin_country>VEN</origin_country>"
        f"<departure_date>{(day - dt.timedelta(days=rng.randrange(3, 60))).isoformat()}"
        "</departure_date>"
        f"<countries_transited>{' '.join(rng.sample(COUNTRIES[1:], rng.randrange(0, 3)))}"
        f"</countries_transited><transport>{rng.choice(TRANSPORT)}</transport>"
        f"<destination>{destination}</destination>"
        f"<destination_reasons>{reasons if destination != 'undecided' else ''}"
        f"</destination_reasons><return_intention>{rng.choice(['yes', 'no', 'unsure'])}"
        "</return_intention></route>"
        f"<documents><documentation>{rng.choice(['passport', 'national-id', 'none'])}"
        f"</documentation><children_without_documents>{'no' if minors else ''}"
        "</children_without_documents></documents>"
        f"<needs_group><needs>{' '.join(rng.sample(NEEDS, rng.randrange(1, 4)))}</needs>"
        "</needs_group>"
        f"<protection><protection_note/><incidents>{' '.join(incidents)}</incidents>"
        f"<incident_countries>{'COL' if affected else ''}</incident_countries>"
        f"<referred>{rng.choice(['yes', 'no']) if affected else ''}</referred></protection>"
        f"<meta><instanceID>{instance_id}</instanceID>{deprecated}"
        f"<instanceName>{rng.choice(POINTS)} {day.isoformat()}</instanceName></meta></data>"
    )
    return xml, len(travellers)


def prepare(size: int, reuse: bool) -> dict[str, Any]:
    """The database with the survey published and `size` current submissions; what was
    generated (seconds, rows, travellers)."""
    import psycopg

    with psycopg.connect(PG_SERVER, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME]).fetchone()
        reuse = bool(reuse and exists)
        if not reuse:
            conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {DB_NAME}")
    if reuse:
        return json.loads((WORK / "generated.json").read_text())
    shutil.rmtree(WORK, ignore_errors=True)
    (WORK / "media").mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "DATABASE_URL": DB_URL, "PUENTE_LANGUAGE": "en"}
    subprocess.run(
        [str(BIN / "puente"), "migrate", "--noinput", "-v", "0"], env=env, check=True, cwd=ROOT
    )
    return fill(size)


def fill(size: int) -> dict[str, Any]:
    import hashlib
    from xml.etree import ElementTree

    from django.db import connection, transaction

    from puente.accounts.services import user_create
    from puente.collect.models import Submission
    from puente.collect.parsing import _read, form_shape, json_values, stored_values
    from puente.collect.services.publishing import form_publish, project_for_publishing
    from puente.reference.services import reference_load

    started = time.perf_counter()
    reference_load(boundaries=None)
    project = project_for_publishing(
        acting_user=None, code=PROJECT, country_iso3="COL", name="Flow monitoring export bench"
    )
    version = form_publish(
        acting_user=None, project=project, name=SURVEY.name, content=SURVEY.read_bytes()
    ).version
    collectors = [
        user_create(acting_user=None, email=f"collector{n}@bench.puente.org", password=None)[0]
        for n in range(5)
    ]
    # The answers as submission_store reads them (parsing.stored_values), with the
    # XForm's shape read once instead of once per submission.
    shape = form_shape(version.xml)

    def answers(xml: str) -> Any:
        root = ElementTree.fromstring(xml.encode())  # noqa: S314 (generated here)
        return json_values(_read(root, "/data", "/data", shape))

    sample, _n = survey_xml(1, "uuid:check")
    assert answers(sample) == stored_values(version.xml, sample)
    edited = int(size * EDITED_SHARE)
    travellers = 0
    batch: list[Submission] = []

    def row(number: int, instance_id: str, deprecated_id: str = "") -> tuple[Submission, int]:
        xml, count = survey_xml(number, instance_id, deprecated_id)
        return Submission(
            form=version.form,
            form_version=version,
            instance_id=instance_id,
            root_id=deprecated_id or instance_id,
            deprecated_id=deprecated_id,
            xml=xml,
            xml_md5=hashlib.md5(xml.encode(), usedforsecurity=False).hexdigest(),
            data=answers(xml),
            device_id=f"collect:bench{number % 5:02d}",
            submitted_by=collectors[number % 5],
        ), count

    with transaction.atomic():
        for number in range(size + edited):
            if number < size:
                submission, count = row(number, f"uuid:bench-{number:07d}")
                if number >= edited:  # the first `edited` are replaced below
                    travellers += count
            else:
                # An edit of submission `number - size`: new answers, same chain.
                first = number - size
                submission, count = row(
                    number, f"uuid:bench-edit-{first:07d}", f"uuid:bench-{first:07d}"
                )
                travellers += count
            batch.append(submission)
            if len(batch) == 5000:
                Submission.objects.bulk_create(batch)
                batch = []
        Submission.objects.bulk_create(batch)
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE collect_submission AS old SET superseded_by_id = new.id "
                "FROM collect_submission AS new WHERE new.deprecated_id = old.instance_id"
            )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE collect_submission")
    generated = {
        "submissions_current": size,
        "submissions_replaced": edited,
        "travellers": travellers,
        "fill_seconds": round(time.perf_counter() - started, 1),
    }
    (WORK / "generated.json").write_text(json.dumps(generated))
    return generated


def count_rows(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(1 for _line in handle) - 2  # the header and the HXL row


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--submissions", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--reuse", action="store_true", help="keep a filled database")
    args = parser.parse_args()
    import django

    django.setup()
    generated = prepare(args.submissions, args.reuse)
    from puente.collect.models import Form
    from puente.collect.services.exports import form_export

    form = Form.objects.select_related("project").get(form_id=FORM_ID, project__code=PROJECT)
    timings, cpu = [], []
    for run in range(args.runs):
        out = WORK / f"out-{run}"
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir(parents=True)
        started, cpu_started = time.perf_counter(), time.process_time()
        paths = form_export(acting_user=None, form=form, file_format="csv", out_dir=out)
        timings.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
        print(f"run {run + 1}: {timings[-1]:.2f} s", flush=True)
    tables = {path.name: {"rows": count_rows(path), "bytes": path.stat().st_size} for path in paths}
    assert tables[f"{FORM_ID}.csv"]["rows"] == generated["submissions_current"], tables
    assert tables[f"{FORM_ID}-travellers.csv"]["rows"] == generated["travellers"], tables

    out = WORK / "out-command"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    env = {**os.environ, "DATABASE_URL": DB_URL, "PUENTE_LANGUAGE": "en"}
    started = time.perf_counter()
    command = subprocess.Popen(  # noqa: S603 (our own command)
        [str(BIN / "puente"), "forms", "export", FORM_ID, "--project", PROJECT]
        + ["--format", "csv", "--out", str(out)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    # The command's own peak memory: wait4 gives the resources of that one process.
    _pid, status, usage = os.wait4(command.pid, 0)
    command.returncode = os.waitstatus_to_exitcode(status)
    command_seconds = time.perf_counter() - started
    assert command.returncode == 0, command.returncode
    max_rss_mb = usage.ru_maxrss / 1024
    with open("/proc/loadavg") as handle:
        load = handle.read().split()[0]
    best = min(timings)
    results = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "database": "postgresql",
        "load_average_after": float(load),
        **generated,
        "export_seconds_runs": [round(t, 2) for t in timings],
        "export_seconds": round(best, 2),
        # CPU seconds of the exporting process (not PostgreSQL's) in the best run.
        "export_cpu_seconds": round(cpu[timings.index(best)], 2),
        "submissions_per_second": round(generated["submissions_current"] / best),
        "goal_seconds": GOAL_SECONDS,
        "ratio_to_goal": round(best / GOAL_SECONDS, 2),
        "command_seconds": round(command_seconds, 2),
        "command_max_rss_mb": round(max_rss_mb, 1),
        "tables": tables,
    }
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
    text = json.dumps(results, indent=2)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"collect-export-{stamp}.json").write_text(text + "\n")
    (RESULTS / "collect-export-latest.json").write_text(text + "\n")
    write_doc(results)
    print(text)


def write_doc(results: dict[str, Any]) -> None:
    main_table = results["tables"][f"{FORM_ID}.csv"]
    repeat = results["tables"][f"{FORM_ID}-travellers.csv"]
    block = "\n".join(
        [
            "<!-- bench:collect-export:start -->",
            f"Measured {results['date']} with `make bench` (`bench/collect_export.py`) on "
            f"{results['cpus']} CPUs, Python {results['python']}, PostgreSQL (load average "
            f"{results['load_average_after']} after the run; the best run used "
            f"{results['export_cpu_seconds']} s of CPU in the exporting process).",
            "",
            "| submissions | CSV export (best of "
            f"{len(results['export_seconds_runs'])}) | submissions/s | goal | vs goal | "
            "`puente forms export` (process) | its max RSS |",
            "|---|---|---|---|---|---|---|",
            f"| {results['submissions_current']:,} | {results['export_seconds']} s | "
            f"{results['submissions_per_second']:,} | {results['goal_seconds']:.0f} s | "
            f"{results['ratio_to_goal']}x | {results['command_seconds']} s | "
            f"{results['command_max_rss_mb']} MB |",
            "",
            f"Written: `{FORM_ID}.csv`, {main_table['rows']:,} rows "
            f"({main_table['bytes'] / 1e6:.1f} MB), and `{FORM_ID}-travellers.csv`, "
            f"{repeat['rows']:,} rows ({repeat['bytes'] / 1e6:.1f} MB); the "
            f"{results['submissions_replaced']:,} instances replaced by an edit are left out.",
            "<!-- bench:collect-export:end -->",
        ]
    )
    text = DOC.read_text()
    start, end = "<!-- bench:collect-export:start -->", "<!-- bench:collect-export:end -->"
    if start in text:
        text = text.split(start)[0] + block + text.split(end)[1]
    else:
        text += "\n## Collected data: exports\n" + block + "\n"
    DOC.write_text(text)


if __name__ == "__main__":
    main()
