"""Fixtures for db/ tests: a real SQLite file in a temporary directory per test."""

from __future__ import annotations

from datetime import UTC, datetime

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
