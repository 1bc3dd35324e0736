"""Where an extracted file comes from: the installed distribution that ships it, its version and
license, and the file's path within it (so a dataset can carry a license per row)."""

from __future__ import annotations

import functools
import importlib.metadata
import os


@functools.lru_cache(maxsize=None)
def _distributions() -> tuple:
    """(install folder, distribution, the set of its files) for every installed distribution."""
    found = []
    for dist in importlib.metadata.distributions():
        files = dist.files or []
        if not files:
            continue
        root = os.path.realpath(str(dist.locate_file("")))
        found.append((root, dist, frozenset(str(f).replace(os.sep, "/") for f in files)))
    return tuple(found)


def license_of(metadata) -> str:
    """The license as the distribution declares it: its SPDX expression, else a short License
    field, else the license classifier; "unknown" when it declares none."""
    expression = metadata.get("License-Expression")
    if expression:
        return expression.strip()
    text = (metadata.get("License") or "").strip()
    if text and "\n" not in text and len(text) <= 80:
        return text
    for classifier in metadata.get_all("Classifier") or []:
        if classifier.startswith("License ::"):
            return classifier.rsplit("::", 1)[1].strip()
    return "unknown"


def provenance(path: str) -> dict | None:
    """{"distribution", "version", "license", "file"} for a file an installed distribution ships
    (``file`` relative to the install folder, as the distribution lists it); None otherwise."""
    real = os.path.realpath(path)
    for root, dist, files in _distributions():
        if not real.startswith(root + os.sep):
            continue
        relative = os.path.relpath(real, root).replace(os.sep, "/")
        if relative in files:
            metadata = dist.metadata
            return {
                "distribution": metadata["Name"],
                "version": metadata["Version"],
                "license": license_of(metadata),
                "file": relative,
            }
    return None
