"""The pydantic-settings source reads the composed environment (the docs' example, run)."""

from __future__ import annotations

import re
from pathlib import Path

DOCS = Path(__file__).resolve().parents[2] / "docs" / "api.md"


def test_the_docs_example_reads_the_composed_environment(project, monkeypatch):
    project(
        {
            ".env": "DATABASE_URL=postgres://localhost/${SERVICE}\nSERVICE=orders\n",
            ".env.dev": "LOG_LEVEL=debug\nSERVICE=orders-dev\n",
        }
    )
    code = re.search(r"## pydantic-settings.*?```python\n(.*?)```", DOCS.read_text(), re.S).group(1)
    scope: dict = {}
    exec(compile(code, str(DOCS), "exec"), scope)
    settings = scope["settings"]
    assert (settings.database_url, settings.log_level) == ("postgres://localhost/", "debug")
    monkeypatch.setenv("LOG_LEVEL", "info")  # the process environment comes first
    assert scope["Settings"]().log_level == "info"


def test_prefix_and_nesting_apply(project):
    from pydantic import BaseModel
    from pydantic_settings import BaseSettings, SettingsConfigDict

    from host_cli.integrations.settings import GetDotenvSettingsSource

    class Db(BaseModel):
        host: str
        port: int

    class Settings(BaseSettings):
        model_config = SettingsConfigDict(env_prefix="APP_", env_nested_delimiter="__")
        db: Db
        name: str = "x"

        @classmethod
        def settings_customise_sources(cls, settings_cls, **sources):
            return (GetDotenvSettingsSource(settings_cls, vars={"APP_NAME": "from-vars"}),)

    project({".env": "APP_DB__HOST=localhost\nAPP_DB__PORT=5432\nOTHER=1\n"})
    settings = Settings()
    assert (settings.db.host, settings.db.port, settings.name) == ("localhost", 5432, "from-vars")
