"""docs/contract.md §3b (accounts) as black-box HTTP checks, the same for every stack. Each
`check_*(base_url, mailbox, ...)` drives a running app with `auth` on whose `EMAIL_URL` is the
mailbox's SMTP server, reads the links out of the mails a user would get, and raises an
AssertionError naming the broken promise.

Every check speaks from its own random loopback address (127.x.y.z; the server listens on every
loopback address), so the per-address throttles of one check never count another's requests,
nor those of the fuzzer or of an earlier run against the same server. Every email is new.

`SECRETS` collects every password, token and link the checks used or were given, for the test
that greps the server's output for them.
"""

from __future__ import annotations

import json
import random
import time
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
from contract_auth import PASSWORD, _claims, bearer
from mail_catcher import Mail, Mailbox

NEW_PASSWORD = "a brand new long passphrase"
THIRD_PASSWORD = "yet another fine passphrase"
WEAK = ("8264019375", "This password is entirely numeric.")
USER_KEYS = {"id", "email", "created_at"}
ME_KEYS = USER_KEYS | {"email_verified"}
TOKEN_KEYS = {"access_token", "token_type", "expires_in", "refresh_token", "refresh_expires_in"}
ACCESS_SECONDS, REFRESH_SECONDS = 60 * 60, 14 * 24 * 60 * 60
VERIFY_SUBJECT, RESET_SUBJECT = "Verify your email address", "Reset your password"
DEFAULT_SENDER = "noreply@localhost"

NOT_AUTHENTICATED = {"detail": "Not authenticated."}
LINK_INVALID = {"detail": "This link is invalid or has expired; ask for a new one."}
REFRESH_INVALID = {"detail": "Invalid or expired refresh token."}
RESET_ACCEPTED = {"detail": "If that email has an account, a reset link is on its way."}
RESEND_ACCEPTED = {"detail": "If that email has an unverified account, a new link is on its way."}
MAIL_NOT_CONFIGURED = {"detail": "Email is not configured: set EMAIL_URL."}
UNVERIFIED = {"detail": "Verify your email address before logging in."}

# password-reset and verify-email/resend: 5 an hour per (email, client address).
REQUESTS_PER_EMAIL_AND_CLIENT, REQUEST_WINDOW = 5, 60 * 60
# password-reset/confirm, verify-email, refresh: 10 failures per 15 minutes per client address.
MAX_TOKEN_FAILURES, FAILURE_WINDOW = 10, 15 * 60
# How long after a mail that must be sent has arrived a mail that must not be may still come.
GRACE_SECONDS = 1.0

SECRETS: set[str] = set()


def keep_secret(*values: str) -> None:
    """Remember a token, link or password (and a token's signature alone) for the log check."""
    for value in values:
        SECRETS.add(value)
        for separator in (".", "-"):
            tail = value.rsplit(separator, 1)[-1]
            if len(tail) >= 20:
                SECRETS.add(tail)


def _status(response: httpx.Response, expected: set[int] | int, what: str) -> None:
    allowed = {expected} if isinstance(expected, int) else expected
    assert response.status_code in allowed, (
        f"{what}: expected {sorted(allowed)}, got {response.status_code}: {response.text[:300]!r}"
    )


def _json(response: httpx.Response, what: str) -> Any:
    content_type = response.headers.get("content-type", "")
    assert content_type.startswith("application/json"), (
        f"{what}: {response.status_code} is not JSON: {content_type!r} {response.text[:200]!r}"
    )
    return response.json()


def _answer(response: httpx.Response, status: int, body: dict[str, Any], what: str) -> None:
    """`status` with exactly `body`, as JSON."""
    _status(response, status, what)
    got = _json(response, what)
    assert got == body, f"{what}: the body is {got!r}, not {body!r}"


def _no_content(response: httpx.Response, what: str) -> None:
    _status(response, 204, what)
    assert not response.content, f"{what}: a 204 with a body: {response.text[:200]!r}"


def _bad_body(response: httpx.Response, what: str) -> Any:
    _status(response, {400, 422}, what)
    return _json(response, what)["detail"]


