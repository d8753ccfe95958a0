"""The `puente` command: the project's CLI and every Django management command.

`puente load-reference` runs the management command `load_reference`; `puente import`
runs `import_data` (``import`` is a Python keyword and cannot name a module).
"""

import os
import sys

COMMAND_ALIASES = {"import": "import_data"}


def command_name(name: str) -> str:
    """Map a CLI spelling (`load-reference`, `import`) to its management command."""
    return COMMAND_ALIASES.get(name, name.replace("-", "_"))


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "puente.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    args[0] = "puente"
    if len(args) > 1 and not args[1].startswith("-"):
        args[1] = command_name(args[1])
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
