"""A realistic, deterministic demo response: the partners of the regional plan in the
composition the plan reports, and one user for each role.

Partner names of UN agencies are real; every other demo organisation is fictional."""

from __future__ import annotations

import base64
import random
from dataclasses import dataclass

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from puente.accounts.models import Role, User
from puente.accounts.permissions import TWO_FACTOR_ROLES
from puente.accounts.services import role_assign, scope_parse, user_create
from puente.partners.models import Organisation
from puente.partners.services import organisation_upsert
from puente.reference.models import Country
from puente.reference.services import reference_load

DEMO_PASSWORD = "puente-demo-2025"  # noqa: S105  (printed on purpose: demo only)

# Composition of the 230 appealing partners of RMRP 2025-2026: 125 civil-society/national
# organisations, 64 of them refugee- and migrant-led; the rest international.
COMPOSITION = {
    Organisation.Type.NATIONAL_NGO: 61,
    Organisation.Type.REFUGEE_MIGRANT_LED: 64,
    Organisation.Type.UN_AGENCY: 15,
    Organisation.Type.INGO: 52,
    Organisation.Type.FAITH_BASED: 24,
    Organisation.Type.RED_CROSS: 9,
    Organisation.Type.ACADEMIA: 3,
    Organisation.Type.PRIVATE_SECTOR: 2,
}
WOMEN_LED_SHARE = {
    Organisation.Type.REFUGEE_MIGRANT_LED: 0.63,
    Organisation.Type.NATIONAL_NGO: 0.35,
}
UN_AGENCIES = [
    ("IOM", "International Organization for Migration"),
    ("UNHCR", "United Nations High Commissioner for Refugees"),
    ("UNICEF", "United Nations Children's Fund"),
    ("WFP", "World Food Programme"),
    ("UNFPA", "United Nations Population Fund"),
    ("PAHO", "Pan American Health Organization"),
    ("UNDP", "United Nations Development Programme"),
    ("UNWOMEN", "UN Women"),
    ("FAO", "Food and Agriculture Organization"),
    ("ILO", "International Labour Organization"),
    ("UNAIDS", "Joint United Nations Programme on HIV/AIDS"),
    ("UNESCO", "United Nations Educational, Scientific and Cultural Organization"),
    ("UNODC", "United Nations Office on Drugs and Crime"),
    ("OHCHR", "Office of the UN High Commissioner for Human Rights"),
    ("UNHABITAT", "UN-Habitat"),
]
# Weight of each country in the response (roughly where Venezuelans live).
COUNTRY_WEIGHTS = {
    "COL": 28,
    "PER": 16,
    "BRA": 10,
    "ECU": 9,
    "CHL": 9,
    "ARG": 5,
    "PAN": 3,
    "MEX": 3,
    "DOM": 3,
    "CRI": 2,
    "TTO": 2,
    "GUY": 2,
    "BOL": 2,
    "URY": 2,
    "PRY": 1,
    "ABW": 1,
    "CUW": 1,
}
CITIES = {
    "ARG": ["Buenos Aires", "Córdoba", "Mendoza", "Rosario"],
    "ABW": ["Oranjestad", "San Nicolas"],
    "BOL": ["La Paz", "Santa Cruz", "Cochabamba", "Desaguadero"],
    "BRA": ["Boa Vista", "Pacaraima", "Manaus", "São Paulo", "Curitiba"],
    "CHL": ["Santiago", "Arica", "Iquique", "Antofagasta", "Colchane"],
    "COL": ["Cúcuta", "Bogotá", "Barranquilla", "Riohacha", "Medellín", "Cali", "Ipiales"],
    "CRI": ["San José", "Upala", "Paso Canoas"],
    "CUW": ["Willemstad"],
    "DOM": ["Santo Domingo", "Santiago de los Caballeros", "Punta Cana"],
    "ECU": ["Quito", "Guayaquil", "Huaquillas", "Tulcán", "Manta"],
    "GUY": ["Georgetown", "Mabaruma", "Lethem"],
    "MEX": ["Tapachula", "Ciudad de México", "Monterrey", "Tijuana"],
    "PAN": ["Ciudad de Panamá", "Colón", "Darién"],
    "PRY": ["Asunción", "Ciudad del Este"],
    "PER": ["Lima", "Tumbes", "Tacna", "Arequipa", "Trujillo"],
    "TTO": ["Port of Spain", "San Fernando", "Chaguanas"],
    "URY": ["Montevideo", "Rivera", "Salto"],
}
SPANISH_WORDS = [
    "Esperanza",
    "Camino",
    "Puentes",
    "Horizonte",
    "Manos Unidas",
    "Semillas",
    "Nuevo Amanecer",
    "Encuentro",
    "Raíces",
    "Solidaridad",
    "Acogida",
    "Futuro",
    "Vínculos",
    "Sembrando",
    "Caminantes",
    "Dignidad",
    "Alas",
    "Tejido Social",
]
PORTUGUESE_WORDS = [
    "Esperança",
    "Caminhos",
    "Pontes",
    "Horizonte",
    "Mãos Dadas",
    "Sementes",
    "Acolhida",
    "Futuro",
    "Vínculos",
    "Raízes",
    "Dignidade",
    "Travessia",
]
ENGLISH_WORDS = [
    "Hope",
    "Pathways",
    "Bridges",
    "Horizon",
    "Open Hands",
    "Seeds",
    "Welcome",
    "Future",
    "Roots",
    "Solidarity",
    "Dignity",
    "Crossing",
]
INTERNATIONAL_WORDS = [
    "Relief",
    "Aid",
    "Rights",
    "Development",
    "Health",
    "Children",
    "Refugee Action",
    "Migration Support",
    "Humanitarian Response",
    "Education",
    "Water",
    "Food",
    "Protection",
    "Livelihoods",
]


