"""``smoz``: the getdotenv host, its plugins and its commands, under another name."""

from __future__ import annotations

from host_cli import create_app


def main() -> None:
    create_app(prog_name="smoz", root_option_defaults={"paths": "./ ./env"})(prog_name="smoz")
