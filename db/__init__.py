"""The store (the only SQL in spacebrief): typed rows, validation, and one module per record kind.

``models`` (rows, errors) and ``validation`` (cleaning, settings) are pure; ``rows`` maps database
values to models; ``base`` is the interface a backend implements and ``sqlite`` the SQLite one;
``sources``, ``entries`` (with posts), ``deliveries`` (refused posts), ``settings``, ``threads``,
``claims`` and ``command_syncs`` hold the SQL of each kind;
``store.Store`` composes them into the one object the rest of spacebrief uses.
"""

from db.models import (
    CONFIG_GUILD_ID,
    ConfigSource,
    DeliveryOutcome,
    DeliveryProblem,
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
from db.validation import SettingValue, validate_guild_setting

__all__ = [
    "CONFIG_GUILD_ID",
    "ConfigSource",
    "DeliveryOutcome",
    "DeliveryProblem",
    "DuplicateSourceError",
    "Entry",
    "GuildSettings",
    "InvalidSettingError",
    "NewEntry",
    "Post",
    "PostedItem",
    "SchemaTooNewError",
    "SettingValue",
    "Source",
    "Store",
    "StoreError",
    "StoredQuote",
    "ThreadRecord",
    "validate_guild_setting",
]
