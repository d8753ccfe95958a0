from typing import Any

from django.apps import AppConfig


class FundingConfig(AppConfig):
    name = "puente.funding"
    label = "funding"

    def ready(self) -> None:
        from puente.funding.selectors import funding_by, funding_sources
        from puente.plans.selectors import PlanFunding, plan_funding_reader_set

        # The plan pages show each country's funding beside its requirement, and where
        # the contributions were recorded from.
        def reader(plan: Any, year: int) -> PlanFunding:
            return PlanFunding(
                by_country=dict(funding_by(plan, by=("country",), year=year)),
                sources=funding_sources(plan, year=year),
            )

        plan_funding_reader_set(reader)
