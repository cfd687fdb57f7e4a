"""Moved to ``host_cli.integrations.settings``; this name keeps existing imports working."""

from __future__ import annotations

from host_cli.integrations.settings import GetDotenvSettingsSource

__all__ = ["GetDotenvSettingsSource"]
