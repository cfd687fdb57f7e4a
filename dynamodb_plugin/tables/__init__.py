"""Versioned table definitions: layout, translation to API calls, migrations."""
