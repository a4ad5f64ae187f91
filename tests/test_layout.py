"""The package's shape: imports point down the pipeline (no cycles, lazy and type-only imports
included), every stage says what it does, modules stay small, the public names and signatures
are the documented ones, and ``import simdedup`` stays light."""

from __future__ import annotations

import ast
import inspect
import subprocess
import sys
from pathlib import Path

import simdedup

SRC = Path(simdedup.__file__).resolve().parent.parent
MAX_LINES = 550  # "~500": a module past this is split


def modules() -> dict[str, Path]:
    out = {}
    for path in (SRC / "simdedup").rglob("*.py"):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def import_graph() -> dict[str, set[str]]:
    """Module -> the simdedup modules it imports anywhere in its body (functions and
    ``TYPE_CHECKING`` blocks included). A package's ``__init__`` running first is implied by
    every submodule import and is not an edge."""
    mods = modules()
    graph: dict[str, set[str]] = {m: set() for m in mods}
    for module, path in mods.items():
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*up, base] if base else up)
                targets = [
                    f"{base}.{a.name}" if f"{base}.{a.name}" in mods else base for a in node.names
                ]
            else:
                continue
            for target in targets:
                while target and target not in mods:
                    target = target.rpartition(".")[0]
                if target and target != module:
                    graph[module].add(target)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_no_import_cycles() -> None:
    graph = import_graph()
    assert "simdedup.store.store" in graph["simdedup.duplicates.groups"]  # the walker sees edges
    assert cycles(graph) == []


def test_the_cycle_check_can_fail() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_each_stage_says_what_it_does_and_modules_stay_small() -> None:
    stages = {p.parent.name for p in (SRC / "simdedup").glob("*/__init__.py")}
    assert stages >= {"io", "embed", "index", "store", "duplicates", "cluster", "report", "cli"}
    for module, path in modules().items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        assert ast.get_docstring(tree), f"{module} has no docstring"
        lines = path.read_text(encoding="utf-8").count("\n")
        if path.parent.name != "assets":
            assert lines <= MAX_LINES, f"{module}: {lines} lines"


def test_public_names() -> None:
    assert sorted(simdedup.__all__) == [
        "ClaimUnit",
        "DedupResult",
        "Deduplicator",
        "Duplicate",
        "DuplicateGroup",
        "Encoder",
        "InputError",
        "Paragraph",
        "Record",
        "SentenceTransformerEncoder",
        "SimdedupError",
        "Store",
        "StoreError",
        "TalkingPoint",
        "TalkingPointFinder",
        "TalkingPointsResult",
        "__version__",
        "dedup",
        "read_records",
        "similar",
        "talking_points",
    ]
    assert all(hasattr(simdedup, name) for name in simdedup.__all__)


SIGNATURES = {
    "dedup": "(data, *, threshold=None, keep='earliest', cross_outlet=False, check_numbers=True, "
    "containment=0.8, encoder=None, embeddings=None)",
    "talking_points": "(data, *, outlets=None, dates=None, threshold=None, min_size=2, "
    "min_outlets=None, check_figures=True, unit='auto', speakers=None, encoder=None, "
    "embeddings=None)",
    "similar": "(query, data, *, k=10, threshold=None, units=False, speakers=None, encoder=None)",
    "Deduplicator": "(threshold=None, *, cross_outlet=False, keep='earliest', check_numbers=True, "
    "containment=0.8, join='auto', encoder=None, engine=None)",
    "Deduplicator.fit": "(self, data, *, embeddings=None)",
    "TalkingPointFinder": "(threshold=None, *, penalty=None, min_size=2, min_outlets=None, "
    "since=None, until=None, only_outlets=None, period='auto', check_figures=True, "
    "encoder=None, engine=None, unit='auto', speakers=None, splitter=None, progress=None)",
    "TalkingPointFinder.fit": "(self, data, *, outlets=None, dates=None, embeddings=None)",
    "TalkingPointFinder.save": "(self, store)",
    "Store.open": "(path, *, encoder=None, index=None)",
    "Store.memory": "(*, encoder=None, index='auto', cache=None)",
    "Store.add": "(self, records, *, segmenter=None, progress=None, engine=None, on_removed=None)",
    "Store.similar": "(self, query, *, k=10, threshold=None, only_outlets=None, since=None, "
    "until=None)",
    "Store.dedup": "(self, threshold=None, **settings)",
    "Store.talking_points": "(self, threshold=None, **settings)",
    "Store.deduplicate": "(self, texts, *, threshold=None, check_numbers=True)",
}


def test_documented_signatures() -> None:
    for name, expected in SIGNATURES.items():
        obj: object = simdedup
        for part in name.split("."):
            obj = getattr(obj, part)
        params = inspect.signature(obj).parameters.values()  # type: ignore[arg-type]
        shown = str(inspect.Signature([p.replace(annotation=p.empty) for p in params]))
        assert shown == expected, name


def test_import_is_light() -> None:
    code = (
        "import sys, simdedup; heavy = ('torch', 'faiss', 'sentence_transformers', "
        "'onnxruntime', 'sklearn', 'transformers', 'ray'); "
        "print([m for m in heavy if m in sys.modules])"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
