"""Loading every supported source, item features, and the checksummed download (loopback only)."""

from __future__ import annotations

import hashlib
import io
import threading
import zipfile
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from {{ cookiecutter.__package }}.config import load_config
from {{ cookiecutter.__package }}.data import DataError, item_features, load_movielens, load_raw
from {{ cookiecutter.__package }}.download import DownloadError, fetch, fetch_movielens
from {{ cookiecutter.__package }}.prepare import load_dataset, prepare

from tests.conftest import DELETE, write_config

U_ITEM = (
    "1|Toy Story (1995)|01-Jan-1995||http://example.org|0|0|0|1|1\n"
    "2|Misérables, Les (1995)|01-Jan-1995||http://example.org|1|0|0|0|0\n"
)
U_GENRE = "unknown|0\nAction|1\nAdventure|2\nAnimation|3\nChildren's|4\n\n"
U_DATA = "1\t1\t5\t881250949\n1\t2\t3\t881250950\n2\t1\t4\t881250951\n"


def movielens_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as bundle:
        bundle.writestr("ml-100k/u.data", U_DATA)
        bundle.writestr("ml-100k/u.item", U_ITEM.encode("latin-1"))
        bundle.writestr("ml-100k/u.genre", U_GENRE)
        bundle.writestr("ml-100k/README", "GroupLens licence terms")
    return buffer.getvalue()


