"""`scaffold update` and `scaffold check-update`: the checks around Copier's own update.

Copier does the merge; this module makes sure it runs only where it is safe (a generated
project, a clean git tree, a reachable template, the same framework), previews it in a
throwaway clone for --dry-run, and lists the files left with conflicts.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from scaffold import proc, render
from scaffold import source as sources
from scaffold.errors import Interrupted, ScaffoldError, UsageError

CONFLICT_MARKER = re.compile(r"^<{7} before updating", re.MULTILINE)


# Features that work only with another on (copier.yml's validators refuse one without the
# other): `scaffold add` turns both on, in one update.
FEATURE_NEEDS = {"admin": ("auth",)}


class UpdateRefused(UsageError):
    """The update cannot start; nothing was changed."""


@dataclass
class UpdateResult:
    project: Path
    before: str
    after: str
    changed: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def up_to_date(self) -> bool:
        """Nothing to do: the same template version and not one file changed."""
        return self.before == self.after and not self.changed and not self.conflicts


def target_ref(template: str, vcs_ref: str | None) -> tuple[str | None, list[str]]:
    """The ref to hand Copier, and what to tell the user about it. A template without release
    tags is said once, here, and rendered at HEAD explicitly: left to Copier, every one of its
    steps would look for tags and print its own warning (up to four in one command)."""
    if vcs_ref is not None or sources.latest_tag(template) is not None:
        return vcs_ref, []
    return "HEAD", [f"The template at {template} has no release tags; using its newest commit."]


def project_answers(project: Path) -> dict[str, Any]:
    """The recorded answers of a generated project, or a refusal saying it is not one."""
    if not (project / render.ANSWERS_FILE).is_file():
        raise UpdateRefused(
            f"{project} is not a generated project (no {render.ANSWERS_FILE}); run this inside "
            "one or pass its path."
        )
    return render.read_answers(project)


def recorded_source(answers: dict[str, Any]) -> str:
    """The template source the answers file records, refused if git would read an option."""
    source = str(answers.get("_src_path") or "")
    if not source:
        raise UpdateRefused(f"{render.ANSWERS_FILE} does not say which template made it.")
    for key, value in (("_src_path", source), ("_commit", str(answers.get("_commit") or ""))):
        if value.startswith("-"):
            raise UpdateRefused(
                f"{key} in {render.ANSWERS_FILE} is {value!r}, which starts with '-' and so "
                "would reach git as an option; restore the file from git history "
                "(`git log -p -- .copier-answers.yml`) before updating."
            )
    return source


def preflight(project: Path, data: dict[str, Any], vcs_ref: str | None = None) -> dict[str, Any]:
    """Refuse, in one sentence, anything that would make the update unsafe."""
    project = project.resolve()
    answers = project_answers(project)
    if "framework" in data and data["framework"] != answers.get("framework"):
        raise UpdateRefused(
            f"This project is {answers.get('framework')}; changing the framework is not an "
            "update: generate a new project with `scaffold new` instead."
        )
    inside = proc.git("rev-parse", "--show-toplevel", cwd=project)
    if inside.returncode != 0:
        raise UpdateRefused(f"{project} is not a git repository; `git init` and commit it first.")
    if proc.git("status", "--porcelain", cwd=project).stdout.strip():
        raise UpdateRefused(
            f"{project} has uncommitted changes; commit or stash them first, so the update "
            "can be reviewed and undone."
        )
    template = recorded_source(answers)
    if vcs_ref is not None:
        sources.refuse_option_like(vcs_ref, "The version")
    if not sources.reachable(template):
        if not sources.is_remote(template):
            raise UpdateRefused(
                f"The template {template} recorded in {render.ANSWERS_FILE} is not there; "
                "restore it (or re-clone scaffold there) and try again."
            )
        raise UpdateRefused(f"The template {template} cannot be reached; check the network.")
    return answers


def conflicts(project: Path) -> list[str]:
    """Files the update left with conflict markers or .rej files."""
    listed = proc.git(
        "status", "--porcelain", "--untracked-files=all", cwd=project
    ).stdout.splitlines()
    found = []
    for line in listed:
        name = line[3:].strip().strip('"')
        path = project / name
        if name.endswith(".rej"):
            found.append(name)
        elif path.is_file():
            try:
                if CONFLICT_MARKER.search(path.read_text(encoding="utf-8")):
                    found.append(name)
            except UnicodeDecodeError:
                continue
    return sorted(found)


def run(
    project: Path,
    data: dict[str, Any],
    *,
    vcs_ref: str | None,
    conflict: Literal["inline", "rej"],
    dry_run: bool,
    interactive: bool,
) -> UpdateResult:
    answers = preflight(project, data, vcs_ref)
    ref, notes = target_ref(recorded_source(answers), vcs_ref)
    workdir = project.resolve()
    scratch = None
    try:
        if dry_run:
            # Rehearse in a clone: the user's tree is never touched, whatever Copier does.
            scratch = Path(tempfile.mkdtemp(prefix="scaffold-update-"))
            workdir = scratch / project.resolve().name
            _rehearsal_clone(project.resolve(), workdir)
        render.update(
            workdir,
            data,
            vcs_ref=ref,
            conflict=conflict,
            defaults=not interactive,
            quiet=not interactive,
        )
        changed = [
            line[3:].strip()
            for line in proc.git(
                "status", "--porcelain", "--untracked-files=all", cwd=workdir
            ).stdout.splitlines()
        ]
        return UpdateResult(
            project=project.resolve(),
            before=str(answers.get("_commit")),
            after=str(render.read_answers(workdir).get("_commit")),
            changed=changed,
            conflicts=conflicts(workdir),
            notes=notes,
        )
    except KeyboardInterrupt as error:
        raise Interrupted(
            "Interrupted; nothing was changed."
            if dry_run
            else "Interrupted; check `git status`, then `git stash` or `git checkout .` to undo."
        ) from error
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)


def add(
    project: Path, feature: str, *, vcs_ref: str | None, dry_run: bool, interactive: bool
) -> UpdateResult | None:
    """`scaffold update -d FEATURE=true`, for a yes/no question the template offers this
    project, with the features it needs (FEATURE_NEEDS); None when it is already on."""
    answers = preflight(project, {}, vcs_ref)
    source = recorded_source(answers)
    offered = render.features(project.resolve(), source, target_ref(source, vcs_ref)[0], answers)
    if feature not in offered:
        raise UsageError(
            f"{feature!r} is not a feature the template offers a {answers.get('framework')} "
            f"project; choose one of: {', '.join(offered) or 'none'}."
        )
    if answers.get(feature) is True:
        return None
    turned_on = {feature: "true"}
    for need in FEATURE_NEEDS.get(feature, ()):
        if answers.get(need) is not True:
            turned_on[need] = "true"
    return run(
        project,
        turned_on,
        vcs_ref=vcs_ref,
        conflict="inline",
        dry_run=dry_run,
        interactive=interactive,
    )


def _rehearsal_clone(project: Path, workdir: Path) -> None:
    cloned = proc.git("clone", "-q", "--", str(project), str(workdir))
    if cloned.returncode != 0:
        raise ScaffoldError(
            f"Could not copy {project} to rehearse the update "
            f"(git clone: {proc.last_line(cloned.stderr)}); "
            "check the space and permissions of the temporary directory ($TMPDIR)."
        )


def check(project: Path) -> dict[str, Any]:
    project = project.resolve()
    answers = project_answers(project)
    template = recorded_source(answers)
    current = str(answers.get("_commit", ""))
    releases = sources.release_tags(template)
    latest = releases[0] if releases else None
    current_version, latest_version = sources.version(current), sources.version(latest or "")
    available = (
        latest is not None
        and (current_version is None or (latest_version or ()) > current_version)
        and latest != current
    )
    return {
        "project": str(project),
        "template": template,
        "framework": answers.get("framework"),
        "current": current,
        "latest": latest,
        "releases": releases,
        "update_available": available,
    }
