"""Who a Teams user is, from Microsoft Graph, when an admin has granted it (TEAMS_GRAPH).

Teams itself answers "who is this?" only inside a conversation: a 1:1 chat knows its one
user, a team's channels the team. A person picked in a card (the people picker gives Entra
object ids) or @mentioned in a personal chat, and an admin named only by email, are known to
Graph (`GET /v1.0/users/{id or userPrincipalName}`) once the app has User.Read.All. Without
it, or when Graph does not answer, the answer is None and the caller carries on by id.
"""

from __future__ import annotations

import logging
from urllib.parse import quote

import httpx
from microsoft_teams.apps import App

from bot.core.config import Settings
from bot.services.people.identity import Mentioned

log = logging.getLogger(__name__)

TIMEOUT = 10.0
_FIELDS = "id,displayName,mail,userPrincipalName"


class TeamsDirectory:
    def __init__(self, app: App, settings: Settings) -> None:
        self._app = app
        self._url = settings.teams_graph_url.rstrip("/")
        self._tenant = settings.teams_tenant_id

    async def user(self, key: str) -> Mentioned | None:
        """The user with Entra object id (or UPN / email) `key`, or None."""
        try:
            token = await self._app.token_provider.get_app_token(
                self._app.cloud.graph_scope, self._tenant
            )
            async with httpx.AsyncClient(timeout=TIMEOUT) as http:
                response = await http.get(
                    f"{self._url}/v1.0/users/{quote(key, safe='@')}",
                    params={"$select": _FIELDS},
                    headers={"Authorization": f"Bearer {token}"},
                )
        except (httpx.HTTPError, ValueError, OSError) as exc:
            # OSError: MSAL's own HTTP library (requests) failing to reach the token endpoint.
            log.warning("Microsoft Graph could not be asked about a Teams user: %s", exc)
            return None
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            log.warning(
                "Microsoft Graph refused a user look-up (HTTP %s): has an admin granted the "
                "app User.Read.All? Set TEAMS_GRAPH=0 if not.",
                response.status_code,
            )
            return None
        found = response.json()
        return Mentioned(
            name=found.get("displayName") or None,
            email=found.get("mail") or found.get("userPrincipalName") or None,
            entra_id=found.get("id") or None,
        )


def make_directory(app: App, settings: Settings) -> TeamsDirectory | None:
    """A directory when an admin granted Graph (TEAMS_GRAPH=1), else None."""
    return TeamsDirectory(app, settings) if settings.teams_graph else None
