"""`make bench` (part three): the OpenRosa submission endpoint under 32 concurrent
collectors (docs/performance.md, "Collected data: submissions under load").

It makes a PostgreSQL database of its own (`puente_bench_collect`, dropped first),
migrated, with the reference data, four flow-monitoring points in Colombia, a project
there with the shipped flow-monitoring survey published in it and one data-collector
account per collector, scoped to the project (`--reuse` keeps the database of a run
before). Puente then runs under gunicorn on a free loopback port, in production mode (no
debug, real keys), and each collector, a process of its own with its own
`requests.Session` and `HTTPDigestAuth`, does what ODK Collect does: a `HEAD submission`
(which gets the Digest nonce), then its submissions one after the other, each a POST of
the survey's XML (a travellers repeat of 0 to 4 people), one in `--attachment-every`
with a small JPEG, and a few of them sent again unchanged (a retry: 201, nothing
doubled). Every collector starts at the same instant; none starts a POST after
`--max-seconds`.

Checked: every answer is 201; the submissions counted before and after differ by exactly
the number of distinct instances sent, which are the instance IDs stored; one attachment
per instance sent with one; every stored submission has its answers read and its survey
summary made (flow monitoring listens to the stored submissions). Measured: the latency
of each POST (p50, p95, p99, max; nearest rank), the throughput, and the CPU time per
POST of the server's workers, of their PostgreSQL backends and of the collectors (the
machine is shared: the load average before the run is recorded). Results go to
bench/results/collect-submit-<stamp>.json and collect-submit-latest.json, and to the
table in docs/performance.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import multiprocessing
import os
import platform
import random
import shutil
import signal
import socket
import struct
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import requests
from requests.auth import HTTPDigestAuth

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PG_SERVER = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
DB_NAME = "puente_bench_collect"
DB_URL = PG_SERVER.rsplit("/", 1)[0] + "/" + DB_NAME
WORK = ROOT / "bench" / "work" / "collect"
RESULTS = ROOT / "bench" / "results"
DOC = ROOT / "docs" / "performance.md"
SURVEY = ROOT / "puente" / "flows" / "data" / "flow-monitoring-survey.xlsx"
PROJECT = "fm-col-bench"
PASSWORD = "bench-collector-pass-2026"  # noqa: S105 (accounts of a throwaway database)
GOAL_MS = 300.0

sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "puente.settings")
os.environ["DATABASE_URL"] = DB_URL
os.environ["PUENTE_MEDIA_ROOT"] = str(WORK / "media")


# --- What the collectors send ----------------------------------------------------------

COUNTRIES = ["VEN", "COL", "ECU", "PER", "BOL", "CHL", "ARG", "BRA", "PAN"]
DESTINATIONS = ["COL", "ECU", "PER", "CHL", "ARG", "BRA", "PAN", "MEX", "USA"]
TRANSPORT = ["walking", "bus", "car", "truck", "motorcycle", "boat"]
NEEDS = ["food", "water", "hygiene", "shelter", "health", "transport", "cash", "information"]
INCIDENTS = ["theft", "fraud", "extortion", "threats", "discrimination"]
# The flow-monitoring points the collectors count at, registered in Colombia: each
# submission then makes its survey summary, as in the field.
POINTS = {
    "cucuta-simon-bolivar": ("Puente Internacional Simón Bolívar", "border-crossing"),
    "rumichaca": ("Puente Internacional de Rumichaca", "border-crossing"),
    "ipiales-terminal": ("Terminal de transporte de Ipiales", "bus-terminal"),
    "paraguachon": ("Paraguachón", "border-crossing"),
}


def survey_xml(collector: int, number: int, instance_id: str) -> tuple[bytes, bool]:
    """A filled flow-monitoring survey as ODK Collect writes it (the instance of the
    published XForm: groups, the travellers repeat, meta), and whether it has travellers
    under 18. Deterministic for (collector, number)."""
    rng = random.Random(collector * 100_003 + number)
    day = dt.date(2026, 11, 1) + dt.timedelta(days=rng.randrange(28))
    started = dt.datetime(day.year, day.month, day.day, 8, tzinfo=dt.UTC) + dt.timedelta(
        minutes=rng.randrange(600)
    )
    point = rng.choice(sorted(POINTS))
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
    repeat = "".join(
        f"<travellers><traveller_relation>{relation}</traveller_relation>"
        f"<traveller_sex>{sex}</traveller_sex><traveller_age>{t_age}</traveller_age>"
        f"<traveller_disability>{disability}</traveller_disability></travellers>"
        for relation, sex, t_age, disability in travellers
    )
    destination = rng.choice(DESTINATIONS)
    affected = incidents != ["none"]
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<data xmlns:jr="http://openrosa.org/javarosa" xmlns:orx="http://openrosa.org/xforms"'
        ' id="flow_monitoring_survey" version="2026010101">'
        f"<start>{started.isoformat(timespec='milliseconds')}</start>"
        f"<end>{(started + dt.timedelta(minutes=9)).isoformat(timespec='milliseconds')}</end>"
        f"<deviceid>collect:bench{collector:02d}</deviceid>"
        f"<interview><point>{point}</point><survey_date>{day.isoformat()}</survey_date>"
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
        f"<destination_reasons>{' '.join(rng.sample(['family', 'work', 'safety'], 2))}"
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
        f"<meta><instanceID>{instance_id}</instanceID>"
        f"<instanceName>{point} {day.isoformat()}</instanceName></meta></data>"
    )
    return xml.encode("utf-8"), minors


def _segment(marker: int, payload: bytes) -> bytes:
    return struct.pack(">HH", marker, len(payload) + 2) + payload


def photo_jpeg(seed: int, width: int = 320, height: int = 240) -> bytes:
    """A small baseline JPEG (greyscale, one flat tone per 8x8 block, a gradient with a
    pattern that depends on `seed`): written here so that the benchmark needs no imaging
    library. Each block is coded as its DC difference (the standard luminance DC table)
    and an end of block (an AC table holding only that code)."""
    blocks_x, blocks_y = width // 8, height // 8
    dc_codes: dict[int, tuple[int, int]] = {}
    # JPEG Annex K.3.1: code lengths of the DC categories 0..11.
    counts = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0]
    code, category = 0, 0
    for length, count in enumerate(counts, start=1):
        for _ in range(count):
            dc_codes[category] = (code, length)
            code += 1
            category += 1
        code <<= 1
    bits: list[int] = []

    def put(value: int, length: int) -> None:
        bits.extend((value >> shift) & 1 for shift in range(length - 1, -1, -1))

    previous = 0
    for by in range(blocks_y):
        for bx in range(blocks_x):
            tone = (bx * 5 + by * 3 + (seed * 37) % 97 + ((bx ^ by) & 7) * 6) % 220 + 18
            value = tone - 128  # quantised DC with a table of 8s: 8 * (tone - 128) / 8
            diff, previous = value - previous, value
            size = abs(diff).bit_length()
            put(*dc_codes[size])
            if size:
                put(diff if diff > 0 else diff + (1 << size) - 1, size)
            put(0, 1)  # end of block
    bits.extend([1] * (-len(bits) % 8))
    scan = bytearray()
    for start in range(0, len(bits), 8):
        byte = int("".join(map(str, bits[start : start + 8])), 2)
        scan.append(byte)
        if byte == 0xFF:
            scan.append(0)
    return b"".join(
        [
            b"\xff\xd8",
            _segment(0xFFE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"),
            _segment(0xFFDB, b"\x00" + bytes([8] * 64)),
            _segment(0xFFC0, struct.pack(">BHHB", 8, height, width, 1) + b"\x01\x11\x00"),
            _segment(0xFFC4, b"\x00" + bytes(counts) + bytes(range(12))),
            _segment(0xFFC4, b"\x10" + bytes([1] + [0] * 15) + b"\x00"),
            _segment(0xFFDA, b"\x01\x01\x00\x00\x3f\x00"),
            bytes(scan),
            b"\xff\xd9",
        ]
    )


def collector_email(number: int) -> str:
    return f"collector{number:02d}@bench.puente.org"


def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest rank: the smallest value with at least p% of the values at or below it."""
    return sorted_values[max(0, math.ceil(p / 100 * len(sorted_values)) - 1)]


