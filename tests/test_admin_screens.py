"""CONTRACT 3c (docs/contract.md) on a running app: the admin screens of the stacks that have
the `admin` question, rendered with `admin=true`, released and served by the Procfile's `web`
line with two worker processes, production settings (DEBUG off) and SQLite.

Staff users are made with the project's own shell command (`--staff`), others through the
API's registration. Over HTTP: the login page and every asset it loads come from the app; a
staff user logs in; anonymous requests and a non-staff user get no admin page; no answer
under /admin/ holds a password hash; the admin's login answers 429 after 10 failures, counted
across both workers. In headless Chromium (marked `browser`), a staff user logs in, then
creates, edits and deletes an item through the pages, with no network beyond loopback.

The session cookie is `Secure` with DEBUG off, so neither httpx nor a browser would send it
back to a plain-HTTP test server: `Visitor` keeps the cookies itself, and the browser test
uses `localhost`, which Chromium counts as a secure origin.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from http.cookies import SimpleCookie

import httpx
import pytest
from conftest import Served, Servers
from helpers import run
from test_browser import chromium, offline_flags  # noqa: F401  (chromium: the fixture)

pytestmark = pytest.mark.smoke

PASSWORD = "correct horse battery staple"
WRONG = "not the password"
MAX_FAILURES = 10
CSRF_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
ASSET = re.compile(r'<(?:script|link)\b[^>]*?\b(?:src|href)="([^"]+)"')
PASSWORD_HASH = "$argon2"


@dataclass(frozen=True)
class AdminShape:
    """Where one stack's admin keeps what these tests use. Every stack has its login page at
    /admin/login (form fields `username` and `password`) and its home at /admin/."""

    create_user: tuple[str, ...]  # the shell command: EMAIL follows, USER_PASSWORD is read
    staff_option: str
    item_list: str
    item_create: str
    user_list: str
    user_edit: str  # with {id}
    # A user's id in the links of the user list (to their edit page).
    user_id_in_link: str
    # In the browser: the link to an item's edit page and its delete button, in its list row.
    edit_link: str
    delete_button: str
    save_button: str
    # A delete confirmed in a dialog of the page's own (SQLAdmin's modal), not the browser's
    # confirm(): its text ("...delete...", filled in by the admin's script when it opens) and
    # its button. Empty: confirm().
    confirm_text: str = ""
    confirm_button: str = ""


SHAPES = {
    "flask": AdminShape(
        create_user=("uv", "run", "flask", "--app", "demo_app", "users", "create"),
        staff_option="--staff",
        item_list="/admin/item/",
        item_create="/admin/item/new/",
        user_list="/admin/user/",
        user_edit="/admin/user/edit/?id={id}",
        user_id_in_link=r"[?&](?:amp;)?id=(\d+)",
        edit_link="a[title='Edit Record']",
        delete_button="button[title='Delete Record']",
        save_button="input[type=submit][value=Save]",
    ),
    # SQLAdmin: its own paths (/list, /create, /edit/ID); a delete is confirmed in its modal.
    "fastapi": AdminShape(
        create_user=("uv", "run", "python", "-m", "demo_app.users", "create"),
        staff_option="--staff",
        item_list="/admin/item/list",
        item_create="/admin/item/create",
        user_list="/admin/user/list",
        user_edit="/admin/user/edit/{id}",
        user_id_in_link=r"/admin/user/edit/(\d+)",
        edit_link="a[href*='/admin/item/edit/']",
        delete_button="a[data-bs-target='#modal-delete'][data-pk]",
        save_button="input[type=submit][value=Save]",
        confirm_text="#modal-delete-text",
        confirm_button="#modal-delete-button",
    ),
}
# The stacks with admin screens.
ADMIN_STACKS = sorted(SHAPES)


@dataclass
class Visitor:
    """One browser's worth of HTTP: its own cookies, and a new connection per request, so the
    two workers share the requests. Every answer is kept, to be searched afterwards."""

    base_url: str
    cookies: dict[str, str] = field(default_factory=dict)
    answers: list[httpx.Response] = field(default_factory=list)

    def request(self, method: str, path: str, data: dict[str, str] | None = None) -> httpx.Response:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        with httpx.Client(base_url=self.base_url, timeout=30) as client:
            response = client.request(method, path, headers=headers, data=data)
        for header in response.headers.get_list("set-cookie"):
            jar: SimpleCookie = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                if morsel["max-age"] == "0":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        self.answers.append(response)
        return response

    def get(self, path: str) -> httpx.Response:
        return self.request("GET", path)

    def submit(self, page: str, data: dict[str, str], action: str | None = None) -> httpx.Response:
        """Post the form of `page` to `action` (default: `page`), with its CSRF token if any."""
        match = CSRF_TOKEN.search(self.get(page).text)
        token = {"csrf_token": match.group(1)} if match else {}
        return self.request("POST", action or page, data={**token, **data})

    def log_in(self, email: str, password: str = PASSWORD) -> httpx.Response:
        return self.submit("/admin/login", {"username": email, "password": password})


@dataclass
class AdminSite:
    stack: str
    shape: AdminShape
    served: Served
    staff: str  # the email of a staff user the shell command made
    locked_out: str  # another one, for the throttle test

    def visitor(self) -> Visitor:
        return Visitor(self.served.url)

    def create_user(self, email: str, *, staff: bool) -> None:
        command = [*self.shape.create_user, *([self.shape.staff_option] if staff else []), email]
        run(command, self.served.project, env={**self.served.env, "USER_PASSWORD": PASSWORD})

    def register(self, email: str) -> None:
        response = httpx.post(
            f"{self.served.url}/api/auth/register",
            json={"email": email, "password": PASSWORD},
            timeout=30,
        )
        assert response.status_code == 201, response.text


def new_email(what: str) -> str:
    return f"{what}-{uuid.uuid4().hex[:12]}@example.com"


@pytest.fixture(scope="module", params=ADMIN_STACKS)
def admin_site(request: pytest.FixtureRequest, servers: Servers) -> AdminSite:
    """The stack's project with `admin=true`, served by `web` (2 workers), and two staff
    users created from the shell."""
    served = servers.get(request.param, admin=True)
    shape = SHAPES[request.param]
    site = AdminSite(request.param, shape, served, new_email("staff"), new_email("locked-out"))
    for email in (site.staff, site.locked_out):
        site.create_user(email, staff=True)
    return site


def form_field(name: str) -> str:
    """A form field's selector (the page's <meta name="description"> is not one)."""
    return f":is(input, textarea, select)[name={name}]"


def refused(response: httpx.Response) -> bool:
    """An admin answer that shows nothing: a redirect to the login page, or 401/403."""
    if response.status_code in {301, 302, 303, 307, 308}:
        return httpx.URL(response.headers["location"]).path.startswith("/admin/login")
    return response.status_code in {401, 403}


def check_assets(visitor: Visitor, page: httpx.Response) -> None:
    """Every script and stylesheet `page` loads comes from the app, and is there."""
    assets = ASSET.findall(page.text)
    assert assets, f"{page.request.url} loads no scripts or styles"
    for url in assets:
        assert not re.match(r"(https?:)?//", url), f"{url} is not served by the app"
        asset = visitor.get(url)
        kind = asset.headers.get("content-type", "")
        assert asset.status_code == 200 and ("css" in kind or "javascript" in kind), (url, kind)


def test_the_admin_pages_and_their_assets_are_served_by_the_app(admin_site: AdminSite) -> None:
    shape = admin_site.shape
    visitor = admin_site.visitor()
    login = visitor.get("/admin/login")
    check_assets(visitor, login)
    visitor.log_in(admin_site.staff)

    assert login.status_code == 200
    assert re.search(r'<input[^>]+name="username"', login.text), login.text[:2000]
    assert re.search(r'<input[^>]+name="password"', login.text)
    for path in ("/admin/", shape.item_list, shape.item_create, shape.user_list):
        page = visitor.get(path)
        assert page.status_code == 200, path
        check_assets(visitor, page)


def test_staff_log_in_and_no_admin_answer_holds_a_password_hash(admin_site: AdminSite) -> None:
    shape = admin_site.shape
    visitor = admin_site.visitor()
    someone = new_email("someone")
    admin_site.register(someone)

    logged_in = visitor.log_in(admin_site.staff)
    cookie = "\n".join(logged_in.headers.get_list("set-cookie"))
    home = visitor.get("/admin/")
    users = visitor.get(f"{shape.user_list}?search={someone}")
    user_ids = re.findall(shape.user_id_in_link, users.text)
    for page in (shape.item_list, shape.item_create, shape.user_list):
        assert visitor.get(page).status_code == 200, page
    for user_id in set(user_ids):
        assert visitor.get(shape.user_edit.format(id=user_id)).status_code == 200

    assert logged_in.status_code in {302, 303}, logged_in.text[:2000]
    assert httpx.URL(logged_in.headers["location"]).path == "/admin/"
    for flag in ("HttpOnly", "Secure", "SameSite=Lax"):
        assert re.search(rf";\s*{flag}", cookie, re.IGNORECASE), f"no {flag}: {cookie}"
    assert home.status_code == 200 and admin_site.staff in home.text
    assert someone in users.text and user_ids, "the user list's search found nobody"
    for answer in visitor.answers:
        assert PASSWORD_HASH not in answer.text, f"a password hash in {answer.request.url}"


def test_anonymous_and_non_staff_get_no_admin_page(admin_site: AdminSite) -> None:
    shape = admin_site.shape
    member = new_email("member")
    admin_site.register(member)
    anonymous = admin_site.visitor()
    not_staff = admin_site.visitor()
    pages = ["/admin/", shape.item_list, shape.item_create, shape.user_list]

    login = not_staff.log_in(member)
    for page in pages:
        for visitor in (anonymous, not_staff):
            response = visitor.get(page)
            assert refused(response), f"{page}: {response.status_code}"
            assert member not in response.text
    posted = anonymous.request("POST", shape.item_create, data={"name": "anonymous item"})

    assert login.status_code in {400, 401, 403}, f"a non-staff login: {login.status_code}"
    assert refused(posted) or posted.status_code == 400
    staff = admin_site.visitor()
    staff.log_in(admin_site.staff)
    assert "anonymous item" not in staff.get(shape.item_list).text


def test_the_admin_login_answers_429_after_ten_failures_across_workers(
    admin_site: AdminSite,
) -> None:
    """Each attempt comes on a new connection, so both gunicorn workers take some: the count
    lives in the database, not in a worker."""
    visitor = admin_site.visitor()
    for attempt in range(MAX_FAILURES):
        failed = visitor.log_in(admin_site.locked_out, WRONG)
        assert failed.status_code in {400, 401}, f"failure {attempt + 1}: {failed.status_code}"

    blocked = visitor.log_in(admin_site.locked_out)  # the right password waits too
    api = httpx.post(
        f"{admin_site.served.url}/api/auth/token",
        data={"username": admin_site.locked_out, "password": PASSWORD},
        timeout=30,
    )

    assert blocked.status_code == 429, blocked.text[:2000]
    assert int(blocked.headers["retry-after"]) > 0
    assert api.status_code == 429, "the API's login counts the admin's failures"
    assert refused(visitor.get(admin_site.shape.item_list))


@pytest.mark.browser
def test_staff_create_edit_and_delete_an_item_in_a_browser(
    chromium: str,  # noqa: F811
    admin_site: AdminSite,
) -> None:
    from playwright.sync_api import ConsoleMessage, Dialog, Request, sync_playwright

    shape = admin_site.shape
    # localhost, not 127.0.0.1: Chromium keeps a Secure cookie from http://localhost only.
    base = admin_site.served.url.replace("127.0.0.1", "localhost")
    name = f"browser item {uuid.uuid4().hex[:8]}"
    confirmations: list[str] = []
    policy_errors: list[str] = []
    elsewhere: list[str] = []  # requests to anywhere but the app

    def confirm(dialog: Dialog) -> None:
        confirmations.append(dialog.message)
        dialog.accept()

    def note_policy_errors(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            policy_errors.append(message.text)

    def note_request(request: Request) -> None:
        if not request.url.startswith(f"{base}/"):
            elsewhere.append(request.url)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=offline_flags())
        try:
            page = browser.new_page()
            page.set_default_timeout(30_000)
            page.on("dialog", confirm)
            page.on("console", note_policy_errors)
            page.on("request", note_request)
            page.goto(f"{base}/admin/")
            assert "/admin/login" in page.url, f"anonymous /admin/ showed {page.url}"
            page.fill("input[name=username]", admin_site.staff)
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(f"{base}/admin/")

            page.goto(f"{base}{shape.item_create}")
            page.fill(form_field("name"), name)
            page.fill(form_field("description"), "made in a browser")
            page.click(shape.save_button)
            row = page.locator("tr", has_text=name)
            row.wait_for()

            row.locator(shape.edit_link).click()
            page.fill(form_field("name"), f"{name} (edited)")
            page.click(shape.save_button)
            edited = page.locator("tr", has_text=f"{name} (edited)")
            edited.wait_for()

            edited.locator(shape.delete_button).click()
            if shape.confirm_button:
                confirm_button = page.locator(shape.confirm_button)
                confirm_button.wait_for()
                page.locator(shape.confirm_text, has_text="delete").wait_for()
                confirmations.append(page.locator(shape.confirm_text).inner_text())
                confirm_button.click()
            page.wait_for_load_state()
            page.locator("tr", has_text=name).wait_for(state="detached")
            listed = page.content()
        finally:
            browser.close()

    assert confirmations, "deleting asked for no confirmation (was its script blocked?)"
    assert name not in listed
    assert not policy_errors, "\n".join(policy_errors)
    assert not elsewhere, f"the admin's pages asked for {elsewhere}"
