"""Build ``puente/plans/data/iom-appeal-2025.csv``.

IOM's agency appeal for the Regional Refugee and Migrant Response Plan (RMRP)
2025-2026 for the Venezuela situation, in Puente's flat plan-file format (one row
per activity area, country and year; see ``puente/plans/services/imports.py``).

What is published and what is not
---------------------------------
* The two totals are IOM's published figures for 2025: US$516,950,391 required
  and 1,297,760 people targeted (figures as of November 2024).
* The objectives, the 16 activity areas and which of them are flagged
  "Priority" follow the appeal. All names and activity texts are our own short
  wording in English, Spanish and Portuguese, not text from the appeal.
* The split of the money across activity areas and countries, and of the people
  targeted across countries, is ILLUSTRATIVE. The appeal does not publish it.
  This script makes one up from fixed weights: countries by the number of
  Venezuelans they host, blended with an equal share so small countries keep a
  meaningful amount (``POPULATION_BLEND``), and areas by the ``weight`` of each
  entry in ``AREAS`` (priority areas larger). Every area appears in every
  country. Whole dollars and people are allocated with the largest-remainder
  method (first to countries, then within each country to areas), so they add up
  exactly to the published totals; the script checks that.
* The appeal names a share of funding for long-term outcomes but gives no
  number, so ``long_term_share`` is left empty.

Usage
-----
Standard library only, deterministic (no randomness)::

    python3 scripts/build_iom_appeal.py

Load the result with ``puente import plan puente/plans/data/iom-appeal-2025.csv``.
"""

from __future__ import annotations

import csv
from fractions import Fraction
from pathlib import Path

OUTPUT = (
    Path(__file__).resolve().parent.parent / "puente" / "plans" / "data" / "iom-appeal-2025.csv"
)

# Published totals (IOM, RMRP 2025-2026, year 2025).
TOTAL_REQUIREMENT_USD = 516_950_391
TOTAL_PEOPLE_TARGETED = 1_297_760
YEAR = 2025

PLAN = {
    "plan": "iom-rmrp-2025-2026",
    "plan_name": "IOM appeal: Regional Refugee and Migrant Response Plan 2025-2026",
    "plan_name_es": (
        "Llamamiento de la OIM: Plan Regional de Respuesta para Refugiados y Migrantes 2025-2026"
    ),
    "plan_name_pt": (
        "Apelo da OIM: Plano Regional de Resposta para Refugiados e Migrantes 2025-2026"
    ),
    "plan_kind": "agency",
    "organisation": "IOM",
    "start_year": "2025",
    "end_year": "2026",
    "countries": "all",
    "figures_as_of": "2024-11-30",
    "long_term_share": "",  # named in the appeal, no figure given
    "status": "published",
    # Shown beside the figures on the plan's pages: where they come from, and that only
    # the totals are the appeal's own.
    "source": "IOM appeal for the RMRP 2025-2026, Venezuela situation (totals as of November 2024)",
    "split": "illustrative",
}

OBJECTIVES = {
    1: (
        "Save lives and protect people on the move",
        "Salvar vidas y proteger a las personas en movimiento",
        "Salvar vidas e proteger as pessoas em movimento",
    ),
    2: (
        "Drive solutions to displacement",
        "Impulsar soluciones al desplazamiento",
        "Promover soluções para o deslocamento",
    ),
    3: (
        "Facilitate pathways for regular migration",
        "Facilitar vías para la migración regular",
        "Facilitar vias para a migração regular",
    ),
}

# Venezuelans hosted per country (rounded), used only to weight the illustrative split.
# Order: by English country name, as the response lists them.
VENEZUELANS_HOSTED = {
    "ARG": 160_000,
    "ABW": 17_000,
    "BOL": 14_000,
    "BRA": 620_000,
    "CHL": 720_000,
    "COL": 2_810_000,
    "CRI": 30_000,
    "CUW": 14_000,
    "DOM": 110_000,
    "ECU": 440_000,
    "GUY": 20_000,
    "MEX": 100_000,
    "PAN": 60_000,
    "PRY": 6_000,
    "PER": 1_540_000,
    "TTO": 30_000,
    "URY": 30_000,
}
# Country weight = POPULATION_BLEND x share of Venezuelans hosted + the rest split equally.
POPULATION_BLEND = Fraction(7, 10)

