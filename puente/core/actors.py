"""Who acts, as `core` may name them. `core` sits below `accounts`
(docs/architecture.md, Layers), so it names a user by Django's own classes; the project's
user model and `accounts.permissions.Actor` fit it. None is the command line."""

from typing import TypeAlias

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser

Actor: TypeAlias = AbstractBaseUser | AnonymousUser
