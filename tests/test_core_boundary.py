"""The core is platform-neutral: it imports no chat library, no ORM and no adapter;
beyond the standard library, only pure domain libraries named here."""

import ast
import json
import pathlib
import subprocess
import sys

import bot

FORBIDDEN = ("telegram", "nio", "sqlmodel", "sqlalchemy", "alembic", "apscheduler", "adapters", "storage", "aiohttp")
# Pure domain libraries the core may use: Babel (CLDR locale data) for money, numbers,
# dates and languages. Nothing here talks to a platform, a database or the network.
DOMAIN_LIBRARIES = ("babel",)
CORE = pathlib.Path(bot.__file__).parent


def _imports():
    for path in sorted(CORE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                yield from ((path, alias.name) for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                yield path, node.module


def test_beyond_the_standard_library_the_core_imports_only_the_named_domain_libraries():
    outside = {
        f"{path.name}: {name}"
        for path, name in _imports()
        if (top := name.split(".")[0]) not in sys.stdlib_module_names and top not in ("bot", *DOMAIN_LIBRARIES)
    }
    assert outside == set()
    assert any(name.split(".")[0] == "babel" for _, name in _imports())  # the scan sees third-party imports


def test_no_core_module_names_a_forbidden_package():
    offenders = []
    for path in sorted(CORE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in FORBIDDEN]
    assert offenders == []


def test_importing_every_core_module_loads_no_forbidden_package():
    modules = [f"bot.{p.stem}" for p in CORE.glob("*.py") if p.stem != "__init__"]
    script = (
        "import importlib, json, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    loaded = json.loads(
        subprocess.run([sys.executable, "-c", script], check=True, capture_output=True, text=True).stdout
    )
    assert [name for name in loaded if name in FORBIDDEN] == []
    assert len(modules) >= 10  # the scan really covered the core


def test_the_core_keeps_no_module_level_state():
    """No global config, clock or scheduler: module-level names are constants,
    functions, classes and imports."""
    mutable = []
    for path in sorted(CORE.rglob("*.py")):
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.Assign | ast.AnnAssign):
                value = node.value
                if isinstance(value, ast.Call) and getattr(value.func, "id", "") in (
                    "Clock",
                    "SystemClock",
                    "FakeClock",
                ):
                    mutable.append(f"{path.name}:{node.lineno}")
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    if isinstance(target, ast.Name) and target.id.lower() in (
                        "config",
                        "clock",
                        "scheduler",
                        "settings",
                    ):
                        mutable.append(f"{path.name}:{node.lineno} {target.id}")
    assert mutable == []
