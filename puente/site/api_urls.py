from django.urls import include, path

from puente.analytics import api as analytics_api
from puente.funding import api as funding_api
from puente.needs import api as needs_api
from puente.partners import api as partners_api
from puente.plans import api as plans_api
from puente.reference import api as reference_api
from puente.reporting import api as reporting_api

urlpatterns = [
    path("countries/", reference_api.CountryListApi.as_view(), name="api-countries"),
    path("sectors/", reference_api.SectorListApi.as_view(), name="api-sectors"),
    path("indicators/", reference_api.IndicatorListApi.as_view(), name="api-indicators"),
    path(
        "population-groups/",
        reference_api.PopulationGroupListApi.as_view(),
        name="api-population-groups",
    ),
    path("organisations/", partners_api.OrganisationListApi.as_view(), name="api-organisations"),
    path("5w/rows/", reporting_api.RowListCreateApi.as_view(), name="api-5w-rows"),
    path("5w/rows/<int:row_id>/", reporting_api.RowDetailApi.as_view(), name="api-5w-row"),
    path("5w/imports/", reporting_api.FileImportCreateApi.as_view(), name="api-5w-imports"),
    path(
        "5w/imports/<int:batch_id>/",
        reporting_api.FileImportDetailApi.as_view(),
        name="api-5w-import",
    ),
    path("5w/reviews/", reporting_api.ReviewApi.as_view(), name="api-5w-reviews"),
    path("5w/locks/", reporting_api.LockApi.as_view(), name="api-5w-locks"),
    path("feedback/", include("puente.feedback.api_urls")),
    path("people-reached/", analytics_api.PeopleReachedApi.as_view(), name="api-people-reached"),
    path("funding-summary/", funding_api.FundingSummaryApi.as_view(), name="api-funding-summary"),
    path("plans/", plans_api.PlanListApi.as_view(), name="api-plans"),
    path("plans/<slug:code>/", plans_api.PlanDetailApi.as_view(), name="api-plan"),
    path(
        "plans/<slug:code>/entries/",
        plans_api.PlanEntryListCreateApi.as_view(),
        name="api-plan-entries",
    ),
    path(
        "plans/<slug:code>/entries/<int:entry_id>/review/",
        plans_api.PlanEntryReviewApi.as_view(),
        name="api-plan-entry-review",
    ),
    path("targets/", plans_api.TargetListApi.as_view(), name="api-targets"),
    path("needs/", needs_api.NeedListApi.as_view(), name="api-needs"),
    path("population/", needs_api.PopulationListApi.as_view(), name="api-population"),
]
