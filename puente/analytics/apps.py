from typing import Any

from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "puente.analytics"
    label = "analytics"

    def ready(self) -> None:
        # The apps below announce what changed; the cube and the dashboards' cached
        # figures follow (docs/architecture.md, "Layers").
        from puente.needs.signals import needs_changed
        from puente.plans.signals import targets_changed
        from puente.reporting.signals import validated_rows_changed

        validated_rows_changed.connect(cube_refresh_on_change, dispatch_uid="cube-refresh")
        needs_changed.connect(figures_cache_clear, dispatch_uid="cube-version-needs")
        targets_changed.connect(figures_cache_clear, dispatch_uid="cube-version-targets")


def cube_refresh_on_change(
    sender: Any, *, country_ids: list[int], year: int, from_month: int, **kwargs: Any
) -> None:
    """Validated 5W rows changed: the cube of these countries, from that month of the year."""
    from puente.analytics.services.cube import cube_refresh

    cube_refresh(country_ids=country_ids, year=year, from_month=from_month)


def figures_cache_clear(sender: Any, **kwargs: Any) -> None:
    """People in need or targets changed: the dashboards' cached figures read them."""
    from puente.analytics.services.cube import cube_version_bump

    cube_version_bump()