def _throttled(response: httpx.Response, window: int, what: str) -> None:
    _status(response, 429, what)
    retry_after = int(response.headers.get("Retry-After", "0"))
    assert 0 < retry_after <= window, f"{what}: Retry-After is {retry_after}, not 1-{window}"
    detail = str(_json(response, what)["detail"])
    assert "Too many" in detail and "try again in" in detail, f"{what}: {detail!r}"


def new_email(name: str) -> str:
    return f"{name}-{uuid.uuid4().hex[:12]}@example.com"


@dataclass(frozen=True)
class Pair:
    access: str
    refresh: str


class Api:
    """A client at its own loopback address, one new connection per request (so gunicorn
    spreads the requests over its workers)."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        octets = (random.randint(3, 254), random.randint(0, 255), random.randint(2, 254))
        self.peer = "127.{}.{}.{}".format(*octets)

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        transport = httpx.HTTPTransport(local_address=self.peer)
        with httpx.Client(
            base_url=self.base_url,
            timeout=60,
            transport=transport,
            headers={"Connection": "close"},
        ) as client:
            return client.request(method, path, **kwargs)

    def post(self, path: str, body: object = None, token: str | None = None) -> httpx.Response:
        return self.request("POST", path, json=body, headers=bearer(token) if token else {})

    def register(self, email: str, password: str = PASSWORD) -> httpx.Response:
        keep_secret(password)
        return self.post("/api/auth/register", {"email": email, "password": password})

    def token(self, email: str, password: str = PASSWORD) -> httpx.Response:
        keep_secret(password)
        form = {"username": email, "password": password}
        return self.request("POST", "/api/auth/token", data=form)

    def log_in(self, email: str, password: str = PASSWORD) -> Pair:
        return token_pair(self.token(email, password), f"log in as {email}")

    def refresh(self, refresh_token: str, path: str = "/api/auth/refresh") -> httpx.Response:
        return self.post(path, {"refresh_token": refresh_token})

    def logout(self, refresh_token: str, path: str = "/api/auth/logout") -> httpx.Response:
        return self.post(path, {"refresh_token": refresh_token})

    def me(self, access: str) -> httpx.Response:
        return self.request("GET", "/api/users/me", headers=bearer(access))

    def verify(self, token: str, path: str = "/api/auth/verify-email") -> httpx.Response:
        return self.post(path, {"token": token})

    def resend(self, email: str) -> httpx.Response:
        return self.post("/api/auth/verify-email/resend", {"email": email})

    def reset(self, email: str) -> httpx.Response:
        return self.post("/api/auth/password-reset", {"email": email})

    def confirm(self, token: str, password: str) -> httpx.Response:
        keep_secret(password)
        return self.post("/api/auth/password-reset/confirm", {"token": token, "password": password})

    def change_password(self, access: str, current: str, new: str) -> httpx.Response:
        keep_secret(current, new)
        body = {"current_password": current, "new_password": new}
        return self.post("/api/users/me/password", body, token=access)


def token_pair(response: httpx.Response, what: str) -> Pair:
    """A token response (login or refresh): its shape, no-store, and the pair it carries."""
    _status(response, 200, what)
    cache = response.headers.get("Cache-Control", "")
    assert "no-store" in cache, f"{what}: Cache-Control is {cache!r}"
    body = _json(response, what)
    assert set(body) == TOKEN_KEYS, f"{what}: the token response is {sorted(body)}"
    assert body["token_type"] == "bearer", f"{what}: {body['token_type']!r}"
    assert body["expires_in"] == ACCESS_SECONDS, f"{what}: expires_in {body['expires_in']}"
    assert body["refresh_expires_in"] == REFRESH_SECONDS, (
        f"{what}: refresh_expires_in {body['refresh_expires_in']}, not {REFRESH_SECONDS}"
    )
    keep_secret(body["access_token"], body["refresh_token"])
    return Pair(body["access_token"], body["refresh_token"])


def link_token(mail: Mail, kind: str, base: str | None = None) -> str:
    """The token of the mail's `kind` link (the same in its text and HTML parts)."""
    link = mail.link(kind)
    keep_secret(link.url, link.token)
    if base is not None:
        expected = base.rstrip("/")
        assert link.base == expected, (
            f"{mail.subject!r}: the link {link.url} is not under {expected}"
        )
    return link.token


