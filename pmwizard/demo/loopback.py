"""What the demo's DNS and HTTPS servers share: a socket bound on 127.0.0.1, a thread serving it until
stop(). Subclasses make the socket and write `_serve_once` (one datagram or one connection)."""

from __future__ import annotations

import socket
import threading
from typing import Self


class LoopbackServer:
    def __init__(self, sock: socket.socket) -> None:
        sock.bind(("127.0.0.1", 0))
        sock.settimeout(0.2)  # how often the thread looks at the stop flag
        self.sock = sock
        self.port = int(sock.getsockname()[1])
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def start(self) -> Self:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self.sock.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                self._serve_once()
            except (TimeoutError, OSError):
                continue

    def _serve_once(self) -> None:
        raise NotImplementedError
