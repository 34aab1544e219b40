"""`python -m <package>`: the development server, reloading on changes.

uvicorn's `--reload` watches the files from a parent process that never imports the app, so
that process would log in uvicorn's own format between the app's records. Started from here,
both processes log through logs.py: one format per line (LOG_FORMAT), as in production.
"""

import os

import uvicorn

from .config import get_settings
from .logs import logging_config

if __name__ == "__main__":
    settings = get_settings()
    uvicorn.run(
        f"{__package__}.main:app",
        port=int(os.environ.get("PORT", "8000")),
        reload=True,
        # As in production (gunicorn.conf.py): forwarded headers count with TRUST_PROXY_HEADERS.
        proxy_headers=settings.trust_proxy_headers,
        log_config=logging_config(settings.log_level, settings.json_logs),
    )
