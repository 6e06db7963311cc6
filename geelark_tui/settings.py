"""The settings model and its validation: what the config file can hold. Never imports textual.

Each settings section is a frozen dataclass that checks and normalises every field when it is
built (``ValueError`` names the section and key). The base URL is the exception: it is kept as
written and checked by ``check_base_url`` where it is used, so that an unusable one stops the
run with a message naming where it came from. ``FIELD_CHECKS`` holds the same checks per
key, for reading a file one value at a time. Reading the file is ``geelark_tui.config``,
writing it ``geelark_tui.configstore``.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlsplit

from geelark_tui.api.endpoints import DEFAULT_BASE_URL
from geelark_tui.recentsets import RecentSet

__all__ = [
    "DEFAULT_BASE_URL", "DEFAULT_MAX_RECENT", "FIELD_CHECKS", "SECRET_FIELDS", "ApiSettings",
    "FileSettings", "SubmitSettings", "UiSettings", "check_base_url", "check_max_recent",
    "is_loopback", "mask_secret", "shown_value",
]

DEFAULT_MAX_RECENT = 20
SECRET_FIELDS = frozenset({"token", "api_key"})

Check = Callable[[Any], Any]  # returns the normalised value or raises ValueError(reason)


def _rule(test: Callable[[Any], bool], reason: str, convert: Check = lambda v: v) -> Check:
    def check(v: Any) -> Any:
        if not test(v):
            raise ValueError(reason)
        return convert(v)

    return check


def _num(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _int(lo: int, hi: int) -> Check:
    return _rule(lambda v: isinstance(v, int) and _num(v) and lo <= v <= hi,
                 f"must be a whole number from {lo} to {hi}")


_HOST_NAME = re.compile(r"[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*\.?")
_HTTPS_EXAMPLE = f"must start with https:// and name a host, e.g. {DEFAULT_BASE_URL}"


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_base_url(url: str) -> str:
    """The one rule for a base URL, wherever it comes from (``--base-url``, GEELARK_BASE_URL,
    the config file, Settings): the URL without its trailing slash, or ValueError saying what
    is wrong. Plain ``http://`` only to a loopback host (the simulator): it would send the
    credentials unencrypted. What passes is a URL the HTTP client can use as it is."""
    url = url.strip().rstrip("/")
    if any(c.isspace() or not c.isprintable() for c in url):
        raise ValueError("must not contain spaces, line breaks or control characters")
    try:
        parts = urlsplit(url)
        port_ok = parts.port is None or parts.port > 0
    except ValueError as e:
        raise ValueError(f"is not a URL ({e})") from None
    host = parts.hostname or ""
    if parts.scheme not in ("http", "https") or not host:
        raise ValueError(_HTTPS_EXAMPLE)
    if parts.username is not None or parts.password is not None:
        raise ValueError("must not hold a user name or password")
    if not port_ok or not (_HOST_NAME.fullmatch(host) or _is_ipv6(host)):
        raise ValueError(f"names no valid host and port ({parts.netloc})")
    if parts.query or parts.fragment or "?" in url or "#" in url:
        raise ValueError("must not hold a query (?...) or a fragment (#...)")
    if parts.scheme == "http" and not is_loopback(host):
        raise ValueError("uses plain http://, which would send your credentials unencrypted; "
                         "use https:// (http:// is only allowed for 127.0.0.1 / localhost)")
    return url


def _is_ipv6(host: str) -> bool:
    try:
        return isinstance(ipaddress.ip_address(host), ipaddress.IPv6Address)
    except ValueError:
        return False


def _base_url_text(v: Any) -> str:
    # Kept as written even when ``check_base_url`` refuses it: an unusable URL must stop the
    # run where it is used, never be swapped for the default (another server) nor rewritten.
    if not isinstance(v, str):
        raise ValueError("must be a string")
    return v.strip().rstrip("/")


_STR = _rule(lambda v: isinstance(v, str), "must be a string", str.strip)

FIELD_CHECKS: dict[str, dict[str, Check]] = {
    "api": {"base_url": _base_url_text, "token": _STR, "app_id": _STR, "api_key": _STR,
            "auth_method": _rule(lambda v: v in ("token", "key"), 'must be "token" or "key"')},
    "submit": {"batch_size": _int(1, 100), "concurrency": _int(1, 20), "per_minute": _int(1, 200),
               "timeout": _rule(lambda v: _num(v) and 1 <= v <= 300,
                                "must be a number of seconds from 1 to 300", float),
               "preflight": _rule(lambda v: isinstance(v, bool), "must be true or false")},
    "ui": {"theme": _rule(lambda v: isinstance(v, str) and bool(v.strip()), "must be a theme name",
                          str.strip), "results_export_dir": _STR},
}
check_max_recent = _int(1, 1000)  # ``[recent] max``: how many ID sets are kept


def mask_secret(secret: str) -> str:
    if not secret:
        return ""
    return f"{secret[:2]}********{secret[-2:]}" if len(secret) >= 12 else "********"


def shown_value(key: str, value: Any) -> str:
    """A value as a message quotes it: a secret never."""
    return "(hidden)" if key in SECRET_FIELDS else repr(value)[:60]


class _Checked:
    """Validates and normalises every field on construction: bad values raise ValueError."""

    _section = ""

    def __post_init__(self) -> None:
        for name, check in FIELD_CHECKS[self._section].items():
            try:
                object.__setattr__(self, name, check(getattr(self, name)))
            except ValueError as e:
                raise ValueError(f"{self._section}.{name} {e}") from None


@dataclass(frozen=True)
class ApiSettings(_Checked):
    _section = "api"
    base_url: str = DEFAULT_BASE_URL
    auth_method: Literal["token", "key"] = "token"
    token: str = ""
    app_id: str = ""
    api_key: str = ""

    def __repr__(self) -> str:
        return (f"ApiSettings(base_url={self.base_url!r}, auth_method={self.auth_method!r}, "
                f"token={mask_secret(self.token)!r}, app_id={self.app_id!r}, "
                f"api_key={mask_secret(self.api_key)!r})")


@dataclass(frozen=True)
class SubmitSettings(_Checked):
    _section = "submit"
    batch_size: int = 100
    concurrency: int = 2
    per_minute: int = 200
    timeout: float = 30.0
    preflight: bool = True


@dataclass(frozen=True)
class UiSettings(_Checked):
    _section = "ui"
    theme: str = "textual-dark"
    results_export_dir: str = ""


@dataclass
class FileSettings:
    """Everything the config file holds that this version knows."""

    api: ApiSettings = field(default_factory=ApiSettings)
    submit: SubmitSettings = field(default_factory=SubmitSettings)
    ui: UiSettings = field(default_factory=UiSettings)
    max_recent: int = DEFAULT_MAX_RECENT
    recent: list[RecentSet] = field(default_factory=list)