def _me(api: Api, access: str, what: str) -> dict[str, Any]:
    response = api.me(access)
    _status(response, 200, what)
    body: dict[str, Any] = _json(response, what)
    assert set(body) == ME_KEYS, f"{what}: me is {body!r}"
    return body


def _refused_access(api: Api, access: str, what: str) -> None:
    response = api.me(access)
    _answer(response, 401, NOT_AUTHENTICATED, what)
    challenge = response.headers.get("WWW-Authenticate", "")
    assert challenge.startswith("Bearer"), f"{what}: WWW-Authenticate is {challenge!r}"


def _refused_refresh(api: Api, refresh: str, what: str) -> None:
    _answer(api.refresh(refresh), 401, REFRESH_INVALID, what)


def account(api: Api, mailbox: Mailbox, name: str) -> str:
    """A new user whose email is verified through the link mailed at registration (so the
    checks hold with REQUIRE_VERIFIED_EMAIL on too)."""
    email = new_email(name)
    _status(api.register(email), 201, f"register {email}")
    token = link_token(mailbox.take(email, VERIFY_SUBJECT), "verify-email")
    _no_content(api.verify(token), f"verify {email}")
    return email


def _no_new_mail(mailbox: Mailbox, addresses: list[str], what: str) -> None:
    """No mail to `addresses` but those already taken. Called once a mail asked for after
    theirs has arrived (the sender has dealt with the earlier requests), and a little later."""
    time.sleep(GRACE_SECONDS)
    for address in addresses:
        sent = [mail.subject for mail in mailbox.sent_to(address) if not mail.taken]
        assert not sent, f"{what}: {address} was mailed {sent}"


# --- the checks -----------------------------------------------------------------------------


def check_verification(base_url: str, mailbox: Mailbox, *, frontend_url: str, sender: str) -> None:
    """Registration mails a verification link (text and HTML, under FRONTEND_URL, from
    EMAIL_FROM); verifying is 204 once, 400 after; `me` says `email_verified`."""
    api = Api(base_url)
    email = new_email("verify")
    created = api.register(email)
    _status(created, 201, "register")
    assert set(_json(created, "register")) == USER_KEYS, f"register: {created.text}"
    mail = mailbox.take(email, VERIFY_SUBJECT)
    assert sender in mail.sender, f"the verification mail is from {mail.sender!r}, not {sender}"
    token = link_token(mail, "verify-email", frontend_url)
    pair = api.log_in(email)
    assert _me(api, pair.access, "me before verifying")["email_verified"] is False

    _answer(api.verify(f"x{token}"), 400, LINK_INVALID, "verify with a tampered token")
    _answer(api.verify("not-a-token"), 400, LINK_INVALID, "verify with a garbage token")
    _no_content(api.verify(token), "verify with the mailed token")
    _answer(api.verify(token), 400, LINK_INVALID, "verify with the same token again")
    again = api.verify(token, "/api/auth/verify-email/")
    _answer(again, 400, LINK_INVALID, "verify again at /api/auth/verify-email/")
    assert _me(api, pair.access, "me after verifying")["email_verified"] is True
    _bad_body(api.post("/api/auth/verify-email", {}), "verify with no token")


def check_resend(base_url: str, mailbox: Mailbox) -> None:
    """`verify-email/resend` is 202 with one body for everyone, and mails a new link only to an
    unverified account."""
    api = Api(base_url)
    email, unknown = new_email("resend"), new_email("nobody")
    _status(api.register(email), 201, "register")
    first = link_token(mailbox.take(email, VERIFY_SUBJECT), "verify-email")
    _answer(api.resend(email), 202, RESEND_ACCEPTED, "resend to an unverified account")
    second = link_token(mailbox.take(email, VERIFY_SUBJECT), "verify-email")
    _no_content(api.verify(second), "verify with the resent link")
    _answer(api.verify(first), 400, LINK_INVALID, "verify with the first link once verified")

    _answer(api.resend(email), 202, RESEND_ACCEPTED, "resend to a verified account")
    _answer(api.resend(unknown), 202, RESEND_ACCEPTED, "resend to an unknown email")
    _bad_body(api.resend("not-an-email"), "resend to something not an email")
    _answer(api.reset(email), 202, RESET_ACCEPTED, "a reset, mailed after the resends")
    mailbox.take(email, RESET_SUBJECT)
    _no_new_mail(mailbox, [email, unknown], "resend to verified or unknown emails")


