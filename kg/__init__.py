"""kg: a knowledge-graph builder for Chinese reports on grassroots party-building and rural
revitalisation (党建引领乡村振兴).

The stages, one module each: :mod:`kg.io` (read) → :mod:`kg.nlp` (recognise) →
:mod:`kg.relations` → :mod:`kg.extract` (the JSON contract) → :mod:`kg.resolve` (across documents)
→ :mod:`kg.graph` (networkx) → :mod:`kg.diffusion` (analysis) → :mod:`kg.viz` / :mod:`kg.export`.
"""
__version__ = "0.1.0"
