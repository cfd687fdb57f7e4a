"""Imports a module that does not exist, as a plugin with a missing dependency would."""

import getdotenv_missing_dependency  # noqa: F401
