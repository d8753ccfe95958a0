"""The 5W file: its columns, what identifies a row, and the values the writer stores.

Every door into 5W reporting (a file, the form, the API) names the same columns; a row
that passes the rules (`rules.py`) becomes a `ValidRow` holding `STORED_FIELDS`, with its
`RowKey` digested first.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from puente.core.tabular import Column, cell_text, normalize_value
from puente.reporting.models import Modality

COLUMNS = (
    Column("month", aliases=("mes", "mês", "periodo", "período", "reporting month")),
    Column("country", aliases=("pais", "país")),
    Column(
        "admin1",
        required=False,
        aliases=(
            "adm1",
            "admin 1",
            "departamento",
            "provincia",
            "província",
            "estado",
            "region",
            "región",
            "região",
        ),
    ),
    Column(
        "admin2",
        required=False,
        aliases=("adm2", "admin 2", "municipio", "município", "canton", "cantón", "distrito"),
    ),
    Column(
        "appealing_org",
        aliases=(
            "appealing organisation",
            "appealing organization",
            "organizacion solicitante",
            "organización solicitante",
            "organizacao solicitante",
            "organização solicitante",
            "socio",
            "parceiro",
        ),
    ),
    Column(
        "implementing_org",
        required=False,
        aliases=(
            "implementing organisation",
            "implementing organization",
            "organizacion implementadora",
            "organización implementadora",
            "organizacao implementadora",
            "organização implementadora",
            "socio implementador",
            "parceiro implementador",
        ),
    ),
    Column("indicator", aliases=("indicador", "indicator code", "codigo indicador")),
    Column(
        "activity",
        required=False,
        aliases=(
            "actividad",
            "atividade",
            "activity description",
            "descripcion de la actividad",
            "descrição da atividade",
        ),
    ),
    Column("rmrp_activity", required=False, aliases=("actividad rmrp", "atividade rmrp", "rmrp")),
    Column("modality", aliases=("modalidad", "modalidade")),
    Column(
        "cva_value_usd",
        required=False,
        aliases=("cva value usd", "valor cva usd", "valor usd", "valor cva", "valor_tm_usd"),
    ),
    Column("delivery_mechanism", required=False, aliases=("mecanismo de entrega", "mecanismo")),
    Column(
        "conditionality",
        required=False,
        aliases=(
            "condicionalidad",
            "condicionalidade",
            "condicionalidad cva",
            "condicionalidad tm",
            "condicionalidade cva",
            "conditional",
            "condicional",
            "con/sin condiciones",
            "com/sem condicionalidade",
            "conditional/unconditional",
        ),
    ),
    Column(
        "restriction",
        required=False,
        aliases=(
            "restricción",
            "restrição",
            "restriccion de uso",
            "restrição de uso",
            "restricted",
            "restringida",
            "restrito",
            "con/sin restricción",
            "com/sem restrição",
            "restricted/unrestricted",
        ),
    ),
    Column(
        "population_group",
        aliases=(
            "grupo poblacional",
            "grupo de poblacion",
            "grupo de población",
            "grupo populacional",
            "poblacion",
            "população",
            "populacao",
        ),
    ),
    Column("quantity", required=False, aliases=("cantidad", "quantidade", "outputs")),
    Column(
        "total_monthly",
        required=False,
        aliases=("total mensual", "total mensal", "people reached", "total"),
    ),
    Column(
        "new_beneficiaries",
        required=False,
        aliases=(
            "nuevos beneficiarios",
            "novos beneficiarios",
            "novos beneficiários",
            "nuevos",
            "novos",
            "new",
        ),
    ),
    Column("girls", required=False, aliases=("ninas", "niñas", "meninas")),
    Column("boys", required=False, aliases=("ninos", "niños", "meninos")),
    Column("women", required=False, aliases=("mujeres", "mulheres")),
    Column("men", required=False, aliases=("hombres", "homens")),
    Column("other", required=False, aliases=("otro", "otros", "outro", "outros")),
    Column(
        "disability",
        required=False,
        aliases=(
            "discapacidad",
            "personas con discapacidad",
            "deficiencia",
            "deficiência",
            "pessoas com deficiencia",
            "pessoas com deficiência",
        ),
    ),
)
COLUMN_NAMES = [c.name for c in COLUMNS]
# A row naming no column: rows from the API or the form may leave some out.
BLANK_ROW = dict.fromkeys(COLUMN_NAMES, "")
# Columns an export adds beside the import columns; read and ignored, so an exported file
# can be corrected and imported again.
EXPORT_ONLY_COLUMNS = (
    Column("admin1_name", required=False),
    Column("sector", required=False),
    Column("status", required=False),
)
BREAKDOWN = ("girls", "boys", "women", "men", "other")
INTEGER_FIELDS = ("quantity", "total_monthly", "new_beneficiaries", *BREAKDOWN, "disability")


class RowKey(NamedTuple):
    """What identifies a 5W row (docs/imports.md): importing a row whose key is stored
    replaces that row, and a key twice in one file is a `duplicate_row`. References enter
    it by id; the free texts, admin-2 and activity, as `normalize_value` reads them
    (ignoring case, accents and spacing)."""

    month: dt.date
    country: int
    admin1: int
    admin2: str
    appealing_org: int
    implementing_org: int
    indicator: int
    activity: str
    modality: str
    population_group: int

    def digest(self) -> str:
        """The key as stored in `ActivityRow.row_key`."""
        return row_key(self)


# The columns the writer stores, in order. `ValidRow.values` follows it.
STORED_FIELDS = (
    "row_key",
    "month",
    "country_id",
    "admin1_id",
    "admin2",
    "admin2_area_id",
    "appealing_org_id",
    "implementing_org_id",
    "indicator_id",
    "sector_id",
    "activity",
    "rmrp_activity",
    "modality",
    "cva_value_usd",
    "delivery_mechanism",
    "conditionality",
    "restriction",
    "population_group_id",
    *INTEGER_FIELDS,
)

# Fields compared (and replaced) when a row with the same key comes again.
COMPARED_FIELDS = STORED_FIELDS[1:]

NUMBER_FIELDS = (*INTEGER_FIELDS, "cva_value_usd")

MODALITY_ALIASES = {
    "in kind": Modality.IN_KIND,
    "en especie": Modality.IN_KIND,
    "em especie": Modality.IN_KIND,
    "especie": Modality.IN_KIND,
    "cash": Modality.CVA,
    "cva": Modality.CVA,
    "tm": Modality.CVA,
    "transferencias monetarias": Modality.CVA,
    "transferencias monetárias": Modality.CVA,
    "efectivo": Modality.CVA,
    "dinheiro": Modality.CVA,
    "cupones": Modality.CVA,
    "servicio": Modality.SERVICE,
    "servicios": Modality.SERVICE,
    "servico": Modality.SERVICE,
    "capacity building": Modality.CAPACITY_BUILDING,
    "capacitacion": Modality.CAPACITY_BUILDING,
    "fortalecimiento de capacidades": Modality.CAPACITY_BUILDING,
    "capacitacao": Modality.CAPACITY_BUILDING,
    "otro": Modality.OTHER,
    "outro": Modality.OTHER,
}


@dataclass(frozen=True, slots=True)
class ValidRow:
    """A row that passed every rule: its number in the file and `STORED_FIELDS`."""

    number: int
    values: tuple[Any, ...]

    @property
    def key(self) -> str:
        return self.values[0]

    @property
    def country_id(self) -> int:
        return self.values[2]

    @property
    def month(self) -> dt.date:
        return self.values[1]


def month_start(value: dt.date) -> dt.date:
    return value.replace(day=1)


def parse_month(value: Any) -> dt.date | None:
    """'2025-03', '2025-03-17', '17/03/2025', '03/2025' or a date cell -> 2025-03-01."""
    if isinstance(value, dt.datetime):
        return value.date().replace(day=1)
    if isinstance(value, dt.date):
        return value.replace(day=1)
    text = cell_text(value)
    for pattern, groups in (
        (r"^(\d{4})[-/.](\d{1,2})$", ("y", "m")),
        (r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T].*)?$", ("y", "m", "d")),
        (r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$", ("d", "m", "y")),
        (r"^(\d{1,2})[-/.](\d{4})$", ("m", "y")),
    ):
        match = re.match(pattern, text)
        if match:
            parts = dict(zip(groups, (int(g) for g in match.groups()), strict=True))
            try:
                return dt.date(parts["y"], parts["m"], parts.get("d", 1)).replace(day=1)
            except ValueError:
                return None
    return None


def row_key(parts: tuple[Any, ...]) -> str:
    """A stable 32-character digest of `parts` (a `RowKey`)."""
    text = "\x1f".join(["" if p is None else str(p) for p in parts])
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


class DeliveryMechanism(models.TextChoices):
    """How cash and voucher assistance reaches people: the 5W's code list for
    `delivery_mechanism` (stored as the code)."""

    CASH_IN_HAND = "cash-in-hand", _("Cash in hand")
    BANK_TRANSFER = "bank-transfer", _("Bank transfer")
    MOBILE_MONEY = "mobile-money", _("Mobile money")
    PREPAID_CARD = "prepaid-card", _("Prepaid card")
    E_VOUCHER = "e-voucher", _("Electronic voucher")
    PAPER_VOUCHER = "paper-voucher", _("Paper voucher")
    OTHER = "other", _("Other")


# The words a 5W file may give a delivery mechanism in, beside the codes and the labels
# (accents and case ignored).
DELIVERY_MECHANISM_ALIASES = {
    "cash": DeliveryMechanism.CASH_IN_HAND,
    "efectivo": DeliveryMechanism.CASH_IN_HAND,
    "efectivo en mano": DeliveryMechanism.CASH_IN_HAND,
    "dinheiro em especie": DeliveryMechanism.CASH_IN_HAND,
    "transferencia bancaria": DeliveryMechanism.BANK_TRANSFER,
    "transferencia": DeliveryMechanism.BANK_TRANSFER,
    "mobile money": DeliveryMechanism.MOBILE_MONEY,
    "dinero movil": DeliveryMechanism.MOBILE_MONEY,
    "billetera movil": DeliveryMechanism.MOBILE_MONEY,
    "dinheiro movel": DeliveryMechanism.MOBILE_MONEY,
    "prepaid card": DeliveryMechanism.PREPAID_CARD,
    "tarjeta prepago": DeliveryMechanism.PREPAID_CARD,
    "tarjeta prepagada": DeliveryMechanism.PREPAID_CARD,
    "cartao pre-pago": DeliveryMechanism.PREPAID_CARD,
    "cartao pre-pago recarregavel": DeliveryMechanism.PREPAID_CARD,
    "e-voucher": DeliveryMechanism.E_VOUCHER,
    "bono electronico": DeliveryMechanism.E_VOUCHER,
    "cupon electronico": DeliveryMechanism.E_VOUCHER,
    "voucher eletronico": DeliveryMechanism.E_VOUCHER,
    "voucher": DeliveryMechanism.PAPER_VOUCHER,
    "cupon": DeliveryMechanism.PAPER_VOUCHER,
    "bono": DeliveryMechanism.PAPER_VOUCHER,
    "vale": DeliveryMechanism.PAPER_VOUCHER,
    "otro": DeliveryMechanism.OTHER,
    "outro": DeliveryMechanism.OTHER,
}


class Conditionality(models.TextChoices):
    """Whether people must do something (attend school, a health check-up, a training)
    to receive a cash or voucher transfer: the 5W's code list for `conditionality`
    (stored as the code)."""

    CONDITIONAL = "conditional", _("Conditional")
    UNCONDITIONAL = "unconditional", _("Unconditional")


# The words a 5W file may give a conditionality in, beside the codes and the labels
# (accents and case ignored).
CONDITIONALITY_ALIASES = {
    "condicional": Conditionality.CONDITIONAL,
    "condicionada": Conditionality.CONDITIONAL,
    "condicionado": Conditionality.CONDITIONAL,
    "con condiciones": Conditionality.CONDITIONAL,
    "con condicion": Conditionality.CONDITIONAL,
    "con condicionalidad": Conditionality.CONDITIONAL,
    "com condicoes": Conditionality.CONDITIONAL,
    "com condicao": Conditionality.CONDITIONAL,
    "com condicionalidade": Conditionality.CONDITIONAL,
    "conditioned": Conditionality.CONDITIONAL,
    "incondicional": Conditionality.UNCONDITIONAL,
    "incondicionada": Conditionality.UNCONDITIONAL,
    "incondicionado": Conditionality.UNCONDITIONAL,
    "no condicionada": Conditionality.UNCONDITIONAL,
    "no condicionado": Conditionality.UNCONDITIONAL,
    "no condicional": Conditionality.UNCONDITIONAL,
    "sin condiciones": Conditionality.UNCONDITIONAL,
    "sin condicion": Conditionality.UNCONDITIONAL,
    "sin condicionalidad": Conditionality.UNCONDITIONAL,
    "nao condicionada": Conditionality.UNCONDITIONAL,
    "nao condicionado": Conditionality.UNCONDITIONAL,
    "nao condicional": Conditionality.UNCONDITIONAL,
    "sem condicoes": Conditionality.UNCONDITIONAL,
    "sem condicao": Conditionality.UNCONDITIONAL,
    "sem condicionalidade": Conditionality.UNCONDITIONAL,
    "non-conditional": Conditionality.UNCONDITIONAL,
    "not conditional": Conditionality.UNCONDITIONAL,
    "unconditioned": Conditionality.UNCONDITIONAL,
}


class Restriction(models.TextChoices):
    """Whether a cash or voucher transfer may be spent on anything (unrestricted) or only
    on given goods, services or shops (restricted): the 5W's code list for `restriction`
    (stored as the code)."""

    RESTRICTED = "restricted", _("Restricted")
    UNRESTRICTED = "unrestricted", _("Unrestricted")


# The words a 5W file may give a restriction in, beside the codes and the labels
# (accents and case ignored).
RESTRICTION_ALIASES = {
    "restringida": Restriction.RESTRICTED,
    "restringido": Restriction.RESTRICTED,
    "con restriccion": Restriction.RESTRICTED,
    "con restricciones": Restriction.RESTRICTED,
    "uso restringido": Restriction.RESTRICTED,
    "restrita": Restriction.RESTRICTED,
    "restrito": Restriction.RESTRICTED,
    "com restricao": Restriction.RESTRICTED,
    "com restricoes": Restriction.RESTRICTED,
    "uso restrito": Restriction.RESTRICTED,
    "no restringida": Restriction.UNRESTRICTED,
    "no restringido": Restriction.UNRESTRICTED,
    "sin restriccion": Restriction.UNRESTRICTED,
    "sin restricciones": Restriction.UNRESTRICTED,
    "irrestricta": Restriction.UNRESTRICTED,
    "irrestricto": Restriction.UNRESTRICTED,
    "libre": Restriction.UNRESTRICTED,
    "libre uso": Restriction.UNRESTRICTED,
    "de libre uso": Restriction.UNRESTRICTED,
    "nao restrita": Restriction.UNRESTRICTED,
    "nao restrito": Restriction.UNRESTRICTED,
    "sem restricao": Restriction.UNRESTRICTED,
    "sem restricoes": Restriction.UNRESTRICTED,
    "irrestrita": Restriction.UNRESTRICTED,
    "irrestrito": Restriction.UNRESTRICTED,
    "livre": Restriction.UNRESTRICTED,
    "uso livre": Restriction.UNRESTRICTED,
    "non-restricted": Restriction.UNRESTRICTED,
    "not restricted": Restriction.UNRESTRICTED,
}


def code_lookup(
    choices: type[models.TextChoices], aliases: dict[str, Any] | None = None
) -> dict[str, str]:
    """A code list's codes, labels in English, Spanish and Portuguese, and `aliases`, as
    `normalize_value` reads them, to the code."""
    table: dict[str, str] = {normalize_value(k): str(v) for k, v in (aliases or {}).items()}
    for value, _label in choices.choices:
        table[normalize_value(value)] = value
        for language in ("en", "es", "pt"):
            with translation.override(language):
                table[normalize_value(str(choices(value).label))] = value
    return table


def delivery_mechanism_lookup() -> dict[str, str]:
    return code_lookup(DeliveryMechanism, DELIVERY_MECHANISM_ALIASES)


def conditionality_lookup() -> dict[str, str]:
    return code_lookup(Conditionality, CONDITIONALITY_ALIASES)


def restriction_lookup() -> dict[str, str]:
    return code_lookup(Restriction, RESTRICTION_ALIASES)


def modality_lookup() -> dict[str, str]:
    return code_lookup(Modality, MODALITY_ALIASES)
