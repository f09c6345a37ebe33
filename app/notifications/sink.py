"""A development SMTP server that writes every message it receives to a folder (.eml)."""

import time
from pathlib import Path

from aiosmtpd.controller import Controller


class FolderHandler:
    """aiosmtpd handler: one .eml file per message, named by arrival time."""

    def __init__(self, folder: str):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)

    async def handle_DATA(self, server, session, envelope):
        name = f"{time.time_ns()}.eml"
        (self.folder / name).write_bytes(envelope.original_content or envelope.content)
        return "250 Message accepted for delivery"


def run_sink(host: str, port: int, folder: str) -> None:
    controller = Controller(FolderHandler(folder), hostname=host, port=port)
    controller.start()
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()
