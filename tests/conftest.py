import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


@pytest.fixture(scope="session")
def seed_records():
    from kg.extract import extract_file
    return {p.name: (p, extract_file(p)) for p in sorted(SEEDS.glob("*.txt"))}
