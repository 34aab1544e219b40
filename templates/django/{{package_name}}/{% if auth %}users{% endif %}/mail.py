"""The account mails: a password reset link and an email verification link.

Each is Django's `EmailMultiAlternatives`, a text part and an HTML part rendered from
`users/templates/users/emails/` (edit them freely), sent through EMAIL_BACKEND (EMAIL_URL in
settings). Sending happens on a small thread pool, off the request path: the answer never
waits on the mail server, and takes as long whether or not an account was found. A failed
send logs one ERROR line, naming the kind of mail and the error's type, never the address,
the link or its token.
"""

import contextvars
import logging
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.auth.models import User
from django.core.mail import EmailMultiAlternatives
from django.http import HttpRequest
from django.template.loader import render_to_string

from .links import VERIFY_EMAIL_DAYS, make_reset_token, make_verification_token
from .models import Account

logger = logging.getLogger(__name__)

NOT_CONFIGURED = "Email is not configured: set EMAIL_URL."
# The subjects; each mail's text and HTML are templates/users/emails/<kind>.txt and .html.
RESET_SUBJECT = "Reset your password"
VERIFY_SUBJECT = "Verify your email address"
# A few threads per process: mails are rare, and each waits at most EMAIL_TIMEOUT.
POOL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="mail")


def is_configured() -> bool:
    """False with DEBUG off and no EMAIL_URL (settings.EMAIL_CONFIGURED): logged, once per
    request that would have mailed, as a warning."""
    if settings.EMAIL_CONFIGURED:
        return True
    logger.warning(NOT_CONFIGURED)
    return False


def send_password_reset(request: HttpRequest, user: User, deliver: bool = True) -> None:
    """Mail `user` a reset link. With `deliver` false (no account has the address asked
    for), the same mail is made for a stand-in and dropped: the same work either way."""
    token = make_reset_token(user)
    context = {"link": link(request, "reset-password", token), "user": user}
    context["minutes"] = settings.PASSWORD_RESET_MINUTES
    send(user.email, RESET_SUBJECT, "password_reset", context, deliver)


def send_verification(request: HttpRequest, user: User, deliver: bool = True) -> None:
    """Mail `user` a verification link (`deliver`: as for send_password_reset)."""
    token = make_verification_token(user)
    context = {"link": link(request, "verify-email", token), "user": user}
    context["days"] = VERIFY_EMAIL_DAYS
    send(user.email, VERIFY_SUBJECT, "verify_email", context, deliver)


def stand_in(email: str) -> User:
    """A user that is not saved, for a mail that is made and dropped."""
    user = User(pk=0, username=email, email=email, password=UNUSABLE_PASSWORD_PREFIX)
    user.account = Account(email_verified_at=None)
    return user


def link(request: HttpRequest, page: str, token: str) -> str:
    """`{FRONTEND_URL}/{page}?token=...`; FRONTEND_URL defaults to this request's own origin
    (its Host header, which ALLOWED_HOSTS has checked)."""
    base = settings.FRONTEND_URL or f"{request.scheme}://{request.get_host()}"
    return f"{base.rstrip('/')}/{page}?token={token}"


def send(
    to: str, subject: str, template: str, context: dict[str, Any], deliver: bool = True
) -> Future[None] | None:
    """Render `template` (.txt and .html) now, send it on the pool (with `deliver`)."""
    text = render_to_string(f"users/emails/{template}.txt", context)
    html = render_to_string(f"users/emails/{template}.html", context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [to])
    message.attach_alternative(html, "text/html")
    if not deliver:
        return None
    # The request's context (its request id) goes along, for the log line of a failure.
    return POOL.submit(contextvars.copy_context().run, _deliver, message, template)


def _deliver(message: EmailMultiAlternatives, kind: str) -> None:
    try:
        message.send()
    except Exception as error:  # any failure of the mail server or the network
        logger.error("Could not send the %s mail: %s", kind, type(error).__name__)