# --- One collector (a process of its own) ----------------------------------------------


def collector_run(job: dict[str, Any]) -> dict[str, Any]:
    """Send this collector's submissions from `start_at` on; what was sent and how each
    POST was answered."""
    number = job["collector"]
    url = f"{job['base']}/collect/{PROJECT}/submission?deviceID=collect:bench{number:02d}"
    session = requests.Session()
    session.auth = HTTPDigestAuth(collector_email(number), PASSWORD)
    session.headers["X-OpenRosa-Version"] = "1.0"
    # ODK Collect asks first where and how much it may send; this gets the nonce.
    head = session.head(url, timeout=60)
    photo = photo_jpeg(number)
    sent: list[tuple[bytes, bool]] = []
    posts: list[dict[str, Any]] = []
    instances: list[str] = []
    with_photo: list[str] = []
    duplicates_at = set(job["duplicates_at"])
    time.sleep(max(0.0, job["start_at"] - time.time()))
    deadline = job["start_at"] + job["max_seconds"]
    pace = random.Random(number)  # noqa: S311  (the pause between a collector's POSTs)
    for index in range(job["per_collector"]):
        if index and job["pause"]:
            # A device on a field network: the next form leaves some time after the last.
            time.sleep(job["pause"] * pace.uniform(0.5, 1.5))
        if time.time() >= deadline:
            break
        instance_id = f"uuid:{uuid.uuid4()}"
        xml, _minors = survey_xml(number, index, instance_id)
        attach = index % job["attachment_every"] == 0
        posts.append(_post(session, url, xml, photo if attach else None, "new"))
        sent.append((xml, attach))
        instances.append(instance_id)
        if attach:
            with_photo.append(instance_id)
        if index in duplicates_at and time.time() < deadline:
            earlier_xml, earlier_attach = sent[len(sent) // 2]
            posts.append(
                _post(session, url, earlier_xml, photo if earlier_attach else None, "duplicate")
            )
    return {
        "collector": number,
        "head_status": head.status_code,
        "posts": posts,
        "instances": instances,
        "with_photo": with_photo,
    }


def _post(
    session: requests.Session, url: str, xml: bytes, photo: bytes | None, kind: str
) -> dict[str, Any]:
    files: dict[str, Any] = {"xml_submission_file": ("submission.xml", xml, "text/xml")}
    if photo is not None:
        files["photo.jpg"] = ("photo.jpg", photo, "image/jpeg")
    started = time.perf_counter()
    cpu = time.process_time()
    try:
        response = session.post(url, files=files, timeout=120)
    except requests.RequestException as exc:
        return {
            "kind": kind,
            "status": 0,
            "ms": (time.perf_counter() - started) * 1000,
            "error": str(exc)[:200],
            "ended": time.time(),
        }
    return {
        "kind": kind,
        "status": response.status_code,
        "ms": (time.perf_counter() - started) * 1000,
        # A stale nonce makes requests answer the challenge and send again (two trips).
        "challenged": len(response.history),
        "client_cpu_ms": (time.process_time() - cpu) * 1000,
        "ended": time.time(),
    }


# --- The database and the server ---------------------------------------------------------


def prepare(collectors: int, reuse: bool) -> dict[str, str]:
    """A migrated database with the survey published and the collectors (`reuse`: the one
    an earlier run left, when there is one); the environment of the server (production
    keys)."""
    import psycopg

    with psycopg.connect(PG_SERVER, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME]).fetchone()
        reuse = bool(reuse and exists)
        if not reuse:
            conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {DB_NAME}")
    if not reuse:
        shutil.rmtree(WORK, ignore_errors=True)
    (WORK / "media").mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DATABASE_URL": DB_URL,
        "PUENTE_DEBUG": "0",
        "PUENTE_ALLOWED_HOSTS": "127.0.0.1",
        "PUENTE_MEDIA_ROOT": str(WORK / "media"),
        "PUENTE_CACHE_DIR": str(WORK / "cache"),
        "PUENTE_COLUMNAR_DIR": str(WORK / "columnar"),
        "PUENTE_LANGUAGE": "en",
    }
    keys = subprocess.run(
        [str(BIN / "puente"), "generate-keys"], env=env, capture_output=True, text=True, check=True
    ).stdout
    for line in keys.splitlines():
        name, sep, value = line.partition("=")
        if sep:
            env[name] = value
    if reuse:
        return env
    subprocess.run(
        [str(BIN / "puente"), "migrate", "--noinput", "-v", "0"], env=env, check=True, cwd=ROOT
    )
    from puente.accounts.services import role_assign, scope_parse, user_create
    from puente.collect.services.publishing import form_publish, project_for_publishing
    from puente.flows.services import flow_points_import
    from puente.reference.services import reference_load

    reference_load(boundaries=None)
    points = "code,name,kind,country\n" + "".join(
        f"{code},{name},{kind},COL\n" for code, (name, kind) in POINTS.items()
    )
    report = flow_points_import(source=points.encode(), filename="points.csv")
    assert not report.errors, report.errors
    project = project_for_publishing(
        acting_user=None, code=PROJECT, country_iso3="COL", name="Flow monitoring bench"
    )
    form_publish(acting_user=None, project=project, name=SURVEY.name, content=SURVEY.read_bytes())
    scope = scope_parse(f"project:{PROJECT}")
    for number in range(collectors):
        user, _generated = user_create(
            acting_user=None, email=collector_email(number), password=PASSWORD
        )
        role_assign(acting_user=None, user=user, role="data-collector", scope=scope)
    return env


