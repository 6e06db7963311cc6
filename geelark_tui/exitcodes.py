"""The exit codes of the command, defined once (the headless contract in the README)."""

from __future__ import annotations

EXIT_OK = 0  # every ID restarted (with --follow: and then completed)
EXIT_SOME_FAILED = 1  # some ID not restarted
EXIT_INCOMPLETE = 1  # `tasks`: the list may be incomplete (the history could not all be read)
EXIT_USAGE = 2  # usage or input error: no valid ID, bad flag, unreadable file
EXIT_STOPPED = 3  # stopped by authentication, configuration or an account-level API error
EXIT_OUTPUT = 4  # the result could not be written to stdout (disk full, closed pipe)
