"""House rules checked on every run: lint clean, a functional core that never imports Streamlit."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PYTHON_TREES = ["studio", "tests", "benchmarks", "scripts"]


def _ruff(*args: str) -> subprocess.CompletedProcess[str]:
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    if ruff is None:
        pytest.skip("ruff is not installed")
    trees = [tree for tree in PYTHON_TREES if (REPO / tree).exists()]
    return subprocess.run([ruff, *args, *trees], cwd=REPO, capture_output=True, text=True, check=False)


def test_ruff_check_is_clean() -> None:
    result = _ruff("check", "--no-cache")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_is_clean() -> None:
    result = _ruff("format", "--check", "--no-cache")
    assert result.returncode == 0, result.stdout + result.stderr


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_library_never_imports_streamlit() -> None:
    offenders = [
        str(path.relative_to(REPO))
        for path in (REPO / "studio").rglob("*.py")
        if "ui" not in path.relative_to(REPO / "studio").parts[:1]
        and any(name.split(".")[0] == "streamlit" for name in _imported_modules(path))
    ]
    assert offenders == []


def test_prompts_live_in_files_not_in_code() -> None:
    """Prompt text is loaded from prompts/; the library holds no long instruction strings to an LLM."""
    suspicious = []
    for path in (REPO / "studio").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and len(node.value) > 400:
                if "you are" in node.value.lower() or "tu es" in node.value.lower():
                    suspicious.append(f"{path.relative_to(REPO)}:{node.lineno}")
    assert suspicious == []
