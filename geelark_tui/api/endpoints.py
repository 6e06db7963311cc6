"""Where the GeeLark Open API lives: its hosts and the paths of the task endpoints.

Every call is a POST with a JSON body to ``{base URL}{path}``. The client, the simulator and
the connection settings read these; nothing else spells a URL or a path.
"""

from __future__ import annotations

DEFAULT_BASE_URL = "https://openapi.geelark.com"  # international
CHINA_BASE_URL = "https://openapi.geelark.cn"
KNOWN_HOSTS = (DEFAULT_BASE_URL, CHINA_BASE_URL)

RESTART_PATH = "/open/v1/task/restart"
QUERY_PATH = "/open/v1/task/query"
CANCEL_PATH = "/open/v1/task/cancel"
HISTORY_PATH = "/open/v1/task/historyRecords"
DETAIL_PATH = "/open/v1/task/detail"
