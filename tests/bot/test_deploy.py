"""deploy/: the docker compose example parses, and the bots it starts split the shards over one database.

Docker itself cannot run on our machines: this checks what can be checked without it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.config import load_config

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def compose() -> dict[str, Any]:
    data = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_compose_runs_postgres_and_two_bots_that_split_the_shards(monkeypatch: pytest.MonkeyPatch) -> None:
    services = compose()["services"]
    assert services["postgres"]["image"].startswith("postgres:15")
    bots = {name: service for name, service in services.items() if name.startswith("bot-")}
    assert len(bots) == 2
    shards: list[int] = []
    urls = set()
    for service in bots.values():
        assert service["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert service["command"][:2] == ["spacebrief", "run"]
        assert (DEPLOY / service["build"]["dockerfile"].removeprefix("deploy/")).is_file()
        urls.add(service["environment"]["SPACEBRIEF_DATABASE_URL"])
        [mount] = service["volumes"]
        host_file, container_file = mount.split(":")[:2]
        assert container_file == service["command"][-1]
        monkeypatch.setenv("SPACEBRIEF_DATABASE_URL", "postgresql://spacebrief:x@postgres:5432/spacebrief")
        config = load_config(DEPLOY / host_file)
        assert config.discord.shard_count == 2 and config.discord.shard_ids is not None
        shards += config.discord.shard_ids
    assert sorted(shards) == [0, 1]  # disjoint, and every shard runs
    assert len(urls) == 1 and next(iter(urls)).startswith("postgresql://spacebrief:")