def cpu_seconds(match: str) -> float:
    """User and system CPU seconds of the live processes whose command line holds
    `match` (gunicorn's workers, the PostgreSQL backends of the benchmark's database)."""
    total = 0.0
    ticks = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if match in command:
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def server_start(env: dict[str, str], workers: int, threads: int) -> tuple[subprocess.Popen, str]:
    from puente.site.serving import gunicorn_settings

    port = free_port()
    command = [
        str(BIN / "gunicorn"),
        "puente.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--timeout",
        "120",
        # Longer than a collector's pause between requests: a connection closed by the
        # server just as the client sends on it fails the POST (requests does not retry).
        "--keep-alive",
        "30",
        # As `puente serve` bounds them (puente.site.serving): the collectors spread evenly
        # over the processes.
        "--worker-connections",
        str(gunicorn_settings(workers=workers, threads=threads)["worker_connections"]),
        "--log-level",
        "warning",
    ]
    log = (WORK / "gunicorn.log").open("wb")
    server = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    for _attempt in range(240):
        if server.poll() is not None:
            sys.exit(f"gunicorn exited; see {WORK / 'gunicorn.log'}")
        try:
            requests.head(f"{base}/collect/{PROJECT}/submission", timeout=10)
            return server, base
        except (requests.ConnectionError, requests.Timeout):
            time.sleep(0.25)
    server.kill()
    sys.exit("gunicorn did not answer")


