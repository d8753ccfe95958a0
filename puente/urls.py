from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from puente.analytics import views as analytics_views
from puente.flows import views as flows_views
from puente.plans import views as plans_views
from puente.site import health_views, metrics_views
from puente.site import views as site_views

handler404 = "puente.core.api.not_found"  # JSON under /api/, the page elsewhere
handler400 = "puente.core.api.bad_request"

urlpatterns = [
    path("", site_views.home, name="home"),
    path("favicon.ico", site_views.favicon, name="favicon"),
    path("healthz", health_views.healthz, name="healthz"),
    path("readyz", health_views.readyz, name="readyz"),
    path("metrics", metrics_views.metrics, name="metrics"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("puente.accounts.urls")),
    path("partners/<str:acronym>/", site_views.organisation_detail, name="organisation"),
    path("partners/", include("puente.partners.urls")),
    path("reference/", include("puente.reference.urls")),
    path("reporting/", include("puente.reporting.urls")),
    path("dashboard/gap/", site_views.gap, name="gap"),
    path("dashboard/gap/export.<str:file_format>", site_views.gap_export, name="gap-export"),
    path("dashboard/", include("puente.analytics.urls")),
    path("plans/", include("puente.plans.urls")),
    path("needs/", include("puente.needs.urls")),
    path("funding/", include("puente.funding.urls")),
    path("feedback/", include("puente.feedback.urls")),
    path("flows/", include("puente.flows.urls")),
    # Pages under forms/, the OpenRosa server under collect/<project>/.
    path("", include("puente.collect.urls")),
    path("public/", analytics_views.public_dashboard, name="public-dashboard"),
    path("public/data.json", analytics_views.public_data, name="public-dashboard-data"),
    path("public/geo.json", analytics_views.geo, name="public-geo"),
    path("public/export.<str:file_format>", analytics_views.public_export, name="public-export"),
    path("public/flows/", flows_views.public_dashboard, name="public-flows"),
    path("public/plans/", plans_views.public_plans, name="public-plans"),
    path("public/plans/<slug:code>/", plans_views.public_plan_page, name="public-plan"),
    path("api/", include("puente.site.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("admin/", admin.site.urls),
]
