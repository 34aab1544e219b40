"""A deadline for request headers, which uvicorn does not have.

Without one, a client that sends half a request header and waits keeps its socket open for
good, and enough such clients (slowloris) use up a worker's file descriptors. Here each
connection gets `HeaderDeadlineProtocol.timeout` seconds to finish its first request's headers,
counted from the moment it opens, and as long again for each further request on a kept-alive
connection, counted from that request's first byte; then it is closed. A proxy in front (nginx,
a platform's router) sends whole requests, in far less time.

gunicorn.conf.py runs its workers as `Worker` and sets the timeout (HEADER_TIMEOUT). The
development server (__main__.py) does without: it imports no gunicorn, which Windows lacks.
"""

import asyncio
from typing import Any, ClassVar

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn_worker import UvicornWorker  # type: ignore[import-untyped]  # no type hints


class HeaderDeadlineProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol (the one it picks by default: uvicorn[standard] installs
    httptools), closing a connection whose request headers are late.

    The deadline runs only while a request's headers are awaited: between requests, uvicorn's
    own keep-alive timer closes an idle connection, and uvicorn cancels that timer on the first
    byte of the next request, where this deadline starts, so the two never overlap. Once the
    headers are complete, the body and the response take as long as they take.
    """

    timeout: float = 10  # seconds; gunicorn.conf.py sets its HEADER_TIMEOUT here
    _deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._start_deadline()  # a client that connects and sends nothing is late too

    def on_message_begin(self) -> None:
        super().on_message_begin()
        # A connection's first request is already on the clock since the connection opened.
        if self._deadline is None:
            self._start_deadline()

    def on_headers_complete(self) -> None:
        self._cancel_deadline()
        super().on_headers_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_deadline()
        super().connection_lost(exc)

    def _start_deadline(self) -> None:
        self._deadline = self.loop.call_later(self.timeout, self._headers_late)

    def _cancel_deadline(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _headers_late(self) -> None:
        self._deadline = None
        if not self.transport.is_closing():
            self.logger.info("Closing a connection: no request headers in %g s", self.timeout)
            self.transport.close()


class Worker(UvicornWorker):  # type: ignore[misc]  # untyped, so Any to mypy
    """uvicorn's gunicorn worker, serving with HeaderDeadlineProtocol (always: uvicorn would
    otherwise fall back to its h11 protocol, which has no deadline, were httptools missing)."""

    CONFIG_KWARGS: ClassVar[dict[str, Any]] = {
        **UvicornWorker.CONFIG_KWARGS,
        "http": HeaderDeadlineProtocol,
    }
