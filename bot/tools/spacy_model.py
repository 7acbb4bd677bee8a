"""Build the local spaCy pipeline that Rasa's SpacyNLP loads.

Pretrained English pipelines cannot be downloaded here (and none is published for spaCy 3.4 on the
package index), so we assemble one from PyPI packages: a blank English tokenizer plus the lookup
lemmatizer whose tables ship in spacy-lookups-data. Lemmas let "costs", "costing" and "cost" share
features. Nothing is fetched at run time.
"""
from __future__ import annotations

import sys
from pathlib import Path

from bot.settings import VAR_DIR

MODEL_DIR = VAR_DIR / "spacy" / "en_iop_lookup"


def build(target: Path = MODEL_DIR) -> Path:
    """Create the pipeline on disk (idempotent: an existing pipeline is kept)."""
    if (target / "meta.json").exists():
        return target
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    nlp.meta["name"] = "iop_lookup"
    nlp.meta["description"] = "Blank English tokenizer with lookup lemmatizer (spacy-lookups-data)"
    target.parent.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(target)
    return target


if __name__ == "__main__":
    path = build()
    print(f"spaCy pipeline ready at {path}")
    sys.exit(0)
