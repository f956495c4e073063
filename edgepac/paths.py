"""Where EdgePac keeps its files, following the XDG base directories and systemd's variables.

- models:  $EDGEPAC_MODELS, else $XDG_DATA_HOME/edgepac/models (~/.local/share/edgepac/models)
- state:   $EDGEPAC_STATE, else $STATE_DIRECTORY (systemd's StateDirectory=), else
           $XDG_STATE_HOME/edgepac (~/.local/state/edgepac)
- config:  /etc/edgepac/config.toml, then $XDG_CONFIG_HOME/edgepac/config.toml
"""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
# models/manifest.toml is the one copy; edgepac/manifest.toml links to it so that a regular
# (non-editable) install, like the kiosk's in /opt/edgepac, carries it as package data.
MANIFEST = Path(__file__).resolve().parent / "manifest.toml"


def _xdg(var: str, default: str) -> Path:
    value = os.environ.get(var)
    return Path(value) if value else Path.home() / default


def models_dir() -> Path:
    value = os.environ.get("EDGEPAC_MODELS")
    if value:
        return Path(value)
    return _xdg("XDG_DATA_HOME", ".local/share") / "edgepac" / "models"


def state_dir() -> Path:
    for var in ("EDGEPAC_STATE", "STATE_DIRECTORY"):
        value = os.environ.get(var)
        if value:
            # systemd may pass several colon-separated directories; the first is ours.
            return Path(value.split(":")[0])
    return _xdg("XDG_STATE_HOME", ".local/state") / "edgepac"


def config_files() -> list[Path]:
    """Config files in the order they are applied; later ones override earlier ones."""
    return [
        Path("/etc/edgepac/config.toml"),
        _xdg("XDG_CONFIG_HOME", ".config") / "edgepac" / "config.toml",
    ]
