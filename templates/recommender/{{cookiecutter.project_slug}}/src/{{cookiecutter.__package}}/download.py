"""Download MovieLens 100K once, check its sha256, and unpack only the files the pipeline reads.

GroupLens forbids redistribution, so the data is never committed: ``make data`` fetches it
into ``data/raw/`` (git-ignored). A file whose checksum does not match is deleted, never
used, so a truncated download or a changed upstream file cannot silently change the results.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import urllib.request
import zipfile
from pathlib import Path

__all__ = [
    "MOVIELENS_FILES",
    "MOVIELENS_SHA256",
    "MOVIELENS_URL",
    "DownloadError",
    "fetch",
    "fetch_movielens",
    "sha256_of",
]

MOVIELENS_URL = "https://files.grouplens.org/datasets/movielens/ml-100k.zip"
MOVIELENS_SHA256 = "50d2a982c66986937beb9ffb3aa76efe955bf3d5c6b761f4e3a7cd717c6a3229"
# The ratings, the item metadata, the names of its categories, and GroupLens's README with
# the licence terms.
MOVIELENS_FILES = ("u.data", "u.item", "u.genre", "README")
_CHUNK = 1 << 20


class DownloadError(RuntimeError):
    """The download failed or its content is not the file that was expected."""


def sha256_of(path: Path) -> str:
    """Return the hex sha256 of the file at ``path``, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def fetch(url: str, dest: Path, sha256: str, *, timeout: float = 60.0) -> Path:
    """Download ``url`` to ``dest`` unless a file with the right checksum is already there.

    The bytes go to a temporary file beside ``dest`` and are renamed into place only after
    the checksum matches, so ``dest`` is either the verified file or absent.

    Raises:
        DownloadError: the server cannot be reached or answers with an error, or the
            downloaded bytes do not have the expected sha256.

    """
    if dest.is_file() and sha256_of(dest) == sha256:
        return dest
    if not url.startswith(("https://", "http://")):
        raise DownloadError(f"refusing to download from {url!r}: only http(s) URLs are allowed")
    dest.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=dest.parent, prefix=f".{dest.name}.", delete=False) as tmp:
        temp = Path(tmp.name)
        try:
            with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - scheme checked above
                shutil.copyfileobj(response, tmp, _CHUNK)
        except OSError as err:
            temp.unlink(missing_ok=True)
            raise DownloadError(f"could not download {url}: {err}") from err
    actual = sha256_of(temp)
    if actual != sha256:
        temp.unlink()
        raise DownloadError(
            f"{url} has sha256 {actual}, expected {sha256}: the file changed upstream or the "
            "download was corrupted; nothing was kept"
        )
    temp.replace(dest)
    return dest


def fetch_movielens(
    raw_dir: Path, *, url: str = MOVIELENS_URL, sha256: str = MOVIELENS_SHA256
) -> Path:
    """Make sure ``raw_dir/ml-100k`` holds the verified MovieLens files; return that folder.

    Raises:
        DownloadError: the archive cannot be fetched, fails its checksum, or lacks a file.

    """
    archive = fetch(url, raw_dir / "ml-100k.zip", sha256)
    target = raw_dir / "ml-100k"
    target.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(archive) as bundle:
        members = {Path(name).name: name for name in bundle.namelist()}
        for wanted in MOVIELENS_FILES:
            if wanted not in members:
                raise DownloadError(f"{archive} has no {wanted}: is it really MovieLens 100K?")
            # Only known file names are written, so a crafted archive path cannot escape.
            with bundle.open(members[wanted]) as source, (target / wanted).open("wb") as out:
                shutil.copyfileobj(source, out)
    return target
