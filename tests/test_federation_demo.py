"""The README's federation walk-through, piped through ``collective-bot demo`` exactly as it stands there."""

import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).parents[1] / "README.md"


def walk_through() -> str:
    section = README.read_text().split("## Federation", 1)[1]
    return re.search(r"A walk-through to paste.*?```\n(.*?)```", section, re.DOTALL).group(1)


def test_the_readme_walk_through_federates_decides_a_joint_item_and_gives_aid(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "adapters.cli", "demo", "--db", str(tmp_path / "federation-demo.db")],
        input=walk_through(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "something went wrong" not in out
    assert "The federation code is Z88U4Q6A" in out
    assert "This collective is now in a federation with collective 1 (demo on Console)." in out
    assert "Joint item J1 Shared tool library — adopted by the federation." in out
    assert "• collective 2 (school on Console): adopted (#2 there)" in out
    assert "#4 €50.00 — bus passes (other) is put to the federation" in out
    assert "€50.00 is transferred to collective 1 (demo on Console)." in out
    assert "is funded by mutual aid: collective 2 (school on Console) transferred €50.00" in out
    assert "mutual aid sent €50.00" in out
