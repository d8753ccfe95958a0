from django.apps import AppConfig


class SiteConfig(AppConfig):
    """The project's wiring: the home page, the main menu, the API's URL map, the pages
    that read several apps at once (the gap view), and the commands that reach every app
    (`puente import`, `puente worker`). The top layer: it may import every app, and no
    app imports it (docs/architecture.md)."""

    name = "puente.site"
    label = "site"
    verbose_name = "Puente site"
