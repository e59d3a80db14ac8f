"""The studio survives the many Qt calls and signal emits of a long session (PySide6 refcount workaround)."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import REPO

LONG_SESSION = """
import studio.gui  # pins None/True/False before Qt is used
from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal

class Source(QObject):
    changed = Signal(object)

app = QCoreApplication([])
timer, source = QTimer(), Source()
for _ in range(20_000):  # each drops a reference to None on PySide6 6.12 + CPython 3.11
    timer.setInterval(3)
for _ in range(5_000):  # each drops a reference to True
    source.changed.emit(1)
print("survived")
"""


def test_thousands_of_void_calls_and_emits_do_not_abort_the_interpreter():
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-c", LONG_SESSION], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "survived" in done.stdout
