from pathlib import Path

import pytest

from bot.config import Config, ConfigError, load_config, parse_config

ROOT = Path(__file__).resolve().parents[2]


def test_example_config_is_valid_and_documents_every_key() -> None:
    config = load_config(ROOT / "config.example.toml")
    assert len(config.sources) >= 11
    assert all(source.channel_id == 0 for source in config.sources)
    text = (ROOT / "config.example.toml").read_text()
    for section, model in (
        ("discord", config.discord),
        ("database", config.database),
        ("fetch", config.fetch),
        ("news", config.news),
    ):
        assert f"[{section}]" in text
        for key in type(model).model_fields:
            assert f"{key} =" in text or f"# {key} =" in text, f"{section}.{key} is not documented"


def test_defaults_match_the_design_contract() -> None:
    config = Config()
    assert config.discord.api_base == "https://discord.com/api/v10"
    assert config.discord.gateway_url == "wss://gateway.discord.gg"
    assert config.database.path == "spacebrief.sqlite3"
    assert config.fetch.max_bytes == 15728640
    assert config.fetch.allow_private_networks is False
    assert config.news.interval_minutes == 15
    assert config.news.backfill == 3
    assert config.news.sentences == 3
    assert config.news.max_quotes == 2
    assert config.news.thread_per_article is False


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"news": {"backfil": 3}}, "unknown key 'news.backfil'"),
        ({"colour": "red"}, "unknown key 'colour'"),
        ({"news": {"backfill": "3"}}, "'news.backfill'"),
        ({"news": {"backfill": 101}}, "'news.backfill'"),
        ({"news": {"interval_minutes": 0}}, "'news.interval_minutes'"),
        ({"fetch": {"allow_private_networks": "yes"}}, "'fetch.allow_private_networks'"),
        ({"sources": [{"name": "x", "url": "file:///etc/passwd"}]}, "'sources.0.url'"),
        ({"sources": [{"url": "https://example.com/feed"}]}, "'sources.0.name'"),
        ({"discord": {"shard_ids": [0]}}, "shard_ids needs shard_count"),
        ({"discord": {"shard_count": 2, "shard_ids": [0, 2]}}, "shard 2 is outside 0..1"),
        ({"discord": {"shard_count": 2, "shard_ids": [1, 1]}}, "lists a shard twice"),
        ({"discord": {"shard_count": 2, "shard_ids": []}}, "at least one shard"),
        ({"discord": {"shard_count": 0}}, "'discord.shard_count'"),
    ],
)
def test_bad_config_is_one_line(data: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(data, origin="test.toml")
    text = str(caught.value)
    assert message in text
    assert "\n" not in text


def test_float_keys_accept_whole_numbers() -> None:
    assert parse_config({"news": {"interval_minutes": 1}}).news.interval_minutes == 1.0
    assert parse_config({"news": {"interval_minutes": 0.05}}).news.interval_minutes == 0.05


def test_load_config_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "missing.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("[news\nbackfill = 3\n")
    with pytest.raises(ConfigError, match="invalid TOML"):
        load_config(broken)
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"\xff\xfe\x00junk")
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_config(binary)
    good = tmp_path / "good.toml"
    good.write_text("[news]\nbackfill = 0\n")
    monkeypatch.setenv("SPACEBRIEF_CONFIG", str(good))
    assert load_config().news.backfill == 0


def test_token_prefers_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    config = parse_config({"discord": {"token": "from-file"}})
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    assert config.discord_token() == "from-file"
    monkeypatch.setenv("DISCORD_TOKEN", "from-env")
    assert config.discord_token() == "from-env"
    monkeypatch.setenv("DISCORD_TOKEN", "  ")
    assert Config().discord_token() is None


def test_a_process_holds_the_servers_of_its_shards() -> None:
    on_shard = [(1 << 22) * n + 5 for n in range(4)]  # (id >> 22) % 4 == n
    everything = parse_config({"discord": {"shard_count": 4}}).discord
    assert everything.runs_every_shard() and all(everything.holds_guild(g) for g in on_shard)
    assert Config().discord.holds_guild(on_shard[3])  # unsharded: every server
    part = parse_config({"discord": {"shard_count": 4, "shard_ids": [1, 3]}}).discord
    assert not part.runs_every_shard()
    assert [part.holds_guild(g) for g in on_shard] == [False, True, False, True]


def test_database_url_and_claim_timeout(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("SPACEBRIEF_DATABASE_URL", raising=False)
    default = Config().database
    assert (default.url, default.target, default.claim_timeout_s) == (None, "spacebrief.sqlite3", 300.0)
    url = "postgresql://bot:s3cret@db.internal:5432/news"
    database = parse_config({"database": {"url": url, "claim_timeout_s": 2}}).database
    assert database.target == url and database.claim_timeout_s == 2
    assert "s3cret" not in database.label and "db.internal" in database.label
    for bad, message in (("mysql://x/y", "'database.url'"), ("spacebrief.sqlite3", "'database.url'")):
        with pytest.raises(ConfigError, match=message):
            parse_config({"database": {"url": bad}})
    with pytest.raises(ConfigError, match=r"'database\.claim_timeout_s'"):
        parse_config({"database": {"claim_timeout_s": 0}})
    # The environment keeps the password out of the file, and wins over it.
    file = tmp_path / "config.toml"
    file.write_text('[database]\nurl = "postgresql://file/db"\n')
    monkeypatch.setenv("SPACEBRIEF_DATABASE_URL", url)
    assert load_config(file).database.url == url
    assert load_config(None).database.url == url
    monkeypatch.setenv("SPACEBRIEF_DATABASE_URL", "sqlite:///x")
    with pytest.raises(ConfigError, match="SPACEBRIEF_DATABASE_URL"):
        load_config(file)
