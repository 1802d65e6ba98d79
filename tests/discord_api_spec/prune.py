"""Regenerate tests/discord_api_spec/openapi.json: Discord's OpenAPI description, cut to what the bot uses.

    python tests/discord_api_spec/prune.py [FULL_SPEC] [OUTPUT]

FULL_SPEC defaults to ../shared/data/discord-api-spec/openapi.json (github.com/discord/discord-api-spec,
specs/openapi.json, MIT: see LICENSE beside this file); OUTPUT to openapi.json beside this script.

Kept: the operations in OPERATIONS (every route the bot or the fake Discord serves) and every
component they reach through `$ref`, nothing else, so the copy stays small and reviewable. Then
DOCUMENTED_CORRECTIONS are applied: the few places where the spec disagrees with Discord's
developer documentation and with what Discord accepts (each one names the documentation page).
The output is deterministic (sorted keys, fixed indentation): regenerating from the same spec
gives the same bytes, and tests/e2e/test_discord_spec.py checks the vendored copy is current.
"""

from __future__ import annotations

import copy
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DEFAULT_SOURCE = HERE.parents[2] / "shared" / "data" / "discord-api-spec" / "openapi.json"
DEFAULT_OUTPUT = HERE / "openapi.json"

#: (path template, method) of every request the bot makes.
OPERATIONS: tuple[tuple[str, str], ...] = (
    ("/users/@me", "get"),
    ("/oauth2/applications/@me", "get"),
    ("/applications/{application_id}/commands", "get"),
    ("/applications/{application_id}/commands", "put"),
    ("/applications/{application_id}/guilds/{guild_id}/commands", "get"),
    ("/applications/{application_id}/guilds/{guild_id}/commands", "put"),
    ("/channels/{channel_id}", "get"),
    ("/channels/{channel_id}/messages", "get"),
    ("/channels/{channel_id}/messages", "post"),
    ("/channels/{channel_id}/messages/{message_id}/threads", "post"),
    ("/guilds/{guild_id}/channels", "get"),
    ("/interactions/{interaction_id}/{interaction_token}/callback", "post"),
    ("/webhooks/{webhook_id}/{webhook_token}", "post"),
    ("/webhooks/{webhook_id}/{webhook_token}/messages/@original", "get"),
    ("/webhooks/{webhook_id}/{webhook_token}/messages/@original", "patch"),
    ("/webhooks/{webhook_id}/{webhook_token}/messages/@original", "delete"),
)


def _string_permissions(schema: dict[str, Any]) -> None:
    # "default_member_permissions: ?string, set of permissions represented as a bit set"
    # (docs/interactions/application-commands.md, Application Command Object). Discord takes the
    # documented string and the integer the spec names (which discord.py sends); it answers a string.
    schema["properties"]["default_member_permissions"] = {
        "oneOf": [
            {"type": "null"},
            {"type": "string", "pattern": "^(0|[1-9][0-9]*)$", "maxLength": 20},
            {"type": "integer", "minimum": 0, "maximum": 18014398509481983},
        ],
    }


def _string_field_error_codes(schema: dict[str, Any]) -> None:
    # Field errors carry string codes such as "BASE_TYPE_MAX_LENGTH" (docs/reference.md, Error
    # Messages: the "Array Error" and "Object Error" examples); the spec reuses the integer Error.
    schema["properties"]["_errors"]["items"] = {
        "type": "object",
        "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
        "required": ["code", "message"],
    }


#: (component schema, correction): applied after pruning, in this order.
DOCUMENTED_CORRECTIONS: tuple[tuple[str, Callable[[dict[str, Any]], None]], ...] = (
    ("ApplicationCommandUpdateRequest", _string_permissions),
    ("ApplicationCommandCreateRequest", _string_permissions),
    ("InnerErrors", _string_field_error_codes),
)


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def prune(spec: dict[str, Any]) -> dict[str, Any]:
    """The spec with only OPERATIONS and the components they reference, corrections applied."""
    paths: dict[str, Any] = {}
    for template, method in OPERATIONS:
        route = spec["paths"][template]
        kept = paths.setdefault(template, {k: v for k, v in route.items() if k == "parameters"})
        kept[method] = route[method]
    components: dict[str, dict[str, Any]] = {}
    pending = list(_refs(paths))
    while pending:
        ref = pending.pop()
        if not ref.startswith("#/components/"):
            raise ValueError(f"unsupported reference {ref!r}")
        _, _, kind, name = ref.split("/", 3)
        if name in components.get(kind, {}):
            continue
        target = spec["components"][kind][name]
        components.setdefault(kind, {})[name] = target
        pending.extend(_refs(target))
    pruned = copy.deepcopy({
        "openapi": spec["openapi"],
        "info": spec["info"],
        "servers": spec.get("servers", []),
        "paths": paths,
        "components": components,
    })
    for name, correct in DOCUMENTED_CORRECTIONS:
        if name in pruned["components"].get("schemas", {}):
            correct(pruned["components"]["schemas"][name])
    return pruned


def render(spec: dict[str, Any]) -> str:
    return json.dumps(spec, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    source = Path(argv[1]) if len(argv) > 1 else DEFAULT_SOURCE
    output = Path(argv[2]) if len(argv) > 2 else DEFAULT_OUTPUT
    spec = json.loads(source.read_text(encoding="utf-8"))
    output.write_text(render(prune(spec)), encoding="utf-8")
    print(f"{output}: {len(OPERATIONS)} operations from {source}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
