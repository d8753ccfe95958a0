"""Texts of Django's password forms and validators that Puente's pages show.

Listed here so that the project's catalogues carry them, and the pages give them in the
project's Spanish and in Brazilian Portuguese: Django's own `pt` catalogue is European
Portuguese ("palavra-passe" where Brazil says "senha"). The project's catalogues come
first (LOCALE_PATHS), so these entries replace Django's for the three languages."""

from django.utils.translation import gettext_noop, ngettext_lazy

PASSWORD_TEXTS = (
    ngettext_lazy(
        "This password is too short. It must contain at least %d character.",
        "This password is too short. It must contain at least %d characters.",
        "min_length",
    ),
    ngettext_lazy(
        "Your password must contain at least %(min_length)d character.",
        "Your password must contain at least %(min_length)d characters.",
        "min_length",
    ),
    gettext_noop("This password is too common."),
    gettext_noop("Your password can’t be a commonly used password."),
    gettext_noop("The two password fields didn’t match."),
    gettext_noop("Your old password was entered incorrectly. Please enter it again."),
    gettext_noop("Password confirmation"),
    gettext_noop("Enter the same password as before, for verification."),
    gettext_noop("New password"),
    gettext_noop("New password confirmation"),
    gettext_noop("Old password"),
)
