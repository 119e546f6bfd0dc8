"""Fetching a file a person sent to the bot: the doors' one piece of file transport.

Slack serves a shared file at its `url_private_download` to a request that carries the bot
token (`Authorization: Bearer xoxb-…`, scope `files:read`); without it Slack answers with its
sign-in page, an HTML page with status 200, not an error. Teams gives a pre-authorised
`downloadUrl` (the sender's OneDrive or SharePoint) that needs no token. Either way a page of
HTML is not the file, and a file bigger than the importer reads is not read to the end.

Whatever an attachment names, a request goes only to the platform's own file hosts: https,
port 443, on the hosts below (scheme, host and port all checked, on every redirect too), or
to an origin given explicitly (Slack's configured API base, where the token goes anyway;
ACTIONBOT_DEV_FILE_ORIGINS for a test's fake). The Slack token never leaves the origin it
was first sent to.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import aiohttp

TIMEOUT_S = 60
MAX_REDIRECTS = 3
_DEFAULT_PORTS = {"https": 443, "http": 80}

Origin = tuple[str, str, int]  # scheme, host, port


class FetchFailed(Exception):
    """The file could not be fetched; the message says why, in words for an admin."""


def origin_of(url: str) -> Origin | None:
    """(scheme, host, port) of an absolute http(s) URL, lower-cased; None for anything else."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:  # a port that is not a number, or out of range
        return None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    if scheme not in _DEFAULT_PORTS or not host:
        return None
    return scheme, host, port or _DEFAULT_PORTS[scheme]


@dataclass(frozen=True)
class FileHosts:
    """Where a platform keeps the files people send: https on port 443 on `hosts` or on a
    host ending with one of `suffixes`, and the `exact` origins given explicitly."""

    platform: str
    hosts: frozenset[str] = frozenset()
    suffixes: tuple[str, ...] = ()
    exact: frozenset[Origin] = field(default_factory=frozenset)

    def allows(self, url: str) -> bool:
        origin = origin_of(url)
        if origin is None:
            return False
        if origin in self.exact:
            return True
        scheme, host, port = origin
        own = host in self.hosts or any(host.endswith(s) for s in self.suffixes)
        return own and scheme == "https" and port == 443

    def plus(self, *urls: str | None) -> FileHosts:
        """These hosts and the exact origins of `urls` (an API base, a dev override)."""
        extra = {o for o in (origin_of(u) for u in urls if u) if o is not None}
        return FileHosts(self.platform, self.hosts, self.suffixes, self.exact | extra)


# Slack serves files people share from one host (url_private / url_private_download).
SLACK_FILES = FileHosts("Slack", hosts=frozenset({"files.slack.com"}))
# Teams stores a file sent in a personal chat in the sender's OneDrive for Business, a
# SharePoint site (`<tenant>-my.sharepoint.com`); the downloadUrl points there. Bots cannot
# receive files in GCC High, DoD or 21Vianet, whose SharePoint has other domains.
TEAMS_FILES = FileHosts("Teams", suffixes=(".sharepoint.com",))


async def fetch(url: str, *, limit: int, allowed: FileHosts, token: str | None = None) -> bytes:
    """The bytes at `url`, at most `limit` of them, fetched only from `allowed` hosts.

    Redirects are followed (storage may answer 302) one hop at a time, each hop checked
    against `allowed`; `token` goes only to the origin of `url` itself.

    Raises:
        FetchFailed: not an allowed host, refused, not found, too big, a sign-in page
            instead of the file, or the network failed.
    """
    if not allowed.allows(url):
        raise FetchFailed(_elsewhere(url, allowed))
    first = origin_of(url)
    timeout = aiohttp.ClientTimeout(total=TIMEOUT_S)
    try:
        async with aiohttp.ClientSession(timeout=timeout) as http:
            for _ in range(MAX_REDIRECTS + 1):
                send = token is not None and origin_of(url) == first
                headers = {"Authorization": f"Bearer {token}"} if send else {}
                async with http.get(url, headers=headers, allow_redirects=False) as response:
                    location = response.headers.get("Location")
                    if response.status in (301, 302, 303, 307, 308) and location:
                        url = urljoin(url, location)
                        if not allowed.allows(url):
                            raise FetchFailed(_elsewhere(url, allowed, redirected=True))
                        continue
                    return await _body(response, limit)
    except (aiohttp.ClientError, TimeoutError) as exc:
        raise FetchFailed(f"the download failed ({type(exc).__name__})") from exc
    raise FetchFailed(f"the file server redirected more than {MAX_REDIRECTS} times")


async def _body(response: aiohttp.ClientResponse, limit: int) -> bytes:
    if response.status != 200:
        raise FetchFailed(f"the file server answered HTTP {response.status}")
    if response.content_type == "text/html":
        raise FetchFailed(
            "the file server sent a sign-in page instead of the file (the app may lack "
            "the permission to read files)"
        )
    if response.content_length is not None and response.content_length > limit:
        raise FetchFailed(_too_big(limit))
    # StreamReader.read(n) answers with what has arrived so far, not n bytes: a file sent
    # in several packets would be cut short. Read to the end, stopping past the limit.
    data = bytearray()
    async for piece in response.content.iter_chunked(64 * 1024):
        data += piece
        if len(data) > limit:
            raise FetchFailed(_too_big(limit))
    return bytes(data)


def _elsewhere(url: str, allowed: FileHosts, *, redirected: bool = False) -> str:
    origin = origin_of(url)
    where = f"{origin[0]}://{origin[1]}:{origin[2]}" if origin else "an address that is not http"
    said = "sent me on to" if redirected else "is on"
    hint = (
        " (if it is a sign-in page, the app may lack the permission to read files)"
        if redirected
        else ""
    )
    keeps = f"which is not where {allowed.platform} keeps files"
    return f"the download address {said} {where}, {keeps}{hint}"


def _too_big(limit: int) -> str:
    return f"it is larger than the {limit // 1024 // 1024} MB a plan may be"


async def fetch_pre_authorised(url: str, *, limit: int, allowed: FileHosts) -> bytes:
    """The bytes at a URL that carries its own short-lived credential (Teams' `downloadUrl`):
    no token is sent.

    Raises:
        FetchFailed: as `fetch`.
    """
    return await fetch(url, limit=limit, allowed=allowed)
