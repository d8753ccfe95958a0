"""Demo feedback: a few hundred items over five countries, in every channel and type and
at every step of the loop, some overdue. Deterministic for a seed; run twice, adds nothing."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from puente.feedback.models import (
    Consent,
    Feedback,
    FeedbackChannel,
    FeedbackStatus,
    FeedbackType,
    Satisfaction,
    SensitiveCategory,
)
from puente.feedback.services.crypto import seal
from puente.feedback.services.intake import feedback_code_list_load, feedback_create
from puente.partners.models import Organisation
from puente.reference.models import Admin1, Country, PopulationGroup, Sector

COUNTRY_WEIGHTS = {"COL": 40, "PER": 22, "ECU": 14, "BRA": 12, "CHL": 12}
TYPE_WEIGHTS = {
    "question": 34,
    "assistance": 26,
    "complaint": 12,
    "suggestion": 8,
    "appreciation": 9,
    "rumour": 5,
    "sensitive": 6,
}
CHANNEL_WEIGHTS = {
    "hotline": 30,
    "whatsapp": 25,
    "help-desk": 15,
    "web-form": 10,
    "sms": 6,
    "community-meeting": 6,
    "suggestion-box": 5,
    "email": 3,
}
# (type, sector code, Spanish text, Portuguese text)
MESSAGES = [
    (
        "question",
        "HEA",
        "¿Dónde puedo vacunar a mis hijos sin documentos?",
        "Onde posso vacinar meus filhos sem documentos?",
    ),
    (
        "question",
        "INT",
        "¿Cómo saco el permiso temporal de protección?",
        "Como faço para tirar a autorização de residência?",
    ),
    (
        "question",
        "EDU",
        "¿Mis hijos pueden entrar a la escuela a mitad de año?",
        "Meus filhos podem entrar na escola no meio do ano?",
    ),
    (
        "question",
        "MPC",
        "¿Cuándo llega la próxima transferencia de efectivo?",
        "Quando chega a próxima transferência em dinheiro?",
    ),
    (
        "assistance",
        "SHE",
        "Nos desalojaron y estamos durmiendo en la calle con dos niños.",
        "Fomos despejados e estamos dormindo na rua com duas crianças.",
    ),
    (
        "assistance",
        "FSC",
        "No tenemos comida desde hace tres días.",
        "Não temos comida há três dias.",
    ),
    (
        "assistance",
        "HEA",
        "Mi madre necesita medicamentos para la diabetes.",
        "Minha mãe precisa de remédios para diabetes.",
    ),
    (
        "assistance",
        "HTR",
        "Necesito transporte para llegar a la frontera con mi bebé.",
        "Preciso de transporte para chegar à fronteira com meu bebê.",
    ),
    (
        "complaint",
        "FSC",
        "En la distribución de kits no alcanzó para todas las familias.",
        "Na distribuição de cestas não houve para todas as famílias.",
    ),
    (
        "complaint",
        "WSH",
        "El baño del albergue lleva una semana dañado.",
        "O banheiro do abrigo está quebrado há uma semana.",
    ),
    (
        "complaint",
        "MPC",
        "Me registraron pero nunca recibí la tarjeta.",
        "Fui cadastrada mas nunca recebi o cartão.",
    ),
    (
        "suggestion",
        "PRO",
        "Sería bueno tener horarios de atención los sábados.",
        "Seria bom ter atendimento aos sábados.",
    ),
    (
        "suggestion",
        "EDU",
        "Pongan cursos de idioma para adultos en la tarde.",
        "Ofereçam cursos de idioma para adultos à tarde.",
    ),
    (
        "appreciation",
        "HEA",
        "Gracias al equipo de salud por atender a mi hija.",
        "Obrigada à equipe de saúde por atender minha filha.",
    ),
    (
        "appreciation",
        "SHE",
        "El personal del albergue nos trató muy bien.",
        "A equipe do abrigo nos tratou muito bem.",
    ),
    (
        "rumour",
        "INT",
        "Dicen que van a deportar a quien no tenga permiso este mes.",
        "Dizem que vão deportar quem não tiver documento este mês.",
    ),
    (
        "rumour",
        "MPC",
        "Dicen que hay que pagar para entrar en la lista de efectivo.",
        "Dizem que é preciso pagar para entrar na lista do dinheiro.",
    ),
    (
        "sensitive",
        "PRO",
        "Un trabajador pidió favores a cambio de incluirme en la lista.",
        "Um funcionário pediu favores em troca de me incluir na lista.",
    ),
    (
        "sensitive",
        "MPC",
        "Un promotor cobra una parte de la transferencia.",
        "Um agente cobra uma parte da transferência.",
    ),
    (
        "sensitive",
        "SHE",
        "Un guardia del albergue trata mal a las mujeres.",
        "Um segurança do abrigo trata mal as mulheres.",
    ),
]
CATEGORIES = {
    "favores": SensitiveCategory.SEXUAL_EXPLOITATION_ABUSE,
    "cobra": SensitiveCategory.FRAUD,
    "guardia": SensitiveCategory.STAFF_MISCONDUCT,
}
ANSWERS = {
    "es": "Le contactamos y le indicamos el punto de atención más cercano.",
    "pt": "Entramos em contato e indicamos o ponto de atendimento mais próximo.",
}
NAMES = ["María", "José", "Yelitza", "Carlos", "Andreína", "Luis", "Daniela", "Jesús"]


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


@transaction.atomic
def feedback_demo_create(*, seed: int, count: int = 300, today: dt.date | None = None) -> int:
    """Create the demo feedback; returns how many items were created (0 when present)."""
    feedback_code_list_load()
    if Feedback.objects.filter(external_id__startswith="demo-").exists():
        return 0
    rng = random.Random(seed)  # noqa: S311  (demo data, not secrets)
    now = timezone.now() if today is None else dt.datetime.combine(today, dt.time(12), dt.UTC)
    countries = {c.iso3: c for c in Country.objects.filter(iso3__in=COUNTRY_WEIGHTS)}
    areas: dict[str, list[Admin1]] = {}
    for area in Admin1.objects.filter(country__iso3__in=COUNTRY_WEIGHTS, parent__isnull=True):
        areas.setdefault(area.country.iso3 if area.country_id else "", []).append(area)
    types = {t.code: t for t in FeedbackType.objects.all()}
    channels = {c.code: c for c in FeedbackChannel.objects.all()}
    sectors = {s.code: s for s in Sector.objects.all()}
    groups = list(PopulationGroup.objects.all())
    organisations: dict[str, list[Organisation]] = {}
    for iso3 in COUNTRY_WEIGHTS:
        organisations[iso3] = list(
            Organisation.objects.filter(countries__iso3=iso3).order_by("acronym")[:12]
        )
    created = 0
    for index in range(count):
        type_code = _pick(rng, TYPE_WEIGHTS)
        iso3 = _pick(rng, COUNTRY_WEIGHTS)
        country = countries[iso3]
        language = "pt" if iso3 == "BRA" else "es"
        options = [m for m in MESSAGES if m[0] == type_code]
        _type, sector_code, text_es, text_pt = rng.choice(options)
        text = text_pt if language == "pt" else text_es
        received_at = now - dt.timedelta(days=rng.randint(0, 150), minutes=rng.randint(0, 1440))
        anonymous = type_code in ("sensitive", "rumour") and rng.random() < 0.5
        orgs = organisations[iso3]
        item, _code = feedback_create(
            acting_user=None,
            channel=channels[_pick(rng, CHANNEL_WEIGHTS)],
            feedback_type=types[type_code],
            country=country,
            admin1=rng.choice(areas[iso3]) if areas.get(iso3) and rng.random() < 0.8 else None,
            sector=sectors.get(sector_code),
            organisation=rng.choice(orgs) if orgs and rng.random() < 0.6 else None,
            population_group=rng.choice(groups) if groups else None,
            sex=rng.choice(["female", "female", "male", ""]),
            age=rng.randint(16, 70) if rng.random() < 0.7 else None,
            text=text,
            name="" if anonymous else rng.choice(NAMES),
            contact="" if anonymous else f"+{rng.randint(10**10, 10**11 - 1)}",
            anonymous=anonymous,
            language=language,
            sensitive_category=next(
                (c for word, c in CATEGORIES.items() if word in text_es), SensitiveCategory.OTHER
            )
            if type_code == "sensitive"
            else "",
            consent=Consent.GIVEN if rng.random() < 0.6 else "",
            external_id=f"demo-{seed}-{index}",
            received_at=received_at,
        )
        _progress(rng, item, language, now, sectors)
        created += 1
    return created


def _progress(
    rng: random.Random, item: Feedback, language: str, now: dt.datetime, sectors: dict
) -> None:
    """Move an item along the loop as far as its age makes plausible."""
    age_days = (now - item.received_at).days
    steps = 0
    if age_days > 1:
        steps = rng.choices([0, 1, 2, 3, 4], weights=[1, 2, 2, 3, 6])[0]
    if age_days > 45 and steps < 3 and rng.random() < 0.7:
        steps = 4
    if steps == 0:
        return
    at = item.received_at + dt.timedelta(hours=rng.randint(2, 60))
    item.status, item.acknowledged_at = FeedbackStatus.ACKNOWLEDGED, at
    if steps >= 2 and (not item.sensitive or item.consent == Consent.GIVEN):
        at += dt.timedelta(days=rng.randint(1, 5))
        item.status, item.referred_at = FeedbackStatus.REFERRED, at
        item.referred_to_org = item.organisation
        item.referred_to_sector = None if item.organisation else item.sector
    if steps >= 3:
        at += dt.timedelta(days=rng.randint(1, 15))
        item.status, item.responded_at = FeedbackStatus.RESPONDED, at
        item.answer_sealed = seal(ANSWERS[language])
    if steps >= 4:
        at += dt.timedelta(days=rng.randint(0, 5))
        item.status, item.closed_at = FeedbackStatus.CLOSED, at
        item.satisfaction = rng.choice([*Satisfaction.values, ""])
    if at > now:
        return
    item.save()
