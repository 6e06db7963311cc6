"""geelark-tui: restart failed and cancelled GeeLark automation tasks."""

__version__ = "0.1.0"
