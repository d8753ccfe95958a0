from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditRecord(models.Model):
    """Who changed what, when. Written by services, never by views or signals."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(max_length=64, db_index=True)
    target_type = models.CharField(max_length=64)
    target_id = models.CharField(max_length=64)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"])]
        verbose_name = _("audit record")

    def __str__(self) -> str:
        return f"{self.action} {self.target_type}:{self.target_id}"


class Upload(models.Model):
    """A file given to a whole-file import through the web, kept with its report whatever
    the outcome: nothing a user submitted is lost."""

    created_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=32)
    filename = models.CharField(max_length=255)
    file = models.FileField(upload_to="uploads/%Y/%m/")
    dry_run = models.BooleanField(default=False)
    accepted = models.BooleanField(default=False)
    report = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("upload")

    def __str__(self) -> str:
        return f"{self.kind} {self.filename}"


class RateCounter(models.Model):
    """One fixed window of a rate limit (core.ratelimit: the public feedback form, the
    password reset): counted in the database with one atomic statement, so that it holds
    across threads and processes whatever the cache is."""

    bucket = models.CharField(max_length=96, unique=True)
    window_start = models.FloatField()  # seconds since the epoch
    count = models.PositiveIntegerField(default=0)


class WorkerHeartbeat(models.Model):
    """The last time each background worker (`puente worker`) said it was alive: written
    at its start and every minute, read by `/readyz` (docs/deploy.md). In the database,
    so that workers and web processes on different machines see the same beats."""

    worker_id = models.CharField(max_length=64, unique=True)
    host = models.CharField(max_length=255, blank=True)
    pid = models.PositiveIntegerField(default=0)
    seen_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.host}) {self.seen_at:%Y-%m-%d %H:%M:%S}"
