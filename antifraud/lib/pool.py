"""Fan independent jobs out over a process pool, or run them here when one worker is asked for.

Workers are started with 'spawn': each is a fresh interpreter that imports what it needs and
opens its own resources in `initializer` (a database connection must never cross a fork). Not
'fork' (a forked child inherits the parent's open connections and locks) and not 'forkserver' (its
server process is started once and keeps the environment of that moment, so a later change of,
say, ANTIFRAUD_DATABASE_URL would not reach the workers).
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any


def fan_out(
    function: Callable[..., Any],
    jobs: Iterable[tuple],
    workers: int,
    initializer: Callable[..., None] | None = None,
    initargs: tuple = (),
) -> Iterator[tuple[tuple, Any, BaseException | None]]:
    """Yield (job, result, None) for each job as it finishes, or (job, None, error) when it could not run.

    `function(*job)` and `initializer(*initargs)` must be importable top-level functions with
    picklable arguments and results. `function` should catch its own failures and say so in its
    result; the error here is for a worker that died (killed, out of memory, a crash in native code),
    which takes only its own jobs down, never the caller. With `workers` <= 1 (or one job) everything
    runs in this process, in order, after `initializer`.
    """
    jobs = list(jobs)
    if workers <= 1 or len(jobs) <= 1:
        if initializer is not None:
            initializer(*initargs)
        for job in jobs:
            yield job, function(*job), None
        return
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(min(workers, len(jobs)), context, initializer, initargs) as pool:
        futures = {pool.submit(function, *job): job for job in jobs}
        try:
            for future in as_completed(futures):
                try:
                    yield futures[future], future.result(), None
                except Exception as exc:  # the worker process died: report this job, go on with the rest
                    yield futures[future], None, exc
        except BaseException:  # interrupted, or the caller stopped early: start no more jobs
            pool.shutdown(wait=True, cancel_futures=True)
            raise
