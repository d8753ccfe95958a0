"""5W rows out, in the canonical columns of the import file (so an export can be edited
and imported again), plus the status. HXL hashtags follow DOMAIN.md."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet

from puente.core import exports
from puente.reporting.models import ActivityRow

EXPORT_COLUMNS = [
    ("month", "#date+month"),
    ("country", "#country+code"),
    ("admin1", "#adm1+code"),
    ("admin1_name", "#adm1+name"),
    ("admin2", "#adm2+name"),
    ("appealing_org", "#org+name+appealing"),
    ("implementing_org", "#org+name+impl"),
    ("indicator", "#indicator+code"),
    ("sector", "#sector+code"),
    ("activity", "#activity+description"),
    ("rmrp_activity", "#activity+rmrp"),
    ("modality", "#modality"),
    ("cva_value_usd", "#value+usd"),
    ("delivery_mechanism", "#modality+mechanism"),
    ("conditionality", "#modality+conditionality"),
    ("restriction", "#modality+restriction"),
    ("population_group", "#population+type"),
    ("quantity", "#output+num"),
    ("total_monthly", "#reached+total+monthly"),
    ("new_beneficiaries", "#reached+new"),
    ("girls", "#reached+f+children"),
    ("boys", "#reached+m+children"),
    ("women", "#reached+f+adults"),
    ("men", "#reached+m+adults"),
    ("other", "#reached+other"),
    ("disability", "#reached+disabled"),
    ("status", "#status"),
]
HEADERS = [c for c, _tag in EXPORT_COLUMNS]
HXL_TAGS = [t for _c, t in EXPORT_COLUMNS]


def _values(rows: QuerySet[ActivityRow]) -> Iterator[list[Any]]:
    fields = (
        "month",
        "country__iso3",
        "admin1__iso_code",
        "admin1__name",
        "admin2",
        "appealing_org__acronym",
        "implementing_org__acronym",
        "indicator__code",
        "sector__code",
        "activity",
        "rmrp_activity",
        "modality",
        "cva_value_usd",
        "delivery_mechanism",
        "conditionality",
        "restriction",
        "population_group__code",
        "quantity",
        "total_monthly",
        "new_beneficiaries",
        "girls",
        "boys",
        "women",
        "men",
        "other",
        "disability",
        "status",
    )
    for values in (
        rows.order_by("month", "country__iso3", "id").values_list(*fields).iterator(chunk_size=5000)
    ):
        month = values[0]
        yield [month.strftime("%Y-%m"), *values[1:]]


def rows_export(rows: QuerySet[ActivityRow], *, file_format: str) -> tuple[bytes, str, str]:
    """Returns (content, content type, file extension)."""
    return exports.table_file(
        file_format if file_format in exports.FORMATS else "csv",
        HEADERS,
        _values(rows),
        hxl=HXL_TAGS,
        sheet="5W",
    )
