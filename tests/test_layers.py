"""Layering rules: the package arrow and the Qt boundary (import-linter contracts), and light entry points."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from copy import deepcopy
from pathlib import Path

import grimp
import pytest
from importlinter.configuration import configure
from importlinter.contracts.acyclic_siblings import AcyclicSiblingsContract
from importlinter.contracts.forbidden import ForbiddenContract
from importlinter.contracts.layers import LayersContract

REPO = Path(__file__).resolve().parent.parent
HEAVY = ("torch", "transformers", "diffusers", "open_clip")


def _modules_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", code + "\nimport sys; print('\\n'.join(sys.modules))"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    return {line.split(".")[0] for line in out.splitlines()}


def test_core_packages_do_not_import_qt():
    mods = _modules_after("import generators, scoring, studio, studio.cli, studio.models_status")
    assert "PySide6" not in mods


def test_cli_parser_does_not_import_the_ml_stack():
    mods = _modules_after("from studio.cli import build_parser; build_parser()")
    assert not (set(HEAVY) & mods), set(HEAVY) & mods


def test_no_qt_import_outside_studio_gui():
    pattern = re.compile(r"^\s*(from|import)\s+(PySide6|PyQt\d|shiboken6)\b", re.M)
    offenders = [
        p.relative_to(REPO).as_posix()
        for folder in ("studio", "generators", "scoring", "assets")
        for p in (REPO / folder).rglob("*.py")
        if pattern.search(p.read_text(encoding="utf-8"))
    ]
    assert [o for o in offenders if not o.startswith("studio/gui/")] == []
    assert any(o.startswith("studio/gui/") for o in offenders) or not (REPO / "studio" / "gui").exists()


# --- The import-linter contracts in pyproject.toml (`lint-imports` checks the code against them) ---------------

CONTRACT_TYPES = {"layers": LayersContract, "forbidden": ForbiddenContract, "acyclic_siblings": AcyclicSiblingsContract}


def _importlinter_config() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]


def _contract(kind: str):
    """The contract of type `kind`; "forbidden:Qt" picks, among several of a type, the one whose name says Qt."""
    kind, _, name = kind.partition(":")
    config = _importlinter_config()
    (options,) = [c for c in config["contracts"] if c["type"] == kind and name in c["name"]]
    session = {k: v for k, v in config.items() if k != "contracts"}
    contract_options = {k: v for k, v in options.items() if k not in ("name", "type")}
    return CONTRACT_TYPES[kind](options["name"], session, contract_options)


def _arrow_modules() -> list[str]:
    (options,) = [c for c in _importlinter_config()["contracts"] if c["type"] == "layers"]
    return [m.strip().strip("()") for layer in options["layers"] for m in re.split(r"[|:]", layer)]


def _top_modules(package: str) -> set[str]:
    """`package`'s direct children: modules and sub-packages (folders with an `__init__.py`)."""
    root = REPO / package
    modules = {p.stem for p in root.glob("*.py") if p.stem != "__init__"}
    packages = {p.parent.name for p in root.glob("*/__init__.py")}
    return {f"{package}.{name}" for name in modules | packages}


@pytest.fixture(scope="module")
def graph():
    configure()  # import-linter's default settings (timer, graph builder), as `lint-imports` sets them
    return grimp.build_graph("studio", "generators", "scoring", include_external_packages=True, cache_dir=None)


def test_every_studio_and_generators_module_has_a_place_in_the_arrow():
    declared = _arrow_modules()
    assert len(declared) == len(set(declared)), "a module is listed twice"
    missing = (_top_modules("studio") | _top_modules("generators") | {"scoring"}) - set(declared)
    assert missing == set(), f"place these in the arrow contract in pyproject.toml: {sorted(missing)}"
    assert declared.index("scoring") < declared.index("generators.runtime"), "the runtime is the lowest layer"
    assert declared.index("generators.caption") < declared.index("scoring"), "pipelines sit above scoring"


def test_the_qt_contract_covers_everything_but_the_gui():
    contract = _contract("forbidden:Qt")
    sources = {str(m) for m in contract.source_modules}
    expected = (_top_modules("studio") - {"studio.gui"}) | {"generators", "scoring"}
    assert sources == expected
    assert {str(m) for m in contract.forbidden_modules} >= {"PySide6", "shiboken6"}


@pytest.mark.parametrize(
    ("kind", "importer", "imported"),
    [
        ("layers", "scoring.scorer", "generators.copywriter"),  # scoring never imports a pipeline
        ("layers", "generators.runtime.loading", "scoring.scorer"),  # the runtime is the bottom
        ("layers", "generators.caption", "studio.project.store"),  # pipelines never import the studio
        ("layers", "studio.project.store", "studio.batch.runner"),  # the project store is below the batch
        ("layers", "studio.batch.runner", "studio.cli"),  # nothing imports an entry point
        ("layers", "studio.cli", "studio.gui.app"),  # the CLI starts the studio by name, never by import
        ("forbidden:Qt", "studio.batch.runner", "PySide6"),
        ("forbidden:Qt", "scoring.scorer", "shiboken6"),
        ("forbidden:Ray", "studio.batch.runner", "ray"),  # Ray stays an optional extra of one module
        ("forbidden:Ray", "generators.factory", "ray"),
        ("acyclic_siblings", "studio.export.bundle", "studio.export.package"),
        ("acyclic_siblings", "generators.runtime.roles", "generators.runtime.loading"),
        ("acyclic_siblings", "scoring.scores", "scoring.ranking"),
    ],
)
def test_contracts_hold_and_reject_an_import_against_them(graph, kind, importer, imported):
    contract = _contract(kind)
    assert contract.check(deepcopy(graph), verbose=False).kept, f"{contract.name} is broken: run lint-imports"
    broken = deepcopy(graph)
    broken.add_import(importer=importer, imported=imported)
    assert not contract.check(broken, verbose=False).kept, f"{importer} -> {imported} should break {contract.name}"


MAX_MODULE_LINES = 500


def test_no_module_is_longer_than_500_lines():
    # A module past this size holds more than one idea: split a cohesive part out (e.g. scoring/ranking_types.py).
    long = {
        p.relative_to(REPO).as_posix(): n
        for folder in ("studio", "generators", "scoring", "tests", "bench")
        for p in (REPO / folder).rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert long == {}