def check_password_reset(base_url: str, mailbox: Mailbox, *, frontend_url: str) -> None:
    """password-reset is 202 for known and unknown emails alike and mails only the known one
    a link; confirm is 204 once, sets the password, and ends every earlier session."""
    api = Api(base_url)
    email, unknown = account(api, mailbox, "reset"), new_email("nobody")
    before = api.log_in(email)
    _answer(api.reset(unknown), 202, RESET_ACCEPTED, "password-reset for an unknown email")
    _answer(api.reset(email), 202, RESET_ACCEPTED, "password-reset for a known email")
    mail = mailbox.take(email, RESET_SUBJECT)
    token = link_token(mail, "reset-password", frontend_url)
    _no_new_mail(mailbox, [unknown], "password-reset for an unknown email")
    _answer(
        api.request("POST", "/api/auth/password-reset/", json={"email": email}),
        202,
        RESET_ACCEPTED,
        "password-reset at /api/auth/password-reset/",
    )
    other = link_token(mailbox.take(email, RESET_SUBJECT), "reset-password")
    _bad_body(api.reset("not-an-email"), "password-reset for something not an email")

    weak = api.confirm(token, WEAK[0])
    assert WEAK[1] in json.dumps(_bad_body(weak, "confirm with a weak password")), weak.text
    _answer(api.confirm("not-a-token", NEW_PASSWORD), 400, LINK_INVALID, "confirm a garbage token")
    _no_content(api.confirm(token, NEW_PASSWORD), "confirm with the mailed token")
    _answer(api.confirm(token, THIRD_PASSWORD), 400, LINK_INVALID, "confirm the same token again")
    _answer(
        api.confirm(other, THIRD_PASSWORD),
        400,
        LINK_INVALID,
        "confirm an earlier link after a reset",
    )

    _status(api.token(email, PASSWORD), 401, "log in with the password from before the reset")
    after = api.log_in(email, NEW_PASSWORD)
    _me(api, after.access, "me with a token from after the reset")
    _refused_access(api, before.access, "an access token from before the reset")
    _refused_refresh(api, before.refresh, "a refresh token from before the reset")


def check_reset_dies_on_password_change(base_url: str, mailbox: Mailbox) -> None:
    """A reset link dies when the password changes another way."""
    api = Api(base_url)
    email = account(api, mailbox, "reset-then-change")
    pair = api.log_in(email)
    _answer(api.reset(email), 202, RESET_ACCEPTED, "password-reset")
    token = link_token(mailbox.take(email, RESET_SUBJECT), "reset-password")
    _no_content(api.change_password(pair.access, PASSWORD, NEW_PASSWORD), "change the password")
    _answer(
        api.confirm(token, THIRD_PASSWORD),
        400,
        LINK_INVALID,
        "a reset link after a password change",
    )
    api.log_in(email, NEW_PASSWORD)


