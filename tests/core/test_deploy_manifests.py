"""deploy/kubernetes: every manifest validates against the Kubernetes schemas (kubernetes-validate,
strict: an unknown field fails), and the shape is the one issue 11 asks for: web with replicas,
readiness and liveness probes on pages that exist and a HorizontalPodAutoscaler; workers; exactly
one beat; a migration Job; PgBouncer in transaction mode; Redis."""

import re
from pathlib import Path

import kubernetes_validate
import pytest
import yaml
from django.urls import resolve

DEPLOY = Path(__file__).resolve().parents[2] / "deploy" / "kubernetes"
KUBERNETES_VERSION = "1.37.0"


def documents() -> list[dict]:
    docs = []
    for path in sorted(DEPLOY.glob("*.yaml")):
        if path.name == "kustomization.yaml":
            continue
        docs += [doc for doc in yaml.safe_load_all(path.read_text()) if doc]
    return docs


def find(kind: str, name: str) -> dict:
    matches = [doc for doc in documents() if doc["kind"] == kind and doc["metadata"]["name"] == name]
    assert len(matches) == 1, f"{kind}/{name}: {len(matches)} found"
    return matches[0]


def container(workload: dict) -> dict:
    [first] = workload["spec"]["template"]["spec"]["containers"]
    return first


@pytest.mark.parametrize("doc", documents(), ids=lambda doc: f"{doc['kind']}/{doc['metadata']['name']}")
def test_each_manifest_validates_strictly(doc):
    kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)


def test_kustomization_lists_every_manifest():
    listed = set(yaml.safe_load((DEPLOY / "kustomization.yaml").read_text())["resources"])
    assert listed == {path.name for path in DEPLOY.glob("*.yaml")} - {"kustomization.yaml"}


def test_web_has_replicas_probes_on_real_pages_and_an_autoscaler():
    web = find("Deployment", "web")
    assert web["spec"]["replicas"] >= 2
    probes = container(web)
    assert probes["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert probes["livenessProbe"]["httpGet"]["path"] == "/healthz"
    for path in ("/readyz", "/healthz"):
        resolve(path)  # the probes name pages the URL conf serves
    hpa = find("HorizontalPodAutoscaler", "web")
    assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}
    assert hpa["spec"]["minReplicas"] >= 2 and hpa["spec"]["maxReplicas"] > hpa["spec"]["minReplicas"]
    assert find("Service", "web")["spec"]["selector"] == web["spec"]["selector"]["matchLabels"]


def test_workers_and_exactly_one_beat_that_never_overlaps_in_a_rollout():
    worker = find("Deployment", "worker")
    assert worker["spec"]["replicas"] >= 2 and container(worker)["command"][:4] == ["celery", "-A", "uscis_portal", "worker"]
    beats = [doc for doc in documents() if doc["kind"] in {"Deployment", "StatefulSet", "DaemonSet"}
             and "beat" in container(doc).get("command", [])]
    assert [doc["metadata"]["name"] for doc in beats] == ["beat"]
    assert beats[0]["spec"]["replicas"] == 1 and beats[0]["spec"]["strategy"] == {"type": "Recreate"}


def test_the_migration_job_migrates_straight_to_postgres():
    job = find("Job", "migrate")
    command = " ".join(container(job)["command"])
    assert "manage.py migrate --noinput" in command and "load_directory" in command
    assert "DATABASE_DIRECT_URL" in command and "DATABASE_BEHIND_PGBOUNCER=false" in command
    assert job["spec"]["template"]["spec"]["restartPolicy"] == "Never"


def test_pgbouncer_runs_in_transaction_mode_and_django_is_set_for_it(monkeypatch):
    ini = find("ConfigMap", "pgbouncer-config")["data"]["pgbouncer.ini"]
    assert re.search(r"^pool_mode = transaction$", ini, re.M)
    config = find("ConfigMap", "portal-config")["data"]
    assert config["DATABASE_BEHIND_PGBOUNCER"] == "true"
    assert "pgbouncer:6432" in (DEPLOY / "config.yaml").read_text()  # the app's DATABASE_URL goes through it

    from uscis_portal.settings import base

    database = base.database_from_url("postgres://portal@pgbouncer:6432/portal")  # default: not behind PgBouncer
    assert database.get("DISABLE_SERVER_SIDE_CURSORS") is not True
    monkeypatch.setenv("DATABASE_BEHIND_PGBOUNCER", "true")
    behind = base.database_from_url("postgres://portal@pgbouncer:6432/portal")
    assert behind["DISABLE_SERVER_SIDE_CURSORS"] is True and behind["OPTIONS"] == {"prepare_threshold": None}


def test_redis_and_every_portal_container_reads_the_config_and_the_secret():
    assert find("StatefulSet", "redis") and find("Service", "redis")
    config = find("ConfigMap", "portal-config")["data"]
    assert config["CELERY_BROKER_URL"].startswith("redis://redis:6379/")
    assert config["DJANGO_SETTINGS_MODULE"] == "uscis_portal.settings.production"
    for name in ("web", "worker", "beat"):
        sources = container(find("Deployment", name))["envFrom"]
        assert {"configMapRef": {"name": "portal-config"}} in sources and {"secretRef": {"name": "portal-secrets"}} in sources
    # Every variable production settings require is in the config or named in the Secret's recipe.
    recipe = (DEPLOY / "config.yaml").read_text()
    for required in ("DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL",
                     "EMAIL_URL", "PORTAL_BASE_URL"):
        assert required in config or f"--from-literal={required}=" in recipe, required
