"""Loading every supported source, item features, and the checksummed download (loopback only)."""

from __future__ import annotations

import hashlib
import io
import threading
import zipfile
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from {{ cookiecutter.__package }}.config import load_config
from {{ cookiecutter.__package }}.data import DataError, item_features, load_movielens, load_raw
from {{ cookiecutter.__package }}.download import DownloadError, fetch, fetch_movielens

from tests.conftest import write_config

U_ITEM = (
    "1|Toy Story (1995)|01-Jan-1995||http://example.org|0|0|0|1|1|1|0|0|0|0|0|0|0|0|0|0|0|0|0\n"
    "2|Misérables, Les (1995)|01-Jan-1995||http://example.org|0|0|0|0|0|0|0|0|1|0|0|0|0|0|0|0|0|0|0\n"
)
U_DATA = "1\t1\t5\t881250949\n1\t2\t3\t881250950\n2\t1\t4\t881250951\n"


def movielens_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as bundle:
        bundle.writestr("ml-100k/u.data", U_DATA)
        bundle.writestr("ml-100k/u.item", U_ITEM.encode("latin-1"))
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
    assert items.loc[0, "genres"] == "Animation|Children's|Comedy"
    assert items.loc[0, "year"] == 1995


def test_load_raw_reads_movielens_through_the_config(server: Server, tmp_path: Path) -> None:
    folder = fetch_movielens(
        tmp_path, url=server.url, sha256=hashlib.sha256(server.body).hexdigest()
    )
    config_path = tmp_path / "config.toml"
    config_path.write_text(
        f'[data]\nsource = "movielens"\npath = "{folder.as_posix()}"\nmin_rating = 4\n',
        encoding="utf-8",
    )

    interactions, items = load_raw(load_config(config_path))

    assert interactions["rating"].min() >= 4
    assert items is not None and len(items) == 2


def test_a_missing_movielens_folder_says_to_run_make_data(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="make data"):
        load_movielens(tmp_path)


def test_parquet_with_own_column_names_and_dates_loads(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "customer": [7, 7, 8],
            "sku": ["a", "b", "a"],
            "when": ["2024-01-01", "2024-01-02", "2024-01-03"],
        }
    )
    frame.to_parquet(tmp_path / "log.parquet")
    extra = '[data.columns]\nuser = "customer"\nitem = "sku"\nrating = ""\ntimestamp = "when"\n'
    config = load_config(write_config(tmp_path, tmp_path / "log.parquet", None, extra))

    interactions, items = load_raw(config)

    assert items is None
    assert interactions["user_id"].tolist() == ["7", "7", "8"]
    assert (interactions["rating"] == 1.0).all()
    assert interactions["timestamp"].is_monotonic_increasing


def test_a_repeated_pair_keeps_its_first_occurrence(tmp_path: Path) -> None:
    pd.DataFrame(
        {"user_id": [1, 1], "item_id": [5, 5], "rating": [4, 2], "timestamp": [20, 10]}
    ).to_csv(tmp_path / "log.csv", index=False)

    interactions, _ = load_raw(load_config(write_config(tmp_path, tmp_path / "log.csv", None)))

    assert interactions["timestamp"].tolist() == [10]


def test_a_missing_column_is_named(tmp_path: Path) -> None:
    pd.DataFrame({"user_id": [1], "item_id": [2]}).to_csv(tmp_path / "log.csv", index=False)

    with pytest.raises(DataError, match="timestamp"):
        load_raw(load_config(write_config(tmp_path, tmp_path / "log.csv", None)))


def test_item_features_are_unit_rows_and_rare_genres_weigh_more() -> None:
    items = pd.DataFrame(
        {
            "item_id": ["a", "b", "c", "d"],
            "title": ["A", "B", "C", "D"],
            "genres": ["Drama", "Drama", "Drama|Film-Noir", ""],
            "year": [np.nan, np.nan, np.nan, np.nan],
        }
    )

    features = item_features(items, np.array(["a", "b", "c", "d", "e"], dtype=object))

    dense = features.toarray()
    norms = np.linalg.norm(dense, axis=1)
    assert norms[:3] == pytest.approx([1, 1, 1])
    assert norms[3:] == pytest.approx([0, 0])  # no genres, no metadata
    drama, noir = dense[2][dense[0] > 0][0], dense[2][dense[0] == 0].max()
    assert noir > drama


def test_no_metadata_means_no_features() -> None:
    assert item_features(None, np.array(["a"], dtype=object)) is None
