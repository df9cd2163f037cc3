"""Start and stop Google's Firestore emulator (the Java one from the Google Cloud CLI).

The emulator keeps data in memory; with a data folder, :class:`FirestoreEmulator` imports the
latest export at start and exports through the emulator's REST API at stop, so the local stack
and the CLI keep their data across restarts.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path
from types import TracebackType

log = logging.getLogger(__name__)

KNOWN_LOCATIONS = (
    "/usr/lib/google-cloud-sdk/platform/cloud-firestore-emulator/cloud_firestore_emulator",
    "/usr/share/google-cloud-sdk/platform/cloud-firestore-emulator/cloud_firestore_emulator",
    "/opt/google-cloud-sdk/platform/cloud-firestore-emulator/cloud_firestore_emulator",
)


class EmulatorNotFoundError(RuntimeError):
    """The Firestore emulator is not installed."""


def free_port() -> int:
    """A TCP port that is free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_open(host: str, port: int, timeout: float = 0.2) -> bool:
    """Whether something accepts TCP connections at ``host:port``."""
    try:
        socket.create_connection((host, port), timeout).close()
        return True
    except OSError:
        return False


def find_emulator() -> str:
    """The emulator launcher: FIRESTORE_EMULATOR_BIN, a known SDK path, or next to ``gcloud``.

    Raises:
        EmulatorNotFoundError: With install instructions.
    """
    candidates = [os.environ.get("FIRESTORE_EMULATOR_BIN", ""), *KNOWN_LOCATIONS]
    gcloud = shutil.which("gcloud")
    if gcloud:
        sdk = Path(os.path.realpath(gcloud)).parent.parent
        candidates.append(str(sdk / "platform/cloud-firestore-emulator/cloud_firestore_emulator"))
    for path in candidates:
        if path and os.path.isfile(path) and os.access(path, os.X_OK):
            if not shutil.which("java"):
                raise EmulatorNotFoundError("The Firestore emulator needs Java (17 or newer) on PATH")
            return path
    raise EmulatorNotFoundError(
        "Google's Firestore emulator was not found. Install the Google Cloud CLI and run "
        "`gcloud components install cloud-firestore-emulator` (or apt-get install "
        "google-cloud-cli-firestore-emulator), or set FIRESTORE_EMULATOR_BIN."
    )


class FirestoreEmulator:
    """A running emulator on a free port (a context manager).

    Args:
        data_dir: Folder for persisted exports; None keeps data in memory only.
        port: Port to bind (default: a free one).
        project: Project whose data is exported at stop.
    """

    def __init__(
        self, data_dir: Path | None = None, port: int | None = None, project: str = "demo-switchboard"
    ) -> None:
        self.data_dir = data_dir
        self.port = port or free_port()
        self.project = project
        self.host = f"127.0.0.1:{self.port}"
        self._proc: subprocess.Popen[bytes] | None = None

    def _latest_export(self) -> Path | None:
        if not self.data_dir or not self.data_dir.is_dir():
            return None
        found = sorted(self.data_dir.glob("*/*.overall_export_metadata"), key=lambda p: p.stat().st_mtime)
        return found[-1] if found else None

    def start(self, timeout: float = 60.0) -> FirestoreEmulator:
        """Launch the emulator and wait until its port accepts connections."""
        cmd = [find_emulator(), "start", "--host=127.0.0.1", f"--port={self.port}"]
        latest = self._latest_export()
        if latest:
            cmd.append(f"--import-data={latest}")
        log_path = (self.data_dir / "emulator.log") if self.data_dir else None
        if self.data_dir:
            self.data_dir.mkdir(parents=True, exist_ok=True)
        out = log_path.open("ab") if log_path else subprocess.DEVNULL
        self._proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while not port_open("127.0.0.1", self.port):
            if self._proc.poll() is not None or time.monotonic() > deadline:
                self.stop(export=False)
                raise RuntimeError(f"Firestore emulator did not start on :{self.port} (see {log_path or 'its output'})")
            time.sleep(0.05)
        return self

    def export(self) -> None:
        """Export the project's data into ``data_dir`` and keep only the newest export."""
        if not self.data_dir:
            return
        url = f"http://{self.host}/emulator/v1/projects/{self.project}:export"
        body = {"database": f"projects/{self.project}/databases/(default)", "export_directory": str(self.data_dir)}
        request = urllib.request.Request(
            url, data=json.dumps(body).encode(), method="POST", headers={"Content-Type": "application/json"}
        )
        urllib.request.urlopen(request, timeout=60).read()
        latest = self._latest_export()
        for folder in self.data_dir.glob("firestore_export_*"):
            if latest is None or folder != latest.parent:
                shutil.rmtree(folder, ignore_errors=True)

    def stop(self, export: bool = True) -> None:
        """Export (when persisting), then stop the launcher and its Java child."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if export and proc.poll() is None:
            try:
                self.export()
            except OSError as exc:
                log.warning("emulator export failed; data since the last export is lost", extra={"error": str(exc)})
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while port_open("127.0.0.1", self.port) and time.monotonic() < deadline:
            time.sleep(0.05)

    def __enter__(self) -> FirestoreEmulator:
        return self.start() if self._proc is None else self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
