"""Getting a raw file for ``update-data``: where it is (upstream or a mirror), the download
(size-limited, zip members extracted) and the cheap format checks that give a clear reason before
the loaders run. Every refusal is an ``UpdateRefused``: the current data stay as they are.
"""

from __future__ import annotations

import os
import re
import shutil
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from pathlib import Path

from forecasting.core.errors import UserInputError
from forecasting.sources.registry import RawFile, Source

#: Refuse a download bigger than this (a wrong URL should not fill the disk).
MAX_DOWNLOAD_BYTES = 512 * 1024 * 1024
DEFAULT_TIMEOUT = 60.0
USER_AGENT = os.environ.get("MLTALENT_HTTP_USER_AGENT",
                            "ml-talent-forecast update-data (python urllib)")


class UpdateRefused(UserInputError):
    """A download or a check failed: the current data stay as they are."""


class NotPublished(Exception):
    """HTTP 404/410 or no such file in the mirror."""


# --------------------------------------------------------------------------- locations
def check_mirror(mirror: str | None) -> str | None:
    """A mirror is an http(s) URL, a file:// URL or an existing folder."""
    if mirror is None:
        return None
    parsed = urllib.parse.urlparse(mirror)
    if parsed.scheme in ("http", "https"):
        if not parsed.netloc:
            raise UserInputError(f"--mirror {mirror!r} has no host")
        return mirror.rstrip("/")
    if parsed.scheme == "file":
        mirror = urllib.parse.unquote(parsed.path)
    elif parsed.scheme and len(parsed.scheme) > 1:
        raise UserInputError(f"--mirror {mirror!r}: use an http(s):// URL or a folder")
    if not Path(mirror).is_dir():
        raise UserInputError(f"--mirror folder {mirror!r} does not exist")
    return str(Path(mirror).resolve())


def locate(src: Source, rf: RawFile, mirror: str | None) -> tuple[str, str]:
    """(location, zip member) of a file: upstream, or ``<mirror>/<source>/<file>``."""
    if mirror is None:
        return rf.url, rf.member
    if mirror.startswith(("http://", "https://")):
        return f"{mirror}/{urllib.parse.quote(src.name)}/{urllib.parse.quote(rf.name)}", ""
    return str(Path(mirror) / src.name / rf.name), ""


# --------------------------------------------------------------------------- download
def _http_get(url: str, dest: Path, timeout: float) -> int:
    req = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            expected = resp.headers.get("Content-Length")
            expected = int(expected) if expected and expected.isdigit() else None
            if expected is not None and expected > MAX_DOWNLOAD_BYTES:
                raise UpdateRefused(f"{url} is {expected:,} bytes, over the "
                                    f"{MAX_DOWNLOAD_BYTES:,}-byte limit")
            got = 0
            with open(dest, "wb") as fh:
                while chunk := resp.read(1 << 16):
                    got += len(chunk)
                    if got > MAX_DOWNLOAD_BYTES:
                        raise UpdateRefused(f"{url} is over the {MAX_DOWNLOAD_BYTES:,}-byte limit")
                    fh.write(chunk)
    except urllib.error.HTTPError as exc:
        if exc.code in (404, 410):
            raise NotPublished(f"HTTP {exc.code}") from None
        raise UpdateRefused(f"HTTP {exc.code} {exc.reason} from {url}") from None
    except urllib.error.URLError as exc:
        raise UpdateRefused(f"cannot reach {url} ({exc.reason}); offline?") from None
    except TimeoutError:
        raise UpdateRefused(f"no answer from {url} within {timeout:g} s") from None
    except (ConnectionError, OSError) as exc:
        if isinstance(exc, UpdateRefused):
            raise
        raise UpdateRefused(f"download from {url} failed ({type(exc).__name__}: {exc})") from None
    if expected is not None and got != expected:
        raise UpdateRefused(f"truncated download from {url}: got {got:,} of {expected:,} bytes")
    return got


def _extract_member(archive: Path, member: str, dest: Path, where: str) -> int:
    try:
        with zipfile.ZipFile(archive) as zf:
            names = [n for n in zf.namelist() if Path(n).name.lower() == member.lower()]
            if not names:
                raise UpdateRefused(f"{where}: the archive has no {member}")
            info = zf.getinfo(names[0])
            if info.file_size > MAX_DOWNLOAD_BYTES:
                raise UpdateRefused(f"{where}: {member} is over the size limit")
            with zf.open(info) as src, open(dest, "wb") as out:
                shutil.copyfileobj(src, out)
            return info.file_size
    except UpdateRefused:
        raise
    except Exception as exc:  # BadZipFile, zlib.error, EOFError...: all damage
        raise UpdateRefused(f"{where}: corrupt or truncated zip archive "
                            f"({type(exc).__name__}: {exc})") from None


def fetch(location: str, member: str, dest: Path, timeout: float) -> int:
    """Copy or download ``location`` (its zip ``member`` when given) to ``dest``; bytes written.
    Raises NotPublished when the file does not exist there."""
    target = dest.with_name(dest.name + ".zip") if member else dest
    if location.startswith(("http://", "https://")):
        n = _http_get(location, target, timeout)
    else:
        path = Path(location)
        if not path.is_file():
            raise NotPublished("no such file")
        n = path.stat().st_size
        if n > MAX_DOWNLOAD_BYTES:
            raise UpdateRefused(f"{location} is over the {MAX_DOWNLOAD_BYTES:,}-byte limit")
        shutil.copyfile(path, target)
    if member:
        n = _extract_member(target, member, dest, location)
        target.unlink(missing_ok=True)
    return n


# --------------------------------------------------------------------------- format checks
def check_format(src: Source, rf: RawFile, path: Path) -> None:
    """Cheap checks that give a clear reason before the loaders run: an HTML error page, a
    truncated CSV (no final line break), a header without the schema's columns, a damaged xlsx."""
    where = f"{src.name}/{rf.name}"
    head = path.read_bytes()[:4096] if path.stat().st_size else b""
    if not head:
        raise UpdateRefused(f"{where}: the file is empty")
    if head.lstrip()[:1] == b"<":
        raise UpdateRefused(f"{where}: got an HTML/XML page, not the data file")
    if src.fmt == "csv":
        with open(path, "rb") as fh:
            fh.seek(-1, os.SEEK_END)
            if fh.read(1) != b"\n":
                raise UpdateRefused(f"{where}: the file does not end with a line break "
                                    "(truncated download?)")
        try:
            header = head.decode("utf-8-sig").splitlines()[0]
        except (UnicodeDecodeError, IndexError):
            raise UpdateRefused(f"{where}: the header line is not UTF-8 text") from None
        cols = [c.strip().strip('"') for c in header.split(",")]
        missing = [c for c in src.schema if c not in cols]
        if missing:
            raise UpdateRefused(f"{where}: schema changed, missing column(s) "
                                f"{', '.join(missing)} (header: {header[:120]})")
    elif src.fmt == "xlsx":
        try:
            with zipfile.ZipFile(path) as zf:
                bad = zf.testzip()
        except Exception as exc:  # BadZipFile, zlib.error, EOFError...: all damage
            raise UpdateRefused(f"{where}: not a readable xlsx, corrupt or truncated "
                                f"({one_line(exc)[:120]})") from None
        if bad is not None:
            raise UpdateRefused(f"{where}: damaged xlsx (bad CRC in {bad})")


_WS = re.compile(r"\s+")


def one_line(text: str) -> str:
    return _WS.sub(" ", str(text)).strip()
