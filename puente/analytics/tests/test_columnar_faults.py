"""A full disk while the columnar copy is written (docs/architecture.md, "Consolidated
figures"): the refresh makes the cube from the database instead, with the same figures;
every partition keeps its previous file, whole; nothing is left half-written; and once
there is room again the next refresh writes the copy again.

Two ways to fill the disk: a write that fails as a full disk fails (always), and a real,
tiny tmpfs filled to the brim (when the tests run as root, as in CI)."""

from __future__ import annotations

import errno
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from puente.analytics.models import ReachCell
from puente.analytics.services import columnar
from puente.analytics.services.columnar import extras_path, partition_path
from puente.analytics.services.cube import cube_refresh
from puente.analytics.tests.test_consolidation import YEAR, add, world  # noqa: F401
from puente.reference.models import Country

pytestmark = pytest.mark.django_db


def _cube(country_id: int) -> list[tuple[Any, ...]]:
    fields = [f.attname for f in ReachCell._meta.concrete_fields if f.attname != "id"]
    cells = ReachCell.objects.filter(year=YEAR, country_id=country_id)
    return sorted(cells.values_list(*fields), key=repr)


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _first_copy(world: dict) -> tuple[int, dict[str, bytes]]:  # noqa: F811
    colombia = Country.objects.get(iso3="COL").id
    add(world["A"], "HEA-02", 100, month=1)
    add(world["B"], "HEA-02", 40, month=2, admin1="CO-ANT")
    cube_refresh(country_ids=[colombia], year=YEAR)
    assert partition_path(YEAR, colombia).exists()
    return colombia, _files(partition_path(YEAR, colombia).parent)


def _refresh_matches_the_database(colombia: int, settings: Any) -> None:
    """The cube now holds what a refresh from the database alone makes."""
    made = _cube(colombia)
    settings.PUENTE_COLUMNAR = "off"
    cube_refresh(country_ids=[colombia], year=YEAR)
    assert made == _cube(colombia)
    settings.PUENTE_COLUMNAR = "on"


def test_a_write_failing_as_a_full_disk_keeps_the_old_copy_and_the_right_cube(
    world: dict,  # noqa: F811
    settings: Any,
    monkeypatch: Any,
    caplog: Any,
) -> None:
    colombia, before = _first_copy(world)
    folder = partition_path(YEAR, colombia).parent
    cube_before = _cube(colombia)
    # when a new row arrives and the disk is full while the copy is written
    add(world["C"], "HEA-02", 7, month=3)
    real_export = columnar._export_csv

    def full_disk(year: int, country_id: int, target: Path) -> None:
        real_export(year, country_id, target)
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(target))

    monkeypatch.setattr(columnar, "_export_csv", full_disk)
    cube_refresh(country_ids=[colombia], year=YEAR)
    # then the refresh ended, from the database: the new row is counted
    assert "could not be written" in caplog.text
    assert _cube(colombia) != cube_before
    _refresh_matches_the_database(colombia, settings)
    # the previous copy is there, byte for byte, and nothing half-written beside it
    assert _files(folder) == before
    # and with room again, the next refresh writes the copy again
    monkeypatch.setattr(columnar, "_export_csv", real_export)
    cube_refresh(country_ids=[colombia], year=YEAR)
    assert _files(folder) != before
    assert extras_path(YEAR, colombia).exists()


def _can_mount() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


@pytest.mark.skipif(not _can_mount(), reason="mounting a tmpfs needs root")
def test_a_real_full_disk(world: dict, settings: Any, tmp_path: Path) -> None:  # noqa: F811
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(  # noqa: S603
        ["mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", str(disk)],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        if os.environ.get("CI"):
            pytest.fail(f"could not mount a tmpfs: {mounted.stderr}")
        pytest.skip(f"could not mount a tmpfs: {mounted.stderr}")
    try:
        settings.PUENTE_COLUMNAR_DIR = disk / "columnar"
        colombia, before = _first_copy(world)
        folder = partition_path(YEAR, colombia).parent
        # fill the disk to the brim
        with open(disk / "filler", "wb", buffering=0) as filler:
            try:
                while True:
                    filler.write(b"\0" * 4096)

            except OSError as exc:
                assert exc.errno == errno.ENOSPC
        cube_before = _cube(colombia)
        add(world["C"], "HEA-02", 7, month=3)
        cube_refresh(country_ids=[colombia], year=YEAR)
        assert _cube(colombia) != cube_before
        _refresh_matches_the_database(colombia, settings)
        assert _files(folder) == before
        (disk / "filler").unlink()
        cube_refresh(country_ids=[colombia], year=YEAR)
        assert _files(folder) != before
    finally:
        subprocess.run(["umount", str(disk)], check=False)  # noqa: S603, S607
