"""The `tandem` console command: Django's management commands under one entry point.

`tandem synth ...`, `tandem instruments ...`, `tandem migrate` and `tandem runserver` all run
through here so operators learn one tool rather than `manage.py` plus scripts.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    """Run a Tandem management command."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tandem.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv[1:] if argv is None else argv)
    execute_from_command_line(["tandem", *args])


if __name__ == "__main__":
    main()
