"""Version stamps: which classifier data and which software produced an answer.

Every result Kasip gives can be traced: ``data_version()`` changes whenever
the NKZ data file changes, ``SOFTWARE_VERSION`` with each release.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from importlib import metadata

from knowledge.tree import DATA_FILE

NKZ_EDITION = "NKZ 2017 (НК РК 01-2017)"


@lru_cache(maxsize=1)
def data_version() -> str:
    """Short hash of all the knowledge data (NKZ, group knowledge, aliases), e.g. ``nkz2017-3f9a1c2b``.

    Anything that can change an answer changes the stamp: the classifier
    itself, and the descriptions, aliases and abbreviations the resolver reads.
    """
    digest = hashlib.sha256()
    data = DATA_FILE.parent
    for path in [*sorted(data.glob("*.tsv")), *sorted((data / "groups").glob("*.json"))]:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return f"nkz2017-{digest.hexdigest()[:8]}"


def software_version() -> str:
    try:
        return metadata.version("kasip")
    except metadata.PackageNotFoundError:
        return "0+unknown"