@dataclass
class DemoUser:
    email: str
    role: str
    scope: str
    totp_key: str | None = None


def _language(iso3: str) -> str:
    if iso3 == "BRA":
        return "pt"
    if iso3 in {"GUY", "TTO", "ABW", "CUW"}:
        return "en"
    return "es"


def _national_name(rng: random.Random, org_type: str, country: Country) -> str:
    language = _language(country.iso3)
    if org_type == Organisation.Type.REFUGEE_MIGRANT_LED:
        if language == "pt":
            pattern = rng.choice(
                [
                    "Associação de Venezuelanos {w}",
                    "Rede de Migrantes {w}",
                    "Coletivo Venezuelano {w}",
                ]
            )
            return pattern.format(w=rng.choice(PORTUGUESE_WORDS))
        if language == "en":
            pattern = rng.choice(["Venezuelan Community {w}", "Migrant Network {w}"])
            return pattern.format(w=rng.choice(ENGLISH_WORDS))
        pattern = rng.choice(
            [
                "Asociación de Venezolanos {w}",
                "Red de Migrantes {w}",
                "Colectivo Venezolano {w}",
                "Unión Venezolana {w}",
                "Fundación Venezolanos en {c}",
            ]
        )
        return pattern.format(w=rng.choice(SPANISH_WORDS), c=country.name_es)
    if language == "pt":
        return rng.choice(["Instituto {w}", "Associação {w}", "Centro {w}"]).format(
            w=rng.choice(PORTUGUESE_WORDS)
        )
    if language == "en":
        return rng.choice(["{w} Foundation", "{w} Trust", "{w} Community Action"]).format(
            w=rng.choice(ENGLISH_WORDS)
        )
    return rng.choice(["Fundación {w}", "Asociación {w}", "Corporación {w}"]).format(
        w=rng.choice(SPANISH_WORDS)
    )


def _international_name(rng: random.Random, org_type: str) -> str:
    word = rng.choice(INTERNATIONAL_WORDS)
    patterns: dict[str, list[str]] = {
        Organisation.Type.INGO: ["International {w}", "{w} Without Borders", "Global {w} Alliance"],
        Organisation.Type.FAITH_BASED: ["Caritas {w}", "Faith in {w}", "Mission for {w}"],
        Organisation.Type.RED_CROSS: ["Red Cross {w} Service"],
        Organisation.Type.ACADEMIA: ["University Observatory on {w}"],
        Organisation.Type.PRIVATE_SECTOR: ["{w} Business Coalition"],
    }
    return rng.choice(patterns[org_type]).format(w=word)


