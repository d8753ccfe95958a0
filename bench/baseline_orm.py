"""The baseline: how typical Django import tools work. openpyxl reads the workbook row by
row; each row looks up its references with one ORM query each and is saved with
update_or_create, inside one transaction (rolled back at the end to leave the database
as it was). Prints {"rows": N, "seconds": S}."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "puente.settings")

import django  # noqa: E402

django.setup()

import openpyxl  # noqa: E402
from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from puente.partners.models import Organisation  # noqa: E402
from puente.reference.models import Admin1, Country, Indicator, PopulationGroup  # noqa: E402
from puente.reporting.models import ActivityRow  # noqa: E402


def number(value):
    return None if value in (None, "") else int(value)


def main(path: str, limit: int) -> None:
    started = time.perf_counter()
    workbook = openpyxl.load_workbook(path, read_only=True)
    rows = workbook.active.iter_rows(values_only=True)
    header = next(rows)
    count = 0
    with transaction.atomic():
        for values in rows:
            if count >= limit:
                break
            row = dict(zip(header, values, strict=False))
            year, month = (int(p) for p in str(row["month"]).split("-")[:2])
            country = Country.objects.get(iso3=row["country"])
            admin1 = Admin1.objects.get(iso_code=row["admin1"], country=country)
            org = Organisation.objects.get(acronym=row["appealing_org"])
            indicator = Indicator.objects.select_related("sector", "subsector").get(
                code=row["indicator"]
            )
            group = PopulationGroup.objects.get(code=row["population_group"])
            key = uuid.uuid5(
                uuid.NAMESPACE_OID,
                "|".join(
                    str(row[h])
                    for h in (
                        "month",
                        "country",
                        "admin1",
                        "admin2",
                        "appealing_org",
                        "indicator",
                        "activity",
                        "modality",
                        "population_group",
                    )
                ),
            )
            ActivityRow.objects.update_or_create(
                row_key=key,
                defaults={
                    "month": dt.date(year, month, 1),
                    "country": country,
                    "admin1": admin1,
                    "admin2": row["admin2"] or "",
                    "appealing_org": org,
                    "implementing_org": org,
                    "indicator": indicator,
                    "sector": indicator.reporting_sector,
                    "activity": row["activity"] or "",
                    "rmrp_activity": True,
                    "modality": row["modality"],
                    "population_group": group,
                    "cva_value_usd": row["cva_value_usd"] or None,
                    "quantity": number(row["quantity"]),
                    "total_monthly": number(row["total_monthly"]),
                    "new_beneficiaries": number(row["new_beneficiaries"]),
                    "girls": number(row["girls"]),
                    "boys": number(row["boys"]),
                    "women": number(row["women"]),
                    "men": number(row["men"]),
                    "other": number(row["other"]),
                    "disability": number(row["disability"]),
                    "status": "submitted",
                    "updated_at": timezone.now(),
                },
            )
            count += 1
        transaction.set_rollback(True)
    print(json.dumps({"rows": count, "seconds": time.perf_counter() - started}))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
