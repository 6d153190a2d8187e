"""The core is platform-neutral: it imports no chat library, no ORM and no adapter."""

import ast
import json
import pathlib
import subprocess
import sys

import bot

FORBIDDEN = ("telegram", "nio", "sqlmodel", "sqlalchemy", "alembic", "apscheduler", "adapters", "storage", "aiohttp")
CORE = pathlib.Path(bot.__file__).parent


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
