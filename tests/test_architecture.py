"""The hexagon, enforced: `core/` imports only the standard library and itself, so the
domain can never grow a dependency on a framework, a driver or an adapter."""
from __future__ import annotations

import ast
import sys
from pathlib import Path

CORE = Path(__file__).resolve().parent.parent / "core"


def imports_of(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative imports stay inside core by construction
                continue
            found.append((node.lineno, node.module or ""))
    return found


def foreign_imports(root: Path) -> list[str]:
    allowed = set(sys.stdlib_module_names) | {"core"}
    return [
        f"{path.relative_to(root.parent)}:{line}: {module}"
        for path in sorted(root.rglob("*.py"))
        for line, module in imports_of(path)
        if module.split(".")[0] not in allowed
    ]


def test_core_imports_only_the_standard_library_and_itself():
    assert not foreign_imports(CORE)


def test_the_check_catches_adapters_entrypoints_and_third_party(tmp_path):
    fake = tmp_path / "core"
    fake.mkdir()
    (fake / "bad.py").write_text(
        "import os\nfrom adapters.memory import MemoryDatabase\nimport litestar\n"
        "from entrypoints.settings import Settings\nfrom core.model import User\n"
    )
    bad = foreign_imports(fake)
    assert [b.rsplit(" ", 1)[1] for b in bad] == ["adapters.memory", "litestar", "entrypoints.settings"]
