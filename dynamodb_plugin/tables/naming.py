"""Table names from the stage and the table version, as SMOZ services name them.

``STAGE_NAME = ${SERVICE_NAME}-${STAGE}``, ``TABLE_NAME = ${STAGE_NAME}-${TABLE_VERSION}``,
``TABLE_NAME_DEPLOYED = ${STAGE_NAME}-${TABLE_VERSION_DEPLOYED}``; each only when its inputs
are present, and never over a value the user set. Light: imported on every start.
"""

from __future__ import annotations

from collections.abc import Mapping


def derive(env: Mapping[str, str]) -> dict[str, str]:
    """The names that can be derived from ``env`` and are not set there already."""
    out: dict[str, str] = {}
    stage_name = env.get("STAGE_NAME")
    if not stage_name and env.get("SERVICE_NAME") and env.get("STAGE"):
        stage_name = out["STAGE_NAME"] = f"{env['SERVICE_NAME']}-{env['STAGE']}"
    if stage_name:
        for name, version in (
            ("TABLE_NAME", "TABLE_VERSION"),
            ("TABLE_NAME_DEPLOYED", "TABLE_VERSION_DEPLOYED"),
        ):
            if not env.get(name) and env.get(version):
                out[name] = f"{stage_name}-{env[version]}"
    return out
