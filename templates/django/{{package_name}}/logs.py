"""Log formatting: one line per record on stdout, tracebacks included.

Platforms and collectors (Heroku, Docker, journald) treat every line as a separate event, so a
multi-line traceback would be split apart; its line breaks are escaped instead.
"""

import logging


class OneLineFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return super().format(record).replace("\n", "\\n")
