"""One Messenger per platform, each with its API client: how the outbox reaches people."""
