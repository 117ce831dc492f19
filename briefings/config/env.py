"""Settings read from the environment, each declared once with a default and help.

`docs/settings.md` lists every declared setting; a test fails when one is missing
there (the habit is Datasette's).
"""

import os
from dataclasses import dataclass

REGISTRY: dict[str, "Setting"] = {}


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    help: str

    def raw(self):
        """Return the environment's value, or the default when unset or empty."""
        value = os.environ.get(self.name, "")
        return value if value.strip() else self.default


def declare(name, default, help):
    """Declare a setting and return it; declaring a name twice is a mistake."""
    if name in REGISTRY:
        raise ValueError(f"setting {name} is declared twice")
    setting = Setting(name, default, help)
    REGISTRY[name] = setting
    return setting


def as_str(setting):
    return setting.raw()


def as_bool(setting):
    value = setting.raw().strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(f"{setting.name} must be true or false, not {value!r}")


def as_int(setting):
    try:
        return int(setting.raw())
    except ValueError:
        raise ValueError(f"{setting.name} must be a whole number") from None


def as_list(setting):
    return [item.strip() for item in setting.raw().split(",") if item.strip()]
