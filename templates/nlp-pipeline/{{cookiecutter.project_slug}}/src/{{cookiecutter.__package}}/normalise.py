"""Normalise text so that the model and the de-duplicator see content, not noise.

Unicode NFKC folds look-alike characters (full-width digits, ligatures, non-breaking spaces),
and URLs, e-mail addresses, phone numbers and other numbers become placeholder tokens: the
model should learn "contains a phone number", not one particular number, and two copies of a
template that differ only in a number or a link are the same text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

import pandas as pd

__all__ = [
    "EMAIL",
    "NUMBER",
    "PHONE",
    "URL",
    "dedup_key",
    "normalise",
    "normalise_many",
    "text_flags",
]

# Placeholder tokens: plain word characters, so TF-IDF keeps them as words, and spelled so
# that no English word collides with them.
URL = "xxurl"
EMAIL = "xxemail"
PHONE = "xxphone"
NUMBER = "xxnum"

_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_URL_RE = re.compile(
    r"(?:https?://|www\.)\S+"
    r"|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|net|org|biz|info|co\.uk|uk)\b(?:/\S*)?",
    re.IGNORECASE,
)
# Seven or more digits, possibly split by single spaces or dashes: a phone number or short code.
_PHONE_RE = re.compile(r"(?<!\w)\+?\d(?:[ -]?\d){6,}(?!\w)")
_NUMBER_RE = re.compile(r"\d+(?:[.,:]\d+)*")
_SPACE_RE = re.compile(r"\s+")
_DIGIT_RE = re.compile(r"\d")
_DEDUP_DROP_RE = re.compile(r"[^\w ]+")


def normalise(text: str) -> str:
    """Return ``text`` in NFKC form with URLs, e-mails and numbers as tokens, spaces collapsed.

    Case is kept: capitals ("FREE", "URGENT") are a signal the character features use.
    """
    text = unicodedata.normalize("NFKC", text)
    # Each pattern runs only where the character it needs is present: the same result, and
    # on text without links or numbers several times faster (the URL pattern tries a match at
    # every word), which matters because the pipeline normalises every text it reads.
    if "@" in text:
        text = _EMAIL_RE.sub(f" {EMAIL} ", text)
    if "." in text or ":" in text:
        text = _URL_RE.sub(f" {URL} ", text)
    if _DIGIT_RE.search(text):
        text = _PHONE_RE.sub(f" {PHONE} ", text)
        text = _NUMBER_RE.sub(f" {NUMBER} ", text)
    return _SPACE_RE.sub(" ", text).strip()


def normalise_many(texts: Iterable[str]) -> list[str]:
    """Normalise every text; the function the saved pipeline applies before its features."""
    return [normalise(text) for text in texts]


def dedup_key(normalised: str) -> str:
    """Return the key under which two normalised texts are exact duplicates.

    Case and punctuation are dropped too: "Call me!" and "call me" are the same text to a
    reader, and letting one sit in training and the other in the test set would leak it.
    """
    return _SPACE_RE.sub(" ", _DEDUP_DROP_RE.sub(" ", normalised.casefold())).strip()


def text_flags(texts: pd.Series) -> pd.DataFrame:
    """Return the subgroup attributes of raw texts: length, and URL or number presence.

    Computed on the raw text so that the subgroups mean what a reader expects of them.
    """
    nfkc = texts.map(lambda t: unicodedata.normalize("NFKC", t))
    return pd.DataFrame(
        {
            "length": texts.str.len().astype("int64"),
            "has_url": nfkc.str.contains(_URL_RE) | nfkc.str.contains(_EMAIL_RE),
            "has_number": nfkc.str.contains(r"\d", regex=True),
        },
        index=texts.index,
    )
