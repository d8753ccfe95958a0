from typing import Any

from django.apps import AppConfig


class FundingConfig(AppConfig):
    name = "puente.funding"
    label = "funding"

    def ready(self) -> None:
        from puente.funding.selectors import funding_by
        from puente.plans.selectors import plan_funding_reader_set

        # The plan pages show each country's funding beside its requirement.
        def by_country(plan: Any, year: int) -> dict[tuple[Any, ...], dict[str, Any]]:
            return dict(funding_by(plan, by=("country",), year=year))

        plan_funding_reader_set(by_country)
