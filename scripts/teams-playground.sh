#!/usr/bin/env bash
# Try actionbot in Teams without a tenant: Microsoft 365 Agents Playground (Microsoft's Teams
# client and Bot Connector simulator, from npm) talking to `actionbot serve` on this machine.
#
#     scripts/teams-playground.sh            # then open http://localhost:56150
#
# It makes a fresh register in $PLAYGROUND_DIR (default: .playground/, ignored by git) with
# the bundled plan and owners file, the plan's actions falling due today, and starts:
#   * actionbot serve on 127.0.0.1:3978, with ACTIONBOT_TEAMS_INSECURE_DEV=1: requests are not
#     checked for Microsoft's signature, and reminders, the digest and admin notices go to the
#     Playground's connector without a token;
#   * the Playground on port 56150 (telemetry off), as Fiona Finance (finance@northants.example,
#     who holds "Finance" and is an admin here), with five more owners from the owners file
#     and a team "Leadership" whose General channel gets the digest.
# Ctrl-C stops both. Needs Node.js 18+ (npx) and `make test` or `make demo` run once (.venv).
# Not part of `make test`; for trying things out by hand only.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIR="${PLAYGROUND_DIR:-$ROOT/.playground}"
BOT_PORT="${BOT_PORT:-3978}"
PLAYGROUND_PORT="${PLAYGROUND_PORT:-56150}"
PLAYGROUND="${PLAYGROUND:-npx --yes @microsoft/m365agentsplayground@0.2}"
ACTIONBOT="$ROOT/.venv/bin/actionbot"
CHANNEL="19:leadership-digest@thread.tacv2"

[ -x "$ACTIONBOT" ] || { echo "Run 'make demo' (or 'make test') once first: no $ACTIONBOT" >&2; exit 1; }
mkdir -p "$DIR"
rm -f "$DIR/register.db"

export DATABASE_URL="sqlite:///$DIR/register.db"
export ACTIONBOT_TEAMS_INSECURE_DEV=1
export ACTIONBOT_ENV=development
export TEAMS_SERVICE_URL="http://localhost:$PLAYGROUND_PORT/_connector"
export TEAMS_DIGEST_CONVERSATION="$CHANNEL"
export ACTIONBOT_ADMINS=finance@northants.example
export ACTIONBOT_NUDGE_HOUR=0   # reminders may go at any hour of a working day
export TEAMS_CLIENT_ID= TEAMS_CLIENT_SECRET= TEAMS_TENANT_ID= SLACK_BOT_TOKEN= SLACK_APP_TOKEN=

"$ACTIONBOT" owners import "$ROOT/bot/samples/ncc-owners-example.csv"
"$ACTIONBOT" import "$ROOT/bot/samples/ncc-financial-management-2017.csv" --plan NCC
"$ACTIONBOT" plans default-due NCC "$(date +%F)"

# Who the Playground says you are, and the team and channel it knows (its own config file).
cat > "$DIR/.m365agentsplayground.yml" <<YAML
version: "0.1.1"
tenantId: 00000000-0000-0000-0000-000000000001
bot:
  id: 00000000-0000-0000-0000-0000000000de
  name: actionbot
currentUser:
  id: 29:1fiona
  name: Fiona Finance
  userPrincipleName: finance@northants.example
  aadObjectId: 00000000-0000-0000-0000-00000000f1a0
  givenName: Fiona
  surname: Finance
  email: finance@northants.example
users:  # exactly five; all of them are in the group chat and the team
  - id: 29:1raj
    name: Raj Patel
    userPrincipleName: procurement@northants.example
    aadObjectId: 00000000-0000-0000-0000-00000000aa01
    givenName: Raj
    surname: Patel
    email: procurement@northants.example
  - id: 29:1cara
    name: Cara Chief
    userPrincipleName: ceo@northants.example
    aadObjectId: 00000000-0000-0000-0000-00000000aa02
    givenName: Cara
    surname: Chief
    email: ceo@northants.example
  - id: 29:1pat
    name: Pat Property
    userPrincipleName: property@northants.example
    aadObjectId: 00000000-0000-0000-0000-00000000aa03
    givenName: Pat
    surname: Property
    email: property@northants.example
  - id: 29:1ian
    name: Ian Audit
    userPrincipleName: internal.audit@northants.example
    aadObjectId: 00000000-0000-0000-0000-00000000aa04
    givenName: Ian
    surname: Audit
    email: internal.audit@northants.example
  - id: 29:1cam
    name: Cam Comms
    userPrincipleName: communications@northants.example
    aadObjectId: 00000000-0000-0000-0000-00000000aa05
    givenName: Cam
    surname: Comms
    email: communications@northants.example
personalChat:
  id: a:1fiona-actionbot
groupChat:
  id: 19:group-chat@thread.v2
  name: Group chat
team:  # its General channel has the team's id: the digest goes there
  id: $CHANNEL
  name: Leadership
  aadGroupId: 00000000-0000-0000-0000-000000000031
  channels: []
YAML

pids=()
stop() { for pid in "${pids[@]}"; do kill -- "-$pid" 2>/dev/null || kill "$pid" 2>/dev/null || true; done; }
trap stop EXIT INT TERM

setsid "$ACTIONBOT" serve --host 127.0.0.1 --port "$BOT_PORT" &
pids+=($!)
(cd "$DIR" && exec setsid $PLAYGROUND -e "http://127.0.0.1:$BOT_PORT/api/messages" -c msteams \
    -p "$PLAYGROUND_PORT" --disable-telemetry) &
pids+=($!)

cat <<TEXT

  Agents Playground: http://localhost:$PLAYGROUND_PORT   (you are Fiona Finance, an admin)
  In the personal chat type:  mine   then click a card's buttons;
  admin nudge   (today's reminders arrive in the chat, then "Reminders: …");
  admin digest  (the digest goes to the Leadership team's General channel);
  the admins' summary of owners nobody can reach follows in the chat.
  Ctrl-C stops both.

TEXT
wait
