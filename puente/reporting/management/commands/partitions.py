"""`puente partitions`: the yearly partitions of the 5W table on PostgreSQL, with their
rows; `--ensure` adds those of the coming years (docs/scaling.md, "Partitions")."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from puente.reporting.partitions import (
    YEARS_AHEAD,
    partitioned,
    partitions_list,
    year_partitions_ensure,
)


class Command(BaseCommand):
    help = "List the yearly partitions of the 5W table (PostgreSQL), or add the coming years."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--ensure",
            action="store_true",
            help=f"Add a partition for each year up to --until (default: {YEARS_AHEAD} "
            "years ahead) that has none, moving its rows out of the default partition.",
        )
        parser.add_argument("--until", type=int, help="The last year --ensure adds.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not partitioned():
            self.stdout.write(
                "The 5W table is not partitioned: partitions are PostgreSQL's "
                "(run `puente migrate` there); on SQLite one table holds every year."
            )
            return
        if options["ensure"]:
            until = options["until"] or timezone.localdate().year + YEARS_AHEAD
            added = year_partitions_ensure(until=until)
            self.stdout.write(
                f"Added: {', '.join(str(y) for y in added)}." if added else "Nothing to add."
            )
        for partition in partitions_list():
            self.stdout.write(f"{partition.name}: {partition.rows}")
