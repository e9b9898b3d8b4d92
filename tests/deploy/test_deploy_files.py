"""The deployment files: the Containerfile passes hadolint, the Helm chart renders into
manifests that kubernetes-validate accepts (strict, against a current Kubernetes), and
the single-host compose file runs every process from the one image."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

from .chart_renderer import render_chart, render_template

ROOT = Path(__file__).resolve().parents[2]
CHART = ROOT / "deploy" / "helm" / "ciam"
KUBERNETES = "1.30.0"


def _hadolint() -> str:
    found = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
    return found


def test_containerfile_passes_hadolint():
    result = subprocess.run(
        [_hadolint(), "--failure-threshold", "info", str(ROOT / "Containerfile")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_containerfile_runs_as_non_root_from_the_lock_file_with_health_checks():
    text = (ROOT / "Containerfile").read_text()
    assert "--require-hashes -r requirements.lock" in text
    assert "USER 10001" in text
    assert "/healthz" in text
    assert "ciam.serve" in text  # refuses a taken port


def test_every_chart_manifest_is_valid_kubernetes():
    docs = render_chart(CHART)
    kinds = sorted(d["kind"] for d in docs)
    assert kinds == [
        "ConfigMap",
        "Deployment",
        "Deployment",
        "Deployment",
        "HorizontalPodAutoscaler",
        "Job",
        "PodDisruptionBudget",
        "Secret",
        "Service",
    ]
    for doc in docs:
        kubernetes_validate.validate(doc, KUBERNETES, strict=True)


def _by_name(docs: list[dict]) -> dict[str, dict]:
    return {f"{d['kind']}/{d['metadata']['name']}": d for d in docs}


def test_chart_shapes_web_worker_beat_and_the_migration_job():
    docs = _by_name(render_chart(CHART, release="prod"))
    web = docs["Deployment/prod-web"]["spec"]["template"]["spec"]["containers"][0]
    assert web["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert web["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert web["command"][:3] == ["python", "-m", "ciam.serve"]
    assert web["resources"]["limits"]["memory"] == "1Gi"
    beat = docs["Deployment/prod-beat"]["spec"]
    assert beat["replicas"] == 1 and beat["strategy"]["type"] == "Recreate"
    hpa = docs["HorizontalPodAutoscaler/prod-web"]["spec"]
    assert hpa["scaleTargetRef"]["name"] == "prod-web"
    job = docs["Job/prod-migrate-1"]["spec"]["template"]["spec"]["containers"][0]
    assert job["command"][:3] == ["python", "manage.py", "migrate_all_tenants"]
    assert docs["ConfigMap/prod-config"]["data"]["CIAM_BASE_DOMAIN"] == "login.example.com"
    for name in ("Deployment/prod-web", "Deployment/prod-worker", "Deployment/prod-beat"):
        assert docs[name]["spec"]["template"]["spec"]["securityContext"]["runAsNonRoot"]


def test_an_existing_secret_replaces_the_chart_secret():
    docs = _by_name(
        render_chart(CHART, overrides={"secret": {"existingSecret": "x", "values": {}}})
    )
    assert "Secret/ciam-secret" not in docs


def test_the_renderer_refuses_constructs_it_does_not_know():
    with pytest.raises(ValueError, match="not supported"):
        render_template('{{ include "x" . }}', {})


def test_compose_runs_every_process_from_one_image_after_migrating():
    compose = yaml.safe_load((ROOT / "deploy" / "compose.yaml").read_text())
    services = compose["services"]
    assert set(services) == {"postgres", "redis", "migrate", "web", "worker", "beat"}
    for name in ("migrate", "web", "worker", "beat"):
        assert services[name]["image"] == "${CIAM_IMAGE:-ciam:latest}"
        assert services[name]["build"]["dockerfile"] == "Containerfile"
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["migrate"]["condition"] == (
            "service_completed_successfully"
        )
    assert "/readyz" in " ".join(services["web"]["healthcheck"]["test"])
