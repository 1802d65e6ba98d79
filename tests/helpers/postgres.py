"""A throwaway PostgreSQL cluster for tests, or the server named by ``SPACEBRIEF_TEST_PG_URL``.

The cluster is made with the machine's own server binaries (``initdb``/``pg_ctl``, PostgreSQL 15
under /usr/lib/postgresql/15/bin on our machines, else whatever ``SPACEBRIEF_TEST_PG_BIN`` or
``pg_config --bindir`` names), listens on a free port on 127.0.0.1 only, and is removed at the
end of the session. PostgreSQL refuses to run as root, and CI runs as root: then the cluster
runs as an unprivileged user (``postgres`` when the Debian package made it, else ``nobody``),
in a data directory that user owns.

Each test gets its own database (``create_database``), so tests never see each other's rows.
Without PostgreSQL the tests skip with the reason, except under CI (``CI`` set to a true value):
there a missing server is an error, so PostgreSQL tests can never silently stop running.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

#: A server to use instead of a throwaway cluster: its user must be allowed to create databases.
URL_VARIABLE = "SPACEBRIEF_TEST_PG_URL"
#: A directory holding initdb and pg_ctl, when they are not where Debian puts them.
BIN_VARIABLE = "SPACEBRIEF_TEST_PG_BIN"
DEFAULT_BIN = Path("/usr/lib/postgresql/15/bin")
SUPERUSER = "spacebrief"
#: Users the cluster may run as when we are root, in order of preference.
SERVICE_USERS = ("postgres", "nobody")

_database_numbers = itertools.count(1)


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def unavailable(reason: str) -> None:
    """Skip the test, or fail it under CI, where PostgreSQL tests must run."""
    if in_ci():
        pytest.fail(f"PostgreSQL is required under CI: {reason}", pytrace=False)
    pytest.skip(f"PostgreSQL not available: {reason}")


def find_bin_dir() -> Path | None:
    candidates: list[Path] = []
    if os.environ.get(BIN_VARIABLE):
        candidates.append(Path(os.environ[BIN_VARIABLE]))
    candidates.append(DEFAULT_BIN)
    pg_config = shutil.which("pg_config")
    if pg_config:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            found = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=True, timeout=10)
            candidates.append(Path(found.stdout.strip()))
    for directory in candidates:
        if (directory / "initdb").is_file() and (directory / "pg_ctl").is_file():
            return directory
    return None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class ServiceUser:
    uid: int
    gid: int
    name: str


def service_user() -> ServiceUser | None:
    """Who runs the server: None when we are not root (we run it ourselves)."""
    if os.geteuid() != 0:
        return None
    for name in SERVICE_USERS:
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            continue
        return ServiceUser(entry.pw_uid, entry.pw_gid, name)
    raise RuntimeError(f"running as root and none of the users {', '.join(SERVICE_USERS)} exists")


class Cluster:
    """One running PostgreSQL server; ``url(dbname)`` gives a connection URL to one of its databases."""

    def __init__(self, base_url: str, stop: Any = None) -> None:
        self.base_url = base_url.rstrip("/")
        self._stop = stop

    def url(self, database: str) -> str:
        # base_url has no database part: a server URL, or one whose path we replace.
        head, _, query = self.base_url.partition("?")
        scheme, _, rest = head.partition("://")
        authority = rest.split("/", 1)[0]
        return f"{scheme}://{authority}/{database}" + (f"?{query}" if query else "")

    def stop(self) -> None:
        if self._stop is not None:
            self._stop()
            self._stop = None


def start_cluster(bin_dir: Path) -> Cluster:
    """initdb + pg_ctl start a private cluster on a free 127.0.0.1 port; raises with its log on failure."""
    user = service_user()
    base = Path(tempfile.mkdtemp(prefix="spacebrief-pg-"))
    data = base / "data"
    log = base / "server.log"
    run_as: dict[str, Any] = {}
    if user is not None:
        os.chown(base, user.uid, user.gid)
        run_as = {"user": user.uid, "group": user.gid, "extra_groups": []}

    def run(*command: str, timeout: float = 120) -> None:
        subprocess.run(
            command, cwd=base, check=True, capture_output=True, timeout=timeout,
            env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C", "HOME": str(base)},
            **run_as,
        )

    def stop() -> None:
        with contextlib.suppress(subprocess.SubprocessError, OSError):
            run(str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop", timeout=60)
        shutil.rmtree(base, ignore_errors=True)

    try:
        run(
            str(bin_dir / "initdb"), "-D", str(data), "-U", SUPERUSER, "--auth=trust",
            "--encoding=UTF8", "--locale=C", "--no-sync",
        )
        for attempt in range(5):
            port = free_port()
            # Test settings: durability off (a throwaway cluster), TCP on loopback only, the
            # socket file in our own directory rather than /var/run/postgresql.
            options = (
                f"-c listen_addresses=127.0.0.1 -p {port} -c unix_socket_directories={base} "
                "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
            )
            try:
                run(str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(log), "-o", options, "-w", "-t", "60", "start")
            except subprocess.CalledProcessError:
                if attempt == 4:
                    raise
                time.sleep(0.2)  # the port was taken meanwhile: try another
                continue
            return Cluster(f"postgresql://{SUPERUSER}@127.0.0.1:{port}", stop)
        raise RuntimeError("unreachable")
    except (subprocess.SubprocessError, OSError) as exc:
        detail = ""
        if isinstance(exc, subprocess.CalledProcessError):
            detail = (exc.stderr or b"").decode(errors="replace").strip()
        with contextlib.suppress(OSError):
            detail += " " + log.read_text(errors="replace")[-2000:]
        stop()
        raise RuntimeError(f"cannot start a test PostgreSQL cluster: {exc}: {detail}") from None


@contextlib.contextmanager
def cluster_for_tests() -> Iterator[Cluster]:
    """The session's server: SPACEBRIEF_TEST_PG_URL, else a throwaway cluster; skip/fail without one."""
    url = os.environ.get(URL_VARIABLE, "").strip()
    if url:
        yield Cluster(url)
        return
    bin_dir = find_bin_dir()
    if bin_dir is None:
        unavailable(f"no initdb/pg_ctl in {DEFAULT_BIN} (install postgresql-15, or set {URL_VARIABLE})")
    assert bin_dir is not None
    cluster = start_cluster(bin_dir)
    try:
        yield cluster
    finally:
        cluster.stop()


async def create_database(cluster: Cluster, prefix: str = "t") -> str:
    """A new empty database on the cluster; returns its URL."""
    import asyncpg

    name = f"{prefix}_{os.getpid()}_{next(_database_numbers)}"
    admin = await asyncpg.connect(cluster.url("postgres"))
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    return cluster.url(name)


async def drop_database(cluster: Cluster, url: str) -> None:
    import asyncpg

    name = url.partition("?")[0].rsplit("/", 1)[1]
    admin = await asyncpg.connect(cluster.url("postgres"))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()
