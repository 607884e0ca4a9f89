import codecs
import dataclasses
import json
from pathlib import Path

import pytest

from {{ cookiecutter.__package }}.config import Config
from {{ cookiecutter.__package }}.ingest import IngestError, decode, detect_encoding, read_corpus


def _data(config: Config, path: Path, **changes: object):
    return dataclasses.replace(config.data, path=path, **changes)


def test_bundled_sample_reads_completely(config: Config) -> None:
    corpus = read_corpus(config.data)
    assert len(corpus.frame) == 800
    assert corpus.bad_rows == ()
    assert corpus.encoding == "utf-8"
    assert corpus.frame["y"].sum() == 107
    # Unbalanced quotes are text, not field delimiters.
    assert corpus.frame["text"].str.contains('"', regex=False).any()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"plain ascii", "utf-8"),
        ("£5 prize".encode(), "utf-8"),
        (codecs.BOM_UTF8 + b"hi", "utf-8-sig"),
        ("hello".encode("utf-16"), "utf-16"),
        ("£5 prize ’".encode("cp1252"), "cp1252"),
    ],
)
def test_detect_encoding(raw: bytes, expected: str) -> None:
    assert detect_encoding(raw) == expected


def test_decode_strips_a_bom_and_rejects_a_wrong_explicit_encoding() -> None:
    assert decode(codecs.BOM_UTF8 + b"ok", "auto") == ("ok", "utf-8-sig")
    with pytest.raises(IngestError, match="not valid utf-8 \\(byte 0"):
        decode("£".encode("cp1252"), "utf-8")


def test_bad_rows_are_reported_with_line_numbers(config: Config, tmp_path: Path) -> None:
    path = tmp_path / "messages.tsv"
    path.write_text(
        "ham\tsee you soon\n"
        "spam\tWIN a prize\textra field\n"
        "junk\tlabel typo\n"
        "ham\t   \n"
        "spam\tCall now\n",
        encoding="utf-8",
    )
    corpus = read_corpus(_data(config, path, max_bad_fraction=0.9))
    assert corpus.frame["origin"].tolist() == ["line 1", "line 5"]
    assert [(row.location, row.reason) for row in corpus.bad_rows] == [
        ("line 2", "3 fields, expected 2"),
        ("line 3", "label 'junk' is neither 'spam' nor 'ham'"),
        ("line 4", "empty or missing text"),
    ]


def test_too_many_bad_rows_stop_the_run(config: Config, tmp_path: Path) -> None:
    path = tmp_path / "messages.tsv"
    path.write_text("ham\tfine\nspam\n", encoding="utf-8")
    with pytest.raises(IngestError, match="1 of 2 rows .* line 2: 1 fields"):
        read_corpus(_data(config, path))


def test_csv_with_header_and_quotes(config: Config, tmp_path: Path) -> None:
    path = tmp_path / "messages.csv"
    path.write_text(
        'id,body,kind\n1,"Hello, world",ham\n2,"Say ""hi""\nover two lines",spam\n',
        encoding="utf-8",
    )
    data = _data(
        config,
        path,
        format="csv",
        header=True,
        quoting="minimal",
        text_column="body",
        label_column="kind",
    )
    frame = read_corpus(data).frame
    assert frame["text"].tolist() == ["Hello, world", 'Say "hi"\nover two lines']
    assert frame["y"].tolist() == [0, 1]


def test_csv_header_without_the_columns_is_an_error(config: Config, tmp_path: Path) -> None:
    path = tmp_path / "messages.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(IngestError, match="lacks the column"):
        read_corpus(_data(config, path, format="csv", header=True))


def test_jsonl_reports_broken_lines(config: Config, tmp_path: Path) -> None:
    path = tmp_path / "messages.jsonl"
    lines = [
        json.dumps({"text": "free entry", "label": "spam"}),
        "{not json",
        json.dumps(["a", "list"]),
        json.dumps({"text": "lunch?", "label": "ham"}),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    corpus = read_corpus(_data(config, path, format="jsonl", max_bad_fraction=0.5))
    assert corpus.frame["text"].tolist() == ["free entry", "lunch?"]
    assert [row.location for row in corpus.bad_rows] == ["line 2", "line 3"]


def test_folder_of_text_files_per_label(config: Config, tmp_path: Path) -> None:
    for label, texts in {"spam": ["WIN cash"], "ham": ["on my way", "ok"]}.items():
        (tmp_path / label).mkdir()
        for i, text in enumerate(texts):
            (tmp_path / label / f"{i}.txt").write_text(text + "\n", encoding="utf-8")
    (tmp_path / "ham" / "latin.txt").write_bytes("café £".encode("cp1252"))
    corpus = read_corpus(_data(config, tmp_path, format="folder"))
    assert sorted(corpus.frame["text"]) == ["WIN cash", "café £", "ok", "on my way"]
    assert corpus.frame.set_index("text").loc["WIN cash", "y"] == 1
    assert corpus.encoding == "cp1252+utf-8"


def test_missing_source_points_to_make_data(config: Config, tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="make data"):
        read_corpus(_data(config, tmp_path / "absent.tsv"))
