"""Scale-out: durable commands per second on PostgreSQL with 1, 2 and 4 bot processes against 1,000 collectives,
with per-collective locks and with the earlier design's one global lock, in the same run.

A throwaway PostgreSQL cluster (``tests/postgres/cluster.py``) with durable commits (fsync on, synchronous
commit: a confirmed answer survives a power cut) holds 1,000 collectives of three members with an open
proposal each. Each bot process is a real OS process running the core with the runtime's four worker threads,
handling a mix of commands for random collectives — 70% responses (``/agree 1``, ``/standaside 1``), 20%
``/show 1``, 10% ``/contribute 5`` — every one a unit of work committed to disk, its answers stored in the
outbox. Each configuration runs for ``--seconds`` after a short warm-up; the CPU the whole machine spent (all
processes and the database server) is read from /proc/stat meanwhile, to say what bounds the figures.

    .venv/bin/python -m bench.scaleout [--seconds 15 --collectives 1000]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import threading
import time
from datetime import UTC, datetime

from bot.clock import FakeClock
from bot.core import Core
from bot.events import Chat, MessageReceived, Sender
from storage.engine import make_engine, migrate
from storage.unit_of_work import SqlUnitOfWork

START = datetime(2026, 3, 2, 9, tzinfo=UTC)
MEMBERS = ("ann", "ben", "cat")
WORKERS = 4  # units of work side by side in one process, as adapters/runtime.py


def _core(url: str, global_lock: bool) -> tuple[object, Core]:
    engine = make_engine(url, global_lock=global_lock)
    clock = FakeClock(START)  # fixed: nothing falls due during the run
    return engine, Core(lambda: SqlUnitOfWork(engine), clock, reader=lambda: SqlUnitOfWork(engine, read_only=True))


def _event(collective: int, who: str, text: str, ref: str) -> MessageReceived:
    return MessageReceived(Chat("bench", f"coop-{collective}"), Sender("bench", who, who), text, ref, START)


def populate(url: str, collectives: int) -> None:
    engine, core = _core(url, global_lock=False)
    for n in range(collectives):
        for who in MEMBERS:
            core.handle(_event(n, who, "/join", f"setup-{n}-{who}"))
        core.handle(_event(n, MEMBERS[0], "/propose 4w Share the van", f"setup-{n}-propose"))
    engine.dispose()


def _command(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.70:
        return rng.choice(("/agree 1", "/standaside 1"))
    if roll < 0.90:
        return "/show 1"
    return "/contribute 5"


def _process(url: str, global_lock: bool, collectives: int, seed: int, ready, go, stop, counts) -> None:
    """One bot process: four worker threads handling commands until ``stop``; its count into ``counts``."""
    engine, core = _core(url, global_lock)
    done = [0] * WORKERS

    def work(slot: int) -> None:
        rng = random.Random(seed * 100 + slot)
        n = 0
        while not stop.is_set():
            collective, who = rng.randrange(collectives), rng.choice(MEMBERS)
            core.handle(_event(collective, who, _command(rng), f"p{seed}-{slot}-{n}"))
            n += 1
            if go.is_set():
                done[slot] += 1

    threads = [threading.Thread(target=work, args=(slot,)) for slot in range(WORKERS)]
    ready.release()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    counts.put(sum(done))
    engine.dispose()


def _cpu() -> tuple[int, int]:
    """(busy, total) jiffies of the whole machine so far."""
    with open("/proc/stat") as stat:
        fields = [int(value) for value in stat.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle and iowait
    return sum(fields) - idle, sum(fields)


def measure(url: str, processes: int, global_lock: bool, collectives: int, seconds: float) -> tuple[float, float]:
    """(durable commands a second over every process, the machine's CPU use meanwhile as a fraction)."""
    context = multiprocessing.get_context("spawn")
    ready, go, stop, counts = context.Semaphore(0), context.Event(), context.Event(), context.Queue()
    workers = [
        context.Process(target=_process, args=(url, global_lock, collectives, seed, ready, go, stop, counts))
        for seed in range(processes)
    ]
    for worker in workers:
        worker.start()
    for _ in workers:
        ready.acquire()
    time.sleep(2.0)  # warm-up: connections made, statements compiled
    cpu_before, started = _cpu(), time.perf_counter()
    go.set()
    time.sleep(seconds)
    stop.set()
    elapsed = time.perf_counter() - started
    cpu_after = _cpu()
    total = sum(counts.get(timeout=60) for _ in workers)
    for worker in workers:
        worker.join(60)
    busy = (cpu_after[0] - cpu_before[0]) / max(1, cpu_after[1] - cpu_before[1])
    return total / elapsed, busy


def main() -> None:
    from tests.postgres.cluster import Cluster, missing

    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--collectives", type=int, default=1000)
    parser.add_argument("--processes", default="1,2,4")
    args = parser.parse_args()
    reason = missing()
    if reason:
        parser.exit(1, f"cannot run: {reason}\n")
    counts = [int(n) for n in args.processes.split(",")]
    cluster = Cluster(durable=True).start()
    try:
        cluster.execute("CREATE DATABASE bench")
        url = cluster.url("bench")
        engine = make_engine(url)
        migrate(engine)
        engine.dispose()
        started = time.perf_counter()
        populate(url, args.collectives)
        print(
            f"{args.collectives} collectives of {len(MEMBERS)} members with an open proposal each "
            f"({time.perf_counter() - started:.0f} s to set up); {os.cpu_count()} CPUs; durable commits; "
            f"{args.seconds:.0f} s per configuration, {WORKERS} worker threads per process"
        )
        print("mix: 70% responses, 20% /show, 10% /contribute; every command a committed unit of work")
        results: dict[tuple[str, int], tuple[float, float]] = {}
        for processes in counts:  # the two designs alternate, so both see the same machine
            for design, global_lock in (("per-collective locks", False), ("one global lock", True)):
                rate, busy = measure(url, processes, global_lock, args.collectives, args.seconds)
                results[design, processes] = rate, busy
                print(f"{design:>21}, {processes} process(es): {rate:7.0f} commands/s, machine CPU {busy:4.0%}")
        for design in ("per-collective locks", "one global lock"):
            base = results[design, counts[0]][0]
            ratios = ", ".join(f"{n}: {results[design, n][0] / base:.2f}x" for n in counts)
            print(f"scaling, {design} (against {counts[0]} process): {ratios}")
        for n in counts:
            per, glob = results["per-collective locks", n][0], results["one global lock", n][0]
            print(f"{n} process(es): per-collective locks / global lock = {per / glob:.2f}x")
    finally:
        cluster.stop()


if __name__ == "__main__":
    main()
