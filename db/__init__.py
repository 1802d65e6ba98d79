"""The aiosqlite store (the only SQL in spacebrief) and its typed rows."""

from db.models import (
    CONFIG_GUILD_ID,
    ConfigSource,
    DuplicateSourceError,
    Entry,
    GuildSettings,
    InvalidSettingError,
    NewEntry,
    Post,
    PostedItem,
    SchemaTooNewError,
    Source,
    StoredQuote,
    StoreError,
    ThreadRecord,
)
from db.store import Store

__all__ = [
    "CONFIG_GUILD_ID",
    "ConfigSource",
    "DuplicateSourceError",
    "Entry",
    "GuildSettings",
    "InvalidSettingError",
    "NewEntry",
    "Post",
    "PostedItem",
    "SchemaTooNewError",
    "Source",
    "Store",
    "StoreError",
    "StoredQuote",
    "ThreadRecord",
]
