"""Where the settings file is and what it holds, read as TOML tables: the one reader every part of the
app and its tools uses. Loads neither cdktf nor the construct library, so a tool that only needs a value
of the file (the emulator's endpoint before every Terraform run) starts at once.

``CDKTF_FARGATE_ENV`` picks the environment (default ``prod``); ``CDKTF_FARGATE_CONFIG`` points at
another settings file (default ``environments.toml`` beside ``main.py``).
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

ENV_VAR = "CDKTF_FARGATE_ENV"
CONFIG_VAR = "CDKTF_FARGATE_CONFIG"
DEFAULT_ENVIRONMENT = "prod"
DEFAULT_CONFIG_PATH = Path(__file__).resolve().parent.parent / "environments.toml"
# The table of `make bootstrap`'s settings; no environment may take its name.
BOOTSTRAP_TABLE = "bootstrap"


def settings_path(config_path: str | Path | None = None) -> Path:
    """``config_path``, else ``CDKTF_FARGATE_CONFIG``, else the shipped file."""
    return Path(config_path or os.environ.get(CONFIG_VAR) or DEFAULT_CONFIG_PATH)


def read_tables(config_path: str | Path | None = None) -> tuple[Path, dict[str, Any]]:
    """The settings file's path and tables; a missing or malformed file is a ValueError that names it."""
    path = settings_path(config_path)
    try:
        with path.open("rb") as handle:
            return path, tomllib.load(handle)
    except FileNotFoundError:
        raise ValueError(f"{CONFIG_VAR}={str(path)!r}: the settings file does not exist") from None
    except tomllib.TOMLDecodeError as error:
        raise ValueError(f"{CONFIG_VAR}={str(path)!r}: not valid TOML: {error}") from None


def chosen_environment(environment: str | None = None) -> str:
    """``environment``, else ``CDKTF_FARGATE_ENV``, else ``prod``."""
    return environment or os.environ.get(ENV_VAR) or DEFAULT_ENVIRONMENT


def environment_names(tables: dict[str, Any]) -> list[str]:
    """The file's environments, in its order: every table but the bootstrap's."""
    return [name for name in tables if name != BOOTSTRAP_TABLE]
