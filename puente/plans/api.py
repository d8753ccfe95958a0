"""Plans over REST: the plans a user may open, a plan's figures for a year, partners'
entries in an inter-agency plan (read, written and reviewed as on the plan's pages), and
targets. Each door reads its query with the form its page uses, so a value the page
refuses is refused here too (400 `invalid`, each wrong parameter named in `detail`)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from puente.accounts.permissions import Action
from puente.core.api import form_invalid
from puente.core.codes import CoreCode
from puente.core.exports import json_number
from puente.core.tabular import normalize_value
from puente.needs.forms import PlanningQueryForm
from puente.plans.forms import EntryReviewForm, PlanEntryFilterForm, PlanYearForm
from puente.plans.models import Plan, PlanEntry
from puente.plans.selectors import (
    access_plan,
    access_plan_entry,
    plan_default_year,
    plan_entries_matching,
    plan_entry_organisations,
    plan_summary,
    plans_visible,
)
from puente.plans.services.entries import plan_entry_save
from puente.plans.services.review import plan_entry_review
from puente.plans.targets import target_rows, targets_read_check
from puente.reference.codes import ReferenceCode
from puente.reference.selectors import (
    country_lookup,
    keyed_lookup,
    population_group_lookup,
    sector_lookup,
)


def _number(value: Any) -> Any:
    return json_number(value) if isinstance(value, Decimal) else value


class PlanSerializer(serializers.ModelSerializer):
    organisation = serializers.CharField(
        source="organisation.acronym", default=None, allow_null=True
    )
    countries: serializers.SlugRelatedField = serializers.SlugRelatedField(
        many=True, read_only=True, slug_field="iso3"
    )
    part_of: serializers.SlugRelatedField = serializers.SlugRelatedField(
        read_only=True, slug_field="code", allow_null=True
    )

    class Meta:
        model = Plan
        fields = [
            "code",
            "name_en",
            "name_es",
            "name_pt",
            "kind",
            "organisation",
            "start_year",
            "end_year",
            "countries",
            "status",
            "figures_as_of",
            "source",
            "split",
            "part_of",
        ]


class PlanListApi(generics.ListAPIView):
    """The plans the caller may open, as on the plans page."""

    serializer_class = PlanSerializer
    pagination_class = None

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return (
            plans_visible(self.request.user)
            .select_related("organisation")
            .prefetch_related("countries")
        )


def _year(request: Request, plan: Plan) -> int:
    form = PlanYearForm(request.query_params, plan=plan)
    if not form.is_valid():
        raise form_invalid(form)
    return form.cleaned_data["year"] or plan_default_year(plan)


class PlanDetailApi(APIView):
    """A plan's figures for one of its years (the latest with requirements by default):
    requirement, people targeted and funding, by country, sector and activity area, as
    the plan's page shows them."""

    @extend_schema(
        parameters=[
            OpenApiParameter("year", str, description="YYYY, a year of the plan; empty: the latest")
        ],
        responses={200: dict},
    )
    def get(self, request: Request, code: str) -> Response:
        plan = access_plan(request.user, code)
        year = _year(request, plan)
        summary = plan_summary(plan, year=year)
        return Response(
            {
                "plan": PlanSerializer(plan).data,
                "year": year,
                "requirement_usd": _number(summary["requirement_usd"]),
                "people_targeted": summary["people_targeted"],
                "funded_usd": _number(summary["funded_usd"]),
                "percent_funded": summary["percent_funded"],
                "funding_sources": summary["funding_sources"],
                "countries": [
                    {
                        "country": row["country"].iso3 if row["country"] else None,
                        "requirement_usd": _number(row["requirement_usd"]),
                        "people_targeted": row["people_targeted"],
                        "funded_usd": _number(row["funded_usd"]),
                    }
                    for row in summary["countries"]
                ],
                "sectors": [
                    {
                        "sector": row["sector"].code,
                        "requirement_usd": _number(row["requirement_usd"]),
                    }
                    for row in summary["sectors"]
                ],
                "activity_areas": [
                    {
                        "activity_area": area["area"].code,
                        "objective": block["objective"].number if block["objective"] else None,
                        "priority": area["area"].priority,
                        "requirement_usd": _number(area["requirement_usd"]),
                    }
                    for block in summary["objectives"]
                    for area in block["areas"]
                ],
            }
        )


class PlanEntrySerializer(serializers.ModelSerializer):
    organisation = serializers.CharField(source="organisation.acronym")
    country = serializers.CharField(source="country.iso3")
    sector = serializers.CharField(source="sector.code")
    requirement_usd = serializers.SerializerMethodField()
    targets = serializers.SerializerMethodField()

    class Meta:
        model = PlanEntry
        fields = [
            "id",
            "organisation",
            "country",
            "sector",
            "year",
            "requirement_usd",
            "activities",
            "targets",
            "status",
            "review_comment",
            "updated_at",
        ]

    @extend_schema_field(OpenApiTypes.NUMBER)
    def get_requirement_usd(self, entry: PlanEntry) -> float | int:
        """A number, as every money figure of the API (`funding-summary` too)."""
        return json_number(entry.requirement_usd)  # type: ignore[no-any-return]

    def get_targets(self, entry: PlanEntry) -> dict[str, int]:
        return {t.population_group.code: t.people for t in entry.targets.all()}