SEP = " | "


def area(
    code: str,
    objective: int,
    priority: bool,
    sector: str,
    weight: str,
    names: tuple[str, str, str],
    activities: list[tuple[str, str, str]],
) -> dict:
    return {
        "code": code,
        "objective": objective,
        "priority": priority,
        "sector": sector,
        "weight": Fraction(weight),
        "names": names,
        "activities": activities,
    }


# The 16 activity areas in the appeal's order; weight = illustrative % of the requirement.
AREAS = [
    area(
        "basic-needs",
        1,
        True,
        "MPC",
        "18",
        (
            "Basic needs, including food and multipurpose cash",
            "Necesidades básicas, incluidas alimentación y transferencias monetarias "
            "multipropósito",
            "Necessidades básicas, incluindo alimentação e transferências monetárias "
            "multipropósito",
        ),
        [
            (
                "Cash and vouchers for food, medicine and household goods",
                "Efectivo y cupones para alimentos, medicamentos y artículos del hogar",
                "Dinheiro e vales para alimentos, medicamentos e itens domésticos",
            ),
            (
                "Hot meals in shelters and community kitchens; food and school-lunch kits",
                "Comidas calientes en albergues y comedores comunitarios; kits de alimentos "
                "y de merienda escolar",
                "Refeições quentes em abrigos e cozinhas comunitárias; kits de alimentos "
                "e de lanche escolar",
            ),
            (
                "Nutrition kits and counselling for migrant families",
                "Kits y orientación nutricional para familias migrantes",
                "Kits e orientação nutricional para famílias migrantes",
            ),
            (
                "Training for public and community actors on nutrition protocols",
                "Capacitación a actores públicos y comunitarios en protocolos de nutrición",
                "Capacitação de atores públicos e comunitários em protocolos de nutrição",
            ),
        ],
    ),
    area(
        "community-stabilization",
        2,
        False,
        "INT",
        "3.5",
        (
            "Community stabilization and community-driven development",
            "Estabilización comunitaria y desarrollo impulsado por la comunidad",
            "Estabilização comunitária e desenvolvimento liderado pela comunidade",
        ),
        [
            (
                "Social cohesion through culture, sport, music and shared community spaces",
                "Cohesión social mediante cultura, deporte, música y espacios comunitarios "
                "compartidos",
                "Coesão social por meio de cultura, esporte, música e espaços comunitários "
                "compartilhados",
            ),
            (
                "Campaigns and dialogues against xenophobia and bullying",
                "Campañas y diálogos contra la xenofobia y el acoso escolar",
                "Campanhas e diálogos contra a xenofobia e o bullying",
            ),
            (
                "Repairs, equipment and supplies for schools receiving migrant pupils",
                "Reparaciones, equipamiento y útiles para escuelas que reciben estudiantes "
                "migrantes",
                "Reformas, equipamentos e material para escolas que recebem alunos migrantes",
            ),
            (
                "Language classes to support self-reliance and integration",
                "Clases de idioma para apoyar la autonomía y la integración",
                "Aulas de idioma para apoiar a autonomia e a integração",
            ),
        ],
    ),
    area(
        "cccm",
        1,
        False,
        "SHE",
        "2",
        (
            "Camp coordination and camp management",
            "Coordinación y gestión de campamentos",
            "Coordenação e gestão de acampamentos",
        ),
        [
            (
                "Training shelter managers on the Sphere Handbook and camp management standards",
                "Capacitación a gestores de albergues en el Manual Esfera y los estándares "
                "de gestión de campamentos",
                "Capacitação de gestores de abrigos no Manual Esfera e nos padrões de gestão "
                "de acampamentos",
            ),
            (
                "Guidance for running collective shelters and temporary accommodation",
                "Orientaciones para gestionar albergues colectivos y alojamiento temporal",
                "Orientações para a gestão de abrigos coletivos e acomodação temporária",
            ),
            (
                "Tools and exit strategies towards durable solutions",
                "Herramientas y estrategias de salida hacia soluciones duraderas",
                "Ferramentas e estratégias de saída rumo a soluções duradouras",
            ),
        ],
    ),
    area(
        "dtm",
        1,
        False,
        "CSS",
        "3.5",
        (
            "Data for action, insight and foresight (DTM)",
            "Datos para la acción, el análisis y la anticipación (DTM)",
            "Dados para a ação, a análise e a antecipação (DTM)",
        ),
        [
            (
                "DTM surveys on movements, needs and return intentions, "
                "with reports and dashboards",
                "Encuestas DTM sobre movimientos, necesidades e intenciones de retorno, "
                "con informes y tableros",
                "Pesquisas DTM sobre fluxos, necessidades e intenções de retorno, "
                "com relatórios e painéis",
            ),
            (
                "Support to joint needs assessments and the RMNA",
                "Apoyo a las evaluaciones conjuntas de necesidades y al RMNA",
                "Apoio às avaliações conjuntas de necessidades e à RMNA",
            ),
            (
                "Studies on health, shelter, work, regularization and climate impacts",
                "Estudios sobre salud, alojamiento, trabajo, regularización e impactos climáticos",
                "Estudos sobre saúde, abrigo, trabalho, regularização e impactos climáticos",
            ),
        ],
    ),
    area(
        "drm",
        2,
        False,
        "CSS",
        "2",
        (
            "Disaster risk management",
            "Gestión del riesgo de desastres",
            "Gestão de riscos de desastres",
        ),
        [
            (
                "Preparedness sessions with migrant families: risk maps, family plans and drills",
                "Sesiones de preparación con familias migrantes: mapas de riesgo, planes "
                "familiares y simulacros",
                "Sessões de preparação com famílias migrantes: mapas de risco, planos "
                "familiares e simulados",
            ),
            (
                "Helping authorities include migrants in early warning and risk plans",
                "Apoyo a las autoridades para incluir a migrantes en la alerta temprana "
                "y los planes de riesgo",
                "Apoio às autoridades para incluir migrantes nos alertas precoces "
                "e nos planos de risco",
            ),
            (
                "Contingency plans with R4V partners for changes in migration flows",
                "Planes de contingencia con socios de R4V ante cambios en los flujos migratorios",
                "Planos de contingência com parceiros da R4V diante de mudanças nos fluxos "
                "migratórios",
            ),
        ],
    ),
    area(
        "health",
        1,
        True,
        "HEA",
        "10",
        ("Health", "Salud", "Saúde"),
        [
            (
                "Primary care, medicines and treatment for communicable and chronic diseases",
                "Atención primaria, medicamentos y tratamiento de enfermedades transmisibles "
                "y crónicas",
                "Atenção primária, medicamentos e tratamento de doenças transmissíveis e crônicas",
            ),
            (
                "Rehabilitated health facilities, supplies and extra health staff",
                "Centros de salud rehabilitados, insumos y personal sanitario adicional",
                "Unidades de saúde reformadas, insumos e profissionais de saúde adicionais",
            ),
            (
                "Training health workers on migrants' health needs and rights",
                "Capacitación del personal de salud sobre las necesidades y derechos "
                "de las personas migrantes",
                "Capacitação de profissionais de saúde sobre as necessidades e os direitos "
                "das pessoas migrantes",
            ),
            (
                "Nutrition screening and supplements for children "
                "and pregnant or breastfeeding women",
                "Tamizaje nutricional y suplementos para niñas, niños y mujeres gestantes "
                "o lactantes",
                "Triagem nutricional e suplementos para crianças, gestantes e lactantes",
            ),
        ],
    ),
    area(
        "border-management",
        1,
        False,
        "PRO",
        "2.5",
        (
            "Humanitarian border management and search and rescue",
            "Gestión humanitaria de fronteras y búsqueda y rescate",
            "Gestão humanitária de fronteiras e busca e salvamento",
        ),
        [
            (
                "Training border officials on irregular flows, data and counter-trafficking",
                "Capacitación a funcionarios de frontera en flujos irregulares, datos "
                "y lucha contra la trata",
                "Capacitação de agentes de fronteira sobre fluxos irregulares, dados "
                "e combate ao tráfico de pessoas",
            ),
            (
                "Equipment and technology for border posts",
                "Equipos y tecnología para puestos fronterizos",
                "Equipamentos e tecnologia para postos de fronteira",
            ),
            (
                "Cross-border protocols to protect people in transit",
                "Protocolos transfronterizos para proteger a las personas en tránsito",
                "Protocolos transfronteiriços para proteger as pessoas em trânsito",
            ),
        ],
    ),
    area(
        "policy-support",
        3,
        False,
        "INT",
        "3",
        (
            "Integrated policy support",
            "Apoyo integrado a políticas públicas",
            "Apoio integrado a políticas públicas",
        ),
        [
            (
                "Guides and expert advice on regularization and migration law",
                "Guías y asesoría experta sobre regularización y legislación migratoria",
                "Guias e consultoria especializada sobre regularização e legislação migratória",
            ),
            (
                "Policy dialogue on migrant integration, regularization and protection",
                "Diálogo de políticas sobre integración, regularización y protección de migrantes",
                "Diálogo sobre políticas de integração, regularização e proteção de migrantes",
            ),
            (
                "Migration Governance Indicators for countries of the region",
                "Indicadores de Gobernanza de la Migración para los países de la región",
                "Indicadores de Governança da Migração para os países da região",
            ),
            (
                "Support for government participation in the Quito Process",
                "Apoyo a la participación de los gobiernos en el Proceso de Quito",
                "Apoio à participação dos governos no Processo de Quito",
            ),
        ],
    ),
    area(
        "livelihoods",
        2,
        True,
        "INT",
        "9",
        (
            "Livelihoods and economic recovery",
            "Medios de vida y recuperación económica",
            "Meios de vida e recuperação econômica",
        ),
        [
            (
                "Work with employers and financial institutions on hiring and financial inclusion",
                "Trabajo con empleadores y entidades financieras en contratación e inclusión "
                "financiera",
                "Trabalho com empregadores e instituições financeiras em contratação e inclusão "
                "financeira",
            ),
            (
                "Seed capital, training and mentoring for migrant entrepreneurs",
                "Capital semilla, capacitación y mentoría para emprendedores migrantes",
                "Capital semente, capacitação e mentoria para empreendedores migrantes",
            ),
            (
                "Information on labour rights, jobs and vocational training",
                "Información sobre derechos laborales, empleo y formación técnica",
                "Informação sobre direitos trabalhistas, emprego e formação profissional",
            ),
            (
                "Recognition of professional degrees and academic certificates",
                "Convalidación de títulos profesionales y certificados académicos",
                "Revalidação de diplomas profissionais e certificados acadêmicos",
            ),
        ],
    ),
    area(
        "mhpss",
        1,
        False,
        "HEA",
        "5",
        (
            "Mental health and psychosocial support",
            "Salud mental y apoyo psicosocial",
            "Saúde mental e apoio psicossocial",
        ),
        [
            (
                "Individual and group psychosocial care, psychological first aid and referrals",
                "Atención psicosocial individual y grupal, primeros auxilios psicológicos "
                "y remisiones",
                "Atendimento psicossocial individual e em grupo, primeiros socorros "
                "psicológicos e encaminhamentos",
            ),
            (
                "Cultural, sports and recreational activities "
                "for migrant and host-community families",
                "Actividades culturales, deportivas y recreativas para familias migrantes "
                "y de la comunidad de acogida",
                "Atividades culturais, esportivas e recreativas para famílias migrantes "
                "e da comunidade de acolhida",
            ),
            (
                "Mental health kits and workshops on self-care and coping",
                "Kits de salud mental y talleres sobre autocuidado y afrontamiento",
                "Kits de saúde mental e oficinas sobre autocuidado e enfrentamento",
            ),
            (
                "Training frontline workers in psychological first aid and trauma-informed care",
                "Capacitación al personal de primera línea en primeros auxilios psicológicos "
                "y atención informada en trauma",
                "Capacitação de profissionais da linha de frente em primeiros socorros "
                "psicológicos e cuidado informado pelo trauma",
            ),
        ],
    ),
    area(
        "movement-assistance",
        1,
        False,
        "HTR",
        "4.5",
        (
            "Movement assistance",
            "Asistencia para traslados",
            "Assistência para deslocamentos",
        ),
        [
            (
                "Local transport to shelters, clinics, schools, jobs and documentation offices",
                "Transporte local a albergues, centros de salud, escuelas, empleos y oficinas "
                "de documentación",
                "Transporte local para abrigos, unidades de saúde, escolas, trabalho e postos "
                "de documentação",
            ),
            (
                "Bus and air travel for internal relocation, family reunification "
                "and stranded migrants",
                "Traslados en bus y avión para reubicación interna, reunificación familiar "
                "y migrantes varados",
                "Viagens de ônibus e avião para interiorização, reunificação familiar "
                "e migrantes sem meios de seguir viagem",
            ),
            (
                "Information on safe travel, risks, rights and services",
                "Información sobre viajes seguros, riesgos, derechos y servicios",
                "Informação sobre viagem segura, riscos, direitos e serviços",
            ),
        ],
    ),
    area(
        "protection",
        1,
        True,
        "PRO",
        "12",
        ("Protection", "Protección", "Proteção"),
        [
            (
                "Case management and legal aid for GBV survivors, trafficking victims "
                "and children at risk",
                "Gestión de casos y asistencia legal para sobrevivientes de VBG, víctimas "
                "de trata y niñez en riesgo",
                "Gestão de casos e assistência jurídica para sobreviventes de VBG, vítimas "
                "de tráfico e crianças em risco",
            ),
            (
                "Support Spaces offering information and referrals along transit routes",
                "Espacios de Apoyo con información y remisiones en las rutas de tránsito",
                "Espaços de Apoio com informação e encaminhamentos nas rotas de trânsito",
            ),
            (
                "Training public services and shelters to handle GBV, trafficking "
                "and child protection cases",
                "Capacitación a servicios públicos y albergues para atender casos de VBG, "
                "trata y protección infantil",
                "Capacitação de serviços públicos e abrigos para atender casos de VBG, "
                "tráfico de pessoas e proteção infantil",
            ),
            (
                "Awareness sessions on rights, risks and how to report abuse",
                "Sesiones de sensibilización sobre derechos, riesgos y cómo denunciar abusos",
                "Sessões de sensibilização sobre direitos, riscos e como denunciar abusos",
            ),
        ],
    ),
    area(
        "regular-pathways",
        3,
        True,
        "INT",
        "8",
        (
            "Regular pathways",
            "Vías regulares de migración",
            "Vias regulares de migração",
        ),
        [
            (
                "Legal advice and identity documents so migrants can regularize their status",
                "Asesoría legal y documentos de identidad para que las personas migrantes "
                "regularicen su situación",
                "Orientação jurídica e documentos de identidade para que migrantes "
                "regularizem sua situação",
            ),
            (
                "Technical support to governments for regularization and safe, orderly migration",
                "Apoyo técnico a los gobiernos para la regularización y una migración segura "
                "y ordenada",
                "Apoio técnico aos governos para a regularização e uma migração segura e ordenada",
            ),
            (
                "Campaigns on regularization processes and the risks of irregular routes",
                "Campañas sobre los procesos de regularización y los riesgos de las rutas "
                "irregulares",
                "Campanhas sobre os processos de regularização e os riscos das rotas irregulares",
            ),
            (
                "Ethical recruitment and job placement with formal-sector employers",
                "Contratación ética e inserción laboral con empleadores del sector formal",
                "Recrutamento ético e colocação profissional com empregadores do setor formal",
            ),
        ],
    ),
    area(
        "shelter",
        1,
        False,
        "SHE",
        "8",
        (
            "Shelter and settlements",
            "Alojamiento y asentamientos",
            "Abrigo e assentamentos",
        ),
        [
            (
                "Non-food items in kind or through cash and vouchers",
                "Artículos no alimentarios en especie o mediante efectivo y cupones",
                "Itens não alimentares em espécie ou por meio de dinheiro e vales",
            ),
            (
                "Temporary accommodation in collective shelters, rooms and hotels",
                "Alojamiento temporal en albergues colectivos, habitaciones y hoteles",
                "Acomodação temporária em abrigos coletivos, quartos e hotéis",
            ),
            (
                "Rental support and advice to prevent evictions",
                "Apoyo para el alquiler y orientación para prevenir desalojos",
                "Auxílio-aluguel e orientação para prevenir despejos",
            ),
            (
                "Repairs and upgrades so shelters meet minimum standards",
                "Reparaciones y mejoras para que los albergues cumplan los estándares mínimos",
                "Reformas e melhorias para que os abrigos atendam aos padrões mínimos",
            ),
        ],
    ),
    area(
        "support-services",
        1,
        False,
        "CSS",
        "4",
        (
            "Support services for response actors",
            "Servicios de apoyo a los actores de la respuesta",
            "Serviços de apoio aos atores da resposta",
        ),
        [
            (
                "Coordination of the regional and national R4V platforms",
                "Coordinación de las plataformas regional y nacionales de R4V",
                "Coordenação das plataformas regional e nacionais da R4V",
            ),
            (
                "Information management: 5W reporting, needs analysis and guidance for partners",
                "Gestión de información: reporte 5W, análisis de necesidades y guías para socios",
                "Gestão da informação: relatórios 5W, análise de necessidades e orientações "
                "para parceiros",
            ),
            (
                "Regional contingency stock of non-food and WASH items",
                "Reserva regional de contingencia de artículos no alimentarios y de WASH",
                "Estoque regional de contingência de itens não alimentares e de WASH",
            ),
            (
                "Resource mobilization with donors and training for partners",
                "Movilización de recursos con donantes y capacitación a socios",
                "Mobilização de recursos com doadores e capacitação de parceiros",
            ),
        ],
    ),
    area(
        "wash",
        1,
        False,
        "WSH",
        "5",
        (
            "Water, sanitation and hygiene (WASH)",
            "Agua, saneamiento e higiene (WASH)",
            "Água, saneamento e higiene (WASH)",
        ),
        [
            (
                "Hygiene, water and baby-care kits suited to age and gender",
                "Kits de higiene, agua y cuidado del bebé adaptados a la edad y el género",
                "Kits de higiene, água e cuidados com o bebê adaptados à idade e ao gênero",
            ),
            (
                "Hygiene promotion, including handwashing and menstrual health",
                "Promoción de la higiene, incluidos el lavado de manos y la salud menstrual",
                "Promoção da higiene, incluindo a lavagem das mãos e a saúde menstrual",
            ),
            (
                "Building or repairing water points, toilets, showers and laundries",
                "Construcción o rehabilitación de puntos de agua, baños, duchas y lavanderías",
                "Construção ou reforma de pontos de água, banheiros, chuveiros e lavanderias",
            ),
            (
                "Water trucking, storage tanks and drinking water distribution",
                "Camiones cisterna, tanques de almacenamiento y reparto de agua potable",
                "Caminhões-pipa, caixas d'água e distribuição de água potável",
            ),
        ],
    ),
]

