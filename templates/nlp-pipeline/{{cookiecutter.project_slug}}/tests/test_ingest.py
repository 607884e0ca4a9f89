import codecs
import json
from pathlib import Path

import pytest

from {{ cookiecutter.__package }}.config import Config, DataConfig, LabelConfig
from {{ cookiecutter.__package }}.ingest import (
    IngestError,
    decode,
    detect_delimiter,
    detect_encoding,
    read_corpus,
)

TOPICS = LabelConfig(map={"1": "World", "2": "Sports", "3": "Business"})


def _data(config: Config, path: Path, **changes: object) -> DataConfig:
    return config.data.model_copy(update={"path": path, **changes})


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_fixture_sample_reads_completely(config: Config) -> None:
    corpus = read_corpus(config.data, config.labels)
    assert len(corpus.frame) == 800
    assert corpus.bad_rows == ()
    assert corpus.encoding == "utf-8"
    assert (corpus.delimiter, corpus.delimiter_detected) == ("\t", True)
    assert corpus.classes == ("ham", "spam")
    assert corpus.frame["y"].sum() == 107
    assert set(corpus.frame["class"]) == {"ham", "spam"}
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
    path = _write(
        tmp_path,
        "messages.tsv",
        "ham\tsee you soon\n"
        "spam\tWIN a prize\textra field\n"
        "\tno label here\n"
        "ham\t   \n"
        "spam\tCall now\n",
    )
    corpus = read_corpus(_data(config, path, delimiter="\t", max_bad_fraction=0.9), config.labels)
    assert corpus.frame["origin"].tolist() == ["line 1", "line 5"]
    assert [(row.location, row.reason) for row in corpus.bad_rows] == [
        ("line 2", "3 fields, expected 2"),
        ("line 3", "empty label"),
        ("line 4", "empty or missing text"),
    ]


def test_a_label_outside_the_config_is_an_error_naming_it(config: Config, tmp_path: Path) -> None:
    lines = ["ham\tfine"] * 5 + ["junk\tlabel typo", "3\tanother class", "3\tagain"]
    path = _write(tmp_path, "messages.tsv", "\n".join(lines) + "\n")
    with pytest.raises(IngestError) as caught:
        read_corpus(_data(config, path, max_bad_fraction=1.0), config.labels)
    message = str(caught.value)
    assert "'3' (2 rows, first at line 7)" in message
    assert "'junk' (1 row, first at line 6)" in message
    assert "[labels.map]" in message and "drop" in message
    assert "\n" not in message


def test_dropped_labels_are_counted_not_read(config: Config, tmp_path: Path) -> None:
    path = _write(tmp_path, "messages.tsv", "ham\tfine\nspam\tWIN\njunk\tx\njunk\ty\n")
    labels = config.labels.model_copy(update={"drop": ("junk",)})
    corpus = read_corpus(_data(config, path), labels)
    assert corpus.frame["label"].tolist() == ["ham", "spam"]
    assert corpus.dropped == {"junk": 2}


def test_labels_merge_into_one_class(config: Config, tmp_path: Path) -> None:
    path = _write(tmp_path, "topics.tsv", "1\ta\n2\tb\n3\tc\n4\td\n")
    labels = LabelConfig(map={"1": "World", "2": "Sports", "3": "Business", "4": "Business"})
    frame = read_corpus(_data(config, path), labels).frame
    assert frame["class"].tolist() == ["World", "Sports", "Business", "Business"]
    assert frame["y"].tolist() == [0, 1, 2, 2]


def test_too_many_bad_rows_stop_the_run(config: Config, tmp_path: Path) -> None:
    path = _write(tmp_path, "messages.tsv", "ham\tfine\nspam\n")
    with pytest.raises(IngestError, match="1 of 2 rows .* line 2: 1 fields"):
        read_corpus(_data(config, path, delimiter="\t"), config.labels)


@pytest.mark.parametrize("delimiter", [",", ";", "|", "\t", " "])
def test_any_delimiter_with_a_header_and_two_text_columns(
    config: Config, tmp_path: Path, delimiter: str
) -> None:
    rows = [
        ["class", "title", "body"],
        ["3", "Stocks up", "Markets rallied"],
        ["1", "Vote", "Polls"],
    ]
    text = "\n".join(delimiter.join(f'"{v}"' if " " in v else v for v in row) for row in rows)
    path = _write(tmp_path, "news.txt", text + "\n")
    data = _data(
        config,
        path,
        header=True,
        quoting="minimal",
        text_columns=("title", "body"),
        label_column="class",
    )
    corpus = read_corpus(data, TOPICS)
    assert (corpus.delimiter, corpus.delimiter_detected) == (delimiter, True)
    assert corpus.frame["text"].tolist() == ["Stocks up\nMarkets rallied", "Vote\nPolls"]
    assert corpus.frame["class"].tolist() == ["Business", "World"]


