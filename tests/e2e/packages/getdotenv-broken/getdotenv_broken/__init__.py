"""A plugin package whose entry point cannot be imported."""
