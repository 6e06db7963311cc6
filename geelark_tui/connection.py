"""Where to connect and how to authenticate, resolved the same way for the TUI and headless.

Precedence: command-line flag, then `GEELARK_*` environment variables, then the config file,
then the built-in default. Plain `http://` is only allowed to a loopback host (the simulator).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass

import httpx

from geelark_tui.api.auth import KeyAuth, TokenAuth
from geelark_tui.api.endpoints import DEFAULT_BASE_URL
from geelark_tui.config import ApiSettings

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
        return "bearer token" if self.method == "token" else f"app key (app id {self.app_id})"


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def validate_base_url(url: str) -> str:
    """Return the normalised URL or raise ConnectionConfigError saying what is wrong."""
    url = url.strip().rstrip("/")
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as exc:
        raise ConnectionConfigError(f"base URL {url!r} is not a URL: {exc}") from None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise ConnectionConfigError(
            f"base URL {url!r} must start with https:// and name a host, "
            f"e.g. {DEFAULT_BASE_URL}"
        )
    if parsed.scheme == "http" and not is_loopback(parsed.host):
        raise ConnectionConfigError(
            f"base URL {url!r} uses plain http://, which would send your credentials "
            "unencrypted; use https:// (http:// is only allowed for 127.0.0.1 / localhost)"
        )
    return url


def credentials_from(api: ApiSettings, env_sources: Mapping[str, str]) -> Credentials:
    """The credentials in use: `load_config` has already laid the environment over the file."""
    source = "environment" if {"token", "api_key"} & env_sources.keys() else "config"
    return Credentials(api.auth_method, token=api.token, app_id=api.app_id,
                       api_key=api.api_key, source=source)


def resolve_base_url(flag: str | None, configured: str | None) -> str:
    """`--base-url`, else the config's value (where GEELARK_BASE_URL already won), else default."""
    for candidate in (flag, configured):
        if candidate:
            return validate_base_url(candidate)
    return DEFAULT_BASE_URL
