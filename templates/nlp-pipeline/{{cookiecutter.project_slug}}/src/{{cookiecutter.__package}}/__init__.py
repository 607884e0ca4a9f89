"""A text classification pipeline: one module per stage, run with ``python -m`` (see cli)."""

__version__ = "0.1.0"
