"""A development SMTP server that writes every message it receives to a folder (.eml).

Files are named `<arrival time in ns>-<n>.eml` and written under a temporary name first, so
the mail viewer never reads half a message.
"""

import itertools
import os
import time
from pathlib import Path

from aiosmtpd.controller import Controller


class FolderHandler:
    """aiosmtpd handler: one .eml file per message, named by arrival time."""

    def __init__(self, folder: str | os.PathLike):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self._numbers = itertools.count(1)

    async def handle_DATA(self, server, session, envelope):
        name = f"{time.time_ns()}-{next(self._numbers)}.eml"
        partial = self.folder / f".{name}.part"
        partial.write_bytes(envelope.original_content or envelope.content)
        partial.replace(self.folder / name)
        return "250 Message accepted for delivery"


def start_sink(host: str, port: int, folder: str | os.PathLike) -> Controller:
    """Start the sink in a background thread; call `.stop()` on the result to stop it."""
    controller = Controller(FolderHandler(folder), hostname=host, port=port, enable_SMTPUTF8=True)
    controller.start()
    return controller


def run_sink(host: str, port: int, folder: str | os.PathLike) -> None:
    """Run the sink until interrupted (`flask mail sink`)."""
    controller = start_sink(host, port, folder)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()
