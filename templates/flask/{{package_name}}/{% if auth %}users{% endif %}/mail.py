"""The accounts' mails (Flask-Mailman), sent off the request path.

A route hands a job to a small pool of threads and answers at once: looking the account up,
making its token, rendering and sending all happen in the pool, inside the app's context, so
the answer takes as long whether or not the account exists, and whatever the mail server
does. A job that fails logs one ERROR line, with no token, link or address in it.

The mails are rendered from editable templates, a text part and an HTML part each:
users/templates/users/emails/{password_reset,verify_email}.{txt,html} (Jinja2).
EMAIL_URL picks the backend (config.py): SMTP, or the console with DEBUG on; unset with DEBUG
off, mail is off (`configured()` is False) and the routes that need it answer 503.
"""

import logging
import smtplib
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import Any

from flask import Flask, current_app, render_template, request
from flask_mailman import EmailMultiAlternatives, Mail
from sqlalchemy import select

from ..extensions import db
from . import tokens
from .models import User

NOT_CONFIGURED = "Email is not configured: set EMAIL_URL."
# The subjects; each mail's text and HTML are templates/users/emails/<kind>.txt and .html.
RESET_SUBJECT = "Reset your password"
VERIFY_SUBJECT = "Verify your email address"

logger = logging.getLogger(__name__)
mail = Mail()
pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="mail")
_pending: set["Future[None]"] = set()
_pending_lock = threading.Lock()


def init_app(app: Flask) -> None:
    mail.init_app(app)


def configured() -> bool:
    return bool(current_app.config.get("MAIL_BACKEND"))


def link_base() -> str:
    """FRONTEND_URL, or the origin this request came to (scheme://host)."""
    base: str = current_app.config["FRONTEND_URL"] or request.host_url
    return base.rstrip("/")


def submit(job: Callable[..., None], *args: Any) -> None:
    """Run `job(*args)` in the pool, in an app context of this app."""
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    future = pool.submit(_run, app, job, *args)
    with _pending_lock:
        _pending.add(future)
    future.add_done_callback(_done)


def _done(future: "Future[None]") -> None:
    with _pending_lock:
        _pending.discard(future)


def wait_for_pending(timeout: float | None = None) -> None:
    """Wait until every job handed over so far has finished (the tests read the outbox)."""
    with _pending_lock:
        pending = list(_pending)
    wait(pending, timeout=timeout)


def _run(app: Flask, job: Callable[..., None], *args: Any) -> None:
    with app.app_context():
        try:
            job(*args)
        except Exception as error:  # one line, and the pool goes on
            # The error's class, and the text of a connection or SMTP error ("Connection
            # refused"), which names no token, link or message body.
            reason = type(error).__name__
            if isinstance(error, OSError | smtplib.SMTPException):
                reason += f": {error}"
            logger.error("A mail was not sent (%s).", reason)


def send(to: str, subject: str, template: str, **context: Any) -> None:
    """Render users/emails/<template>.txt and .html with `context` and send both parts."""
    context = {"project": current_app.config["API_TITLE"], **context}
    text = render_template(f"users/emails/{template}.txt", **context)
    html = render_template(f"users/emails/{template}.html", **context)
    message = EmailMultiAlternatives(subject, text, to=[to])
    message.attach_alternative(html, "text/html")
    message.send()


def _user_by_email(email: str) -> User | None:
    return db.session.execute(select(User).where(User.email == email)).scalar_one_or_none()


def send_password_reset(email: str, base: str) -> None:
    """Job: mail a reset link to the active account with this email, if there is one."""
    user = _user_by_email(email)
    if user is None or not user.is_active:
        return
    link = f"{base}/reset-password?token={tokens.reset_token(user)}"
    minutes = current_app.config["PASSWORD_RESET_MINUTES"]
    send(user.email, RESET_SUBJECT, "password_reset", link=link, minutes=minutes)


def send_verification(email: str, base: str) -> None:
    """Job: mail a verification link to the active, unverified account with this email."""
    user = _user_by_email(email)
    if user is None or not user.is_active or user.email_verified_at is not None:
        return
    link = f"{base}/verify-email?token={tokens.verify_token(user)}"
    days = tokens.VERIFY_EMAIL_DAYS
    send(user.email, VERIFY_SUBJECT, "verify_email", link=link, days=days)
