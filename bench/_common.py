"""Helpers shared by the benchmarks: booting Django against a throwaway database, seeding the demo
unit tree, running timed client threads, and summarising timings. Not a Django module itself:
nothing here imports Django before ``boot_django`` has set the environment, because settings are
read once at import."""

from __future__ import annotations

import contextlib
import math
import os
import socket
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent

if TYPE_CHECKING:
    from spkt.documents.services import CitizenData


def boot_django(*, var_dir: Path, database_url: str | None, redis_url: str | None = None) -> None:
    """Point settings at ``var_dir`` (SQLite, media, huey queue) and ``database_url``, then set up.

    SPKT_ENV=dev gives a SqliteHuey queue with ``immediate`` off, so issuing only enqueues the PDF
    render and the benchmark times the transaction, not Typst. DEBUG is forced off because Django
    records every query under DEBUG, which no production process pays for.
    """
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["SPKT_ENV"] = "dev"
    os.environ["SPKT_VAR_DIR"] = str(var_dir)
    os.environ["DJANGO_DEBUG"] = "0"
    os.environ["SPKT_LOG_LEVEL"] = "WARNING"
    # A Redis URL in the caller's shell would route renders to a server this run does not own;
    # ``redis_url`` is the run's own database (queue and cache on Redis, as in production).
    if redis_url is None:
        os.environ.pop("SPKT_REDIS_URL", None)
    else:
        os.environ["SPKT_REDIS_URL"] = redis_url
    if database_url is None:
        os.environ.pop("DATABASE_URL", None)
    else:
        os.environ["DATABASE_URL"] = database_url
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)

    import django

    django.setup()


def seed_demo() -> tuple[dict[str, Any], dict[str, Any]]:
    """Migrate the fresh database and create the demo unit tree and people (no demo cases)."""
    from django.core.management import call_command

    from spkt.demo import seed_people, seed_units

    call_command("migrate", verbosity=0, interactive=False)
    units = seed_units()
    users = seed_people(units)
    return units, users


def make_nik(i: int) -> str:
    """A valid, distinct NIK for each ``i`` below 9999 * 28 * 12: Kota Gorontalo region, a birth
    date that cycles through the calendar, and a serial that never reaches 0000."""
    serial = i % 9999 + 1
    day = (i // 9999) % 28 + 1
    month = (i // (9999 * 28)) % 12 + 1
    return f"757102{day:02d}{month:02d}85{serial:04d}"


def citizen(i: int, name: str = "Rahma Suleman") -> CitizenData:
    from spkt.documents.services import CitizenData

    return CitizenData(
        name=name,
        nik=make_nik(i),
        birth_place="Gorontalo",
        birth_date=date(1985, 6, 15),
        gender="P",
        address="Jl. Sultan Botutihe No. 12, Biawu",
        religion="Islam",
        occupation="Pedagang",
        phone="081234567890",
    )


def percentile(samples: Sequence[float], p: float) -> float:
    """Nearest-rank percentile: always a value that was actually observed."""
    ordered = sorted(samples)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def summary_ms(samples_s: Sequence[float]) -> str:
    ms = [s * 1000 for s in samples_s]
    return (
        f"p50 {percentile(ms, 50):7.2f}  p95 {percentile(ms, 95):7.2f}  "
        f"p99 {percentile(ms, 99):7.2f}  max {max(ms):7.2f} ms  (n={len(ms)})"
    )


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now, for a server this run starts."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb() -> float:
    """Resident memory now (Linux), to show whether repeated renders keep growing the cache."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


@dataclass
class Phase:
    name: str
    done: int = 0
    elapsed: float = 0.0
    cpu: float = 0.0  # this process (the clients), in CPU seconds
    machine_busy: float = 0.0  # all cores, PostgreSQL included, as a fraction
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.done / self.elapsed if self.elapsed else 0.0


def machine_ticks() -> tuple[int, int]:
    """(busy, total) jiffies over all cores from /proc/stat: PostgreSQL shares these two cores
    with the clients, so the client's own CPU time alone would not show saturation."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    total = sum(fields[:8])  # guest time is already counted in user
    return total - idle, total


def recreate_database(admin_url: str, name: str, *, drop_only: bool = False) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        # FORCE ends sessions a crashed earlier run may have left behind.
        ident = sql.Identifier(name)
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(ident))
        if not drop_only:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(ident))


