"""The one source of the version: pyproject.toml reads it, the package re-exports it."""

__version__ = "0.1.0"
