"""Importing this module fails, as user code sometimes does."""

raise RuntimeError("configuration file settings.toml not found")
