"""Channel integrations over REST: a RapidPro webhook (or any gateway) posts the messages
of one channel, authenticated by that channel's token (`Authorization: Token <token>`)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from puente.core.codes import ErrorCode
from puente.feedback.codes import FeedbackCode
from puente.feedback.models import Consent, Feedback, FeedbackChannel, FeedbackType, Sex
from puente.feedback.services.channels import channel_authenticate
from puente.feedback.services.intake import feedback_create, receipt_display
from puente.partners.codes import PartnersCode
from puente.partners.models import Organisation
from puente.reference.codes import ReferenceCode
from puente.reference.models import Admin1, Country, PopulationGroup, Sector

# Messages that do not say their type, on a channel without a default type.
DEFAULT_TYPE_CODE = "question"


class ChannelTokenAuthentication(BaseAuthentication):
    """`Authorization: Token <token>` checked against the channel named in the URL."""

    keyword = "token"

    def authenticate(self, request: Request) -> tuple[Any, FeedbackChannel] | None:
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed()
        code = request.parser_context["kwargs"].get("code", "")  # type: ignore[index]
        channel = channel_authenticate(code=code, token=header[1].decode("latin-1"))
        if channel is None:
            raise exceptions.AuthenticationFailed()
        return AnonymousUser(), channel

    def authenticate_header(self, request: Request) -> str:
        return "Token"


class ChannelTokenScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    target_class = "puente.feedback.api.ChannelTokenAuthentication"
    name = "channelToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "Token <channel token> (puente feedback-channel-token CHANNEL)",
        }


class IsChannel(BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        return isinstance(request.auth, FeedbackChannel)


class ContactSerializer(serializers.Serializer):
    name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    urn = serializers.CharField(required=False, allow_blank=True, max_length=200)


class InputSerializer(serializers.Serializer):
    text = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    urn = serializers.CharField(required=False, allow_blank=True, max_length=200)
    uuid = serializers.CharField(required=False, allow_blank=True, max_length=128)


class ChannelMessageSerializer(serializers.Serializer):
    """A plain message, or RapidPro's webhook body (`contact` and `input` objects)."""

    text = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    urn = serializers.CharField(required=False, allow_blank=True, max_length=200)
    name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    contact = ContactSerializer(required=False)
    input = InputSerializer(required=False)
    id = serializers.CharField(required=False, allow_blank=True, max_length=128)
    type = serializers.CharField(required=False, allow_blank=True)
    country = serializers.CharField(required=False, allow_blank=True)
    admin1 = serializers.CharField(required=False, allow_blank=True)
    sector = serializers.CharField(required=False, allow_blank=True)
    organisation = serializers.CharField(required=False, allow_blank=True)
    population_group = serializers.CharField(required=False, allow_blank=True)
    sex = serializers.ChoiceField(choices=Sex.values, required=False, allow_blank=True)
    age = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=120)
    language = serializers.CharField(required=False, allow_blank=True, max_length=8)
    anonymous = serializers.BooleanField(required=False, default=False)
    consent = serializers.ChoiceField(
        choices=[Consent.GIVEN, Consent.REFUSED], required=False, allow_blank=True
    )


def _lookup(model: Any, field: str, value: str, code: ErrorCode) -> Any:
    if not value:
        return None
    found = model.objects.filter(**{f"{field}__iexact": value}).first()
    if found is None:
        raise code.error(value=value)
    return found


def _message_fields(channel: FeedbackChannel, data: dict[str, Any]) -> dict[str, Any]:
    contact = data.get("contact") or {}
    given = data.get("input") or {}
    country = _lookup(Country, "iso3", data.get("country", ""), ReferenceCode.UNKNOWN_COUNTRY)
    country = country or channel.country
    if country is None:
        raise FeedbackCode.COUNTRY_REQUIRED.error()
    feedback_type = _lookup(
        FeedbackType,
        "code",
        data.get("type", ""),
        FeedbackCode.UNKNOWN_FEEDBACK_TYPE,
    )
    feedback_type = (
        feedback_type or channel.default_type or FeedbackType.objects.get(code=DEFAULT_TYPE_CODE)
    )
    return {
        "channel": channel,
        "feedback_type": feedback_type,
        "country": country,
        "admin1": _lookup(
            Admin1,
            "iso_code",
            data.get("admin1", ""),
            ReferenceCode.UNKNOWN_ADMIN1,
        ),
        "sector": _lookup(Sector, "code", data.get("sector", ""), ReferenceCode.UNKNOWN_SECTOR),
        "organisation": _lookup(
            Organisation,
            "acronym",
            data.get("organisation", ""),
            PartnersCode.UNKNOWN_ORGANISATION,
        ),
        "population_group": _lookup(
            PopulationGroup,
            "code",
            data.get("population_group", ""),
            ReferenceCode.UNKNOWN_POPULATION_GROUP,
        ),
        "text": data.get("text") or given.get("text") or "",
        "name": data.get("name") or contact.get("name") or "",
        "contact": data.get("urn") or given.get("urn") or contact.get("urn") or "",
        "anonymous": data.get("anonymous", False),
        "sex": data.get("sex", ""),
        "age": data.get("age"),
        "language": data.get("language", ""),
        "consent": data.get("consent", ""),
        "external_id": data.get("id") or given.get("uuid") or "",
    }


class ChannelMessageCreateApi(APIView):
    authentication_classes = [ChannelTokenAuthentication]
    permission_classes = [IsChannel]

    @extend_schema(request=ChannelMessageSerializer, responses={201: dict, 200: dict})
    def post(self, request: Request, code: str) -> Response:
        channel: FeedbackChannel = request.auth  # type: ignore[assignment]
        serializer = ChannelMessageSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = _message_fields(channel, dict(serializer.validated_data))
        if fields["external_id"]:
            existing = Feedback.objects.filter(
                channel=channel, external_id=fields["external_id"]
            ).first()
            if existing is not None:
                # A webhook retried: the message is already stored.
                return Response(
                    {"id": existing.pk, "status": existing.status, "duplicate": True},
                    status=status.HTTP_200_OK,
                )
        item, receipt = feedback_create(acting_user=None, **fields)
        return Response(
            {
                "id": item.pk,
                "receipt_code": receipt_display(receipt),
                "status": item.status,
                "type": item.type.code,
                "duplicate": False,
            },
            status=status.HTTP_201_CREATED,
        )
