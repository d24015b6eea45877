#!/usr/bin/python3
"""Checks that every kustomization.yaml under a folder uses only what
kustomize v2.0.3 renders (Debian 12's kubectl 1.20, package kubernetes-client,
the kubectl that scripts/install-deps.sh installs on a fresh machine).

Newer kustomize renders this subset the same way (deploy/README.md,
"Validation"), apart from the hash suffix of generated names. The check
exists so that a field only a newer kubectl knows (`labels:`, `patches:`,
`envs:`, per-generator `options:`, a folder under `resources:`) is caught on
every machine, not only on a fresh one.

Usage: check_kustomize_subset.py DIR   (exit 1 and one line per violation)
"""
import os
import sys

import yaml

# Fields of the Kustomization type in kustomize v2.0.3.
TOP_LEVEL = {
    "apiVersion", "kind", "namespace", "namePrefix", "nameSuffix", "commonLabels",
    "commonAnnotations", "resources", "bases", "crds", "configMapGenerator",
    "secretGenerator", "generatorOptions", "patchesStrategicMerge", "patchesJson6902",
    "images", "vars",
}
GENERATOR = {"name", "namespace", "behavior", "literals", "files", "env", "type"}
GENERATOR_OPTIONS = {"labels", "annotations", "disableNameSuffixHash"}
JSON6902 = {"target", "path"}
TARGET = {"group", "version", "kind", "name", "namespace"}
IMAGE = {"name", "newName", "newTag", "digest"}


def check(path):
    errors = []
    folder = os.path.dirname(path)
    with open(path) as f:
        k = yaml.safe_load(f) or {}

    def err(msg):
        errors.append(f"{path}: {msg}")

    def keys(obj, allowed, where):
        if not isinstance(obj, dict):
            err(f"{where}: expected a mapping")
            return
        for key in obj:
            if key not in allowed:
                err(f"{where}: '{key}' is not known to kustomize v2.0.3")

    keys(k, TOP_LEVEL, "top level")
    for entry in k.get("resources") or []:
        if not os.path.isfile(os.path.join(folder, entry)):
            err(f"resources: '{entry}' is not a file (kustomize v2.0.3 takes folders under bases:)")
    for entry in (k.get("bases") or []) + (k.get("crds") or []):
        if not os.path.exists(os.path.join(folder, entry)):
            err(f"'{entry}' does not exist")
    for field in ("configMapGenerator", "secretGenerator"):
        for i, g in enumerate(k.get(field) or []):
            keys(g, GENERATOR, f"{field}[{i}]")
            if isinstance(g, dict) and isinstance(g.get("env"), list):
                err(f"{field}[{i}].env: one file name, not a list")
    if "generatorOptions" in k:
        keys(k["generatorOptions"], GENERATOR_OPTIONS, "generatorOptions")
    for i, p in enumerate(k.get("patchesStrategicMerge") or []):
        if not isinstance(p, str) or "\n" in p or not os.path.isfile(os.path.join(folder, p)):
            err(f"patchesStrategicMerge[{i}]: must name a patch file (v2.0.3 takes no inline patch)")
    for i, p in enumerate(k.get("patchesJson6902") or []):
        keys(p, JSON6902, f"patchesJson6902[{i}]")
        if isinstance(p, dict):
            keys(p.get("target"), TARGET, f"patchesJson6902[{i}].target")
            for need in ("version", "kind", "name"):
                if need not in (p.get("target") or {}):
                    err(f"patchesJson6902[{i}].target: '{need}' is required (no selection by kind alone)")
            if "path" not in p or not os.path.isfile(os.path.join(folder, p["path"])):
                err(f"patchesJson6902[{i}]: must name a patch file")
    for i, image in enumerate(k.get("images") or []):
        keys(image, IMAGE, f"images[{i}]")
    return errors


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    found = 0
    errors = []
    for dirpath, _, files in sorted(os.walk(sys.argv[1])):
        for name in files:
            if name in ("kustomization.yaml", "kustomization.yml", "Kustomization"):
                found += 1
                errors += check(os.path.join(dirpath, name))
    if not found:
        errors.append(f"no kustomization.yaml under {sys.argv[1]}")
    for e in errors:
        print(f"FAIL: {e}")
    if errors:
        sys.exit(1)
    print(f"{found} kustomizations in the kustomize v2.0.3 subset")


if __name__ == "__main__":
    main()
