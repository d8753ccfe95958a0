"""Every write of flow monitoring: the points and daily counts imports, and the records a
submitted form makes (counts of a point and day, the summary of a survey).

A count is one figure per point, day, direction, nationality, sex, age group and means
of transport: writing the same key again replaces the figure, from whichever door it
comes, so a corrected file or an edited form never adds people twice."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from puente.accounts.permissions import Actor, signed_in
from puente.core.imports import (
    ImportPolicy,
    ImportReport,
    ImportScope,
    RollbackImport,
    RowCells,
    import_audit_record,
    write_whole_file,
)
from puente.core.models import AuditRecord
from puente.core.services import audit_record
from puente.core.tabular import Column, normalize_value, open_table
from puente.flows.access import MANAGE_FLOWS
from puente.flows.codes import FlowsCode
from puente.flows.models import (
    AgeGroup,
    Direction,
    FlowCount,
    FlowPoint,
    PointKind,
    Sex,
    Source,
    SurveySummary,
    Transport,
)
from puente.flows.nations import nation_code
from puente.reference.codes import ReferenceCode
from puente.reference.imports import ReferenceKeys
from puente.reference.models import Admin1
from puente.reference.selectors import keyed_lookup

POINT_COLUMNS = (
    Column("code", aliases=("código", "codigo", "point", "punto", "ponto")),
    Column("name", aliases=("nombre", "nome")),
    Column("kind", aliases=("tipo",)),
    Column("country", aliases=("país", "pais")),
    Column(
        "admin1",
        required=False,
        aliases=("departamento", "provincia", "estado", "región", "região", "adm1"),
    ),
    Column("admin2", required=False, aliases=("municipio", "município", "distrito", "cantón")),
    Column("latitude", required=False, aliases=("latitud", "lat")),
    Column("longitude", required=False, aliases=("longitud", "lon", "lng")),
    Column("public", required=False, aliases=("público", "publico")),
    Column("project", required=False, aliases=("proyecto", "projeto")),
)
COUNT_COLUMNS = (
    Column("date", aliases=("fecha", "data", "día", "dia")),
    Column("point", aliases=("punto", "ponto", "point code", "código del punto")),
    Column("direction", aliases=("dirección", "direção", "sentido", "flujo", "fluxo")),
    Column("nationality", aliases=("nacionalidad", "nacionalidade")),
    Column("sex", required=False, aliases=("sexo",)),
    Column("age_group", required=False, aliases=("grupo de edad", "grupo etário", "edad", "idade")),
    Column(
        "transport",
        required=False,
        aliases=("means of transport", "medio de transporte", "meio de transporte"),
    ),
    Column("people", aliases=("personas", "pessoas", "count", "cantidad", "quantidade")),
)
POLICIES = tuple(ImportPolicy)


def _words(pairs: dict[str, Iterable[str]]) -> dict[str, str]:
    """{code: words people write for it} -> {normalised word: code}, the code included."""
    table = {}
    for code, words in pairs.items():
        for word in (code, *words):
            table[normalize_value(word)] = code
    return table


POINT_KINDS = _words(
    {
        PointKind.BORDER_CROSSING: (
            "border",
            "border crossing",
            "paso fronterizo",
            "frontera",
            "posto de fronteira",
            "fronteira",
        ),
        PointKind.BUS_TERMINAL: (
            "terminal",
            "terminal de buses",
            "terminal rodoviário",
            "rodoviária",
        ),
        PointKind.ROUTE_POINT: ("route", "punto de ruta", "ponto de rota", "ruta", "rota"),
        PointKind.OTHER: ("otro", "outro"),
    }
)
DIRECTIONS = _words(
    {
        Direction.ENTRY: ("in", "entries", "entrada", "entradas", "ingreso", "e"),
        Direction.EXIT: ("out", "exits", "salida", "salidas", "saída", "saídas", "egreso", "s"),
    }
)
SEXES = _words(
    {
        Sex.FEMALE: ("f", "woman", "women", "mujer", "mujeres", "mulher", "mulheres", "femenino"),
        Sex.MALE: ("m", "man", "men", "hombre", "hombres", "homem", "homens", "masculino", "h"),
        Sex.UNKNOWN: ("", "not recorded", "sin dato", "sem dado"),
    }
)
AGE_GROUPS = _words(
    {
        AgeGroup.CHILDREN: ("0 17", "children", "niños", "niñas y niños", "crianças", "menores"),
        AgeGroup.ADULTS: ("18 59", "adults", "adultos"),
        AgeGroup.OLDER: ("60", "60 +", "older", "mayores", "idosos", "personas mayores"),
        AgeGroup.UNKNOWN: ("", "not recorded", "sin dato", "sem dado"),
    }
)
TRANSPORTS = _words(
    {
        Transport.WALKING: ("on foot", "foot", "a pie", "caminando", "a pé", "caminhando"),
        Transport.BUS: ("bus", "autobús", "ônibus", "onibus", "buseta"),
        Transport.CAR: ("car", "taxi", "carro", "auto", "automóvil"),
        Transport.TRUCK: ("camión", "caminhão", "lorry"),
        Transport.MOTORCYCLE: ("moto", "motorbike", "motocicleta"),
        Transport.BOAT: ("lancha", "barco", "bote", "embarcación", "embarcação"),
        Transport.PLANE: ("avión", "avião", "air", "flight"),
        Transport.OTHER: ("otro", "outro"),
        Transport.UNKNOWN: ("", "not recorded", "sin dato", "sem dado"),
    }
)


def _choice(cells: RowCells, column: str, table: dict[str, str], code: FlowsCode) -> str | None:
    text = cells.text.get(column, "")
    found = table.get(normalize_value(text.replace("-", " ").replace("+", "")))
    if found is None:
        found = table.get(normalize_value(text))
    if found is None:
        cells.error(column, code, code.text(value=text), text)
    return found


def _coordinate(cells: RowCells, column: str, limit: int) -> Decimal | None:
    """Degrees with a decimal point or comma, to six decimals (about 10 cm)."""
    text = cells.text.get(column, "")
    if not text:
        return None
    try:
        value = Decimal(text.replace(",", ".")).quantize(Decimal("0.000001"))
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or abs(value) > limit:
        cells.error(
            column,
            FlowsCode.INVALID_COORDINATE,
            FlowsCode.INVALID_COORDINATE.text(value=text),
            text,
        )
        return None
    return value


def flow_points_import(
    *, source: Any, filename: str, dry_run: bool = False, acting_user: Actor | None = None
) -> ImportReport:
    """Flow-monitoring points, added or updated by code. An acting user needs the flows
    role over each row's country (and over the country a point had before)."""
    report = ImportReport(dry_run=dry_run)
    scope = ImportScope(acting_user, MANAGE_FLOWS)
    if not scope.anywhere(report):
        return report
    table = open_table(source, filename=filename, columns=POINT_COLUMNS, report=report)
    if table is None:
        return report
    keys = ReferenceKeys()
    areas = keyed_lookup(Admin1.objects.select_related("country"), "iso_code", "pcode")
    existing = {p.code: p for p in FlowPoint.objects.select_related("country")}
    seen: dict[str, int] = {}
    parsed: list[dict[str, Any]] = []
    for number, raw in table:
        report.rows += 1
        cells = RowCells(report, number, raw)
        cells.required("code", "name", "kind", "country")
        code = cells.text.get("code", "").strip().lower()
        country = keys.country(cells)
        scope.country(country)
        if code in existing:
            scope.country(existing[code].country)
        kind = (
            _choice(cells, "kind", POINT_KINDS, FlowsCode.INVALID_POINT_KIND)
            if cells.text.get("kind")
            else None
        )
        admin1 = None
        admin1_text = cells.text.get("admin1", "")
        if admin1_text and country is not None:
            admin1 = areas.get(normalize_value(admin1_text)) or keyed_lookup(
                country.admin1_areas.all(), "name"
            ).get(normalize_value(admin1_text))
            if admin1 is None or admin1.country_id != country.pk:
                cells.error(
                    "admin1",
                    ReferenceCode.UNKNOWN_ADMIN1,
                    _("“%(value)s” is not an admin-1 area of %(country)s.")
                    % {"value": admin1_text, "country": country.name},
                    admin1_text,
                )
        latitude = _coordinate(cells, "latitude", 90)
        longitude = _coordinate(cells, "longitude", 180)
        public = cells.yes_no("public") if cells.text.get("public") else False
        if not cells.ok or not cells.first_of(seen, code, "code"):
            continue
        parsed.append(
            {
                "code": code,
                "name": cells.text["name"][:200],
                "kind": kind,
                "country": country,
                "admin1": admin1,
                "admin2": cells.text.get("admin2", "")[:200],
                "latitude": latitude,
                "longitude": longitude,
                "public": bool(public),
                "project": cells.text.get("project", "").strip().lower()[:64],
            }
        )

    def write() -> None:
        for values in parsed:
            code = values.pop("code")
            point = existing.get(code) or FlowPoint(code=code)
            before = {k: getattr(point, k) for k in values} if point.pk else None
            for name, value in values.items():
                setattr(point, name, value)
            if before is not None and all(getattr(point, k) == v for k, v in before.items()):
                report.unchanged += 1
                continue
            point.full_clean()
            point.save()
            if before is None:
                report.imported += 1
            else:
                report.updated += 1
        import_audit_record(
            acting_user=acting_user, kind="flows-points", filename=filename, report=report
        )

    scope.refuse(report)
    return write_whole_file(report, write)


