"""Per-server settings: only the overrides an admin made are stored; the caller supplies defaults."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime
from typing import Any

from db.base import Queries
from db.models import GUILD_SETTING_NAMES, GuildSettings
from db.rows import setting_json, ts
from db.validation import SettingValue, check_id, validate_guild_setting


class GuildSettingsQueries(Queries):
    async def get_guild_settings(self, guild_id: int, defaults: GuildSettings) -> GuildSettings:
        """``defaults`` with this guild's stored overrides applied (unreadable overrides are ignored)."""
        async with self._db.reading() as tx:
            rows = await tx.all("SELECT name, value FROM guild_settings WHERE guild_id = ?", (guild_id,))
        overrides: dict[str, Any] = {}
        for row in rows:
            if row["name"] not in GUILD_SETTING_NAMES:
                continue
            try:
                overrides[row["name"]] = validate_guild_setting(row["name"], json.loads(row["value"]))
            except (ValueError, TypeError):
                continue
        return replace(defaults, **overrides)

    async def set_guild_setting(self, guild_id: int, name: str, value: Any, *, now: datetime) -> SettingValue:
        """Validate and store one override; returns the normalized value.

        ``InvalidSettingError`` (one line) for an unknown name or a value out of range.
        """
        check_id(guild_id, "guild_id")
        normalized = validate_guild_setting(name, value)
        stored, stamp = setting_json(normalized), ts(now)
        async with self._db.writing() as tx:
            await tx.execute(
                """INSERT INTO guild_settings (guild_id, name, value, updated_at) VALUES (?, ?, ?, ?)
                   ON CONFLICT (guild_id, name) DO UPDATE SET value = excluded.value,
                                                              updated_at = excluded.updated_at""",
                (guild_id, name, stored, stamp),
            )
        return normalized

    async def reset_guild_setting(self, guild_id: int, name: str) -> bool:
        """Drop an override so the default applies again; False when there was none."""
        async with self._db.writing() as tx:
            return await tx.changes("DELETE FROM guild_settings WHERE guild_id = ? AND name = ?", (guild_id, name))