COLUMNS = [
    "plan",
    "plan_name",
    "plan_name_es",
    "plan_name_pt",
    "plan_kind",
    "organisation",
    "start_year",
    "end_year",
    "countries",
    "figures_as_of",
    "long_term_share",
    "status",
    "source",
    "split",
    "objective",
    "objective_title",
    "objective_title_es",
    "objective_title_pt",
    "activity_area",
    "activity_area_name",
    "activity_area_name_es",
    "activity_area_name_pt",
    "priority",
    "sector",
    "planned_activities",
    "planned_activities_es",
    "planned_activities_pt",
    "year",
    "country",
    "requirement_usd",
    "people_targeted",
]


def check(condition: bool, message: str = "consistency check failed") -> None:
    """An assertion that also holds under ``python -O``."""
    if not condition:
        raise AssertionError(message)


def largest_remainder(total: int, weights: dict[str, Fraction]) -> dict[str, int]:
    """Split the integer ``total`` in proportion to ``weights`` so the parts add up to it
    exactly: floor every quota, then give the units left over to the largest fractional
    parts (ties to the key that comes first in ``weights``)."""
    weight_sum = sum(weights.values())
    quotas = {key: total * w / weight_sum for key, w in weights.items()}
    parts = {key: int(q) for key, q in quotas.items()}  # quotas are >= 0: int() floors
    left = total - sum(parts.values())
    order = list(weights)
    by_remainder = sorted(order, key=lambda k: (-(quotas[k] - parts[k]), order.index(k)))
    for key in by_remainder[:left]:
        parts[key] += 1
    check(sum(parts.values()) == total, "largest remainder lost a unit")
    return parts