class PlanEntryWriteSerializer(serializers.Serializer):
    """An entry as a partner writes it on the entry form: codes for the organisation,
    country, sector and population groups."""

    organisation = serializers.CharField(max_length=200, help_text="acronym or name")
    country = serializers.CharField(max_length=100, help_text="ISO3, ISO2 or name")
    sector = serializers.CharField(max_length=100, help_text="sector code or name")
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    requirement_usd = serializers.DecimalField(
        max_digits=16, decimal_places=2, min_value=Decimal(0), help_text="US dollars"
    )
    activities = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=10000
    )
    targets = serializers.DictField(
        child=serializers.IntegerField(min_value=0, max_value=10**10),
        required=False,
        default=dict,
        help_text="people targeted by population group code",
    )
    submit = serializers.BooleanField(default=False, help_text="submit for review")


class PlanEntryListCreateApi(generics.ListAPIView):
    """GET: the entries of an inter-agency plan the caller may see, filtered as on the
    plan's page (`year`, `country`, `sector`, `org`, `status`). POST: write (and
    optionally submit) an entry, as the entry form does."""

    serializer_class = PlanEntrySerializer

    def _plan(self) -> Plan:
        return access_plan(self.request.user, self.kwargs["code"])

    def get_queryset(self):  # type: ignore[no-untyped-def]
        plan = self._plan()
        filters = PlanEntryFilterForm(self.request.query_params, plan=plan)
        if not filters.is_valid():
            raise form_invalid(filters)
        return plan_entries_matching(self.request.user, plan, filters.cleaned_data)

    @extend_schema(
        parameters=[
            OpenApiParameter("year", str, description="YYYY, a year of the plan; empty: all"),
            OpenApiParameter("country", str, description="ISO3 of a country of the plan"),
            OpenApiParameter("sector", str, description="sector code"),
            OpenApiParameter("org", str, description="organisation acronym or name"),
            # Empty, like every filter of the plan page (as its form sends it): any status.
            OpenApiParameter(
                "status",
                str,
                enum=["", *[s.value for s in PlanEntry.Status]],
                description="empty: any status",
            ),
        ]
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(request=PlanEntryWriteSerializer, responses={201: PlanEntrySerializer})
    def post(self, request: Request, code: str) -> Response:
        plan = self._plan()
        organisations = plan_entry_organisations(request.user, plan)
        body = PlanEntryWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        detail: dict[str, list[str]] = {}
        lookups: dict[str, tuple[dict[str, Any], Any]] = {
            "organisation": (
                keyed_lookup(organisations, "acronym", "name"),
                _("“%(value)s” is not an organisation you may write entries for."),
            ),
            "country": (country_lookup(), ReferenceCode.UNKNOWN_COUNTRY.message),
            "sector": (sector_lookup(), ReferenceCode.UNKNOWN_SECTOR.message),
        }
        found: dict[str, Any] = {}
        for name, (lookup, message) in lookups.items():
            found[name] = lookup.get(normalize_value(str(data[name])))
            if found[name] is None:
                detail[name] = [str(message) % {"value": data[name]}]
        groups = population_group_lookup()
        targets = {}
        for group_code, people in data["targets"].items():
            group = groups.get(normalize_value(str(group_code)))
            if group is None:
                detail.setdefault("targets", []).append(
                    ReferenceCode.UNKNOWN_POPULATION_GROUP.text(value=group_code)
                )
            else:
                targets[group] = people
        if detail:
            raise CoreCode.INVALID.error(extra=detail)
        entry = plan_entry_save(
            acting_user=request.user,
            plan=plan,
            organisation=found["organisation"],
            country=found["country"],
            sector=found["sector"],
            year=data["year"],
            requirement_usd=data["requirement_usd"],
            activities=data["activities"],
            targets=targets,
            submit=data["submit"],
        )
        return Response(PlanEntrySerializer(entry).data, status=201)


class PlanEntryReviewSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=["approved", "returned"])
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class PlanEntryReviewApi(APIView):
    """The sector coordinator of the country approves a submitted entry or returns it with
    a comment, as on the plan's page."""

    @extend_schema(request=PlanEntryReviewSerializer, responses={200: PlanEntrySerializer})
    def post(self, request: Request, code: str, entry_id: int) -> Response:
        plan = access_plan(request.user, code)
        entry = access_plan_entry(request.user, plan, entry_id, Action.REVIEW_PLAN)
        form = EntryReviewForm(request.data if isinstance(request.data, Mapping) else {})
        if not form.is_valid():
            raise form_invalid(form)
        entry = plan_entry_review(
            acting_user=request.user,
            entry=entry,
            decision=form.cleaned_data["decision"],
            comment=form.cleaned_data["comment"],
        )
        return Response(PlanEntrySerializer(entry).data)


class TargetListApi(APIView):
    """Targets of a year by country, admin-1 area (empty: the whole country), sector,
    indicator (empty: the sector's target) and population group, in the columns the
    targets import reads (`puente import targets`)."""

    @extend_schema(
        parameters=[
            OpenApiParameter("year", int, required=True),
            OpenApiParameter("country", str, description="ISO3"),
        ],
        responses={200: dict},
    )
    def get(self, request: Request) -> Response:
        targets_read_check(request.user)
        form = PlanningQueryForm(request.query_params)
        if not form.is_valid():
            raise form_invalid(form)
        country = form.cleaned_data["country"]
        rows = target_rows(
            request.user,
            year=form.cleaned_data["year"],
            country_ids=(country.pk,) if country else None,
        )
        return Response(rows)
