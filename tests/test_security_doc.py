"""docs/security.md names the test that proves each defence: every test it names exists, so
a renamed or deleted test cannot leave the threat model pointing at nothing."""
from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CITED = re.compile(r"`((?:tests|adapters/contracts)/[\w/]+\.py)::([\w:]+)`")


def _names(path: Path) -> set[str]:
    """`name` and `Class::name` for every function and class defined in a test module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            found.add(node.name)
        if isinstance(node, ast.Assign):
            found.update(t.id for t in node.targets if isinstance(t, ast.Name))
        if isinstance(node, ast.ClassDef):
            found.update(f"{node.name}::{item.name}" for item in node.body
                         if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef))
    return found


def test_every_test_the_threat_model_cites_exists():
    text = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    cited = CITED.findall(text)
    assert len(cited) > 50
    missing = [f"{path}::{name}" for path, name in cited
               if not (ROOT / path).is_file() or name not in _names(ROOT / path)]
    assert not missing, missing


def test_the_readme_links_the_threat_model():
    assert "(docs/security.md)" in (ROOT / "README.md").read_text(encoding="utf-8")
