"""A real SMTP server on loopback (aiosmtpd) that keeps every message a served app sends, so
tests read the mail a user would get: `Mailbox.serving()` runs one, its `url` is the app's
`EMAIL_URL`, and `take(to, subject)` waits (with a deadline) for the next such message, since
the apps send mail off the request path."""

from __future__ import annotations

import email
import html
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default as default_policy
from typing import Any
from urllib.parse import parse_qs

from aiosmtpd.controller import Controller
from helpers import free_port

# A link in a mail: `{base}/verify-email?token=…` or `{base}/reset-password?token=…`.
LINK = re.compile(
    r"(?P<base>https?://[^\s\"'<>?]+?)"
    r"/(?P<kind>verify-email|reset-password)\?(?P<query>token=[^\s\"'<>]+)"
)
# A link ends a sentence in prose now and then: its query never ends with these.
TRAILING = ".,;:!?)]"


@dataclass(frozen=True)
class Link:
    url: str
    base: str
    token: str


@dataclass
class Mail:
    recipients: list[str]
    message: EmailMessage
    taken: bool = field(default=False, compare=False)

    @property
    def subject(self) -> str:
        return str(self.message["Subject"] or "")

    @property
    def sender(self) -> str:
        return str(self.message["From"] or "")

    def part(self, content_type: str) -> str:
        """The decoded text of the message's one `content_type` part."""
        found = [p for p in self.message.walk() if p.get_content_type() == content_type]
        assert len(found) == 1, (
            f"{self.subject!r}: {len(found)} {content_type} parts in {self.structure()}"
        )
        content: str = found[0].get_content()
        return content

    def structure(self) -> list[str]:
        return [part.get_content_type() for part in self.message.walk()]

    def text(self) -> str:
        """Everything a reader sees: the text part and the HTML part."""
        return "\n".join(
            str(part.get_content())
            for part in self.message.walk()
            if part.get_content_maintype() == "text"
        )

    def link(self, kind: str) -> Link:
        """The one `kind` link (verify-email or reset-password), the same in the text and the
        HTML part, its token URL-decoded."""
        assert self.message.get_content_type() == "multipart/alternative", (
            f"{self.subject!r} is not multipart/alternative: {self.structure()}"
        )
        links = []
        for content_type in ("text/plain", "text/html"):
            body = self.part(content_type)
            if content_type == "text/html":
                body = html.unescape(body)
            found = [match for match in LINK.finditer(body) if match["kind"] == kind]
            assert found, f"{self.subject!r}: no {kind} link in its {content_type} part:\n{body}"
            for match in found:
                query = match["query"].rstrip(TRAILING)
                tokens = parse_qs(query).get("token", [])
                assert len(tokens) == 1, f"{self.subject!r}: a link with {query!r}"
                url = f"{match['base']}/{kind}?{query}"
                links.append(Link(url, match["base"], tokens[0]))
        assert len(set(links)) == 1, (
            f"{self.subject!r}: the text and HTML parts disagree on the link: {set(links)}"
        )
        return links[0]


class Mailbox:
    """Every message an app sent to this SMTP server, newest last."""

    def __init__(self) -> None:
        self._mails: list[Mail] = []
        self._arrived = threading.Condition()
        self.url = ""

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        content = envelope.original_content or envelope.content
        raw = content if isinstance(content, bytes) else str(content).encode()
        message = email.message_from_bytes(raw, policy=default_policy)
        assert isinstance(message, EmailMessage)
        with self._arrived:
            self._mails.append(Mail([str(to) for to in envelope.rcpt_tos], message))
            self._arrived.notify_all()
        return "250 Message accepted for delivery"

    @classmethod
    @contextmanager
    def serving(cls) -> Iterator[Mailbox]:
        mailbox = cls()
        port = free_port()
        controller = Controller(mailbox, hostname="127.0.0.1", port=port, enable_SMTPUTF8=True)
        controller.start()
        mailbox.url = f"smtp://127.0.0.1:{port}"
        try:
            yield mailbox
        finally:
            controller.stop()

    def sent_to(self, address: str) -> list[Mail]:
        """Every message sent to `address` so far (taken or not)."""
        with self._arrived:
            return [mail for mail in self._mails if address in mail.recipients]

    def all(self) -> list[Mail]:
        with self._arrived:
            return list(self._mails)

    def take(self, to: str, subject: str, timeout: float = 30) -> Mail:
        """The oldest message to `to` with `subject` not taken before, waiting for it."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while True:
                for mail in self._mails:
                    if not mail.taken and to in mail.recipients and mail.subject == subject:
                        mail.taken = True
                        return mail
                left = deadline - time.monotonic()
                if left <= 0:
                    sent = [
                        (mail.subject, mail.taken) for mail in self._mails if to in mail.recipients
                    ]
                    raise AssertionError(
                        f"no new {subject!r} mail to {to} within {timeout:.0f}s "
                        f"(mails to it, taken or not: {sent})"
                    )
                self._arrived.wait(left)
