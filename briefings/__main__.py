"""The `briefings` command: Django's management entry point for this project."""

import os
import sys


def main(argv=None):
    """Run a management command (`briefings migrate`, `briefings run`, ...)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "briefings.config.settings")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv if argv is None else argv)
    argv[0] = "briefings"
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
