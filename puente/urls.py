from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from puente.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("puente.accounts.urls")),
    path("partners/", include("puente.partners.urls")),
    path("reference/", include("puente.reference.urls")),
    path("reporting/", include("puente.reporting.urls")),
    path("api/", include("puente.core.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("admin/", admin.site.urls),
]