@dataclass(frozen=True)
class CountFigure:
    """One figure of a day at a point, as a form or a file gives it."""

    direction: str
    nationality: str
    people: int
    sex: str = Sex.UNKNOWN
    age_group: str = AgeGroup.UNKNOWN
    transport: str = Transport.UNKNOWN

    def key(self) -> tuple[str, str, str, str, str]:
        return (self.direction, self.nationality, self.sex, self.age_group, self.transport)


def _count_row(
    cells: RowCells, points: dict[str, FlowPoint], today: dt.date
) -> tuple[FlowPoint, dt.date, CountFigure] | None:
    cells.required("date", "point", "direction", "nationality", "people")
    day = cells.date("date")
    if day is not None and day > today:
        cells.error(
            "date",
            FlowsCode.DATE_IN_FUTURE,
            FlowsCode.DATE_IN_FUTURE.text(value=day),
            cells.text["date"],
        )
    point_text = cells.text.get("point", "")
    point = points.get(normalize_value(point_text)) if point_text else None
    if point_text and point is None:
        cells.error(
            "point",
            FlowsCode.UNKNOWN_POINT,
            FlowsCode.UNKNOWN_POINT.text(value=point_text),
            point_text,
        )
    direction = (
        _choice(cells, "direction", DIRECTIONS, FlowsCode.INVALID_DIRECTION)
        if cells.text.get("direction")
        else None
    )
    nationality_text = cells.text.get("nationality", "")
    nationality = nation_code(nationality_text) if nationality_text else None
    if nationality_text and nationality is None:
        cells.error(
            "nationality",
            FlowsCode.UNKNOWN_NATIONALITY,
            FlowsCode.UNKNOWN_NATIONALITY.text(value=nationality_text),
            nationality_text,
        )
    sex = _choice(cells, "sex", SEXES, FlowsCode.INVALID_SEX)
    age_group = _choice(cells, "age_group", AGE_GROUPS, FlowsCode.INVALID_AGE_GROUP)
    transport = _choice(cells, "transport", TRANSPORTS, FlowsCode.INVALID_TRANSPORT)
    people = cells.figure("people")
    if not cells.ok:
        return None
    assert point is not None and day is not None  # noqa: S101  (required cells were read)
    figure = CountFigure(
        direction=str(direction),
        nationality=str(nationality),
        people=int(people),
        sex=str(sex),
        age_group=str(age_group),
        transport=str(transport),
    )
    return point, day, figure