def test_a_headerless_file_uses_the_configured_columns(config: Config, tmp_path: Path) -> None:
    path = _write(tmp_path, "news.csv", '"2","Cup final","A late goal"\n"1","Summit","Talks"\n')
    data = _data(
        config,
        path,
        header=False,
        quoting="minimal",
        columns=("class", "title", "description"),
        text_columns=("title", "description"),
        label_column="class",
    )
    frame = read_corpus(data, TOPICS).frame
    assert frame["class"].tolist() == ["Sports", "World"]
    assert frame["text"].tolist() == ["Cup final\nA late goal", "Summit\nTalks"]


def test_an_explicit_delimiter_is_used_as_given(config: Config, tmp_path: Path) -> None:
    path = _write(tmp_path, "m.txt", "ham#see you\nspam#win now\n")
    corpus = read_corpus(_data(config, path, delimiter="#"), config.labels)
    assert (corpus.delimiter, corpus.delimiter_detected) == ("#", False)
    assert corpus.frame["text"].tolist() == ["see you", "win now"]


def test_no_fitting_delimiter_is_one_clear_error(config: Config, tmp_path: Path) -> None:
    path = _write(tmp_path, "m.txt", "ham#see you\nspam#win now\n")
    data = _data(config, path, quoting="minimal")
    with pytest.raises(IngestError, match="no delimiter .* set \\[data\\] delimiter"):
        detect_delimiter(path.read_text(encoding="utf-8"), data, config.labels)


def test_a_header_without_the_columns_is_an_error(config: Config, tmp_path: Path) -> None:
    path = _write(tmp_path, "messages.csv", "a,b\n1,2\n")
    data = _data(config, path, header=True, delimiter=",", quoting="minimal")
    with pytest.raises(IngestError, match="lacks 'text', 'label'"):
        read_corpus(data, config.labels)


def test_quoted_fields_may_hold_the_delimiter_and_line_breaks(
    config: Config, tmp_path: Path
) -> None:
    path = _write(
        tmp_path,
        "messages.csv",
        'id,body,kind\n1,"Hello, world",ham\n2,"Say ""hi""\nover two lines",spam\n',
    )
    data = _data(
        config, path, header=True, quoting="minimal", text_columns=("body",), label_column="kind"
    )
    frame = read_corpus(data, config.labels).frame
    assert frame["text"].tolist() == ["Hello, world", 'Say "hi"\nover two lines']
    assert frame["y"].tolist() == [0, 1]


def test_jsonl_reads_integer_labels_and_reports_broken_lines(
    config: Config, tmp_path: Path
) -> None:
    lines = [
        json.dumps({"title": "Stocks", "body": "up again", "topic": 3}),
        "{not json",
        json.dumps(["a", "list"]),
        json.dumps({"title": "Vote", "topic": 1}),
        json.dumps({"title": "Odd", "topic": 1.5}),
    ]
    path = _write(tmp_path, "news.jsonl", "\n".join(lines) + "\n")
    data = _data(
        config,
        path,
        format="jsonl",
        text_columns=("title", "body"),
        label_column="topic",
        max_bad_fraction=0.9,
    )
    corpus = read_corpus(data, TOPICS)
    assert corpus.frame["text"].tolist() == ["Stocks\nup again", "Vote"]
    assert corpus.frame["class"].tolist() == ["Business", "World"]
    reasons = [(row.location, row.reason.split(":")[0]) for row in corpus.bad_rows]
    assert reasons == [
        ("line 2", "invalid JSON"),
        ("line 3", "not a JSON object"),
        ("line 5", "no label"),
    ]


def test_a_folder_of_text_files_per_label(config: Config, tmp_path: Path) -> None:
    for label, texts in {"spam": ["WIN cash"], "ham": ["on my way", "ok"]}.items():
        (tmp_path / label).mkdir()
        for i, text in enumerate(texts):
            (tmp_path / label / f"{i}.txt").write_text(text + "\n", encoding="utf-8")
    (tmp_path / "ham" / "latin.txt").write_bytes("café £".encode("cp1252"))
    corpus = read_corpus(_data(config, tmp_path, format="folder"), config.labels)
    assert sorted(corpus.frame["text"]) == ["WIN cash", "café £", "ok", "on my way"]
    assert corpus.frame.set_index("text").loc["WIN cash", "y"] == 1
    assert corpus.encoding == "cp1252+utf-8"


def test_an_unmapped_folder_is_an_error(config: Config, tmp_path: Path) -> None:
    for label in ("ham", "spam", "promotions"):
        (tmp_path / label).mkdir()
        (tmp_path / label / "a.txt").write_text("text", encoding="utf-8")
    with pytest.raises(IngestError, match="label 'promotions' \\(1 row, first at promotions/a"):
        read_corpus(_data(config, tmp_path, format="folder"), config.labels)


def test_missing_source_points_to_make_data(config: Config, tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="make data"):
        read_corpus(_data(config, tmp_path / "absent.tsv"), config.labels)