def _acronym(name: str, taken: set[str], suffix: str = "") -> str:
    words = [w for w in name.replace("-", " ").split() if w[0].isalpha() and len(w) > 2]
    base = ("".join(w[0] for w in words).upper()[:6] or "ORG") + suffix
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}{n}", n + 1
    taken.add(candidate)
    return candidate


def _pick_countries(rng: random.Random, countries: list[Country], k: int) -> list[Country]:
    weights = [COUNTRY_WEIGHTS[c.iso3] for c in countries]
    chosen: dict[str, Country] = {}
    while len(chosen) < k:
        country = rng.choices(countries, weights=weights)[0]
        chosen[country.iso3] = country
    return list(chosen.values())


@transaction.atomic
def demo_partners_create(*, seed: int) -> list[Organisation]:
    rng = random.Random(seed)
    countries = list(Country.objects.order_by("iso3"))
    # Acronyms come from the seed alone, so a second run updates the same organisations.
    taken: set[str] = set()
    plan: list[dict] = []
    names: set[str] = set()
    for acronym, name in UN_AGENCIES[: COMPOSITION[Organisation.Type.UN_AGENCY]]:
        k = 17 if acronym in {"IOM", "UNHCR"} else rng.randint(4, 12)
        plan.append(
            {
                "acronym": acronym,
                "name": name,
                "type": Organisation.Type.UN_AGENCY,
                "countries": _pick_countries(rng, countries, k),
            }
        )
    for org_type, count in COMPOSITION.items():
        if org_type == Organisation.Type.UN_AGENCY:
            continue
        for _index in range(count):
            if org_type in WOMEN_LED_SHARE:
                home = _pick_countries(rng, countries, 1)
                name = _national_name(rng, org_type, home[0])
                if name in names:
                    name = f"{name} {rng.choice(CITIES[home[0].iso3])}"
                suffix = f"-{home[0].iso2}"
                spread = home if rng.random() < 0.85 else _pick_countries(rng, countries, 2)
                if home[0] not in spread:
                    spread.append(home[0])
            else:
                name, suffix = _international_name(rng, org_type), ""
                while name in names:
                    name = f"{name} {rng.choice(['Americas', 'Latin America', 'Foundation'])}"
                spread = _pick_countries(rng, countries, rng.randint(2, 8))
            names.add(name)
            plan.append(
                {
                    "acronym": None,
                    "name": name,
                    "type": org_type,
                    "countries": spread,
                    "suffix": suffix,
                }
            )
    organisations = []
    for item in plan:
        acronym = item["acronym"] or _acronym(item["name"], taken, item.get("suffix", ""))
        women_share = WOMEN_LED_SHARE.get(item["type"], 0.1)
        organisation_upsert(
            acting_user=None,
            acronym=acronym,
            name=item["name"],
            type=item["type"],
            countries=item["countries"],
            migrant_led=item["type"] == Organisation.Type.REFUGEE_MIGRANT_LED,
            women_led=rng.random() < women_share,
            appealing=True,
        )
        organisations.append(acronym)
    return list(Organisation.objects.filter(acronym__in=organisations))


def _demo_reporting_org() -> Organisation:
    """A national partner working in Colombia, for the partner users."""
    return (
        Organisation.objects.filter(type=Organisation.Type.NATIONAL_NGO, countries__iso3="COL")
        .order_by("acronym")
        .first()
    ) or Organisation.objects.get(acronym="IOM")


DEMO_TOTP_KEYS = {
    "admin@demo.puente.org": "3132333435363738393031323334353637383930",
    "im.colombia@demo.puente.org": "4142434445464748494a4b4c4d4e4f5051525354",
    "psea.colombia@demo.puente.org": "6162636465666768696a6b6c6d6e6f7071727374",
    "psea.coordinator@demo.puente.org": "7172737475767778797a7b7c7d7e7f8081828384",
}


