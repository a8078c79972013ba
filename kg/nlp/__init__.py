"""kg's spaCy pipeline: :func:`load_pipeline` builds it from ``config.cfg``.

>>> nlp = load_pipeline()
>>> doc = nlp("海南省海口市琼山区云龙镇云阁村推行积分制。")
>>> [(e.text, e.label_) for e in doc.ents]
[('海南省', 'Place'), ('海口市', 'Place'), ('琼山区', 'Place'), ('云龙镇', 'Place'), ('云阁村', 'Place'), ('积分制', 'Program')]
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

CONFIG = Path(__file__).resolve().parent / "config.cfg"


@lru_cache(maxsize=2)
def load_pipeline(config_path=None):
    """Build the pipeline (cached per process)."""
    import spacy
    from . import components, tokenizer  # noqa: F401  (registers the factories)
    config = spacy.util.load_config(config_path or CONFIG)
    return spacy.util.load_model_from_config(config, auto_fill=True)
