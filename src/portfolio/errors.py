"""One error family, so the CLI can turn any failure into one clear line and an exit code."""

from __future__ import annotations


class PortfolioError(Exception):
    """A failure the user can act on: what went wrong, what to do next, and an exit code."""

    def __init__(self, message: str, *, hint: str = "", exit_code: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.exit_code = exit_code

    def __str__(self) -> str:
        return self.message


class TemplateError(PortfolioError):
    """An unknown template name or a template that fails to render."""


class AnswerError(PortfolioError):
    """A bad answer: an invalid slug or value, or an unknown ``--set`` key."""


class DestinationExistsError(PortfolioError):
    """The folder the project would be written to already exists."""


class GitError(PortfolioError):
    """git is missing or one of its commands failed; ``detail`` keeps git's whole stderr."""

    def __init__(
        self, message: str, *, hint: str = "", exit_code: int = 1, detail: str = ""
    ) -> None:
        super().__init__(message, hint=hint, exit_code=exit_code)
        self.detail = detail


class GitHubError(PortfolioError):
    """The GitHub API answered with an error."""


class GitHubAuthError(GitHubError):
    """The GitHub token is missing, invalid or lacks a scope."""
