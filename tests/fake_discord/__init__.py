"""A fake Discord server (REST + gateway) for end-to-end tests; see server.py."""

from tests.fake_discord.server import (
    EPHEMERAL_FLAG,
    MEMBER_PERMISSIONS,
    PERM_MANAGE_GUILD,
    CommandSync,
    FakeChannel,
    FakeDiscord,
    FakeGuild,
    FakeInteraction,
    FakeMember,
    RecordedMessage,
    default_guild,
    shard_of,
    validate_commands,
    validate_message_payload,
)

__all__ = [
    "EPHEMERAL_FLAG",
    "MEMBER_PERMISSIONS",
    "PERM_MANAGE_GUILD",
    "CommandSync",
    "FakeChannel",
    "FakeDiscord",
    "FakeGuild",
    "FakeInteraction",
    "FakeMember",
    "RecordedMessage",
    "default_guild",
    "shard_of",
    "validate_commands",
    "validate_message_payload",
]
