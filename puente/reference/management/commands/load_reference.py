from typing import Any

from puente.core.commands import PuenteCommand
from puente.reference.services import reference_load


class Command(PuenteCommand):
    help = (
        "Load or refresh countries, admin-1 areas and boundaries, platforms, population "
        "groups, sectors and the default indicators. Safe to run again."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        summary = reference_load()
        kinds = sorted(
            k
            for k in {*summary.created, *summary.updated}
            if summary.created[k] or summary.updated[k]
        )
        for kind in kinds:
            self.stdout.write(
                f"{kind}: {summary.created[kind]} created, {summary.updated[kind]} updated"
            )
        if not kinds:
            self.stdout.write("Reference data is up to date.")
