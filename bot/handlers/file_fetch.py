"""Fetching a file a person sent to the bot: the doors' one piece of file transport.

Slack serves a shared file at its `url_private_download` to a request that carries the bot
token (`Authorization: Bearer xoxb-…`, scope `files:read`); without it Slack answers with its
sign-in page, an HTML page with status 200, not an error. Teams gives a pre-authorised
`downloadUrl` that needs no token. Either way a page of HTML is not the file, and a file
bigger than the importer reads is not read to the end.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import aiohttp

TIMEOUT_S = 60


class FetchFailed(Exception):
    """The file could not be fetched; the message says why, in words for an admin."""


def token_allowed(url: str, hosts: frozenset[str]) -> bool:
    """Whether the bot token may be sent to `url`: only to the platform's own file hosts,
    over HTTPS (plain HTTP only to loopback, for tests)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if host not in hosts:
        return False
    return parts.scheme == "https" or (parts.scheme == "http" and host == "127.0.0.1")


async def fetch(url: str, *, limit: int, token: str | None = None) -> bytes:
    """The bytes at `url`, at most `limit` of them.

    Raises:
        FetchFailed: refused, not found, too big, a sign-in page instead of the file, or the
            network failed.
    """
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    timeout = aiohttp.ClientTimeout(total=TIMEOUT_S)
    try:
        async with (
            aiohttp.ClientSession(timeout=timeout) as http,
            http.get(url, headers=headers, allow_redirects=True, max_redirects=3) as response,
        ):
            if response.status != 200:
                raise FetchFailed(f"the file server answered HTTP {response.status}")
            if response.content_type == "text/html":
                raise FetchFailed(
                    "the file server sent a sign-in page instead of the file (the app may lack "
                    "the permission to read files)"
                )
            if response.content_length is not None and response.content_length > limit:
                raise FetchFailed(_too_big(limit))
            data = await response.content.read(limit + 1)
    except (aiohttp.ClientError, TimeoutError) as exc:
        raise FetchFailed(f"the download failed ({type(exc).__name__})") from exc
    if len(data) > limit:
        raise FetchFailed(_too_big(limit))
    return data


def _too_big(limit: int) -> str:
    return f"it is larger than the {limit // 1024 // 1024} MB a plan may be"


async def fetch_pre_authorised(url: str, *, limit: int) -> bytes:
    """The bytes at a URL that carries its own short-lived credential (Teams' `downloadUrl`):
    no token is sent, and only over https (plain http only to loopback, for tests).

    Raises:
        FetchFailed: as `fetch`, or the address is not https.
    """
    parts = urlsplit(url)
    if not (parts.scheme == "https" or (parts.scheme == "http" and parts.hostname == "127.0.0.1")):
        raise FetchFailed("the download address is not https")
    return await fetch(url, limit=limit)
