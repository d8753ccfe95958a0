"""Field data collection: projects, XLSForm forms and their published versions, media files,
and the submissions ODK Collect and Enketo send over OpenRosa (docs/collect.md).

What is stored is what was sent: the XLSForm workbook as uploaded, the XForm produced from
it, each submission's XML and attachments byte for byte. Everything derived (answers by
field, exports, figures) is read from those.

A submission's life: received (`Submission.Status.RECEIVED`), then approved or rejected by
a reviewer. An edit made on a device arrives as a new instance naming the old one in
`deprecated_id`: the old row stays, with `superseded_by` pointing at the new one, so the
current submissions are those with `superseded_by` empty and the chain is the history.
A submission whose form or version is not published here is kept in `QuarantinedSubmission`
until an IM officer resolves or discards it; nothing sent is dropped.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Project(models.Model):
    """A group of forms filled by one team in one country (e.g. "Flow monitoring Colombia
    2026"). Data collectors are given the role `data-collector` over `project:CODE`; the
    managers and the country's IM officers see its data."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=255)
    country = models.ForeignKey(
        "reference.Country", on_delete=models.PROTECT, related_name="collect_projects"
    )
    managers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="managed_collect_projects"
    )
    # Public aggregates of the project's data (flow-monitoring dashboards) only when True.
    public = models.BooleanField(_("public aggregates"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("project")

    def __str__(self) -> str:
        return self.code


class Form(models.Model):
    """One XLSForm `form_id` in a project. Its versions are the workbooks published under
    that id; the form list serves the newest one."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="forms")
    form_id = models.CharField(_("form ID"), max_length=255)
    title = models.CharField(_("title"), max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project__code", "form_id"]
        verbose_name = _("form")
        constraints = [
            models.UniqueConstraint(fields=["project", "form_id"], name="unique_form_in_project"),
        ]

    def __str__(self) -> str:
        return self.form_id

    def current_version(self) -> FormVersion | None:
        """The version devices are given: the one published last."""
        return self.versions.order_by("-created_at", "-id").first()


class FormVersion(models.Model):
    """One publication of a form: the workbook as uploaded and the XForm pyxform made of
    it. `md5` is the hash of exactly the bytes served at the download URL (`xml` encoded
    as UTF-8); ODK Collect downloads the form again when it changes. Versions are never
    changed or deleted: every submission keeps the version it was filled in."""

    form = models.ForeignKey(Form, on_delete=models.PROTECT, related_name="versions")
    version = models.CharField(_("version"), max_length=255)
    title = models.CharField(_("title"), max_length=255)
    xlsform = models.FileField(_("XLSForm"), upload_to="collect/xlsform/%Y/%m/")
    xlsform_name = models.CharField(max_length=255)
    xml = models.TextField(_("XForm"))
    md5 = models.CharField(max_length=32)
    # pyxform's warnings at publication, as [{"sheet", "row", "message"}].
    warnings = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["form", "-created_at", "-id"]
        verbose_name = _("form version")
        constraints = [
            models.UniqueConstraint(fields=["form", "version"], name="unique_form_version"),
        ]

    def __str__(self) -> str:
        return f"{self.form.form_id} {self.version}"


class FormMedia(models.Model):
    """A file a form uses (a CSV choice list, an image), listed in the form's manifest.
    Uploading a file of the same name replaces it; `md5` changes and devices fetch it."""

    form = models.ForeignKey(Form, on_delete=models.CASCADE, related_name="media")
    filename = models.CharField(_("file name"), max_length=255)
    file = models.FileField(upload_to="collect/media/%Y/%m/")
    content_type = models.CharField(max_length=128, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    md5 = models.CharField(max_length=32)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["form", "filename"]
        verbose_name = _("form media file")
        constraints = [
            models.UniqueConstraint(fields=["form", "filename"], name="unique_form_media"),
        ]

    def __str__(self) -> str:
        return self.filename


class Submission(models.Model):
    """One filled form instance, as sent by a device. `xml` is the submission XML exactly
    as received (decoded as UTF-8); `xml_md5` is the hash of the bytes received, compared
    when the same `instance_id` comes again (same: a retry, nothing changes; different: a
    conflict, 409).

    `instance_id` is the instance's `meta/instanceID` (`uuid:…`), unique across Puente.
    An edit is a new row whose `deprecated_id` names the instance it replaces; the
    replaced row gets `superseded_by`. `root_id` is the instanceID of the first instance
    of the chain, the same on every edit: exports use it as the submission's key.

    `data` holds the answers read from `xml` by the form version when it was received
    (`parsing.stored_values`: field path -> typed value, repeats as lists), for exports
    and figures; `xml` stays the source of truth."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    form = models.ForeignKey(Form, on_delete=models.PROTECT, related_name="submissions")
    form_version = models.ForeignKey(
        FormVersion, on_delete=models.PROTECT, related_name="submissions"
    )
    instance_id = models.CharField(_("instance ID"), max_length=255, unique=True)
    root_id = models.CharField(max_length=255, db_index=True)
    deprecated_id = models.CharField(max_length=255, blank=True)
    superseded_by = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="supersedes"
    )
    xml = models.TextField()
    xml_md5 = models.CharField(max_length=32)
    data = models.JSONField(default=dict, blank=True)
    # False while the device says more parts will follow (`*isIncomplete*`).
    complete = models.BooleanField(default=True)
    device_id = models.CharField(max_length=255, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.RECEIVED
    )
    status_reason = models.TextField(_("reason"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("submission")
        indexes = [models.Index(fields=["form", "received_at"])]

    def __str__(self) -> str:
        return self.instance_id


class SubmissionAttachment(models.Model):
    """A file sent with a submission (a photo, a signature), kept as sent under the name
    the device gave it. Later POSTs of the same submission add the files not yet held."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(_("file name"), max_length=255)
    file = models.FileField(upload_to="collect/attachments/%Y/%m/")
    content_type = models.CharField(max_length=128, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    md5 = models.CharField(max_length=32)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["submission", "filename"]
        verbose_name = _("submission attachment")
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "filename"], name="unique_submission_attachment"
            ),
        ]

    def __str__(self) -> str:
        return self.filename


class QuarantinedSubmission(models.Model):
    """A submission sent to a project that matched no published form or version: kept
    with its attachments, never dropped. An IM officer resolves it (once the form version
    is published it becomes a Submission) or discards it (it stays, marked discarded).
    `form_id`, `version` and `instance_id` are what the XML said, possibly empty."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        RESOLVED = "resolved", _("Resolved")
        DISCARDED = "discarded", _("Discarded")

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="quarantine")
    form_id = models.CharField(max_length=255, blank=True)
    version = models.CharField(max_length=255, blank=True)
    instance_id = models.CharField(max_length=255, blank=True, db_index=True)
    reason = models.CharField(max_length=64)
    xml = models.TextField()
    xml_md5 = models.CharField(max_length=32)
    device_id = models.CharField(max_length=255, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    received_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    submission = models.ForeignKey(
        Submission, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("quarantined submission")

    def __str__(self) -> str:
        return self.instance_id or f"quarantine {self.pk}"


class QuarantinedAttachment(models.Model):
    """A file sent with a quarantined submission, kept as sent."""

    quarantined = models.ForeignKey(
        QuarantinedSubmission, on_delete=models.CASCADE, related_name="attachments"
    )
    filename = models.CharField(max_length=255)
    file = models.FileField(upload_to="collect/quarantine/%Y/%m/")
    content_type = models.CharField(max_length=128, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    md5 = models.CharField(max_length=32)

    class Meta:
        ordering = ["quarantined", "filename"]
        constraints = [
            models.UniqueConstraint(
                fields=["quarantined", "filename"], name="unique_quarantined_attachment"
            ),
        ]

    def __str__(self) -> str:
        return self.filename


class SubmissionCorrection(models.Model):
    """One answer of a submission corrected by an officer: the field path, the value
    before and after (typed as `Submission.data` keeps them), why, by whom and when. The
    XML stays as the device sent it; `Submission.data` carries the corrected value, and
    these rows are its history, in order."""

    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="corrections")
    path = models.CharField(_("field"), max_length=255)
    old_value = models.JSONField(_("value before"), null=True, blank=True)
    new_value = models.JSONField(_("new value"), null=True, blank=True)
    reason = models.TextField(_("reason"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["submission", "created_at", "id"]
        verbose_name = _("submission correction")

    def __str__(self) -> str:
        return f"{self.submission.instance_id} {self.path}"


class FormExport(models.Model):
    """A download of a form's data too large to make while the page waits: asked for on
    the form's page, written by `puente worker` (docs/collect.md, "Exports"), fetched by
    whoever asked for it until it expires (`PUENTE_EXPORT_KEEP_HOURS`), when the file and
    this record are deleted."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Being written")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    form = models.ForeignKey(Form, on_delete=models.CASCADE, related_name="exports")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    file_format = models.CharField(max_length=8)
    labels = models.CharField(max_length=8, blank=True)
    statuses = models.JSONField(default=list, blank=True)
    received_from = models.DateField(null=True, blank=True)
    received_to = models.DateField(null=True, blank=True)
    language = models.CharField(max_length=8, default="en")
    submissions = models.PositiveIntegerField(default=0)
    state = models.CharField(max_length=16, choices=State.choices, default=State.QUEUED)
    task_id = models.CharField(max_length=64, blank=True)
    file = models.FileField(upload_to="collect/exports/%Y/%m/", blank=True)
    filename = models.CharField(max_length=255, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("export")

    def __str__(self) -> str:
        return f"export {self.pk} of {self.form.form_id}"
