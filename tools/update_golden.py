"""Regenerate the golden dumps that ``tests/test_generate.py`` compares reports with.

Usage (from the repository root)::

    python tools/update_golden.py            # rewrite tests/golden/*.txt
    python tools/update_golden.py --check    # exit 1 and print a diff when they are stale

Each golden file is the normalized dump (:func:`reportgen.docx.dump.dump`: section settings,
headers and footers, styles and text of paragraphs, table cells with shading, image sizes)
of one report rendered from the bundled sample data with the packaged templates, report
configuration and rules only (a ``templates/`` folder in the working directory is ignored).
Run it after an intended change to the templates, phrases, frameworks, rules, sample data
or rendering, then review ``git diff tests/golden`` before committing.
"""

from __future__ import annotations

import argparse
import difflib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOLDEN_DIR = ROOT / "tests" / "golden"

# golden file stem → (unit, year). The first is the sample's default unit (a province with
# PAR INDEX, SIPAS and PAPI), the second a department of the "Khối sở" group (one index).
CASES: dict[str, tuple[str, int]] = {
    "hoa-lam-2024": ("Hòa Lâm", 2024),
    "so-tu-phap-2024": ("Sở Tư pháp", 2024),
}


def golden_path(name: str) -> Path:
    return GOLDEN_DIR / f"{name}.txt"


def pinned_project():
    """The project with the packaged defaults only, whatever the working directory holds."""
    from reportgen.app import Project
    from reportgen.config.frameworks import load_frameworks
    from reportgen.config.search import SearchPath, packaged_dir

    search = SearchPath((packaged_dir(),))
    return Project(search, load_frameworks(search))


def normalise(text: str) -> str:
    """What may legitimately differ between two renders of the same report, made equal.

    Nothing does today: the signing date is blank in the default configuration, image sizes
    come from the chart specifications (not from the drawn pixels), and the dump already
    drops ids, rsids and zip timestamps. Line endings and trailing blanks are unified so a
    checkout with CRLF endings compares equal.
    """
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    return "\n".join(lines).rstrip("\n") + "\n"


class Renderer:
    """Renders the golden reports; load and compile once, render many."""

    def __init__(self, dpi: int | None = None) -> None:
        from reportgen.analysis.unit import prepare
        from reportgen.app import CHART_DPI, load_dataset, make_toolkit

        self.project = pinned_project()
        self.dataset = load_dataset(self.project)
        self.kit = make_toolkit(self.project, dpi=CHART_DPI if dpi is None else dpi)
        self.prepared = prepare(self.dataset)

    def docx(self, unit: str, year: int) -> bytes:
        from reportgen.app import render_report

        return render_report(self.kit, self.prepared, self.dataset, unit, year)

    def dump(self, unit: str, year: int) -> str:
        from reportgen.docx.dump import dump

        return normalise(dump(self.docx(unit, year)))


def render_dumps(cases: dict[str, tuple[str, int]] | None = None) -> dict[str, str]:
    renderer = Renderer()
    return {name: renderer.dump(unit, year) for name, (unit, year) in (cases or CASES).items()}


def diff(expected: str, actual: str, name: str, limit: int = 120) -> str:
    """A unified diff (stored → rendered), cut to ``limit`` lines."""
    lines = list(difflib.unified_diff(expected.splitlines(keepends=True),
                                      actual.splitlines(keepends=True),
                                      fromfile=f"tests/golden/{name}.txt (stored)",
                                      tofile=f"{name} (rendered now)"))
    if len(lines) > limit:
        lines = lines[:limit] + [f"... ({len(lines) - limit} more diff lines)\n"]
    return "".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="do not write; exit 1 when a golden file differs")
    args = parser.parse_args(argv)
    dumps = render_dumps()
    stale = 0
    GOLDEN_DIR.mkdir(parents=True, exist_ok=True)
    for name, text in dumps.items():
        path = golden_path(name)
        old = path.read_text(encoding="utf-8") if path.is_file() else ""
        if old == text:
            print(f"unchanged  {path.relative_to(ROOT)}")
            continue
        stale += 1
        if args.check:
            print(diff(old, text, name))
            print(f"STALE      {path.relative_to(ROOT)}")
        else:
            path.write_text(text, encoding="utf-8", newline="\n")
            print(f"written    {path.relative_to(ROOT)}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
