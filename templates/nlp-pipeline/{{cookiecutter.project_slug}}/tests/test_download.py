"""The download code against a real HTTP server on 127.0.0.1, started by the tests."""

import hashlib
import io
import socket
import threading
import zipfile
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from {{ cookiecutter.__package }}.config import DownloadConfig
from {{ cookiecutter.__package }}.download import DownloadError, fetch, sha256_of

CORPUS = b"ham\tsee you at 8\nspam\tWIN a prize, text 80086\n"


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as bundle:
        for name, data in members.items():
            bundle.writestr(name, data)
    return buffer.getvalue()


class Server:
    """Serves ``files`` by path and counts the requests it answers."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.requests: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
                server.requests.append(self.path)
                body = server.files.get(self.path)
                if body is None:
                    self.send_error(404, "Not Found")
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                """Keep the test output clean."""

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"


@pytest.fixture
def server() -> Iterator[Server]:
    served = Server()
    # A short poll interval: shutdown() waits up to one interval.
    thread = threading.Thread(target=served.httpd.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    yield served
    served.httpd.shutdown()
    served.httpd.server_close()
    thread.join()


def _settings(url: str, dest: Path, member: str = "SMSSpamCollection") -> DownloadConfig:
    return DownloadConfig(
        url=url, member=member, sha256=hashlib.sha256(CORPUS).hexdigest(), dest=dest, timeout=5.0
    )


def test_downloads_extracts_verifies_then_uses_the_cache(server: Server, tmp_path: Path) -> None:
    server.files["/sms.zip"] = _zip({"SMSSpamCollection": CORPUS, "readme": b"cite us"})
    settings = _settings(f"{server.url}/sms.zip", tmp_path / "raw" / "SMSSpamCollection")
    first = fetch(settings)
    assert first.downloaded
    assert first.path.read_bytes() == CORPUS
    assert sha256_of(first.path) == settings.sha256
    second = fetch(settings)
    assert not second.downloaded
    assert server.requests == ["/sms.zip"]
    assert [p.name for p in (tmp_path / "raw").iterdir()] == ["SMSSpamCollection"]


def test_force_downloads_again(server: Server, tmp_path: Path) -> None:
    server.files["/sms.zip"] = _zip({"SMSSpamCollection": CORPUS})
    settings = _settings(f"{server.url}/sms.zip", tmp_path / "SMSSpamCollection")
    fetch(settings)
    assert fetch(settings, force=True).downloaded
    assert len(server.requests) == 2


def test_a_plain_file_url_works_too(server: Server, tmp_path: Path) -> None:
    server.files["/SMSSpamCollection"] = CORPUS
    fetched = fetch(_settings(f"{server.url}/SMSSpamCollection", tmp_path / "corpus"))
    assert fetched.path.read_bytes() == CORPUS


def test_checksum_mismatch_saves_nothing(server: Server, tmp_path: Path) -> None:
    server.files["/sms.zip"] = _zip({"SMSSpamCollection": CORPUS + b"tampered"})
    dest = tmp_path / "SMSSpamCollection"
    with pytest.raises(DownloadError, match="checksum mismatch"):
        fetch(_settings(f"{server.url}/sms.zip", dest))
    assert list(tmp_path.iterdir()) == []


def test_a_corrupt_cached_file_is_replaced(server: Server, tmp_path: Path) -> None:
    server.files["/sms.zip"] = _zip({"SMSSpamCollection": CORPUS})
    dest = tmp_path / "SMSSpamCollection"
    dest.write_bytes(b"half a file")
    assert fetch(_settings(f"{server.url}/sms.zip", dest)).downloaded
    assert dest.read_bytes() == CORPUS


def test_missing_member_lists_the_archive(server: Server, tmp_path: Path) -> None:
    server.files["/sms.zip"] = _zip({"other.txt": CORPUS})
    with pytest.raises(DownloadError, match="no member 'SMSSpamCollection' .*other.txt"):
        fetch(_settings(f"{server.url}/sms.zip", tmp_path / "x"))


def test_http_error_is_reported(server: Server, tmp_path: Path) -> None:
    with pytest.raises(DownloadError, match="HTTP 404"):
        fetch(_settings(f"{server.url}/moved.zip", tmp_path / "x"))


def test_offline_gives_a_clear_message(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    # Nothing listens on the port any more: the connection is refused, as when offline.
    with pytest.raises(DownloadError, match="Are you offline\\? .*make all"):
        fetch(_settings(f"http://127.0.0.1:{port}/sms.zip", tmp_path / "x"))


def test_only_http_urls_are_fetched(tmp_path: Path) -> None:
    settings = _settings("https://example.org/x", tmp_path / "x")
    with pytest.raises(DownloadError, match="only http"):
        fetch(settings.model_copy(update={"url": "file:///etc/passwd"}))


def test_a_zip_needs_its_member_named(server: Server, tmp_path: Path) -> None:
    server.files["/sms.zip"] = _zip({"SMSSpamCollection": CORPUS})
    with pytest.raises(DownloadError, match="set \\[download\\] member"):
        fetch(_settings(f"{server.url}/sms.zip", tmp_path / "x", member=""))
