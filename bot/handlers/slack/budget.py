"""The ack budget: Slack gives up on an answer 3 s after sending, so every listener acks
within a budget counted from the request's arrival, and says "working on it" when busy."""

from __future__ import annotations

# Set in Bolt's context by the HTTP gate (bot/app/asgi.py) once a request's signature checked out.
VERIFIED = "actionbot_verified"
ARRIVED = "actionbot_arrived"  # time.monotonic() when the request reached us


# Seconds from a request's arrival to its ack at the latest. Slack gives up after 3 s from
# sending; the network, and the queue before our code sees the request, take their share.
ACK_BUDGET = 1.0


# Commands in progress beyond which a new one is acked at once ("working on it"): the worker
# threads (bot/app/serve.py) could not answer it within the budget anyway, and the event loop
# that acks has better things to do than wait for them (bench/burst.py: 1,000 at once).
BUSY_AT = 8
WORKING_ON_IT = "Working on it: the register is busy. I'll answer here in a moment."
