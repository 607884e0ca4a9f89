import csv
import io
import json

import pytest

from {{ cookiecutter.__package }}.persistence import load
from {{ cookiecutter.__package }}.predict import PredictError, format_for, predict_stream
from {{ cookiecutter.__package }}.train import TrainResult

SPAM = "WINNER!! You have won a £1000 prize. Call 09061701461 to claim now"
HAM = "Sorry I'm late, on my way home now"


def test_csv_keeps_columns_and_adds_label_and_score(trained: TrainResult) -> None:
    source = io.StringIO(f'id,text\n1,"{SPAM}"\n2,"{HAM}"\n')
    sink = io.StringIO()
    stats = predict_stream(trained.model, source, sink, fmt="csv", batch_size=1)
    rows = list(csv.DictReader(io.StringIO(sink.getvalue())))
    assert [(r["id"], r["label"]) for r in rows] == [("1", "spam"), ("2", "ham")]
    assert float(rows[0]["score"]) > float(rows[1]["score"])
    assert (stats.texts, stats.per_class) == (2, {"spam": 1, "ham": 1})
    assert stats.per_second > 0


def test_jsonl_round_trips_extra_fields(trained: TrainResult) -> None:
    lines = [json.dumps({"body": SPAM, "user": 7}), "", json.dumps({"body": HAM, "user": 8})]
    sink = io.StringIO()
    predict_stream(
        trained.model, io.StringIO("\n".join(lines)), sink, fmt="jsonl", text_columns=["body"]
    )
    records = [json.loads(line) for line in sink.getvalue().splitlines()]
    assert [(r["user"], r["label"]) for r in records] == [(7, "spam"), (8, "ham")]


def test_plain_text_one_message_per_line(trained: TrainResult) -> None:
    sink = io.StringIO()
    predict_stream(trained.model, io.StringIO(f"{HAM}\n\n{SPAM}\n"), sink, fmt="text")
    labels = [line.split("\t")[0] for line in sink.getvalue().splitlines()]
    assert labels == ["ham", "spam"]


def test_batches_stream_in_order(trained: TrainResult) -> None:
    messages = [HAM, SPAM] * 25
    sink = io.StringIO()
    stats = predict_stream(
        trained.model, io.StringIO("\n".join(messages)), sink, fmt="text", batch_size=7
    )
    texts = [line.split("\t", 2)[2] for line in sink.getvalue().splitlines()]
    assert texts == messages
    assert stats.texts == 50


def test_several_text_columns_are_joined_as_in_training(trained: TrainResult) -> None:
    source = io.StringIO(f'subject,body\nWINNER!!,"{SPAM}"\nhello,"{HAM}"\n')
    sink = io.StringIO()
    predict_stream(trained.model, source, sink, fmt="csv", text_columns=["subject", "body"])
    rows = list(csv.DictReader(io.StringIO(sink.getvalue())))
    assert [r["label"] for r in rows] == ["spam", "ham"]


def test_more_classes_give_the_class_and_its_probability(topics_config, topics_evaluation) -> None:
    model = load(topics_config.models_dir)
    sink = io.StringIO()
    stats = predict_stream(
        model, io.StringIO("refund my invoice please\nthe app crashed again\n"), sink, fmt="text"
    )
    labels = [line.split("\t")[0] for line in sink.getvalue().splitlines()]
    assert labels == ["Billing", "Technical"]
    assert all(0 < float(line.split("\t")[1]) <= 1 for line in sink.getvalue().splitlines())
    assert sum(stats.per_class.values()) == 2


def test_missing_text_column_is_an_error(trained: TrainResult) -> None:
    with pytest.raises(PredictError, match="no column 'text'"):
        predict_stream(trained.model, io.StringIO("id,body\n1,hi\n"), io.StringIO(), fmt="csv")


def test_bad_jsonl_line_is_named(trained: TrainResult) -> None:
    source = io.StringIO(json.dumps({"text": HAM}) + "\n{oops\n")
    with pytest.raises(PredictError, match="line 2"):
        predict_stream(trained.model, source, io.StringIO(), fmt="jsonl")


@pytest.mark.parametrize(
    ("name", "fmt"),
    [("a.csv", "csv"), ("b.JSONL", "jsonl"), ("c.ndjson", "jsonl"), ("d.txt", "text")],
)
def test_format_from_file_name(name: str, fmt: str) -> None:
    assert format_for(name) == fmt
