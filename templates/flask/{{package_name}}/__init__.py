"""The application factory: `flask --app <package>` and gunicorn both call `create_app`."""

import logging.config

from flask import Flask

from . import swagger_ui
from .config import PROJECT_ROOT, Config
from .extensions import api, db, migrate
from .health import blp as health_blp
from .items.routes import blp as items_blp


def create_app(config: Config | None = None) -> Flask:
    """Build the app from `config`, or from the environment when none is given.

    Nothing here opens a database connection: the web process starts even while the
    database is down, and /health reports it.
    """
    config = config or Config()
    configure_logging(config.LOG_LEVEL)

    app = Flask(__name__)
    app.config.from_object(config)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    api.init_app(app)

    api.register_blueprint(health_blp)
    api.register_blueprint(items_blp)
    app.register_blueprint(swagger_ui.bp)
    return app


def configure_logging(level: str) -> None:
    """Send every log record to stdout, one line each, at LOG_LEVEL."""
    logging.config.dictConfig(
        {
            "version": 1,
            "disable_existing_loggers": False,
            "formatters": {
                "line": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
            },
            "handlers": {
                "stdout": {
                    "class": "logging.StreamHandler",
                    "stream": "ext://sys.stdout",
                    "formatter": "line",
                },
            },
            "root": {"level": level, "handlers": ["stdout"]},
        }
    )
