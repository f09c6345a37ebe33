"""The production entry point (`gunicorn wsgi:app`)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_what_the_app_made_at_start_is_out_of_the_collectors_sight(tmp_path):
    """A full collection walked it all (155,000 objects, 50 ms) while requests queued."""
    result = subprocess.run(
        [sys.executable, "-c", "import gc, wsgi; print(gc.get_freeze_count())"],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'app.sqlite3'}"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert int(result.stdout) > 50_000
