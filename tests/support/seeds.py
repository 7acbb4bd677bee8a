"""Fingerprints of the seed articles, so the originality and citation checks run without the seeds.

The FAQ answers are written from five seed articles kept next to the project, not in it. What the
checks need from them is kept in `tests/data/seed_fingerprints.json`: each seed's file name, its
SHA-256, and the hashes of every run of OVERLAP_LIMIT consecutive words (hashed word shingles hold
no readable sentence). Refresh it when the seeds change:

    python -m tests.support.seeds [SEEDS_DIR]        # default: ../shared/seeds, or IOP_SEEDS_DIR
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from pathlib import Path
from typing import Dict, FrozenSet, Iterator, List, Optional, Sequence, Tuple

from bot.settings import PROJECT_ROOT

OVERLAP_LIMIT = 10  # a shared run of this many consecutive words counts as copied
FINGERPRINTS = PROJECT_ROOT / "tests" / "data" / "seed_fingerprints.json"
_DIGEST_BYTES = 8  # 64-bit hashes: a chance collision among ~12,000 shingles is about 1 in 10^11

# Single characters of the seeds that mean the same as plain ASCII ones.
_NORMALIZE = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"})


def seeds_dir() -> Path:
    """IOP_SEEDS_DIR, else the seed folder next to the project."""
    override = os.environ.get("IOP_SEEDS_DIR", "").strip()
    return Path(override) if override else PROJECT_ROOT.parent / "shared" / "seeds"


def words(text: str) -> List[str]:
    """Lowercased word tokens with punctuation stripped (don't -> dont, 9-19 -> 9 19)."""
    text = text.translate(_NORMALIZE).lower().replace("'", "")
    return re.findall(r"[a-z0-9]+", text)


def shingle_hash(run: Sequence[str]) -> str:
    """The hash of one run of words, as hex."""
    return hashlib.blake2b(" ".join(run).encode("utf-8"), digest_size=_DIGEST_BYTES).hexdigest()


def shingles(tokens: Sequence[str], size: int = OVERLAP_LIMIT) -> Iterator[Tuple[int, str]]:
    """(start index, hash) of every run of `size` consecutive tokens."""
    for i in range(len(tokens) - size + 1):
        yield i, shingle_hash(tokens[i : i + size])


def build(folder: Path) -> Dict[str, object]:
    """Fingerprints of every .txt seed in `folder`."""
    seeds: Dict[str, object] = {}
    for path in sorted(folder.glob("*.txt")):
        raw = path.read_bytes()
        hashes = sorted({h for _, h in shingles(words(raw.decode("utf-8", errors="replace")))})
        seeds[path.name] = {"sha256": hashlib.sha256(raw).hexdigest(), "shingles": hashes}
    if not seeds:
        raise FileNotFoundError(f"no .txt seed articles in {folder}")
    return {"overlap_limit": OVERLAP_LIMIT, "digest_bytes": _DIGEST_BYTES, "seeds": seeds}


class Fingerprints:
    """The kept fingerprints: seed names, checksums and shingle hashes."""

    def __init__(self, data: Dict[str, object]) -> None:
        if data.get("overlap_limit") != OVERLAP_LIMIT or data.get("digest_bytes") != _DIGEST_BYTES:
            raise ValueError("seed fingerprints were made with other settings: refresh them")
        self.seeds: Dict[str, Dict[str, object]] = dict(data["seeds"])  # type: ignore[arg-type]
        self._owner: Dict[str, str] = {}
        for name, entry in self.seeds.items():
            for digest in entry["shingles"]:  # type: ignore[index]
                self._owner.setdefault(digest, name)

    @classmethod
    def load(cls, path: Path = FINGERPRINTS) -> "Fingerprints":
        return cls(json.loads(path.read_text(encoding="utf-8")))

    @property
    def names(self) -> FrozenSet[str]:
        return frozenset(self.seeds)

    def copied_run(self, text: str) -> Optional[Tuple[str, str]]:
        """(seed name, the copied words) for the first run of OVERLAP_LIMIT words `text` shares with
        a seed, else None. The run is extended as far as consecutive shingles keep matching."""
        tokens = words(text)
        hits = [(i, self._owner.get(h)) for i, h in shingles(tokens)]
        for i, owner in hits:
            if owner is None:
                continue
            end = i + OVERLAP_LIMIT
            while end - OVERLAP_LIMIT + 1 < len(hits) and hits[end - OVERLAP_LIMIT + 1][1] is not None:
                end += 1
            return owner, " ".join(tokens[i:end])
        return None

    def stale_against(self, folder: Path) -> List[str]:
        """Seed files whose name or checksum differ from the kept fingerprints."""
        current = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob("*.txt"))}
        kept = {name: str(entry["sha256"]) for name, entry in self.seeds.items()}
        return sorted(set(current.items()) ^ set(kept.items()))  # type: ignore[arg-type]


def main(argv: Optional[List[str]] = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    folder = Path(args[0]) if args else seeds_dir()
    data = build(folder)
    FINGERPRINTS.write_text(json.dumps(data, indent=0, sort_keys=True) + "\n", encoding="utf-8")
    count = sum(len(e["shingles"]) for e in data["seeds"].values())  # type: ignore[union-attr]
    print(f"wrote {FINGERPRINTS.relative_to(PROJECT_ROOT)}: {len(data['seeds'])} seeds, {count} shingles")
    return 0


if __name__ == "__main__":
    sys.exit(main())