class Exhausted(Exception):  # noqa: N818 (a signal, not an error)
    """Raised by a worker whose pre-made work (e.g. reviewed drafts) has run out: its client
    stops cleanly, untimed, instead of reporting an error. The phase ends with the last client."""


def run_clients(
    name: str, make_worker: Callable[[], Callable[[], None]], *, threads: int, seconds: float
) -> Phase:
    """Run ``threads`` clients for ``seconds``; each calls its worker in a loop and times it.

    Workers are built inside their thread (own DB connection, own model instances) before a
    barrier, so set-up is not timed and all clients start together.
    """
    from django.db import connection

    phase = Phase(name)
    lock = threading.Lock()
    clock: dict[str, float] = {}
    barrier = threading.Barrier(threads, action=lambda: clock.update(start=time.perf_counter()))

    def client() -> None:
        latencies: list[float] = []
        done = 0
        try:
            work = make_worker()
            barrier.wait()
            deadline = clock["start"] + seconds
            while (now := time.perf_counter()) < deadline:
                work()
                latencies.append(time.perf_counter() - now)
                done += 1
        except Exhausted:
            pass
        except Exception as exc:  # a failed client must show in the report, not vanish
            barrier.abort()
            with lock:
                phase.errors.append(f"{type(exc).__name__}: {exc}")
        finally:
            connection.close()
            with lock:
                phase.done += done
                phase.latencies.extend(latencies)

    cpu_start = time.process_time()
    busy_start, total_start = machine_ticks()
    pool = [threading.Thread(target=client, name=f"{name}-{i}") for i in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    if "start" in clock:
        phase.elapsed = time.perf_counter() - clock["start"]
    phase.cpu = time.process_time() - cpu_start
    busy_end, total_end = machine_ticks()
    phase.machine_busy = (busy_end - busy_start) / max(1, total_end - total_start)
    return phase


def run_processes(
    name: str,
    make_worker: Callable[[int], Callable[[], None]],
    *,
    processes: int,
    seconds: float,
    interval: float | None = None,
) -> Phase:
    """Like ``run_clients``, with each client a forked process (its own interpreter, as each
    gunicorn worker is), so the clients' Python is not queued behind one GIL. ``make_worker(i)``
    runs in client ``i``. With ``interval``, each client starts a call every ``interval`` seconds
    (spread over the clients) instead of back to back: latency at a given pace, not at saturation.
    """
    import multiprocessing as mp

    from django.db import connections

    connections.close_all()  # children must not share the parent's sockets
    ctx = mp.get_context("fork")
    results = ctx.Queue()
    barrier = ctx.Barrier(processes + 1)
    start = ctx.Value("d", 0.0)

    def child(i: int) -> None:
        latencies: list[float] = []
        errors: list[str] = []
        try:
            work = make_worker(i)
            barrier.wait()
            begin = start.value
            deadline = begin + seconds
            due = begin + (interval * i / processes if interval else 0.0)
            while (now := time.perf_counter()) < deadline:
                if interval:
                    if now < due:
                        time.sleep(due - now)
                        now = time.perf_counter()
                    due += interval
                work()
                latencies.append(time.perf_counter() - now)
        except Exhausted:
            pass
        except Exception as exc:
            errors.append(f"{type(exc).__name__}: {exc}")
            barrier.abort()
        finally:
            connections.close_all()
            results.put((latencies, errors))

    phase = Phase(name)
    busy_start, total_start = machine_ticks()
    pool = [ctx.Process(target=child, args=(i,), name=f"{name}-{i}") for i in range(processes)]
    for proc in pool:
        proc.start()
    start.value = time.perf_counter() + 0.2  # perf_counter is system-wide on Linux
    with contextlib.suppress(threading.BrokenBarrierError):
        barrier.wait(timeout=120)
    for _ in pool:
        latencies, errors = results.get()
        phase.latencies.extend(latencies)
        phase.errors.extend(errors)
    for proc in pool:
        proc.join()
    phase.elapsed = seconds
    phase.done = len(phase.latencies)
    busy_end, total_end = machine_ticks()
    phase.machine_busy = (busy_end - busy_start) / max(1, total_end - total_start)
    return phase


def in_bench_database(args, prefix: str, run) -> int:
    """Create ``args.db`` afresh, call ``run(args, database_url, tmp_dir)``, and drop the
    database afterwards (unless ``--keep-db``), whatever happened in between."""
    import tempfile
    from pathlib import Path

    base_url = args.admin_url.rsplit("/", 1)[0]
    recreate_database(args.admin_url, args.db)
    try:
        with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
            return run(args, f"{base_url}/{args.db}", Path(tmp))
    finally:
        if not args.keep_db:
            from django.conf import settings

            # If set-up failed before settings loaded there are no connections to close, and
            # touching them would hide the original error behind ImproperlyConfigured.
            if settings.configured:
                from django.db import connections

                connections.close_all()
            recreate_database(args.admin_url, args.db, drop_only=True)
            print(f"dropped database {args.db}")


def run_process_threads(
    name: str,
    make_worker: Callable[[int, int], Callable[[], None]],
    *,
    processes: int,
    threads: int,
    seconds: float,
) -> Phase:
    """``processes`` forked processes with ``threads`` client threads each: gunicorn's gthread
    shape (several interpreters, each serving a few requests at once). ``make_worker(p, t)`` runs
    in thread ``t`` of process ``p``, before a barrier across every process, so set-up is not
    timed and all clients start together. ``Phase.cpu`` is the CPU time of all the processes from
    the start to the end (their set-up left out)."""
    import multiprocessing as mp

    from django.db import connections

    connections.close_all()  # children must not share the parent's sockets
    ctx = mp.get_context("fork")
    results = ctx.Queue()
    barrier = ctx.Barrier(processes + 1)
    start = ctx.Value("d", 0.0)

    def child(p: int) -> None:
        latencies: list[float] = []
        errors: list[str] = []
        lock = threading.Lock()
        built = threading.Barrier(threads + 1)
        go = threading.Event()

        def client(t: int) -> None:
            mine: list[float] = []
            try:
                work = make_worker(p, t)
            except Exception as exc:
                with lock:
                    errors.append(f"{type(exc).__name__}: {exc}")
                built.abort()
                return
            try:
                built.wait()
                go.wait()
                deadline = start.value + seconds
                while (now := time.perf_counter()) < start.value:
                    time.sleep(start.value - now)
                while (now := time.perf_counter()) < deadline:
                    work()
                    mine.append(time.perf_counter() - now)
            except (Exhausted, threading.BrokenBarrierError):
                pass
            except Exception as exc:  # a failed client must show in the report, not vanish
                with lock:
                    errors.append(f"{type(exc).__name__}: {exc}")
            finally:
                connections.close_all()
                with lock:
                    latencies.extend(mine)

        pool = [threading.Thread(target=client, args=(t,)) for t in range(threads)]
        for t in pool:
            t.start()
        try:
            built.wait()
            barrier.wait()
        except threading.BrokenBarrierError:
            barrier.abort()
        cpu = time.process_time()
        go.set()
        for t in pool:
            t.join()
        results.put((latencies, errors, time.process_time() - cpu))

    phase = Phase(name)
    busy_start, total_start = machine_ticks()
    pool = [ctx.Process(target=child, args=(p,), name=f"{name}-{p}") for p in range(processes)]
    for proc in pool:
        proc.start()
    start.value = time.perf_counter() + 0.2  # perf_counter is system-wide on Linux
    with contextlib.suppress(threading.BrokenBarrierError):
        barrier.wait(timeout=120)
    for _ in pool:
        latencies, errors, cpu = results.get()
        phase.latencies.extend(latencies)
        phase.errors.extend(errors)
        phase.cpu += cpu
    for proc in pool:
        proc.join()
    phase.elapsed = seconds
    phase.done = len(phase.latencies)
    busy_end, total_end = machine_ticks()
    phase.machine_busy = (busy_end - busy_start) / max(1, total_end - total_start)
    return phase


def use_redis_queue(url: str) -> str:
    """Put the Huey queue on the Redis database ``url`` (emptied now), as production has it
    (``SPKT_REDIS_URL``). ``boot_django`` always configures SqliteHuey, so the storage is swapped on
    the one Huey instance the tasks are bound to; with SqliteHuey, forked clients would take turns
    on one SQLite file lock to enqueue, which no deployment does. Falls back to SqliteHuey (and
    says so) when Redis does not answer."""
    from huey.contrib.djhuey import HUEY
    from huey.storage import RedisStorage

    storage = RedisStorage(name=HUEY.name, url=url)
    try:
        storage.conn.ping()
    except Exception as exc:  # any failure means: no Redis here
        return f"SqliteHuey in a temp dir (Redis {url} did not answer: {exc})"
    storage.flush_all()
    HUEY.storage = storage
    return f"Redis {url}, as in production"