WORKER_ID = "bench-collect-figures"


def worker_start(env: dict[str, str], niceness: int) -> subprocess.Popen:
    """The background worker that makes flow monitoring's figures of each stored
    submission (PUENTE_FLOWS_FIGURES=worker, the default), at a lower CPU priority than
    the web processes, as docs/flows.md advises for a machine both share: devices are
    answered first, the figures follow."""
    command = [str(BIN / "puente"), "worker", "--interval", "0.2", "--worker-id", WORKER_ID]
    if niceness:
        command = ["nice", "-n", str(niceness), *command]
    log = (WORK / "worker.log").open("wb")
    return subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)


def queue_drain(timeout: float) -> float | None:
    """Seconds until no flow-monitoring task is waiting or running (None: not within
    `timeout`)."""
    from django_tasks_db.models import DBTaskResult

    started = time.time()
    while time.time() - started < timeout:
        if not DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).exists():
            return round(time.time() - started, 2)
        time.sleep(0.25)
    return None


# --- The run -------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--collectors", type=int, default=32)
    parser.add_argument("--per-collector", type=int, default=25, help="new submissions each")
    parser.add_argument("--duplicates", type=int, default=2, help="retries each collector sends")
    parser.add_argument("--attachment-every", type=int, default=3)
    parser.add_argument("--max-seconds", type=float, default=60.0)
    parser.add_argument(
        "--pause",
        type=float,
        default=0.0,
        help="mean seconds a collector waits between its POSTs (0: back to back)",
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument(
        "--worker-nice", type=int, default=10, help="niceness of the background worker"
    )
    parser.add_argument("--no-doc", action="store_true", help="do not update the doc")
    parser.add_argument("--reuse", action="store_true", help="keep the database of a run before")
    parser.add_argument(
        "--doc-only", action="store_true", help="write the doc from the latest results only"
    )
    args = parser.parse_args()
    if args.doc_only:
        name = "collect-submit" if not args.pause else "collect-submit-paced"
        write_doc(json.loads((RESULTS / f"{name}-latest.json").read_text()))
        return
    RESULTS.mkdir(parents=True, exist_ok=True)

    import django

    django.setup()
    from django.db import connections

    from puente.collect.models import Submission, SubmissionAttachment
    from puente.flows.models import SurveySummary

    load_before = os.getloadavg()
    print(f"preparing {DB_NAME}", flush=True)
    env = prepare(args.collectors, args.reuse)
    before = Submission.objects.count()
    ids_before = set(Submission.objects.values_list("instance_id", flat=True))
    attachments_before = SubmissionAttachment.objects.count()
    connections.close_all()  # the collectors are forked: they must not share it
    env["PUENTE_FLOWS_FIGURES"] = "worker"
    server, base = server_start(env, args.workers, args.threads)
    worker = worker_start(env, args.worker_nice)
    drain_seconds: float | None = None
    try:
        step = max(1, args.per_collector // (args.duplicates + 1))
        start_at = time.time() + 3 + args.collectors * 0.05
        jobs = [
            {
                "collector": number,
                "base": base,
                "per_collector": args.per_collector,
                "attachment_every": args.attachment_every,
                "duplicates_at": [step * (k + 1) - 1 for k in range(args.duplicates)],
                "start_at": start_at,
                "max_seconds": args.max_seconds,
                "pause": args.pause,
            }
            for number in range(args.collectors)
        ]
        print(
            f"{args.collectors} collectors, gunicorn {args.workers} workers x "
            f"{args.threads} threads, on {base}",
            flush=True,
        )
        watched = (base.split("//", 1)[1], DB_NAME, WORKER_ID)
        cpu_before = {name: cpu_seconds(name) for name in watched}
        with multiprocessing.get_context("fork").Pool(args.collectors) as pool:
            outcomes = pool.map(collector_run, jobs)
        # The figures follow the answers: wait for the worker to make the last ones.
        drain_seconds = queue_drain(timeout=600)
        connections.close_all()
        cpu = {name: cpu_seconds(name) - cpu_before[name] for name in watched}
    finally:
        for process in (server, worker):
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
    after = Submission.objects.count()
    attachments_after = SubmissionAttachment.objects.count()
    new_ids = set(Submission.objects.values_list("instance_id", flat=True)) - ids_before
    unread = Submission.objects.filter(data={}).count()
    summarised = SurveySummary.objects.filter(submission_id__in=new_ids).count()

    posts = [post for outcome in outcomes for post in outcome["posts"]]
    instances = [i for outcome in outcomes for i in outcome["instances"]]
    with_photo = [i for outcome in outcomes for i in outcome["with_photo"]]
    statuses = Counter(post["status"] for post in posts)
    latencies = sorted(post["ms"] for post in posts)
    new_latencies = sorted(post["ms"] for post in posts if post["kind"] == "new")
    seconds = max(post["ended"] for post in posts) - start_at
    checks = {
        "every_answer_201": set(statuses) == {201},
        "heads_answered_204": all(o["head_status"] == 204 for o in outcomes),
        "stored_equals_distinct_sent": after - before == len(set(instances)),
        "stored_ids_are_the_sent_ids": new_ids == set(instances),
        "one_attachment_per_photo": attachments_after - attachments_before == len(with_photo),
        "every_submission_read": unread == 0,
        "every_survey_summarised": summarised == len(new_ids),
        "queue_drained": drain_seconds is not None,
    }

    def summary(values: list[float]) -> dict[str, float]:
        return {
            "p50": round(percentile(values, 50), 1),
            "p95": round(percentile(values, 95), 1),
            "p99": round(percentile(values, 99), 1),
            "max": round(values[-1], 1),
            "mean": round(sum(values) / len(values), 1),
        }

    results = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "command": " ".join(["bench/collect_submit.py", *sys.argv[1:]]),
        # The machine is shared: its load before the run says how much of it was ours.
        "load_average_before": [round(x, 2) for x in load_before],
        "server": {
            "gunicorn_workers": args.workers,
            "threads": args.threads,
            "figures_worker_nice": args.worker_nice,
        },
        "collectors": args.collectors,
        "per_collector": args.per_collector,
        "duplicates_per_collector": args.duplicates,
        "attachment_every": args.attachment_every,
        "max_seconds": args.max_seconds,
        "pause_seconds": args.pause,
        "photo_bytes": len(photo_jpeg(0)),
        "posts": len(posts),
        "posts_new": sum(1 for post in posts if post["kind"] == "new"),
        "posts_duplicate": sum(1 for post in posts if post["kind"] == "duplicate"),
        "posts_with_photo": len(with_photo),
        "posts_challenged_again": sum(post.get("challenged", 0) for post in posts),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "submissions_before": before,
        "submissions_after": after,
        "distinct_instances_sent": len(set(instances)),
        "attachments_stored": attachments_after - attachments_before,
        "seconds": round(seconds, 2),
        # CPU per POST: the server's workers, their PostgreSQL backends, the collectors.
        "cpu_ms_per_post": {
            "gunicorn": round(cpu[watched[0]] * 1000 / len(posts), 1),
            "postgresql": round(cpu[watched[1]] * 1000 / len(posts), 1),
            "figures_worker": round(cpu[watched[2]] * 1000 / len(posts), 1),
            "collectors": round(sum(p.get("client_cpu_ms", 0) for p in posts) / len(posts), 1),
        },
        "posts_per_second": round(len(posts) / seconds, 1),
        # After the last answer, until the worker had made every submission's figures.
        "figures_done_seconds_after_last_answer": drain_seconds,
        "latency_ms": summary(latencies),
        "latency_new_ms": summary(new_latencies),
        "goal_p95_ms": GOAL_MS,
        "p95_vs_goal": round(percentile(latencies, 95) / GOAL_MS, 2),
        "checks": checks,
    }
    errors = [post for post in posts if post["status"] != 201][:5]
    if errors:
        results["first_errors"] = errors
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
    text = json.dumps(results, indent=2)
    name = "collect-submit" if not args.pause else "collect-submit-paced"
    (RESULTS / f"{name}-{stamp}.json").write_text(text + "\n")
    (RESULTS / f"{name}-latest.json").write_text(text + "\n")
    if not args.no_doc:
        write_doc(results)
    print(text)
    if not all(checks.values()):
        sys.exit("a check failed: " + ", ".join(k for k, ok in checks.items() if not ok))


def write_doc(results: dict[str, Any]) -> None:
    latency = results["latency_ms"]
    checks = results["checks"]
    cpu = results["cpu_ms_per_post"]
    marker = "collect" if not results.get("pause_seconds") else "collect-paced"
    pause = results.get("pause_seconds") or 0
    lines = [
        f"<!-- bench:{marker}:start -->",
        f"Measured {results['date']} with `make bench` (`{results['command'].strip()}`) on "
        f"{results['machine']['cpus']} CPUs, PostgreSQL, gunicorn with "
        f"{results['server']['gunicorn_workers']} workers of "
        f"{results['server']['threads']} threads each.",
        "",
        "| | |",
        "|---|---|",
        f"| collectors (processes, each with its own session and Digest credentials) | "
        f"{results['collectors']} |",
        "| pause between a collector's POSTs | "
        + (f"{pause} s on average (0.5 to 1.5 times that)" if pause else "none (back to back)")
        + " |",
        f"| POSTs | {results['posts']:,} ({results['posts_new']:,} new, "
        f"{results['posts_duplicate']} sent again, {results['posts_with_photo']} with a "
        f"{results['photo_bytes']:,}-byte JPEG) |",
        f"| answers | {', '.join(f'{v:,} x {k}' for k, v in results['statuses'].items())} |",
        f"| submissions before / after | {results['submissions_before']:,} / "
        f"{results['submissions_after']:,} ({results['distinct_instances_sent']:,} distinct "
        "instances sent) |",
        f"| attachments stored | {results['attachments_stored']:,} |",
        f"| wall time, throughput | {results['seconds']} s, "
        f"{results['posts_per_second']} POSTs/s |",
        f"| CPU per POST: gunicorn / PostgreSQL / figures worker / collectors | "
        f"{cpu['gunicorn']} / {cpu['postgresql']} / {cpu.get('figures_worker', '-')} / "
        f"{cpu['collectors']} ms |",
        "| every figure made by the worker, after the last answer | "
        f"{results.get('figures_done_seconds_after_last_answer', '-')} s |",
        "| load average of the machine before the run (1, 5, 15 min) | "
        + ", ".join(str(x) for x in results["load_average_before"])
        + " |",
        f"| latency of a POST: p50 / p95 / p99 / max | {latency['p50']} / {latency['p95']} / "
        f"{latency['p99']} / {latency['max']} ms |",
        f"| p95 / 300 ms (goal: under 1) | {results['p95_vs_goal']} |",
        f"| checks | {'all passed' if all(checks.values()) else 'FAILED: '}"
        + ", ".join(k for k, ok in checks.items() if not ok)
        + " |",
        f"<!-- bench:{marker}:end -->",
    ]
    block = "\n".join(lines)
    text = DOC.read_text()
    start, end = f"<!-- bench:{marker}:start -->", f"<!-- bench:{marker}:end -->"
    if start in text:
        text = text.split(start)[0] + block + text.split(end)[1]
    else:
        text += "\n## Collected data: submissions under load\n" + block + "\n"
    DOC.write_text(text)


if __name__ == "__main__":
    main()
