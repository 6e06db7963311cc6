"""Where to connect and how to authenticate, resolved the same way for the TUI and headless.

Precedence: command-line flag, then `GEELARK_*` environment variables, then the config file,
then the built-in default. A base URL from any of them must pass `settings.check_base_url`
(plain `http://` is only allowed to a loopback host, the simulator), or nothing is sent.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import httpx

from geelark_tui.api.auth import KeyAuth, TokenAuth
from geelark_tui.config import Config
from geelark_tui.settings import ApiSettings, check_base_url

_HEADER_SAFE = re.compile(r"[\x20-\x7e]+")  # printable ASCII


class ConnectionConfigError(ValueError):
    """Credentials or base URL unusable; the message says what to fix."""


@dataclass(frozen=True, slots=True)
class Credentials:
    method: str  # "token" or "key"
    token: str = ""
    app_id: str = ""
    api_key: str = ""
    source: str = "config"  # "environment" or "config"

    def __repr__(self) -> str:
        return (f"Credentials(method={self.method!r}, app_id={self.app_id!r}, "
                f"source={self.source!r})")

    @property
    def complete(self) -> bool:
        return bool(self.token) if self.method == "token" else bool(self.app_id and self.api_key)

    def auth(self) -> httpx.Auth:
        if not self.complete:
            raise ConnectionConfigError(
                "no credentials: set GEELARK_TOKEN (or GEELARK_APP_ID and GEELARK_API_KEY), "
                "or save them with the app's Settings screen"
            )
        # Sent as header values: a line break or other control character would make the
        # request unsendable (and the HTTP library's error would quote the value).
        sent = ("token", self.token) if self.method == "token" else ("app ID", self.app_id)
        if not _HEADER_SAFE.fullmatch(sent[1]):
            raise ConnectionConfigError(
                f"the {sent[0]} holds a character that cannot be sent (a line break, a tab, a "
                "control or non-ASCII character): paste it again"
            )
        if self.method == "token":
            return TokenAuth(self.token)
        return KeyAuth(self.app_id, self.api_key)

    @property
    def label(self) -> str:
        """How requests are authenticated, in words; "no credentials" until there are some."""
        if not self.complete:
            return "no credentials"
        return "bearer token" if self.method == "token" else f"app key (app id {self.app_id})"


def validate_base_url(url: str, source: str = "") -> str:
    """The URL to use, or ConnectionConfigError saying what is wrong and where it came from.

    The rule itself is ``settings.check_base_url``, the same for every source."""
    try:
        return check_base_url(url)
    except ValueError as e:
        where = f" from {source}" if source else ""
        raise ConnectionConfigError(f"base URL {url!r}{where} {e}") from None


def credentials_from(api: ApiSettings, env_sources: Mapping[str, str]) -> Credentials:
    """The credentials in use: `load_config` has already laid the environment over the file."""
    source = "environment" if {"token", "api_key"} & env_sources.keys() else "config"
    return Credentials(api.auth_method, token=api.token, app_id=api.app_id,
                       api_key=api.api_key, source=source)


def resolve_base_url(flag: str | None, config: Config) -> str:
    """``--base-url``, else the config's value (GEELARK_BASE_URL, else the file, else the
    default). An unusable value is an error naming its source, never a switch to the default."""
    if flag is not None:
        return validate_base_url(flag, "--base-url")
    return validate_base_url(config.api.base_url, config.base_url_source)
