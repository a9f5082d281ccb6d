"""The built wheel carries the packaged defaults and the sample, and an installed reportgen
finds them from a folder without ``templates/``.

Slow-ish (builds the wheel and a virtual environment, about 10–20 s) but part of the suite:
the defaults reach users only through the wheel's ``force-include``. Nothing is downloaded:
the wheel is built without isolation from the installed backend (``build`` and ``hatchling``,
both in the ``test`` extra; missing ones fail the test with a message instead of being
fetched), every pip call is pointed at no index, and the venv reuses the installed
dependencies (``--system-site-packages``) and installs the wheel with ``--no-index``.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "templates"


BUILD_TOOLS = ("build", "hatchling")  # the frontend and the backend of pyproject.toml


def offline_env() -> dict[str, str]:
    """The environment of every subprocess here: pip may not reach any index."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env.update(PIP_NO_INDEX="1", PIP_INDEX_URL="http://127.0.0.1:9/simple",
               PIP_DISABLE_PIP_VERSION_CHECK="1")
    return env


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    missing = [name for name in BUILD_TOOLS if importlib.util.find_spec(name) is None]
    if missing:
        pytest.fail(f"{' and '.join(missing)} not installed: the wheel is built offline from the "
                    "installed build backend, never downloaded; install the test extra first "
                    "(pip install -e '.[test]')", pytrace=False)
    out = tmp_path_factory.mktemp("wheel")
    command = [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out),
               str(ROOT)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=180, check=False,
                          env=offline_env())
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    [built] = out.glob("reportgen-*.whl")
    return built


def test_wheel_contains_the_defaults_and_the_sample(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {"reportgen/templates/bao-cao.docx", "reportgen/templates/phrases/ket-qua.j2",
                "reportgen/templates/solutions.yaml", "reportgen/templates/report.yaml",
                "reportgen/templates/analysis.yaml", "reportgen/templates/responsible.yaml",
                "reportgen/templates/HUONG-DAN.md", "reportgen/data/sample/sample.csv"}
    expected |= {f"reportgen/templates/frameworks/{p.name}"
                 for p in (TEMPLATES / "frameworks").glob("*.yaml")}
    expected |= {f"reportgen/templates/phrases/{p.name}"
                 for p in (TEMPLATES / "phrases").glob("*.j2")}
    assert len(expected) > 20
    assert expected <= names, sorted(expected - names)
    with zipfile.ZipFile(wheel) as archive:
        assert archive.read("reportgen/templates/bao-cao.docx") == \
            (TEMPLATES / "bao-cao.docx").read_bytes()


def test_installed_wheel_finds_the_packaged_defaults(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    env = offline_env()
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)],
                   check=True, timeout=120, env=env)
    bindir = venv / ("Scripts" if os.name == "nt" else "bin")
    python = bindir / "python"
    subprocess.run([str(python), "-m", "pip", "install", "--no-deps", "--no-index", "-q",
                    str(wheel)], check=True, timeout=120, env=env)
    empty = tmp_path / "thu-muc-trong"
    empty.mkdir()

    where = subprocess.run(
        [str(python), "-c", "from reportgen.config.search import packaged_dir; print(packaged_dir())"],
        cwd=empty, env=env, capture_output=True, text=True, timeout=60, check=True)
    packaged = Path(where.stdout.strip())
    assert packaged.is_relative_to(venv), packaged  # the wheel's copy, not the checkout
    assert (packaged / "bao-cao.docx").is_file()

    done = subprocess.run([str(bindir / "reportgen"), "validate"], cwd=empty, env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Dữ liệu hợp lệ" in done.stdout
    assert "PAR_INDEX" in done.stdout
    assert not (empty / "templates").exists()
