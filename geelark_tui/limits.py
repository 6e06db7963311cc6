"""Limits of the API and of this client, defined once: the command line, the config file and
the engine all check against these."""

from __future__ import annotations

MAX_BATCH = 100  # IDs a task request carries at most (every task endpoint caps `ids` at 100)
MAX_CONCURRENCY = 20  # requests in flight at once
MAX_PER_MINUTE = 200  # GeeLark: 200 requests a minute (40007 above that)
PER_HOUR = 24_000  # GeeLark: 24,000 an hour (40014, and the account is locked for 2 hours)
MAX_TIMEOUT = 300.0  # seconds one request may take
MAX_INPUT_BYTES = 64 * 1024 * 1024  # ID text from a file, stdin or a paste
