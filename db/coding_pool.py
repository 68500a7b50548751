"""Resolving many vacancy texts on every core: a pool of forked workers sharing the loaded resolver.

Coding an import is CPU-bound Python (the resolver), so one process uses
one core however many the machine has.  A batch's distinct titles and
descriptions are independent, so they are handed to worker processes in
chunks.  The workers are *forked* after the resolver is loaded: they share
its index page by page with the parent (copy-on-write) instead of loading
it again, and start in milliseconds.

The pool runs whatever module-level function it is given over chunks of
tasks; the vacancy coder sends one task per title, so only small verdicts
travel back.  Where ``fork`` is not available, or one core is all there is,
there is no pool and the coder resolves in its own process.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from typing import TypeVar

log = logging.getLogger(__name__)

WORKERS_ENV = "KASIP_CODING_WORKERS"
CHUNK = 8
"""Tasks per round trip to a worker: enough to pay for the pickling, few enough to spread the load."""

T = TypeVar("T")
R = TypeVar("R")


def default_workers() -> int:
    """Worker processes to use: ``KASIP_CODING_WORKERS`` if set, else the cores this process may run on."""
    given = os.environ.get(WORKERS_ENV, "").strip()
    if given:
        try:
            return max(1, int(given))
        except ValueError:
            log.warning("%s=%r is not a number; using all cores", WORKERS_ENV, given)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class ResolverPool:
    """Worker processes for the default resolver, started on first use, stopped by :meth:`close`."""

    def __init__(self, workers: int):
        self.workers = workers
        self._executor: ProcessPoolExecutor | None = None

    @classmethod
    def for_this_machine(cls, workers: int | None = None) -> ResolverPool | None:
        """A pool when there is more than one core to use and ``fork`` exists; None otherwise."""
        workers = default_workers() if workers is None else workers
        if workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
            return None
        return cls(workers)

    @property
    def started(self) -> bool:
        return self._executor is not None

    def submit(self, function: Callable[[Sequence[T]], list[R]], tasks: Sequence[T]) -> list[Future[list[R]]]:
        """Start *function* on chunks of *tasks* in the workers; the futures give the chunks' results in order.

        *function* must be importable at module level (it is pickled by name)
        and may use :func:`knowledge.resolver.get_resolver`, which the workers
        inherit already loaded.
        """
        if self._executor is None:
            from knowledge.resolver import get_resolver

            get_resolver()  # load before forking, so every worker shares the parent's copy
            self._executor = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("fork"))
        return [self._executor.submit(function, tasks[start : start + CHUNK]) for start in range(0, len(tasks), CHUNK)]

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None