def check_change_password(base_url: str, mailbox: Mailbox) -> None:
    """`POST /api/users/me/password` is 204 and ends every earlier access and refresh token,
    the one it was called with included; a wrong current password or a weak new one is a 4xx
    naming the field or the rule, and changes nothing."""
    api = Api(base_url)
    email = account(api, mailbox, "change")
    first, second = api.log_in(email), api.log_in(email)
    unauthenticated = api.post(
        "/api/users/me/password", {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    )
    _status(unauthenticated, 401, "change the password without a token")
    wrong = _bad_body(
        api.change_password(first.access, "not the password", NEW_PASSWORD),
        "change the password giving a wrong current one",
    )
    assert isinstance(wrong, list) and any(
        "current_password" in map(str, error.get("loc", [])) for error in wrong
    ), f"a wrong current password: the error does not name current_password: {wrong!r}"
    weak = _bad_body(
        api.change_password(first.access, PASSWORD, WEAK[0]), "change to a weak password"
    )
    assert WEAK[1] in json.dumps(weak), f"a weak new password: {weak!r}"
    _me(api, first.access, "me after two refused changes")

    _no_content(api.change_password(first.access, PASSWORD, NEW_PASSWORD), "change the password")
    for name, pair in (("the token used to change it", first), ("another session", second)):
        _refused_access(api, pair.access, f"{name}'s access token after a password change")
        _refused_refresh(api, pair.refresh, f"{name}'s refresh token after a password change")
    _status(api.token(email, PASSWORD), 401, "log in with the old password")
    _me(api, api.log_in(email, NEW_PASSWORD).access, "me after logging in with the new password")


def check_refresh_rotation(base_url: str, mailbox: Mailbox) -> None:
    """refresh rotates the refresh token within its family; reusing a rotated one is 401 and
    revokes the family, its newest token included; another family lives on."""
    api = Api(base_url)
    email = account(api, mailbox, "rotate")
    first, other = api.log_in(email), api.log_in(email)
    access_claims, refresh_claims = _claims(first.access), _claims(first.refresh)
    assert access_claims.get("type") == "access" and "ver" in access_claims, access_claims
    assert refresh_claims.get("type") == "refresh", f"refresh token claims: {refresh_claims}"
    assert {"sub", "exp", "iat", "jti", "fam", "ver"} <= set(refresh_claims), refresh_claims
    assert str(refresh_claims["sub"]) == str(access_claims["sub"]), refresh_claims

    second = token_pair(api.refresh(first.refresh), "refresh")
    assert second.refresh != first.refresh, "refresh gave back the same refresh token"
    rotated = _claims(second.refresh)
    assert rotated["fam"] == refresh_claims["fam"], "the rotated token left its family"
    assert rotated["jti"] != refresh_claims["jti"], "the rotated token kept its jti"
    _me(api, second.access, "me with a refreshed access token")
    third = token_pair(api.refresh(second.refresh, "/api/auth/refresh/"), "refresh at .../")

    _refused_refresh(api, first.refresh, "reuse of a rotated refresh token")
    _refused_refresh(api, third.refresh, "the newest token of a family a reuse revoked")
    token_pair(api.refresh(other.refresh), "refresh another family of the same user")
    _refused_refresh(api, "not.a.token", "a garbage refresh token")
    _bad_body(api.post("/api/auth/refresh", {}), "refresh with no token")


def check_logout(base_url: str, mailbox: Mailbox) -> None:
    """logout is 204 and revokes the refresh token (again: 204); refresh then is 401."""
    api = Api(base_url)
    email = account(api, mailbox, "logout")
    pair, other = api.log_in(email), api.log_in(email)
    _no_content(api.logout(pair.refresh), "log out")
    _refused_refresh(api, pair.refresh, "refresh after logging out")
    _no_content(api.logout(pair.refresh, "/api/auth/logout/"), "log out again at .../")
    _answer(api.logout(other.access), 401, REFRESH_INVALID, "log out with an access token")
    _bad_body(api.post("/api/auth/logout", {}), "log out with no token")
    token_pair(api.refresh(other.refresh), "refresh another session after a logout")


def check_token_types(base_url: str, mailbox: Mailbox) -> None:
    """An access token is refused where a refresh token is expected, and the other way round."""
    api = Api(base_url)
    email = account(api, mailbox, "types")
    pair = api.log_in(email)
    _refused_refresh(api, pair.access, "an access token given to refresh")
    _refused_access(api, pair.refresh, "a refresh token as the bearer token of /api/users/me")
    items = api.request("GET", "/api/items", headers=bearer(pair.refresh))
    _answer(items, 401, NOT_AUTHENTICATED, "a refresh token as the bearer token of /api/items")
    change = api.change_password(pair.refresh, PASSWORD, NEW_PASSWORD)
    _answer(change, 401, NOT_AUTHENTICATED, "a refresh token changing the password")
    token_pair(api.refresh(pair.refresh), "the refresh token, still good, given to refresh")


def check_reset_throttle(base_url: str, mailbox: Mailbox) -> None:
    """The 6th password-reset for one email from one client within the hour is 429 with
    Retry-After, for a known and an unknown email alike; another client is not held."""
    api, elsewhere = Api(base_url), Api(base_url)
    email = account(api, mailbox, "reset-throttle")
    for address in (email, new_email("nobody")):
        for attempt in range(REQUESTS_PER_EMAIL_AND_CLIENT):
            _answer(api.reset(address), 202, RESET_ACCEPTED, f"password-reset {attempt + 1}")
        blocked = api.reset(address)
        _throttled(blocked, REQUEST_WINDOW, f"password-reset {REQUESTS_PER_EMAIL_AND_CLIENT + 1}")
        _answer(elsewhere.reset(address), 202, RESET_ACCEPTED, "password-reset from elsewhere")


def check_verify_throttle(base_url: str, mailbox: Mailbox) -> None:
    """After 10 bad verify tokens from one client the 11th is 429 with Retry-After; another
    client still verifies."""
    api, guesser = Api(base_url), Api(base_url)
    email = new_email("verify-throttle")
    _status(api.register(email), 201, "register")
    token = link_token(mailbox.take(email, VERIFY_SUBJECT), "verify-email")
    for attempt in range(MAX_TOKEN_FAILURES):
        guess = guesser.verify(f"bad-token-{attempt}")
        _answer(guess, 400, LINK_INVALID, f"bad verify token {attempt + 1}")
    _throttled(guesser.verify("bad-token-again"), FAILURE_WINDOW, "the 11th bad verify token")
    _no_content(api.verify(token), "verify from another client")


def check_unverified_login_refused(
    base_url: str, mailbox: Mailbox, *, frontend_url: str, sender: str
) -> None:
    """With REQUIRE_VERIFIED_EMAIL on: the right password of an unverified account is 403 (a
    wrong one still 401); once verified, 200."""
    api = Api(base_url)
    email = new_email("unverified")
    _status(api.register(email), 201, "register")
    mail = mailbox.take(email, VERIFY_SUBJECT)
    assert sender in mail.sender, f"the verification mail is from {mail.sender!r}, not {sender}"
    token = link_token(mail, "verify-email", frontend_url)
    _answer(api.token(email), 403, UNVERIFIED, "log in unverified")
    _status(api.token(email, "not the password"), 401, "log in unverified, wrong password")
    _no_content(api.verify(token), "verify")
    pair = api.log_in(email)
    assert _me(api, pair.access, "me once verified")["email_verified"] is True


def check_mail_not_configured(base_url: str) -> None:
    """With DEBUG off and no EMAIL_URL: the mail routes answer 503 JSON; registering and
    logging in still work."""
    api = Api(base_url)
    email = new_email("no-mail")
    _status(api.register(email), 201, "register without EMAIL_URL")
    api.log_in(email)
    _answer(api.reset(email), 503, MAIL_NOT_CONFIGURED, "password-reset without EMAIL_URL")
    _answer(api.resend(email), 503, MAIL_NOT_CONFIGURED, "verify-email/resend without EMAIL_URL")


def check_links_never_take_a_foreign_host(base_url: str, mailbox: Mailbox) -> None:
    """Reset-link poisoning: with FRONTEND_URL unset the links use the request's origin, so a
    Host the app does not serve is refused (400) before anything is mailed, and a forwarded
    host a client makes up never reaches a link."""
    api = Api(base_url)
    email = account(api, mailbox, "poison")
    foreign = {"Host": "evil.example"}
    refused = api.request(
        "POST", "/api/auth/password-reset", json={"email": email}, headers=foreign
    )
    _status(refused, 400, "password-reset with Host: evil.example")
    forged = {"X-Forwarded-Host": "evil.example", "Forwarded": "host=evil.example"}
    accepted = api.request(
        "POST", "/api/auth/password-reset", json={"email": email}, headers=forged
    )
    _answer(accepted, 202, RESET_ACCEPTED, "password-reset with X-Forwarded-Host: evil.example")
    token = link_token(mailbox.take(email, RESET_SUBJECT), "reset-password", base_url)
    assert "evil" not in token
    _no_new_mail(mailbox, [email], "password-reset with Host: evil.example")