def _store_counts(
    rows: list[tuple[FlowPoint, dt.date, CountFigure]],
    *,
    source: str,
    submission_id: str = "",
) -> tuple[int, int, int]:
    """Write figures by key: (created, updated, unchanged). The stored figures of the
    points and days named are read once."""
    points = {p.pk for p, _d, _f in rows}
    days = {d for _p, d, _f in rows}
    stored = {
        (c.point_id, c.date, c.direction, c.nationality, c.sex, c.age_group, c.transport): c
        for c in FlowCount.objects.filter(point_id__in=points, date__in=days)
    }
    created: list[FlowCount] = []
    changed: list[FlowCount] = []
    unchanged = 0
    for point, day, figure in rows:
        count = stored.get((point.pk, day, *figure.key()))
        if count is None:
            created.append(
                FlowCount(
                    point=point,
                    date=day,
                    direction=figure.direction,
                    nationality=figure.nationality,
                    sex=figure.sex,
                    age_group=figure.age_group,
                    transport=figure.transport,
                    people=figure.people,
                    source=source,
                    submission_id=submission_id,
                )
            )
        elif count.people == figure.people and count.submission_id == submission_id:
            unchanged += 1
        else:
            count.people = figure.people
            count.source = source
            count.submission_id = submission_id
            changed.append(count)
    FlowCount.objects.bulk_create(created, batch_size=2000)
    now = timezone.now()
    for count in changed:
        count.updated_at = now
    FlowCount.objects.bulk_update(
        changed, ["people", "source", "submission_id", "updated_at"], batch_size=2000
    )
    return len(created), len(changed), unchanged


