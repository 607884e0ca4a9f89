"""portfolio: generate applied ML portfolio projects that are ready to fill and publish."""

__version__ = "0.1.0"
