"""The interactive path on a real pseudo-terminal: questions, the pick with its reasons,
a one-key override, the render, and the line that reproduces the run without questions."""

from __future__ import annotations

import os
import pty
import re
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import yaml
from helpers import clean_env
from test_update import COPIER, clone_template, commit_all

TEMPLATE_ANSWERS = [
    "-d",
    "description=A shop",
    "-d",
    "author_name=Ada",
    "-d",
    "author_email=ada@example.com",
    "-d",
    "python_version=3.12",
    "-d",
    "docker=false",
    "-d",
    "ci=none",
    # Copier asks the rest; these tests are about scaffold's own prompts.
    "-d",
    "auth=true",
    "-d",
    "worker=false",
    "-d",
    "trust_proxy_headers=false",
]


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class Terminal:
    """Just enough of `expect` for one CLI session."""

    def __init__(self, args: list[str], cwd: Path) -> None:
        self.master, slave = pty.openpty()
        self.process = subprocess.Popen(
            args,
            cwd=cwd,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=clean_env(TERM="xterm", COLUMNS="120"),
            start_new_session=True,
            # As a shell starts a foreground command: SIGINT at its default. A disposition of
            # "ignore" is inherited, and Python then installs no KeyboardInterrupt handler;
            # a test that ran earlier in this worker may have left SIGINT ignored.
            preexec_fn=_default_sigint,
        )
        os.close(slave)
        self.screen = ""

    def expect(self, text: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.screen:
            remaining = deadline - time.monotonic()
            assert remaining > 0, f"never saw {text!r}; screen so far:\n{self.screen[-3000:]}"
            ready, _, _ = select.select([self.master], [], [], remaining)
            if ready:
                try:
                    chunk = os.read(self.master, 4096)
                except OSError:  # the child closed the terminal
                    chunk = b""
                if not chunk:
                    assert text in self.screen, f"exited before {text!r}:\n{self.screen[-3000:]}"
                self.screen += chunk.decode(errors="replace")

    def send(self, keys: str) -> None:
        os.write(self.master, keys.encode())

    def press(self, key: str, until: str) -> None:
        """One keypress for a raw-mode prompt. Switching to raw mode flushes keys typed
        before it, so a key sent too early is lost: press again until it took effect."""
        for _ in range(10):
            time.sleep(0.3)
            self.send(key)
            try:
                self.expect(until, timeout=3)
                return
            except AssertionError:
                continue
        self.expect(until, timeout=1)

    def wait(self, timeout: float = 120, keep_pressing: str = "") -> int:
        """The exit status, once the process ends; `keep_pressing` is sent every half second
        meanwhile (a key sent before a prompt is simply lost)."""
        self.read_until_exit(timeout, keep_pressing)
        return self.process.wait(timeout=30)

    def read_until_exit(self, timeout: float, keep_pressing: str = "") -> bool:
        """Keep the screen up to date until the process has ended and all it wrote is read
        (True), or `timeout` passes (False)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            exited = self.process.poll() is not None
            ready, _, _ = select.select([self.master], [], [], 0 if exited else 0.5)
            chunk = b""
            if ready:
                try:
                    chunk = os.read(self.master, 4096)
                except OSError:  # the child closed the terminal
                    chunk = b""
                self.screen += chunk.decode(errors="replace")
            if exited and not chunk:
                return True
            if keep_pressing and not exited:
                self.send(keep_pressing)
        return False


def test_questions_pick_override_render_and_reproduce(tmp_path: Path) -> None:
    terminal = Terminal(
        [
            sys.executable,
            "-m",
            "scaffold",
            "new",
            "shop",
            "--no-install",
            "--vcs-ref",
            "HEAD",
            *TEMPLATE_ANSWERS,
        ],
        tmp_path,
    )
    for answer in ("1", "1", "", "1", "", ""):  # product, admin yes, -, relational yes, -, -
        terminal.expect("Enter for no preference")
        terminal.screen = ""
        terminal.send(answer + "\r")
    terminal.expect("[Enter] use django")
    assert "Because:" in terminal.screen and "Runner-up:" in terminal.screen
    terminal.press("3", until="Using flask instead of django.")  # another stack, one key
    terminal.expect("To do this again without questions:")
    assert terminal.wait() == 0, terminal.screen[-3000:]
    reproduce = terminal.screen.split("To do this again without questions:", 1)[1]
    for flag in ("-f flask", "--kind product", "--admin", "--relational", "--yes"):
        assert flag in reproduce, reproduce

    answers = yaml.safe_load((tmp_path / "shop" / ".copier-answers.yml").read_text())
    assert answers["framework"] == "flask"
    assert answers["stack_answers"] == {"kind": "product", "admin": True, "relational": True}
    assert answers["stack_reasons"] == ["Chosen by hand over the recommended django."]
    assert answers["description"] == "A shop" and answers["docker"] is False


def test_accepting_the_pick_records_its_reasons(tmp_path: Path) -> None:
    terminal = Terminal(
        [
            sys.executable,
            "-m",
            "scaffold",
            "new",
            "svc",
            "--no-install",
            "--no-git",
            "--vcs-ref",
            "HEAD",
            "--kind",
            "service",
            "--team",
            "small",
            "--no-admin",
            "--no-concurrency",
            "--no-relational",
            "--no-api-docs",
            *TEMPLATE_ANSWERS,
        ],
        tmp_path,
    )
    terminal.expect("[Enter] use flask")
    terminal.press("\r", until="Using flask.")
    assert terminal.wait() == 0, terminal.screen[-3000:]
    answers = yaml.safe_load((tmp_path / "svc" / ".copier-answers.yml").read_text())
    assert answers["framework"] == "flask" and answers["stack_reasons"]
    readme = (tmp_path / "svc" / "README.md").read_text()
    assert answers["stack_reasons"][0] in readme.split("## Why this stack", 1)[1]


def test_plain_copier_asks_the_stack_on_copy_and_never_on_update(tmp_path: Path) -> None:
    """The template works without scaffold: `copier copy` asks for the stack, and an
    interactive `copier update` (every other question asked again) does not."""
    template = clone_template(tmp_path / "template")
    data = [arg.replace("auth=true", "auth=false") for arg in TEMPLATE_ANSWERS]
    data += ["-d", "project_name=shop", "-d", "package_name=shop"]
    copy = Terminal([*COPIER, "copy", "--trust", *data, str(template), "shop"], tmp_path)
    copy.expect("Which stack should the project use?")
    copy.press("\r", until="Copying from template")  # the default, FastAPI
    assert copy.wait() == 0, copy.screen[-3000:]
    project = tmp_path / "shop"
    assert yaml.safe_load((project / ".copier-answers.yml").read_text())["framework"] == "fastapi"

    subprocess.run(["git", "init", "-q"], cwd=project, check=True)
    commit_all(project, "generated")
    update = Terminal([*COPIER, "update", "--trust"], project)
    # Enter keeps each recorded answer.
    assert update.wait(keep_pressing="\r") == 0, update.screen[-3000:]
    assert "Which stack" not in update.screen, update.screen[-3000:]
    assert "Author name" in update.screen  # the other questions were asked again
    assert yaml.safe_load((project / ".copier-answers.yml").read_text())["framework"] == "fastapi"


def _ctrl_c(terminal: Terminal) -> None:
    """Ctrl-C as a terminal sends it: SIGINT to the foreground process group (the test's
    pty is not the child's controlling terminal, so the key alone would not signal it).
    On a loaded machine a signal sent as the prompt appears was once lost; like a user, press
    again if nothing happened within ten seconds, and the key too: a prompt reading the
    terminal in raw mode takes the byte itself as Ctrl-C."""
    for attempt in range(12):
        os.killpg(terminal.process.pid, signal.SIGINT)
        if attempt:
            terminal.send("\x03")
        if terminal.read_until_exit(timeout=10):
            return


def _one_error_line(screen: str) -> str:
    """The one `error:` line, with the escape codes a prompt left on its line removed."""
    plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", screen)
    errors = [line.strip() for line in plain.splitlines() if line.strip().startswith("error:")]
    assert len(errors) == 1, screen[-3000:]
    assert "Aborted" not in screen and "Traceback" not in screen, screen[-3000:]
    return errors[0]


def test_ctrl_c_in_the_recommender_exits_130_saying_nothing_was_left(tmp_path: Path) -> None:
    terminal = Terminal(
        [sys.executable, "-m", "scaffold", "new", "shop", "--no-install", *TEMPLATE_ANSWERS],
        tmp_path,
    )
    terminal.expect("Enter for no preference")
    _ctrl_c(terminal)
    assert terminal.wait() == 130, terminal.screen[-3000:]
    assert _one_error_line(terminal.screen) == "error: Interrupted; nothing was left behind."
    assert not (tmp_path / "shop").exists()


def test_ctrl_c_in_scaffold_recommend_exits_130(tmp_path: Path) -> None:
    terminal = Terminal([sys.executable, "-m", "scaffold", "recommend"], tmp_path)
    terminal.expect("Enter for no preference")
    _ctrl_c(terminal)
    assert terminal.wait() == 130, terminal.screen[-3000:]
    assert _one_error_line(terminal.screen) == "error: Interrupted; nothing was written."


def test_ctrl_c_in_copier_s_questions_exits_130_and_removes_the_project(tmp_path: Path) -> None:
    without_description = [arg for arg in TEMPLATE_ANSWERS if arg != "description=A shop"]
    without_description.remove("-d")  # the -d that preceded it (all -d are alike)
    terminal = Terminal(
        [
            sys.executable,
            "-m",
            "scaffold",
            "new",
            "shop",
            "-f",
            "flask",
            "--no-install",
            "--vcs-ref",
            "HEAD",
            *without_description,
        ],
        tmp_path,
    )
    terminal.expect("description")
    time.sleep(0.5)  # let the question's prompt take the terminal
    _ctrl_c(terminal)
    assert terminal.wait() == 130, terminal.screen[-3000:]
    assert _one_error_line(terminal.screen) == "error: Interrupted; nothing was left behind."
    assert not (tmp_path / "shop").exists()
