"""Publishing XLSForm workbooks: pyxform turns the workbook into an XForm; the workbook and
the XForm are kept as a new version of the form (docs/collect.md).

The same `form_id` published again adds a version; the same version again with the same
XForm changes nothing (a repeated command is harmless), with another XForm it is refused:
devices key forms by ID and version, and a form changing under a version would make the
submissions already filled in it unreadable."""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from pyxform.errors import PyXFormError
from pyxform.xls2xform import convert

from puente.accounts.permissions import Actor, signed_in
from puente.collect.codes import CollectCode
from puente.collect.models import Form, FormMedia, FormVersion, Project
from puente.core.services import audit_record
from puente.reference.models import Country

XLSFORM_TYPES = (".xlsx", ".xlsm", ".xls", ".md", ".csv")
_ROW = re.compile(r"^\s*\[row\s*:\s*(\d+)\]\s*")
_SHEET = re.compile(r"[Oo]n the '([A-Za-z_-]+)' sheet")


@dataclass(frozen=True)
class XlsformMessage:
    """One of pyxform's errors or warnings, with the sheet and row it names (when it names
    them). `message` is pyxform's own text, in English."""

    sheet: str
    row: int | None
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"sheet": self.sheet, "row": self.row, "message": self.message}

    def text(self) -> str:
        """The message with its place, the place in the active language."""
        if self.row is not None:
            return _("Sheet %(sheet)s, row %(row)s: %(message)s") % {
                "sheet": self.sheet or "survey",
                "row": self.row,
                "message": self.message,
            }
        if self.sheet:
            return _("Sheet %(sheet)s: %(message)s") % {
                "sheet": self.sheet,
                "message": self.message,
            }
        return self.message


def xlsform_message(text: str) -> XlsformMessage:
    """pyxform writes places as "[row : 4] On the 'choices' sheet, ...": split them off."""
    text = " ".join(str(text).split())
    row = None
    match = _ROW.match(text)
    if match:
        row = int(match.group(1))
        text = text[match.end() :]
    sheet_match = _SHEET.search(text)
    sheet = sheet_match.group(1) if sheet_match else ("survey" if row is not None else "")
    return XlsformMessage(sheet=sheet, row=row, message=text)


@dataclass
class Conversion:
    form_id: str
    version: str
    title: str
    xml: str
    warnings: list[XlsformMessage] = field(default_factory=list)
    # CSV of choices pyxform moved out of the form (`select_one_from_file`, external).
    itemsets: str | None = None


def xlsform_convert(*, name: str, content: bytes) -> Conversion:
    """Convert one workbook; ApplicationError `xlsform_invalid` carrying pyxform's errors
    (`extra["errors"]`, with sheet and row) when it cannot be converted."""
    suffix = PurePath(name).suffix.lower()
    if suffix not in XLSFORM_TYPES:
        raise CollectCode.NOT_AN_XLSFORM.error(name=name)
    warnings: list[str] = []
    try:
        result = convert(xlsform=io.BytesIO(content), file_type=suffix, warnings=warnings)
    except (PyXFormError, ValueError, KeyError, TypeError) as exc:
        # pyxform raises PyXFormError for what it checks and plain errors for workbooks
        # it cannot read at all; both are the workbook's fault.
        errors = [xlsform_message(str(exc)).as_dict()]
        raise CollectCode.XLSFORM_INVALID.error(
            extra={"errors": errors, "warnings": [xlsform_message(w).as_dict() for w in warnings]}
        ) from exc
    data = result._pyxform
    form_id = str(data.get("id_string") or "")
    return Conversion(
        form_id=form_id,
        version=str(data.get("version") or ""),
        title=str(data.get("title") or form_id),
        xml=result.xform,
        warnings=[xlsform_message(w) for w in warnings],
        itemsets=result.itemsets,
    )


def xform_md5(xml: str) -> str:
    """The hash the form list announces: of exactly the bytes the download serves."""
    return hashlib.md5(xml.encode("utf-8"), usedforsecurity=False).hexdigest()


def project_for_publishing(
    *, acting_user: Actor | None, code: str, country_iso3: str = "", name: str = ""
) -> Project:
    """The project `code`, created when new (its country is then required)."""
    code = code.strip().lower()
    project = Project.objects.filter(code=code).first()
    if project is not None:
        return project
    country = Country.objects.filter(iso3=country_iso3.strip().upper()).first()
    if country is None:
        raise CollectCode.PROJECT_COUNTRY_REQUIRED.error(code=code)
    return project_create(acting_user=acting_user, code=code, name=name or code, country=country)