def _is_hashtag_row(raw: dict[str, Any]) -> bool:
    texts = [str(v).strip() for v in raw.values() if v not in (None, "")]
    return bool(texts) and all(t.startswith("#") for t in texts)


def flow_counts_import(
    *,
    source: Any,
    filename: str,
    dry_run: bool = False,
    acting_user: Actor | None = None,
    policy: str = ImportPolicy.REJECT_FILE,
) -> ImportReport:
    """Daily counts, one row per point, day, direction, nationality, sex, age group and
    means of transport. A row whose key is stored replaces its figure. `reject-file`:
    any error and nothing is written; `keep-good-rows`: the valid rows are written
    together, the others reported. A file naming a point outside the acting user's scope
    is refused whole either way."""
    if policy not in POLICIES:
        raise ValueError(policy)
    report = ImportReport(dry_run=dry_run)
    scope = ImportScope(acting_user, MANAGE_FLOWS)
    if not scope.anywhere(report):
        return report
    table = open_table(source, filename=filename, columns=COUNT_COLUMNS, report=report)
    if table is None:
        return report
    points = keyed_lookup(FlowPoint.objects.select_related("country"), "code")
    today = timezone.localdate()
    seen: dict[tuple, int] = {}
    rows: list[tuple[FlowPoint, dt.date, CountFigure]] = []
    for number, raw in table:
        if report.rows == 0 and _is_hashtag_row(raw):
            continue  # the HXL row of an export (/flows/export.hxl)
        report.rows += 1
        cells = RowCells(report, number, raw)
        parsed = _count_row(cells, points, today)
        if parsed is None:
            continue
        point, day, figure = parsed
        scope.country(point.country)
        message = _(
            "The same point, day, direction, nationality, sex, age group and means of "
            "transport are already in row %(row)s."
        )
        if cells.first_of(seen, (point.pk, day, *figure.key()), "people", message):
            rows.append(parsed)

    def write() -> None:
        report.imported, report.updated, report.unchanged = _store_counts(
            rows, source=Source.IMPORT
        )
        import_audit_record(
            acting_user=acting_user, kind="flows-counts", filename=filename, report=report
        )

    scope.refuse(report)
    file_refused = any(e.row is None or e.row == 1 for e in report.errors)
    if policy == ImportPolicy.REJECT_FILE or file_refused or not report.errors:
        return write_whole_file(report, write)
    # keep-good-rows: the valid rows, all of them or none.
    if rows:
        try:
            with transaction.atomic():
                write()
                if dry_run:
                    raise RollbackImport
        except RollbackImport:
            pass
    return report


@transaction.atomic
def flow_counts_record(
    *,
    point: FlowPoint,
    date: dt.date,
    figures: list[CountFigure],
    submission_id: str,
    acting_user: Actor | None,
) -> tuple[int, int, int]:
    """The counts a submitted form gives for one point and day: (created, updated,
    unchanged). An edited submission (OpenRosa `deprecatedID`) first withdraws what the
    one it replaces wrote (`flow_counts_withdraw`), then records its own."""
    totals: dict[tuple, CountFigure] = {}
    for figure in figures:
        # A form may give the same key twice (two lines of the tally sheet): added up.
        key = figure.key()
        if key in totals:
            figure = CountFigure(
                direction=figure.direction,
                nationality=figure.nationality,
                sex=figure.sex,
                age_group=figure.age_group,
                transport=figure.transport,
                people=totals[key].people + figure.people,
            )
        totals[key] = figure
    result = _store_counts(
        [(point, date, f) for f in totals.values()], source=Source.FORM, submission_id=submission_id
    )
    audit_record(
        acting_user=acting_user,
        action="flows.counts_recorded",
        target=point,
        data={"date": date.isoformat(), "submission": submission_id, "figures": len(totals)},
    )
    return result


@transaction.atomic
def flow_counts_withdraw(*, submission_id: str, acting_user: Actor | None) -> int:
    """Delete the counts a submission wrote (it was edited, or rejected on review)."""
    if not submission_id:
        return 0
    deleted, _detail = FlowCount.objects.filter(submission_id=submission_id).delete()
    SurveySummary.objects.filter(submission_id=submission_id).delete()
    if deleted:
        AuditRecord.objects.create(
            actor=signed_in(acting_user),
            action="flows.counts_withdrawn",
            target_type="submission",
            target_id=submission_id[:64],
            data={"deleted": deleted},
        )
    return deleted


