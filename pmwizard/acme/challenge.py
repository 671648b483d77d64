"""Answering HTTP-01: a token file in the webroot the NGINX site serves, or a standalone listener (acme's
own HTTP01Server) when no web server runs. Both serve the pre-flight's probe token the same way, so the
self-test exercises exactly the path the CA will fetch. Both clean up after themselves.

Token files are public by design (the CA and anyone may read them) and short-lived, so they are written
directly rather than through the previewed Plan, which is for configuration and keys.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any, Protocol

from pmwizard.errors import PmwizardError


class ChallengeError(PmwizardError):
    """The challenge cannot be served (webroot not writable, port in use); the message has the fix."""


class Responder(Protocol):
    def add(self, token: str, validation: bytes) -> None: ...

    def close(self) -> None: ...


class WebrootResponder:
    """Token files under `<webroot>/.well-known/acme-challenge/`, removed again on close()."""

    def __init__(self, webroot: Path) -> None:
        self.folder = webroot / ".well-known" / "acme-challenge"
        self._made: list[Path] = []
        try:
            self.folder.mkdir(parents=True, exist_ok=True, mode=0o755)
        except OSError as exc:
            raise ChallengeError(f"{self.folder}: cannot create the challenge folder ({exc.strerror}); "
                                 "give a writable --webroot that the NGINX site serves") from None

    def add(self, token: str, validation: bytes) -> None:
        if "/" in token or token.startswith("."):
            raise ChallengeError(f"the CA sent a token that is not a file name: {token!r}")
        path = self.folder / token
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o644)
            with os.fdopen(fd, "wb") as fh:
                fh.write(validation)
            os.chmod(path, 0o644)  # readable by the web server's user whatever the umask
        except OSError as exc:
            raise ChallengeError(f"{path}: cannot write the challenge file ({exc.strerror})") from None
        self._made.append(path)

    def close(self) -> None:
        for path in self._made:
            path.unlink(missing_ok=True)
        self._made.clear()


class StandaloneResponder:
    """acme's HTTP-01 server on `listen`:`port` ('' = every IPv4 and IPv6 address), in threads."""

    def __init__(self, listen: str, port: int) -> None:
        from acme import standalone

        self._resources: set[Any] = set()
        try:
            if listen:
                self._servers: Any = standalone.HTTP01Server((listen, port), self._resources,
                                                             ipv6=":" in listen, timeout=10)
            else:
                self._servers = standalone.HTTP01DualNetworkedServers(("", port), self._resources, timeout=10)
        except OSError as exc:
            raise ChallengeError(f"cannot listen on port {port} ({exc.strerror}): a web server already uses it; "
                                 "use --http-01 webroot with pmwizard's NGINX site, or stop that server") from None
        self._threads: list[threading.Thread] = []
        if listen:
            t = threading.Thread(target=self._servers.serve_forever, daemon=True, name="acme-http01")
            t.start()
            self._threads.append(t)
        else:
            self._servers.serve_forever()

    def add(self, token: str, validation: bytes) -> None:
        import josepy
        from acme import challenges, standalone

        chall = challenges.HTTP01(token=josepy.b64.b64decode(token))
        self._resources.add(standalone.HTTP01RequestHandler.HTTP01Resource(
            chall=chall, response=None, validation=validation.decode("ascii")))

    def close(self) -> None:
        if self._threads:
            self._servers.shutdown()
            self._servers.server_close()
            for t in self._threads:
                t.join(5)
            self._threads.clear()
        else:
            self._servers.shutdown_and_server_close()
