"""Download the public corpus once, check it, and keep it in ``data/raw/``.

``make data`` calls ``fetch``. The archive is streamed to a temporary file, the configured
member is extracted, and its SHA-256 is compared with the one in ``config.toml`` before the
file is moved into place: a truncated or altered download never becomes the training data.
The checksum is of the extracted file, the bytes the pipeline reads, so it also holds when
the same corpus is re-packed. A file already in place with the right checksum is not
downloaded again.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from .config import DownloadConfig
from .progress import interactive

__all__ = ["DownloadError", "Fetched", "fetch", "sha256_of"]

_CHUNK = 1 << 16


class DownloadError(RuntimeError):
    """The corpus could not be fetched or failed its checksum; the message says what to do."""


@dataclass(frozen=True)
class Fetched:
    """Where the corpus is, its checksum, and whether this call downloaded it."""

    path: Path
    sha256: str
    downloaded: bool


def sha256_of(path: Path) -> str:
    """Return the SHA-256 of the file at ``path``, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for chunk in iter(lambda: file.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _stream(url: str, target: Path, timeout: float) -> None:
    if not url.startswith(("https://", "http://")):
        raise DownloadError(f"refusing to download from {url!r}: only http(s) URLs are allowed")
    try:
        # The scheme is checked above: no file:// or custom-scheme URL reaches urlopen.
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310
            total = int(response.headers.get("Content-Length") or 0) or None
            with (
                target.open("wb") as file,
                tqdm(
                    total=total,
                    unit="B",
                    unit_scale=True,
                    desc="download",
                    disable=not interactive(),
                ) as bar,
            ):
                for chunk in iter(lambda: response.read(_CHUNK), b""):
                    file.write(chunk)
                    bar.update(len(chunk))
    except urllib.error.HTTPError as err:
        raise DownloadError(
            f"{url} answered HTTP {err.code} {err.reason}: the file may have moved; "
            "update [download] url in config.toml"
        ) from err
    except (urllib.error.URLError, TimeoutError, ConnectionError) as err:
        reason = getattr(err, "reason", err)
        raise DownloadError(
            f"cannot reach {url} ({reason}). Are you offline? The bundled sample in "
            "data/sample/ needs no network: `make all` runs on it."
        ) from err


def _extract(archive: Path, member: str, target: Path) -> None:
    try:
        with zipfile.ZipFile(archive) as bundle:
            try:
                source = bundle.open(member)
            except KeyError as err:
                names = ", ".join(bundle.namelist()[:10])
                raise DownloadError(
                    f"the archive has no member {member!r} (it holds: {names}); "
                    "update [download] member"
                ) from err
            with source, target.open("wb") as file:
                shutil.copyfileobj(source, file, _CHUNK)
    except zipfile.BadZipFile as err:
        raise DownloadError(
            "the download is not a zip archive (a proxy or login page?); try again later"
        ) from err


def fetch(config: DownloadConfig, *, force: bool = False) -> Fetched:
    """Return the corpus at ``config.dest``, downloading and checking it if needed.

    The URL may point to a zip archive (``config.member`` is extracted) or to the file
    itself. Nothing is written at ``config.dest`` unless its checksum matches.

    Raises:
        DownloadError: the server cannot be reached (offline), answers with an error,
            sends something that is not the expected archive, or the checksum differs.

    """
    dest = config.dest
    if dest.is_file() and not force:
        digest = sha256_of(dest)
        if digest == config.sha256:
            return Fetched(dest, digest, downloaded=False)
    dest.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=dest.parent, prefix=".download-") as scratch:
        payload = Path(scratch) / "payload"
        _stream(config.url, payload, config.timeout)
        candidate = Path(scratch) / "member"
        if zipfile.is_zipfile(payload):
            if not config.member:
                raise DownloadError(
                    f"{config.url} is a zip archive: set [download] member to the file inside "
                    "it that [data] path reads"
                )
            _extract(payload, config.member, candidate)
        else:
            payload.rename(candidate)
        digest = sha256_of(candidate)
        if digest != config.sha256:
            raise DownloadError(
                f"checksum mismatch for {config.member or dest.name} from {config.url}: expected "
                f"{config.sha256}, got {digest}. The file changed upstream or the download "
                "was damaged; nothing was saved. If the new version is intended, review it "
                "and update [download] sha256."
            )
        candidate.replace(dest)
    return Fetched(dest, digest, downloaded=True)
