"""docs/contract.md §6a: the worker's records share the app's log format. Run as production runs
them (DEBUG off, so LOG_FORMAT is json), the Procfile's `worker` and `scheduler` lines print
nothing but JSON records from start to stop: Celery's and taskiq's own records, Python's
warnings, and the start and stop of the worker included (no banner, no free text).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import procfile
import pytest
from conftest import Projects
from helpers import STACKS, run
from test_smoke import BROKER_VARIABLES, RAN_SUMMARIZE, SEND_SUMMARIZE, _wait_for

pytestmark = pytest.mark.smoke

# The fields of every record of the app's format (logs.py's SHARED_PROCESSORS).
APP_KEYS = {"event", "level", "logger", "timestamp"}
# A record each worker writes as it starts taking tasks, and one as it stops (after SIGTERM).
START_AND_STOP = {
    "django": ("worker starting", "worker shutting down"),
    "flask": ("worker starting", "worker shutting down"),
    "fastapi": ("Listening started.", "Shutting down the broker."),
}


def _records(line: str, output: str) -> list[dict[str, Any]]:
    """Every line of `output` as a record of the app's format; fails on the first that is not."""
    records = []
    for text in output.splitlines():
        try:
            record = json.loads(text)
        except ValueError:
            record = None
        if not isinstance(record, dict) or not record.keys() >= APP_KEYS:
            pytest.fail(f"`{line}` printed a line that is not a record: {text!r}\n{output[-4000:]}")
        records.append(record)
    return records


@pytest.mark.parametrize("stack", STACKS)
def test_worker_and_scheduler_print_only_json_records(
    stack: str, projects: Projects, redis_url: str, redis_database: int
) -> None:
    project: Path = projects.get(stack, worker=True)
    broker = f"{redis_url}/{redis_database}"
    # No LOG_FORMAT: JSON is what DEBUG off gives.
    env = procfile.production_env(
        DATABASE_URL=procfile.scratch_sqlite(), **dict.fromkeys(BROKER_VARIABLES[stack], broker)
    )
    procfile.release(project, env)
    with (
        procfile.start(project, "worker", env, wait_for_port=False) as worker,
        procfile.start(project, "scheduler", env, wait_for_port=False) as scheduler,
    ):
        sent = run(["uv", "run", *SEND_SUMMARIZE[stack]], project, env=env, timeout=300).stdout
        assert "result: {'count': 1}" in sent, sent + worker.output()[-3000:]
        # Stopped once it has written something, so that its start is in the output.
        assert _wait_for(lambda: scheduler.output().strip() != "", 120), scheduler.output()
    # Both lines are stopped (SIGTERM to each process group): their output is complete.
    worker_records = _records("worker", worker.output())
    _records("scheduler", scheduler.output())
    events = [str(record["event"]) for record in worker_records]
    assert any(RAN_SUMMARIZE.search(event) for event in events), worker.output()[-3000:]
    start, stop = START_AND_STOP[stack]
    assert start in events, worker.output()[-3000:]
    assert stop in events, worker.output()[-3000:]