class Server:
    """A loopback HTTP server that serves one body and counts the requests it gets."""

    def __init__(self, body: bytes) -> None:
        self.body = body
        self.requests = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - name fixed by http.server
                server.requests += 1
                self.send_response(200)
                self.send_header("Content-Length", str(len(server.body)))
                self.end_headers()
                self.wfile.write(server.body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/ml-100k.zip"


@pytest.fixture
def server() -> Iterator[Server]:
    served = Server(movielens_zip())
    thread = threading.Thread(
        target=served.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    yield served
    served.httpd.shutdown()
    served.httpd.server_close()


def test_fetch_keeps_a_verified_file_and_does_not_download_it_twice(
    server: Server, tmp_path: Path
) -> None:
    digest = hashlib.sha256(server.body).hexdigest()

    first = fetch(server.url, tmp_path / "ml.zip", digest)
    second = fetch(server.url, tmp_path / "ml.zip", digest)

    assert first == second
    assert first.read_bytes() == server.body
    assert server.requests == 1


def test_fetch_deletes_a_download_with_the_wrong_checksum(server: Server, tmp_path: Path) -> None:
    with pytest.raises(DownloadError, match="sha256"):
        fetch(server.url, tmp_path / "ml.zip", "0" * 64)

    assert list(tmp_path.iterdir()) == []


def test_fetch_reports_an_unreachable_server(tmp_path: Path) -> None:
    with pytest.raises(DownloadError, match="could not download"):
        fetch("http://127.0.0.1:9/none.zip", tmp_path / "x.zip", "0" * 64, timeout=2)


def test_fetch_movielens_unpacks_the_files_the_loader_reads(server: Server, tmp_path: Path) -> None:
    folder = fetch_movielens(
        tmp_path, url=server.url, sha256=hashlib.sha256(server.body).hexdigest()
    )

    interactions, items = load_movielens(folder)

    assert len(interactions) == 3
    assert interactions["user_id"].tolist() == ["1", "1", "2"]
    assert items.loc[1, "title"] == "Misérables, Les (1995)"
    # Category names come from u.genre; "unknown" is no category at all.
    assert items["categories"].tolist() == ["Animation|Children's", ""]
    assert items.loc[0, "year"] == 1995


def test_load_raw_reads_movielens_through_the_config(server: Server, tmp_path: Path) -> None:
    folder = fetch_movielens(
        tmp_path, url=server.url, sha256=hashlib.sha256(server.body).hexdigest()
    )
    overrides = {
        "data": {
            "source": "movielens",
            "movielens_path": folder.as_posix(),
            "relevance_threshold": 4,
        }
    }

    loaded = load_raw(load_config(write_config(tmp_path, overrides)))

    assert loaded.interactions["rating"].min() >= 4
    assert loaded.items is not None and len(loaded.items) == 2
    assert loaded.reading["format"] == "MovieLens 100K"
    assert any("2 of 3 interactions are rated 4 or more" in note for note in loaded.notes)


def test_a_missing_movielens_folder_says_to_run_make_data(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="make data"):
        load_movielens(tmp_path)


def _interactions(tmp_path: Path, text: str, name: str, **interactions: Any) -> Any:
    (tmp_path / name).write_text(text, encoding="utf-8")
    overrides = {"data": {"interactions": {"path": name, **interactions}, "items": DELETE}}
    return load_raw(load_config(write_config(tmp_path, overrides)))


def test_a_headerless_tab_file_without_ratings_is_implicit_feedback(tmp_path: Path) -> None:
    loaded = _interactions(
        tmp_path,
        "u1\tA\t30\nu1\tB\t10\nu2\tA\t20\n",
        "log.tsv",
        header=False,
        column_names=["member", "thing", "when"],
        columns={"user": "member", "item": "thing", "rating": "", "timestamp": "when"},
    )

    frame = loaded.interactions
    assert frame[["user_id", "item_id", "timestamp"]].values.tolist() == [
        ["u1", "B", 10],
        ["u2", "A", 20],
        ["u1", "A", 30],
    ]
    assert (frame["rating"] == 1.0).all()
    assert loaded.items is None
    assert loaded.reading["format"] == "tab-separated (detected), no header row"
    assert loaded.reading["columns"] == {"user": "member", "item": "thing", "timestamp": "when"}
    assert any(note.startswith("Implicit feedback") for note in loaded.notes)


def test_a_semicolon_file_with_decimal_commas_and_a_threshold(tmp_path: Path) -> None:
    text = "who;what;stars;day\na;x;4,5;2024-01-02\na;y;2,0;2024-01-03\nb;x;5,0;2024-01-01\n"
    (tmp_path / "log.csv").write_text(text, encoding="utf-8")
    overrides = {
        "data": {
            "relevance_threshold": 4,
            "items": DELETE,
            "interactions": {
                "path": "log.csv",
                "decimal": ",",
                "columns": {"user": "who", "item": "what", "rating": "stars", "timestamp": "day"},
            },
        }
    }

    loaded = load_raw(load_config(write_config(tmp_path, overrides)))

    assert loaded.interactions[["user_id", "item_id", "rating"]].values.tolist() == [
        ["b", "x", 5.0],
        ["a", "x", 4.5],
    ]
    assert loaded.interactions["timestamp"].is_monotonic_increasing
    assert loaded.reading["format"] == "semicolon-separated (detected)"
    assert "2 of 3 interactions are rated 4 or more" in loaded.notes[0]


def test_parquet_with_own_column_names_and_dates_loads(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "customer": [7, 7, 8],
            "sku": ["a", "b", "a"],
            "when": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03"]),
        }
    )
    frame.to_parquet(tmp_path / "log.parquet")
    columns = {"user": "customer", "item": "sku", "rating": "", "timestamp": "when"}

    overrides = {
        "data": {"items": DELETE, "interactions": {"path": "log.parquet", "columns": columns}}
    }
    loaded = load_raw(load_config(write_config(tmp_path, overrides)))

    assert loaded.interactions["user_id"].tolist() == ["7", "7", "8"]
    assert loaded.interactions["timestamp"].diff().dropna().eq(86_400).all()


def test_repeats_and_incomplete_rows_are_dropped_with_a_note(tmp_path: Path) -> None:
    loaded = _interactions(
        tmp_path,
        "user_id,item_id,rating,timestamp\n1,5,4,20\n1,5,2,10\n2,,3,30\n3,6,,40\n",
        "log.csv",
    )

    assert loaded.interactions[["user_id", "item_id", "timestamp"]].values.tolist() == [
        ["1", "5", 10]
    ]
    notes = " ".join(loaded.notes)
    assert "2 rows without a member, a thing, a rating or a timestamp were dropped" in notes
    assert "1 repeated member-thing pairs were dropped" in notes


def test_no_timestamp_column_takes_the_row_order_as_time(tmp_path: Path) -> None:
    loaded = _interactions(
        tmp_path,
        "u,i\n1,b\n1,a\n",
        "log.csv",
        columns={"user": "u", "item": "i", "rating": "", "timestamp": ""},
    )

    assert loaded.interactions["item_id"].tolist() == ["b", "a"]
    assert any("row order is taken as the order in time" in note for note in loaded.notes)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("user_id,item_id\n1,2\n", "has no column 'rating'"),
        ("user_id,item_id,rating,timestamp\n1,2,good,3\n", "rating column 'rating' has values"),
        ("user_id;item_id;rating;timestamp\n1;2;4,5;3\n", 'decimal = ","'),
        ("user_id,item_id,rating,timestamp\n1,2,3,yesterday\n", "neither numbers nor dates"),
    ],
)
def test_bad_columns_are_one_line_naming_them(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(DataError, match=message) as caught:
        _interactions(tmp_path, text, "log.csv")

    assert "\n" not in str(caught.value)


def test_item_metadata_with_its_own_columns_and_separator(tmp_path: Path) -> None:
    (tmp_path / "log.csv").write_text("user_id,item_id\n1,a\n1,b\n2,c\n", encoding="utf-8")
    (tmp_path / "catalogue.tsv").write_text(
        "sku\tname\ttags\tlaunched\na\tLamp\thome; light\t2021-05-01\n"
        "b\tDesk\thome\t1999\nz\tSofa\t\t\na\tLamp again\thome\t2020\n",
        encoding="utf-8",
    )
    overrides = {
        "data": {
            "interactions": {
                "path": "log.csv",
                "columns": {"user": "user_id", "item": "item_id", "rating": "", "timestamp": ""},
            },
            "items": {
                "path": "catalogue.tsv",
                "columns": {
                    "item": "sku",
                    "title": "name",
                    "categories": "tags",
                    "category_separator": ";",
                    "year": "launched",
                },
            },
        }
    }

    loaded = load_raw(load_config(write_config(tmp_path, overrides)))

    items = loaded.items
    assert items is not None
    assert items["item_id"].tolist() == ["a", "b", "z"]
    assert items["title"].tolist() == ["Lamp", "Desk", "Sofa"]
    assert items["categories"].tolist() == ["home|light", "home", ""]
    assert items["year"].tolist()[:2] == [2021.0, 1999.0]
    assert np.isnan(items["year"].iloc[2])
    notes = " ".join(loaded.notes)
    assert "1 repeated thing ids in the metadata were dropped" in notes
    assert "1 things with interactions have no metadata row" in notes
    assert "1 things in the metadata have no interactions" in notes


def test_item_features_are_unit_rows_and_rare_categories_weigh_more() -> None:
    items = pd.DataFrame(
        {
            "item_id": ["a", "b", "c", "d"],
            "title": ["A", "B", "C", "D"],
            "categories": ["Common", "Common", "Common|Rare", ""],
            "year": [np.nan, np.nan, np.nan, np.nan],
        }
    )

    features = item_features(items, np.array(["a", "b", "c", "d", "e"], dtype=object))

    dense = features.toarray()
    norms = np.linalg.norm(dense, axis=1)
    assert norms[:3] == pytest.approx([1, 1, 1])
    assert norms[3:] == pytest.approx([0, 0])  # no categories, no metadata
    common, rare = dense[2][dense[0] > 0][0], dense[2][dense[0] == 0].max()
    assert rare > common


@pytest.mark.parametrize("categories", ["", None])
def test_metadata_without_categories_or_years_means_no_features(categories: str | None) -> None:
    items = None
    if categories is not None:
        items = pd.DataFrame(
            {"item_id": ["a"], "title": ["A"], "categories": [categories], "year": [np.nan]}
        )

    assert item_features(items, np.array(["a"], dtype=object)) is None


def test_the_dataset_indexes_every_id_once_in_order_with_each_row_at_its_ids(
    tmp_path: Path, small_sample: Path
) -> None:
    # One item only in the metadata file: in the catalogue, with no interaction.
    items = pd.read_csv(small_sample / "items.csv")
    extra = items.iloc[:1].assign(item_id="zz-only-in-metadata")
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / "interactions.csv").write_bytes((small_sample / "interactions.csv").read_bytes())
    pd.concat([items, extra]).to_csv(data_dir / "items.csv", index=False)
    config = load_config(write_config(tmp_path / "project", data_dir=data_dir))
    prepare(config)
    dataset = load_dataset(config)
    frame = dataset.interactions

    for ids in (dataset.user_ids, dataset.item_ids):
        assert len(set(ids)) == len(ids) and list(ids) == sorted(ids)
    assert "zz-only-in-metadata" in set(dataset.item_ids)
    assert (dataset.user_ids[frame["_row"]] == frame["user_id"].to_numpy()).all()
    assert (dataset.item_ids[frame["_col"]] == frame["item_id"].to_numpy()).all()
    rows, cols = dataset.everything.nonzero()
    assert sorted(zip(rows, cols, strict=True)) == sorted(
        zip(frame["_row"], frame["_col"], strict=True)
    )
    assert dataset.examples(test=dataset.phase("test")) == dataset.examples()