@transaction.atomic
def project_create(*, acting_user: Actor | None, code: str, name: str, country: Country) -> Project:
    project = Project(code=code.strip().lower(), name=name, country=country)
    project.full_clean()
    project.save()
    audit_record(
        acting_user=acting_user,
        action="collect.project_create",
        target=project,
        data={"code": project.code, "country": country.iso3},
    )
    return project


@transaction.atomic
def project_managers_change(
    *, acting_user: Actor | None, project: Project, add: list[str], remove: list[str]
) -> list[str]:
    """Add and remove a project's managers by e-mail address (they see its forms and
    data); the e-mail addresses of the managers after the change."""
    from puente.accounts.models import User

    emails = [e.strip().lower() for e in add]
    users = list(User.objects.filter(email__in=emails, is_active=True))
    missing = sorted(set(emails) - {u.email for u in users})
    if missing:
        raise CollectCode.UNKNOWN_USER.error(email=", ".join(missing))
    project.managers.add(*users)
    project.managers.remove(*User.objects.filter(email__in=[e.strip().lower() for e in remove]))
    managers = sorted(project.managers.values_list("email", flat=True))
    audit_record(
        acting_user=acting_user,
        action="collect.project_managers",
        target=project,
        data={"add": emails, "remove": remove, "managers": managers},
    )
    return managers


@dataclass
class Publication:
    version: FormVersion
    created: bool
    warnings: list[XlsformMessage]


@transaction.atomic
def form_publish(
    *, acting_user: Actor | None, project: Project, name: str, content: bytes
) -> Publication:
    """Publish a workbook in `project`: a new version of its form (the form is created
    with its first version). Nothing is written when the workbook does not convert."""
    conversion = xlsform_convert(name=name, content=content)
    elsewhere = Form.objects.filter(form_id=conversion.form_id).exclude(project=project).first()
    if elsewhere is not None:
        # Devices key forms by ID: one ID in two projects would mix their forms up.
        raise CollectCode.FORM_IN_OTHER_PROJECT.error(
            form_id=conversion.form_id, project=elsewhere.project.code
        )
    form, _created = Form.objects.select_for_update().get_or_create(
        project=project, form_id=conversion.form_id, defaults={"title": conversion.title}
    )
    md5 = xform_md5(conversion.xml)
    existing = form.versions.filter(version=conversion.version).first()
    if existing is not None:
        if existing.md5 != md5:
            raise CollectCode.VERSION_EXISTS.error(
                version=conversion.version, form_id=conversion.form_id
            )
        return Publication(version=existing, created=False, warnings=conversion.warnings)
    version = FormVersion(
        form=form,
        version=conversion.version,
        title=conversion.title,
        xlsform_name=PurePath(name).name,
        xml=conversion.xml,
        md5=md5,
        warnings=[w.as_dict() for w in conversion.warnings],
        created_by=signed_in(acting_user),
    )
    version.xlsform.save(PurePath(name).name, ContentFile(content), save=False)
    version.save()
    if form.title != conversion.title:
        form.title = conversion.title
        form.save(update_fields=["title"])
    if conversion.itemsets:
        _media_store(form=form, filename="itemsets.csv", content=conversion.itemsets.encode())
    audit_record(
        acting_user=acting_user,
        action="collect.form_publish",
        target=version,
        data={"form_id": form.form_id, "version": version.version, "project": project.code},
    )
    return Publication(version=version, created=True, warnings=conversion.warnings)


def _media_store(*, form: Form, filename: str, content: bytes, content_type: str = "") -> FormMedia:
    media = FormMedia.objects.filter(form=form, filename=filename).first() or FormMedia(
        form=form, filename=filename
    )
    if media.pk and media.file:
        media.file.delete(save=False)
    media.md5 = hashlib.md5(content, usedforsecurity=False).hexdigest()
    media.size = len(content)
    media.content_type = content_type or _content_type(filename)
    media.file.save(filename, ContentFile(content), save=False)
    media.save()
    return media


def _content_type(filename: str) -> str:
    import mimetypes

    return mimetypes.guess_type(filename)[0] or "application/octet-stream"


@transaction.atomic
def form_media_add(
    *, acting_user: Actor | None, form: Form, filename: str, content: bytes, content_type: str = ""
) -> FormMedia:
    """Attach a file to a form (listed in its manifest); a file of the same name is
    replaced, and devices fetch it again since its hash changes."""
    filename = PurePath(filename).name
    if not filename:
        raise CollectCode.MEDIA_NAME_REQUIRED.error()
    media = _media_store(form=form, filename=filename, content=content, content_type=content_type)
    audit_record(
        acting_user=acting_user,
        action="collect.media_add",
        target=media,
        data={"form_id": form.form_id, "filename": filename, "md5": media.md5},
    )
    return media
