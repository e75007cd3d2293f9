"""The contract suites are a package of the product (adapters/contracts) that ships in the
wheel as a pytest plugin, and the project's own adapters run them from there."""
from __future__ import annotations

import ast
import importlib.metadata
import re
import subprocess
import sys
from pathlib import Path

import adapters.contracts

ROOT = Path(__file__).resolve().parents[2]
CONTRACTS = Path(adapters.contracts.__file__).parent


def suites() -> dict[str, str]:
    """Each port's suite: the `...Contract` classes of the per-port modules (the parts of the
    unit-of-work contract are run through `UnitOfWorkContract`)."""
    found = {}
    for path in sorted(CONTRACTS.glob("*.py")):
        if path.stem.startswith(("_", "uow_")) or path.stem in {"plugin", "records"}:
            continue
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.ClassDef) and node.name.endswith("Contract"):
                found[node.name] = f"adapters.contracts.{path.stem}"
    return found


def runners() -> dict[str, list[str]]:
    """For each suite, the test classes of tests/ that subclass it, imported from the package."""
    by_suite: dict[str, list[str]] = {}
    for path in sorted((ROOT / "tests").rglob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = {
            alias.asname or alias.name: f"{node.module}.{alias.name}"
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("adapters.contracts")
            for alias in node.names
        }
        for node in tree.body:
            if not (isinstance(node, ast.ClassDef) and node.name.startswith("Test")):
                continue
            for base in node.bases:
                if isinstance(base, ast.Name) and base.id in imported:
                    suite = imported[base.id].rpartition(".")[2]
                    by_suite.setdefault(suite, []).append(f"{path.relative_to(ROOT)}::{node.name}")
    return by_suite


def test_the_suites_are_found():
    assert set(suites()) == {
        "FlowStoreContract", "SessionCacheContract", "TokenHandoffContract", "RevocationFeedContract",
        "UnitOfWorkContract", "TokenContract", "IdentityGatewayContract", "ProfileReaderContract",
    }


def test_every_contract_suite_is_run_by_at_least_two_adapters_from_the_package():
    ran = runners()
    thin = {suite: ran.get(suite, []) for suite in suites() if len(ran.get(suite, [])) < 2}
    assert not thin, thin


def test_no_test_imports_a_suite_from_the_tests_folder():
    stale = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "tests").rglob("*.py")
        if "tests.contracts." in path.read_text(encoding="utf-8").replace("tests.contracts.test_", "")
        and path.name != "test_packaging.py"
    ]
    assert not stale


def test_the_distribution_registers_the_plugin_and_keeps_pytest_an_extra():
    plugins = importlib.metadata.entry_points(group="pytest11")
    assert [p.value for p in plugins if p.name == "azure_signin_contracts"] == ["adapters.contracts.plugin"]
    requires = importlib.metadata.requires("azure-signin") or []
    names = {r: re.split(r"[<>=!~;\[ ]", r, maxsplit=1)[0] for r in requires}
    assert not [r for r, name in names.items() if name.startswith("pytest") and "extra ==" not in r]
    contracts = {name for r, name in names.items() if 'extra == "contracts"' in r}
    assert {"pytest", "pytest-asyncio"} <= contracts


def test_the_product_imports_without_pytest(tmp_path):
    """Every module of core, adapters and entrypoints but the contract package imports with
    pytest and pytest-asyncio made unimportable."""
    script = tmp_path / "no_pytest.py"
    script.write_text(
        "import importlib, pkgutil, sys\n"
        "for name in ('pytest', '_pytest', 'pytest_asyncio', 'hypothesis'):\n"
        "    sys.modules[name] = None\n"
        "count = 0\n"
        "for top in ('core', 'adapters', 'entrypoints'):\n"
        "    package = importlib.import_module(top)\n"
        "    for info in pkgutil.walk_packages(package.__path__, top + '.'):\n"
        "        if info.name.startswith('adapters.contracts.') or '.migrations.' in info.name:\n"
        "            continue\n"
        "        importlib.import_module(info.name)\n"
        "        count += 1\n"
        "print(count)\n"
    )
    done = subprocess.run(
        [sys.executable, str(script)], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert int(done.stdout.strip()) > 100


def test_a_contract_is_never_collected_on_its_own(tmp_path):
    imports = "\n".join(f"from {module} import {name}" for name, module in suites().items())
    (tmp_path / "test_imports_only.py").write_text(imports + "\n")
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 5, done.stdout + done.stderr  # "no tests collected"
