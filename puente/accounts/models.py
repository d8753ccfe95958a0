import hashlib
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> "User":
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> "User":
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with an email address. What they may do comes from roles."""

    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=255, blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True, choices=settings.LANGUAGES)
    is_active = models.BooleanField(default=True)  # type: ignore[misc]
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    # True only while the password is one somebody else generated (create-user, the Users
    # and roles page): every page but the change form leads to it until it is replaced.
    must_change_password = models.BooleanField(_("must change password"), default=False)
    # HTTP Digest's HA1, md5("email:realm:password"), for the OpenRosa endpoints
    # (docs/security.md). Kept only for users without a two-factor role: empty otherwise.
    digest_ha1 = models.CharField(max_length=32, blank=True, default="")

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []  # type: ignore[var-annotated]

    class Meta:
        verbose_name = _("user")

    def __str__(self) -> str:
        return self.email

    def set_password(self, raw_password: str | None) -> None:
        """Any password set after a generated one is the user's own: the obligation to
        change it ends. Whoever generates a password sets the flag after this call. A hash
        upgrade at sign-in (check_password's setter) saves only the password field, so
        it leaves the stored flag as it was."""
        super().set_password(raw_password)
        self.must_change_password = False
        self.digest_ha1 = digest_ha1(self, raw_password)


def digest_ha1(user: User, raw_password: str | None) -> str:
    """HTTP Digest's HA1 for `user`, or "" when Digest is not to be offered: no password,
    or a user whose roles need a second factor (their password is kept only as Django's
    salted hash; an HA1 is as weak as an unsalted md5, docs/security.md)."""
    from puente.accounts.permissions import TWO_FACTOR_ROLES

    if not raw_password or user.is_superuser:
        return ""
    # Read here rather than through permissions.user_roles, which would cache the roles
    # on this object before a grant that follows (create-user sets the password first).
    if user.pk and RoleAssignment.objects.filter(user=user, role__in=TWO_FACTOR_ROLES).exists():
        return ""
    realm = settings.PUENTE_COLLECT_DIGEST_REALM
    text = f"{user.email}:{realm}:{raw_password}"
    return hashlib.md5(text.encode("utf-8"), usedforsecurity=False).hexdigest()


class Role(models.TextChoices):
    REGIONAL_ADMIN = "regional-admin", _("Regional admin")
    PLATFORM_IM_OFFICER = "platform-im-officer", _("Platform IM officer")
    SECTOR_COORDINATOR = "sector-coordinator", _("Sector coordinator")
    PARTNER_REPORTER = "partner-reporter", _("Partner reporter")
    PARTNER_VIEWER = "partner-viewer", _("Partner viewer")
    CFM_OPERATOR = "cfm-operator", _("CFM operator")
    PSEA_FOCAL_POINT = "psea-focal-point", _("PSEA focal point")
    PSEA_COORDINATOR = "psea-coordinator", _("PSEA coordinator")
    DATA_COLLECTOR = "data-collector", _("Data collector")


class ScopeKind(models.TextChoices):
    REGION = "region", _("Region")
    PLATFORM = "platform", _("Platform")
    COUNTRY = "country", _("Country")
    SECTOR = "sector", _("Sector")
    ORGANISATION = "organisation", _("Organisation")
    PROJECT = "project", _("Project")


class RoleAssignment(models.Model):
    """One role held by one user over one scope. `scope_key` spells the scope as the CLI
    does (`country:COL`, `sector:COL/HEA`) and makes an assignment unique."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    scope_kind = models.CharField(_("scope"), max_length=16, choices=ScopeKind.choices)
    scope_key = models.CharField(max_length=96)
    platform = models.ForeignKey(
        "reference.Platform", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    country = models.ForeignKey(
        "reference.Country", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    sector = models.ForeignKey(
        "reference.Sector", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    organisation = models.ForeignKey(
        "partners.Organisation",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="role_assignments",
    )
    project = models.ForeignKey(
        "collect.Project",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="role_assignments",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "scope_key"], name="unique_role_scope"),
        ]
        ordering = ["role", "scope_key"]

    def __str__(self) -> str:
        return f"{self.role} @ {self.scope_key}"