DEMO_COLLECT_PROJECT = "fm-colombia"


def demo_collect_project_create() -> None:
    """A data-collection project in Colombia with the shipped flow-monitoring forms (the
    survey and the daily tally sheet) published in it: what the demo's data collector
    sees in ODK Collect. The demo's flow monitoring submits forms to it."""
    from puente.collect.services.publishing import form_publish, project_for_publishing
    from puente.flows.survey import SHIPPED_FORMS

    project = project_for_publishing(
        acting_user=None,
        code=DEMO_COLLECT_PROJECT,
        country_iso3="COL",
        name="Flow monitoring Colombia 2026",
    )
    for _definition, workbook in SHIPPED_FORMS:
        form_publish(
            acting_user=None, project=project, name=workbook.name, content=workbook.read_bytes()
        )


@transaction.atomic
def demo_users_create() -> list[DemoUser]:
    org = _demo_reporting_org()
    demo_collect_project_create()
    specs = [
        ("admin@demo.puente.org", Role.REGIONAL_ADMIN, "region"),
        ("im.colombia@demo.puente.org", Role.PLATFORM_IM_OFFICER, "platform:colombia"),
        ("health.colombia@demo.puente.org", Role.SECTOR_COORDINATOR, "sector:COL/HEA"),
        ("reporter@demo.puente.org", Role.PARTNER_REPORTER, f"organisation:{org.acronym}"),
        ("viewer@demo.puente.org", Role.PARTNER_VIEWER, f"organisation:{org.acronym}"),
        ("cfm.colombia@demo.puente.org", Role.CFM_OPERATOR, "country:COL"),
        ("psea.colombia@demo.puente.org", Role.PSEA_FOCAL_POINT, "country:COL"),
        ("psea.coordinator@demo.puente.org", Role.PSEA_COORDINATOR, "region"),
        (
            "collector.colombia@demo.puente.org",
            Role.DATA_COLLECTOR,
            f"project:{DEMO_COLLECT_PROJECT}",
        ),
    ]
    users = []
    for email, role, scope_text in specs:
        user, _generated = user_create(acting_user=None, email=email, password=DEMO_PASSWORD)
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        role_assign(acting_user=None, user=user, role=role, scope=scope_parse(scope_text))
        demo_user = DemoUser(email=email, role=role, scope=scope_text)
        if role in TWO_FACTOR_ROLES:
            key = DEMO_TOTP_KEYS[email]
            TOTPDevice.objects.update_or_create(
                user=user, name="demo authenticator", defaults={"key": key, "confirmed": True}
            )
            demo_user.totp_key = base64.b32encode(bytes.fromhex(key)).decode()
        users.append(demo_user)
    return users


def demo_data_create(*, seed: int = 2025) -> tuple[list[Organisation], list[DemoUser], dict]:
    from puente.demo.reporting import demo_reports_create

    reference_load()
    organisations = demo_partners_create(seed=seed)
    users = demo_users_create()
    reports = demo_reports_create(seed=seed)
    from django.conf import settings

    from puente.feedback.demo import feedback_demo_create

    # Demo complaints notify demo focal points: keep those e-mails out of the console.
    backend = settings.EMAIL_BACKEND
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    try:
        feedback_demo_create(seed=seed)
    finally:
        settings.EMAIL_BACKEND = backend
    from puente.demo.planning import demo_planning_create

    reports["planning"] = demo_planning_create(seed=seed)  # type: ignore[assignment]
    from puente.flows.demo import flows_demo_create

    # The last weeks in Colombia come in as forms the demo's collector submits.
    collector = User.objects.get(email="collector.colombia@demo.puente.org")
    reports["flows"] = flows_demo_create(  # type: ignore[assignment]
        seed=seed, collect_project=DEMO_COLLECT_PROJECT, collector=collector
    )
    return organisations, users, reports
