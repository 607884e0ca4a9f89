import pandas as pd
import pytest

from {{ cookiecutter.__package }}.normalise import dedup_key, normalise, text_flags


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Visit http://win.example.com/now!", "Visit xxurl"),
        ("go to www.prizes4u.co.uk today", "go to xxurl today"),
        ("mail me@example.org", "mail xxemail"),
        ("Call 09061701461 now", "Call xxphone now"),
        ("call 0800 123 4567", "call xxphone"),
        ("Won £1000 cash", "Won £ xxnum cash"),
        ("meet at 7:30", "meet at xxnum"),
        ("ＦＲＥＥ ① ﬁne", "FREE xxnum fine"),
        ("  lots\tof \n space  ", "lots of space"),
        ("FREE entry", "FREE entry"),
        # The patterns run only where their character is present: a link without a dot,
        # digits of another script, and nothing to replace at all.
        ("see https://localhost now", "see xxurl now"),
        ("room ٣٤ please", "room xxnum please"),
        ("no links or digits here", "no links or digits here"),
    ],
)
def test_normalise(raw: str, expected: str) -> None:
    assert normalise(raw) == expected


def test_normalise_is_idempotent() -> None:
    text = "WIN £250 at www.win.com or text 87121 now!!"
    assert normalise(normalise(text)) == normalise(text)


def test_dedup_key_ignores_case_and_punctuation() -> None:
    assert dedup_key(normalise("Call me!")) == dedup_key(normalise("call   me"))
    assert dedup_key(normalise("Call me")) != dedup_key(normalise("Call her"))


def test_text_flags_describe_the_raw_message() -> None:
    flags = text_flags(pd.Series(["hi", "see www.x.com", "call 123", "x" * 200]))
    assert flags["length"].tolist() == [2, 13, 8, 200]
    assert flags["has_url"].tolist() == [False, True, False, False]
    assert flags["has_number"].tolist() == [False, False, True, False]
