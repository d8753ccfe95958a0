"""The `puente` command: the project's CLI and every Django management command.

Commands are spelled with hyphens or underscores alike (`puente load-reference`,
`puente help people_reached`, `puente people-reached --help`); `puente import` runs
`import_data` (``import`` is a Python keyword and cannot name a module). `puente help`
lists Puente's own commands by area; `puente help --django` lists every command.
"""

from __future__ import annotations

import difflib
import os
import re
import shutil
import sys
import textwrap

COMMAND_ALIASES = {"import": "import_data"}

# Puente's commands by area, as `puente help` lists them; a command of Puente's own apps
# that no area names is listed under "Other". Django's `migrate` and `runserver` and
# django-tasks' `db_worker` are listed with them: running Puente needs them.
COMMAND_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Data in", ("load_reference", "load_boundaries", "load_areas", "import_data", "demo_data")),
    ("Figures", ("people_reached", "funding_summary", "cube_rebuild", "flows_planning")),
    (
        "Community feedback",
        ("feedback_reminders", "feedback_channel_token", "feedback_rotate_keys"),
    ),
    ("Field data collection", ("forms",)),
    ("Users", ("create_user", "remove_role", "changepassword")),
    ("Running", ("migrate", "serve", "runserver", "worker", "db_worker", "backup", "restore")),
)


# The end of a command's first sentence, or the colon before its usage; "e.g." is no end.
SENTENCE_END = re.compile(r"(?<!\be\.g)(?<!\bi\.e)\.\s|:\s")


def command_name(name: str) -> str:
    """Map a CLI spelling (`load-reference`, `import`) to its management command."""
    return COMMAND_ALIASES.get(name, name.replace("-", "_"))


def command_spelling(name: str) -> str:
    """How the CLI writes a management command: `load_reference` -> `load-reference`.
    Django's own commands keep their names (`db_worker`, `runserver`)."""
    reverse_aliases = {v: k for k, v in COMMAND_ALIASES.items()}
    if name in reverse_aliases:
        return reverse_aliases[name]
    from django.core.management import get_commands

    app = get_commands().get(name, "")
    return name.replace("_", "-") if str(app).startswith("puente") else name


def _summary(help_text: str, width: int) -> str:
    """The first sentence of a command's help, on one line of at most `width`."""
    text = " ".join(str(help_text).split())
    text = SENTENCE_END.split(text, maxsplit=1)[0].rstrip(".")
    return textwrap.shorten(text, width=max(width, 20), placeholder="…")


def puente_help_text(prog_name: str = "puente") -> str:
    """Puente's commands by area, one line each, then where Django's commands are."""
    from django.core.management import get_commands, load_command_class

    commands = get_commands()
    grouped = [name for _title, names in COMMAND_GROUPS for name in names]
    others = sorted(
        name
        for name, app in commands.items()
        if str(app).startswith("puente") and name not in grouped
    )
    groups = [*COMMAND_GROUPS, ("Other", tuple(others))] if others else list(COMMAND_GROUPS)
    columns = shutil.get_terminal_size((100, 24)).columns
    name_width = 2 + max(len(command_spelling(n)) for n in grouped if n in commands) + 2
    lines = [
        f"Usage: {prog_name} COMMAND [options]",
        f"'{prog_name} help COMMAND' or '{prog_name} COMMAND --help' shows a command's options.",
    ]
    for title, names in groups:
        present = [n for n in names if n in commands]
        if not present:
            continue
        lines += ["", f"{title}:"]
        for name in present:
            app = commands[name]
            command = app if not isinstance(app, str) else load_command_class(app, name)
            spelled = command_spelling(name)
            summary = _summary(command.help, columns - name_width - 1)
            lines.append(f"  {spelled.ljust(name_width - 2)}{summary}".rstrip())
    lines += [
        "",
        f"Django's own commands are available too: '{prog_name} help --django' lists them all.",
    ]
    return "\n".join(lines)


def _utility(argv: list[str]):  # type: ignore[no-untyped-def]
    from django.core.management import ManagementUtility, get_commands, load_command_class

    class PuenteUtility(ManagementUtility):
        """Django's utility with Puente's spellings and Puente's own help first."""

        def main_help_text(self, commands_only: bool = False) -> str:
            if commands_only or "--django" in self.argv[2:]:
                return super().main_help_text(commands_only=commands_only)
            return puente_help_text(self.prog_name)

        def fetch_command(self, subcommand: str):  # type: ignore[no-untyped-def]
            commands = get_commands()
            name = command_name(subcommand)
            if name not in commands:
                spellings = {command_spelling(n): n for n in commands}
                spellings.update(COMMAND_ALIASES)
                matches = difflib.get_close_matches(subcommand, spellings)
                if not matches:
                    matches = difflib.get_close_matches(name, list(commands))
                    matches = [command_spelling(m) for m in matches]
                sys.stderr.write(f"Unknown command: {subcommand!r}")
                if matches:
                    sys.stderr.write(f". Did you mean {matches[0]}?")
                sys.stderr.write(f"\nType '{self.prog_name} help' for usage.\n")
                sys.exit(1)
            app = commands[name]
            return app if not isinstance(app, str) else load_command_class(app, name)

    return PuenteUtility(argv)


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "puente.settings")
    args = list(sys.argv if argv is None else argv)
    args[0] = "puente"
    # The command keeps the spelling it was typed with: its usage line then reads
    # `puente people-reached ...`; fetch_command maps it to the management command.
    _utility(args).execute()


if __name__ == "__main__":
    main()
