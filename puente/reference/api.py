from rest_framework import generics, serializers

from puente.reference.models import Country, Indicator, PopulationGroup, Sector
from puente.reference.selectors import country_list, indicator_list, sector_list


class CountrySerializer(serializers.ModelSerializer):
    platforms: serializers.SlugRelatedField = serializers.SlugRelatedField(
        many=True, read_only=True, slug_field="code"
    )

    class Meta:
        model = Country
        fields = ["iso3", "iso2", "name_en", "name_es", "name_pt", "platforms"]


class SubsectorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Sector
        fields = ["code", "name_en", "name_es", "name_pt"]


class SectorSerializer(serializers.ModelSerializer):
    subsectors = SubsectorSerializer(many=True, read_only=True)

    class Meta:
        model = Sector
        fields = ["code", "name_en", "name_es", "name_pt", "subsectors"]


class IndicatorSerializer(serializers.ModelSerializer):
    sector: serializers.SlugRelatedField = serializers.SlugRelatedField(
        read_only=True, slug_field="code"
    )
    # null for an indicator of a sector without sub-sectors (the schema says so too)
    subsector: serializers.SlugRelatedField = serializers.SlugRelatedField(
        read_only=True, slug_field="code", allow_null=True
    )
    # Where the indicator is in force (empty lists: every country; docs/methodology.md)
    countries: serializers.SlugRelatedField = serializers.SlugRelatedField(
        many=True, read_only=True, slug_field="iso3"
    )
    platforms: serializers.SlugRelatedField = serializers.SlugRelatedField(
        many=True, read_only=True, slug_field="code"
    )

    class Meta:
        model = Indicator
        fields = [
            "code",
            "sector",
            "subsector",
            "name_en",
            "name_es",
            "name_pt",
            "unit",
            "measure",
            "counts_people",
            "first_year",
            "last_year",
            "countries",
            "platforms",
        ]


class PopulationGroupSerializer(serializers.ModelSerializer):
    # The countries where the group applies (reference data a regional admin changes)
    countries: serializers.SlugRelatedField = serializers.SlugRelatedField(
        many=True, read_only=True, slug_field="iso3"
    )

    class Meta:
        model = PopulationGroup
        fields = ["code", "name_en", "name_es", "name_pt", "countries"]


class CountryListApi(generics.ListAPIView):
    serializer_class = CountrySerializer
    pagination_class = None

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return country_list()


class SectorListApi(generics.ListAPIView):
    serializer_class = SectorSerializer
    pagination_class = None

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return sector_list()


class IndicatorListApi(generics.ListAPIView):
    serializer_class = IndicatorSerializer
    pagination_class = None

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return indicator_list().prefetch_related("countries", "platforms")


class PopulationGroupListApi(generics.ListAPIView):
    serializer_class = PopulationGroupSerializer
    pagination_class = None
    queryset = PopulationGroup.objects.prefetch_related("countries")