def country_weights() -> dict[str, Fraction]:
    hosted = sum(VENEZUELANS_HOSTED.values())
    equal = (1 - POPULATION_BLEND) / len(VENEZUELANS_HOSTED)
    return {
        iso3: POPULATION_BLEND * Fraction(n, hosted) + equal
        for iso3, n in VENEZUELANS_HOSTED.items()
    }


def build_rows() -> list[dict[str, str]]:
    check(len(AREAS) == 16)
    check(sum(a["weight"] for a in AREAS) == 100)
    check(sum(a["priority"] for a in AREAS) == 5)
    weights = country_weights()
    country_money = largest_remainder(TOTAL_REQUIREMENT_USD, weights)
    country_people = largest_remainder(TOTAL_PEOPLE_TARGETED, weights)
    area_weights = {a["code"]: a["weight"] for a in AREAS}
    money = {
        iso3: largest_remainder(amount, area_weights) for iso3, amount in country_money.items()
    }

    rows = []
    for a in AREAS:
        check(all(name.strip() for name in a["names"]))
        check(3 <= len(a["activities"]) <= 4)
        for activity in a["activities"]:
            check(all(text.strip() and "|" not in text for text in activity))
            check(len(activity[0].split()) <= 15, activity[0])
        title = OBJECTIVES[a["objective"]]
        for iso3 in VENEZUELANS_HOSTED:
            row = dict(PLAN)
            row.update(
                objective=str(a["objective"]),
                objective_title=title[0],
                objective_title_es=title[1],
                objective_title_pt=title[2],
                activity_area=a["code"],
                activity_area_name=a["names"][0],
                activity_area_name_es=a["names"][1],
                activity_area_name_pt=a["names"][2],
                priority="yes" if a["priority"] else "no",
                sector=a["sector"],
                planned_activities=SEP.join(t[0] for t in a["activities"]),
                planned_activities_es=SEP.join(t[1] for t in a["activities"]),
                planned_activities_pt=SEP.join(t[2] for t in a["activities"]),
                year=str(YEAR),
                country=iso3,
                requirement_usd=str(money[iso3][a["code"]]),
                people_targeted=str(country_people[iso3]),
            )
            rows.append(row)

    area_order = [a["code"] for a in AREAS]
    rows.sort(
        key=lambda r: (int(r["objective"]), area_order.index(r["activity_area"]), r["country"])
    )

    check(
        sum(int(r["requirement_usd"]) for r in rows) == TOTAL_REQUIREMENT_USD,
        "requirements do not add up to the published total",
    )
    people = {r["country"]: int(r["people_targeted"]) for r in rows}
    check(len(people) == len(VENEZUELANS_HOSTED))
    check(
        sum(people.values()) == TOTAL_PEOPLE_TARGETED,
        "people targeted do not add up to the published total",
    )
    return rows


def main() -> None:
    rows = build_rows()
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    with OUTPUT.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(
        f"Wrote {len(rows)} rows to {OUTPUT}: US${TOTAL_REQUIREMENT_USD:,} required, "
        f"{TOTAL_PEOPLE_TARGETED:,} people targeted (published totals; split illustrative)."
    )


if __name__ == "__main__":
    main()
