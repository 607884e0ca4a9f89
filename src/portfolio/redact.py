"""Remove a token from text before anyone sees it, in every form it travels in.

A token goes over the wire in clear (``Authorization: Bearer``) or base64-encoded inside HTTP
basic auth, so an error body or git's stderr can echo it either way.
"""

from __future__ import annotations

import base64

REDACTED = "***"
#: The user name GitHub (and most git hosts) expect beside a token in HTTP basic auth.
TOKEN_USER = "x-access-token"  # noqa: S105 (a user name, not a secret)


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def token_forms(token: str) -> tuple[str, ...]:
    """Return the token as it may appear in text: clear, and base64 alone or as basic auth."""
    forms = (token, _b64(f"{TOKEN_USER}:{token}"), _b64(token), _b64(token).rstrip("="))
    return tuple(form for form in forms if form)


def redact(text: str, token: str | None) -> str:
    """Return ``text`` with every form of ``token`` replaced by ``***``."""
    if not token:
        return text
    for form in token_forms(token):
        text = text.replace(form, REDACTED)
    return text