@transaction.atomic
def survey_summary_record(
    *,
    point: FlowPoint,
    date: dt.date,
    submission_id: str,
    nationality: str,
    acting_user: Actor | None,
    sex: str = Sex.UNKNOWN,
    age_group: str = AgeGroup.UNKNOWN,
    group_size: int = 1,
    transport: str = Transport.UNKNOWN,
    destination: str = "",
    documentation: str = "",
    needs: Iterable[str] = (),
    incidents: Iterable[str] = (),
    source: str = Source.FORM,
) -> SurveySummary:
    """The summary of one flow-monitoring survey (the form's answers as the dashboards
    and the planning figures read them); the same submission again replaces it."""
    values = {
        "point": point,
        "date": date,
        "source": source,
        "nationality": nationality,
        "sex": sex,
        "age_group": age_group,
        "group_size": group_size,
        "transport": transport,
        "destination": destination,
        "documentation": documentation,
        "needs": sorted(set(needs)),
        "incidents": sorted(set(incidents)),
    }
    summary = (
        SurveySummary.objects.filter(submission_id=submission_id).order_by().first()
        if submission_id
        else None
    ) or SurveySummary(submission_id=submission_id)
    for name, value in values.items():
        setattr(summary, name, value)
    # A point read from the database exists: its check would only ask again.
    summary.full_clean(exclude=["point"] if point.pk else None, validate_constraints=False)
    summary.save()
    return summary


def survey_summary_from_answers(
    *,
    answers: dict[str, Any],
    submission_id: str,
    acting_user: Actor | None,
    point: FlowPoint | None = None,
) -> SurveySummary | None:
    """The summary of a submission of the shipped flow-monitoring survey
    (data/flow-monitoring-survey.toml), from its answers by field path or name: select_multiple
    answers as lists or space-separated text, the repeat `travellers` as a list. None
    when the person did not consent or the point code names no point (the submission is
    kept either way; only the summary is not made)."""

    def words(value: Any) -> list[str]:
        if isinstance(value, str):
            return value.split()
        return [str(v) for v in value or []]

    # Answers keyed by their path under the form's root (`interview/point`, as the
    # collection server reads them) or by the field's name alone.
    answers = {str(key).rsplit("/", 1)[-1]: value for key, value in answers.items()}
    if answers.get("consent") != "yes":
        return None
    if point is None:
        # Point codes are unique: no ordering.
        code = str(answers.get("point", "")).strip().lower()
        point = FlowPoint.objects.filter(code=code).order_by().first()
    if point is None:
        return None
    date = answers.get("survey_date")
    if isinstance(date, str):
        date = dt.date.fromisoformat(date[:10])
    age = answers.get("age")
    age_group = AgeGroup.UNKNOWN
    if age not in (None, ""):
        age_group = AgeGroup.OLDER if int(age) >= 60 else AgeGroup.ADULTS
    destination = str(answers.get("destination") or "")
    nationality = str(answers.get("nationality") or "")
    transport = str(answers.get("transport") or "")
    return survey_summary_record(
        point=point,
        date=date or timezone.localdate(),
        submission_id=submission_id,
        nationality=nationality if len(nationality) == 3 else "",
        sex=str(answers.get("sex") or Sex.UNKNOWN),
        age_group=age_group,
        group_size=1 + len(answers.get("travellers") or []),
        transport=transport if transport in Transport.values else Transport.OTHER,
        destination=destination if len(destination) == 3 else "",
        documentation=str(answers.get("documentation") or ""),
        needs=words(answers.get("needs")),
        incidents=words(answers.get("incidents")),
        acting_user=acting_user,
    )


@transaction.atomic
def flow_points_publish(*, project: str, public: bool, acting_user: Actor | None) -> int:
    """Publish (or withdraw) the aggregates of the points a data-collection project
    monitors, as the project says: the collection server calls this when a project's
    choice changes. Returns the points changed."""
    points = FlowPoint.objects.filter(project=project).exclude(public=public)
    codes = list(points.values_list("code", flat=True))
    changed = points.update(public=public)
    if changed:
        AuditRecord.objects.create(
            actor=signed_in(acting_user),
            action="flows.points_published" if public else "flows.points_withdrawn",
            target_type="project",
            target_id=project[:64],
            data={"points": codes},
        )
    return changed
