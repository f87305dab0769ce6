"""deploy/k8s: valid against Kubernetes' own schema (bundled, offline), and wired together right.

kubernetes-validate ships the JSON schemas of each Kubernetes release, so nothing is fetched.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

from tests.e2e.browser import ROOT

K8S = ROOT / "deploy" / "k8s"
KUBERNETES_VERSION = "1.33.0"  # a release current cloud providers offer; fields used exist since 1.23
HEALTH = "/_stcore/health"


def documents(path: Path) -> list[dict]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


def by_kind(kind: str, folder: Path = K8S) -> dict:
    found = [doc for path in sorted(folder.glob("*.yaml")) for doc in documents(path) if doc["kind"] == kind]
    assert len(found) == 1, f"expected one {kind} in {folder}, found {len(found)}"
    return found[0]


def strategic_merge(base: dict, patch: dict) -> dict:
    """What kustomize does with the GPU patch: maps merge, lists of named items merge by name, others replace."""
    merged = copy.deepcopy(base)
    for key, value in patch.items():
        old = merged.get(key)
        if isinstance(old, dict) and isinstance(value, dict):
            merged[key] = strategic_merge(old, value)
        elif isinstance(old, list) and value and all(isinstance(item, dict) and "name" in item for item in value):
            names = {item["name"]: item for item in value}
            merged[key] = [strategic_merge(item, names.pop(item["name"], {})) for item in old] + list(names.values())
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def gpu_deployment() -> dict:
    overlay = yaml.safe_load((K8S / "gpu" / "kustomization.yaml").read_text())
    assert overlay["resources"] == ["../"]
    [patch] = [documents(K8S / "gpu" / entry["path"])[0] for entry in overlay["patches"]]
    return strategic_merge(by_kind("Deployment"), patch)


def quantity(text: str | int) -> float:
    """A Kubernetes resource quantity in base units: '500m' -> 0.5, '2Gi' -> 2**31, '2' -> 2."""
    number, suffix = re.fullmatch(r"([0-9.]+)([a-zA-Z]*)", str(text)).groups()
    scale = {"": 1, "m": 1e-3, "k": 1e3, "M": 1e6, "G": 1e9, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30}[suffix]
    return float(number) * scale


def app_container(deployment: dict) -> dict:
    [container] = deployment["spec"]["template"]["spec"]["containers"]
    return container


def test_kustomization_lists_every_manifest_but_the_secret_template():
    listed = set(yaml.safe_load((K8S / "kustomization.yaml").read_text())["resources"])
    present = {p.name for p in K8S.glob("*.yaml")} - {"kustomization.yaml", "secret.example.yaml"}
    assert listed == present


@pytest.mark.parametrize("name", ["CPU", "GPU"])
def test_every_object_passes_the_kubernetes_schema(name):
    objects = [doc for path in sorted(K8S.glob("*.yaml")) for doc in documents(path) if doc["kind"] != "Kustomization"]
    if name == "GPU":
        objects = [gpu_deployment()]
    assert len(objects) >= (5 if name == "CPU" else 1)
    for obj in objects:
        # strict: an unknown (misspelt) field is an error, as `kubectl apply --validate=strict` makes it
        kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)


def test_the_validator_rejects_a_misspelt_field():
    broken = copy.deepcopy(by_kind("Deployment"))
    app_container(broken)["readinesProbe"] = app_container(broken).pop("readinessProbe")
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSION, strict=True)


@pytest.mark.parametrize("deployment", [by_kind("Deployment"), gpu_deployment()], ids=["CPU", "GPU"])
def test_probes_resources_and_cookie_secret(deployment):
    container = app_container(deployment)
    port_names = {port["name"]: port["containerPort"] for port in container["ports"]}
    assert port_names == {"http": 8501}  # the Dockerfile's EXPOSE / server.port
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        check = container[probe]["httpGet"]
        assert (check["path"], check["port"]) == (HEALTH, "http"), probe
    requests, limits = container["resources"]["requests"], container["resources"]["limits"]
    assert set(requests) <= set(limits)
    for resource, amount in requests.items():
        assert quantity(amount) <= quantity(limits[resource]), resource
    secret = by_kind("Secret")
    [cookie_env] = [env for env in container["env"] if env["name"] == "STREAMLIT_SERVER_COOKIE_SECRET"]
    reference = cookie_env["valueFrom"]["secretKeyRef"]
    assert reference["name"] == secret["metadata"]["name"]
    assert reference["key"] in secret["stringData"]
    pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert deployment["spec"]["selector"]["matchLabels"].items() <= pod_labels.items()
    assert deployment["spec"]["template"]["spec"]["securityContext"]["runAsNonRoot"] is True


def test_gpu_variant_asks_for_a_gpu_node():
    deployment = gpu_deployment()
    pod = deployment["spec"]["template"]["spec"]
    assert quantity(app_container(deployment)["resources"]["limits"]["nvidia.com/gpu"]) == 1
    assert pod["nodeSelector"] and any(t["key"] == "nvidia.com/gpu" for t in pod["tolerations"])
    assert app_container(deployment)["image"] != app_container(by_kind("Deployment"))["image"]


def test_service_ingress_and_autoscaler_point_at_the_deployment():
    kinds = ("Deployment", "Service", "Ingress", "HorizontalPodAutoscaler")
    deployment, service, ingress, hpa = (by_kind(kind) for kind in kinds)
    pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert service["spec"]["selector"].items() <= pod_labels.items()
    assert {port["targetPort"] for port in service["spec"]["ports"]} == {"http"}
    [rule] = ingress["spec"]["rules"]
    backend = rule["http"]["paths"][0]["backend"]["service"]
    assert backend["name"] == service["metadata"]["name"]
    assert backend["port"]["name"] in {port["name"] for port in service["spec"]["ports"]}
    annotations = ingress["metadata"]["annotations"]
    assert annotations["nginx.ingress.kubernetes.io/affinity"] == "cookie"
    assert annotations["nginx.ingress.kubernetes.io/session-cookie-name"]
    assert int(annotations["nginx.ingress.kubernetes.io/proxy-read-timeout"]) >= 3600
    target = hpa["spec"]["scaleTargetRef"]
    assert (target["apiVersion"], target["kind"], target["name"]) == (
        deployment["apiVersion"],
        deployment["kind"],
        deployment["metadata"]["name"],
    )
    assert hpa["apiVersion"] == "autoscaling/v2"
    assert 1 <= hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"]
    [metric] = hpa["spec"]["metrics"]
    assert metric["resource"]["name"] == "cpu"
    # Utilization is measured against the CPU request, which must therefore exist.
    assert "cpu" in app_container(deployment)["resources"]["requests"]
