"""Gunicorn settings for the bare apps. benchmarks/throughput.py passes the generated
project's effective server settings (workers, worker class, threads, preload) on the command
line; gunicorn's access log stays off (the apps write their own access record, as the
generated ones do).

The contract's header deadline ("a few stalled clients never stop the server", docs/contract.md):
with gthread workers (Django, Flask), a connection whose request headers are not complete
HEADER_TIMEOUT seconds after a thread starts reading it is shut down, checked once a second,
as the generated gunicorn.conf.py does. FastAPI's deadline is in its worker class, which
throughput.py passes on.
"""

import contextlib
import socket
import time
from typing import Any

# Gunicorn 25+ would open a control socket in $HOME; the generated configs disable it too.
control_socket_disable = True
accesslog = None
HEADER_TIMEOUT = 10


def post_worker_init(worker: Any) -> None:
    if not hasattr(worker, "murder_keepalived"):  # not a gthread worker
        return
    reading: dict[Any, float] = {}  # connection -> deadline
    handle, handle_request, murder = worker.handle, worker.handle_request, worker.murder_keepalived

    def handle_with_deadline(conn: Any) -> Any:
        reading[conn] = time.monotonic() + HEADER_TIMEOUT
        try:
            return handle(conn)
        finally:
            reading.pop(conn, None)

    def headers_read(req: Any, conn: Any) -> Any:
        reading.pop(conn, None)
        return handle_request(req, conn)

    def murder_late(*args: Any, **kwargs: Any) -> None:
        murder(*args, **kwargs)
        now = time.monotonic()
        for conn, deadline in list(reading.items()):
            if deadline < now and reading.pop(conn, None) is not None:
                with contextlib.suppress(OSError):
                    conn.sock.shutdown(socket.SHUT_RDWR)

    worker.handle, worker.handle_request = handle_with_deadline, headers_read
    worker.murder_keepalived = murder_late
