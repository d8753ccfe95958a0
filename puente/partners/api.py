from rest_framework import generics, serializers

from puente.partners.models import Organisation
from puente.partners.selectors import organisation_list


class OrganisationSerializer(serializers.ModelSerializer):
    countries: serializers.SlugRelatedField = serializers.SlugRelatedField(
        many=True, read_only=True, slug_field="iso3"
    )

    class Meta:
        model = Organisation
        fields = [
            "acronym",
            "name",
            "name_es",
            "name_pt",
            "type",
            "migrant_led",
            "women_led",
            "appealing",
            "countries",
        ]


class OrganisationListApi(generics.ListAPIView):
    serializer_class = OrganisationSerializer

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return organisation_list()
