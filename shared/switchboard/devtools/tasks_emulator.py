"""Start and stop the Cloud Tasks emulator (gcloud-tasks-emulator, in its own venv: it needs protobuf<5).

Known gaps of the emulator: no task-name deduplication, no OIDC token, immediate retries with
no backoff. Our handlers claim their work in Firestore and reschedule themselves with backoff,
so none of these gaps changes what the system does.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

from switchboard.devtools.emulator import free_port, port_open

REPO = Path(__file__).resolve().parents[3]


def find_tasks_emulator() -> str:
    """TASKS_EMULATOR_BIN, else the repo's ``.venv-tasks`` (made by `make venv`).

    Raises:
        RuntimeError: With the command that installs it.
    """
    candidates = [os.environ.get("TASKS_EMULATOR_BIN", ""), str(REPO / ".venv-tasks" / "bin" / "gcloud-tasks-emulator")]
    for path in candidates:
        if path and os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    raise RuntimeError(
        "The Cloud Tasks emulator is not installed: run `make venv` (it creates .venv-tasks with "
        "gcloud-tasks-emulator==0.6.2) or set TASKS_EMULATOR_BIN."
    )


class TasksEmulator:
    """A running Cloud Tasks emulator with one queue.

    Args:
        queue_path: ``projects/P/locations/L/queues/Q`` to create.
        port: Port to bind (default: a free one).
        max_retries: The emulator's retry cap for failing deliveries.
    """

    def __init__(self, queue_path: str, port: int | None = None, max_retries: int = 10) -> None:
        self.queue_path = queue_path
        self.port = port or free_port()
        self.host = f"127.0.0.1:{self.port}"
        self.max_retries = max_retries
        self._proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 30.0) -> TasksEmulator:
        """Launch and wait for the port."""
        cmd = [
            find_tasks_emulator(),
            "start",
            "-p",
            str(self.port),
            "-q",
            "-r",
            str(self.max_retries),
            "-d",
            self.queue_path,
        ]
        env = {**os.environ, "PYTHONWARNINGS": "ignore"}
        self._proc = subprocess.Popen(
            cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        deadline = time.monotonic() + timeout
        while not port_open("127.0.0.1", self.port):
            if self._proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"Cloud Tasks emulator did not start on :{self.port}")
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        """Stop the emulator (its queued tasks are lost; the sweep re-enqueues pending work)."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(10)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
