"""The account mails: a password-reset link and an email-verification link.

Each mail is a text/plain part with a text/html alternative, the standard library's
`EmailMessage`, rendered by Jinja2 from templates/users/emails/ (`<name>.txt`, `<name>.html`:
edit them freely; they get `link`, `email`, `project` and the link's lifetime). EMAIL_URL says
where they go (mail_url.py): an SMTP server, reached with aiosmtplib, or `console://`, which
prints them to standard output (development only: the app refuses to start with it while
DEBUG is off).

Routes send off the request path (`deliver` as a background task): the answer goes out first, so
its timing never tells whether an account exists, nor how the SMTP server is doing. A failed
send is one ERROR line naming the mail and the error, never the link or its token.
"""

import logging
import sys
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from functools import lru_cache
from pathlib import Path
from typing import Any

import aiosmtplib
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from ..config import PROJECT_NAME, Settings, get_settings
from .mail_url import MailServer, MailURLError, parse_mail_url

logger = logging.getLogger(__name__)

TEMPLATES = Path(__file__).resolve().parent / "templates"
NOT_CONFIGURED = "Email is not configured: set EMAIL_URL."
# How long one SMTP exchange may take before the send is given up (and logged).
SMTP_TIMEOUT_SECONDS = 30


@lru_cache
def templates() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )


def mail_server(settings: Settings) -> MailServer | None:
    """Where mail goes; None when EMAIL_URL is not set (mail is not configured)."""
    return parse_mail_url(settings.email_url) if settings.email_url else None


def require_mail_settings(settings: Settings) -> None:
    """Refuse to start with an EMAIL_URL that cannot be used, and with `console://` (which
    prints every link) while DEBUG is off; an unset EMAIL_URL is let through (the mail routes
    then answer 503)."""
    try:
        server = mail_server(settings)
    except MailURLError as error:
        raise SystemExit(f"error: {error}") from None
    if server is not None and server.console and not settings.debug:
        raise SystemExit(
            "error: EMAIL_URL=console:// prints every mail, links included, to standard "
            "output: it is for development (DEBUG=true) only; set EMAIL_URL to "
            "smtp://host:port, smtp+tls://user:password@host:587 or smtps://user:password@host"
        )


def configured() -> bool:
    """Whether mail can be sent; when not, say so once in the log (a WARNING line)."""
    if get_settings().email_url:
        return True
    logger.warning(NOT_CONFIGURED)
    return False


def compose(name: str, subject: str, to: str, **context: Any) -> EmailMessage:
    """The mail `name` (templates/users/emails/<name>.txt and .html) for `to`."""
    settings = get_settings()
    context = {"email": to, "project": PROJECT_NAME, **context}
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = settings.email_from
    message["To"] = to
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = make_msgid(domain=settings.email_from.rpartition("@")[2] or None)
    message.set_content(templates().get_template(f"users/emails/{name}.txt").render(context))
    html = templates().get_template(f"users/emails/{name}.html").render(context)
    message.add_alternative(html, subtype="html")
    return message


def print_message(message: EmailMessage) -> None:
    """console://: the headers and the text part, readable (no transfer encoding)."""
    text = message.get_body(("plain",))
    lines = [f"{name}: {value}" for name, value in message.items() if name != "Content-Type"]
    body = text.get_content() if isinstance(text, EmailMessage) else ""
    sys.stdout.write("\n".join(["-" * 72, *lines, "", body.rstrip("\n"), "-" * 72, ""]))
    sys.stdout.flush()


async def deliver(name: str, subject: str, to: str, **context: Any) -> None:
    """Compose the mail `name` and send it: the background task of the routes, so that even
    rendering it costs the answer nothing."""
    await send(compose(name, subject, to, **context))


async def send(message: EmailMessage) -> None:
    """Send `message` as EMAIL_URL says. Never raises: a failure is logged (one ERROR line)."""
    server = mail_server(get_settings())
    if server is None:
        logger.warning(NOT_CONFIGURED)
        return
    if server.console:
        print_message(message)
        return
    try:
        await aiosmtplib.send(
            message,
            hostname=server.host,
            port=server.port,
            username=server.username or None,
            password=server.password or None,
            use_tls=server.implicit_tls,
            start_tls=server.starttls,
            timeout=SMTP_TIMEOUT_SECONDS,
        )
    except Exception as error:  # whatever went wrong, the answer has already gone out
        # One line, no traceback: the error says what happened; the link never appears.
        logger.error(
            "mail not sent: %r to %s:%d failed: %s: %s",
            message["Subject"],
            server.host,
            server.port,
            type(error).__name__,
            error,
        )
