"""``reportgen templates init`` and ``templates check``: give users the defaults to edit and
tell them, before the conference and without writing a report, everything that is broken.

The check gathers every problem at once: YAML syntax (file, line), framework structure,
unknown codes in the solutions and responsibility files, Jinja syntax in the phrase files and
in the Word template (file, paragraph, the user's visible text), variables the template uses
that the report does not provide (with the nearest valid name), then a dry-run render of
every unit of the data in memory.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ConfigError, Issue, IssuesError, Location, ReportgenError, did_you_mean
from .resources import SearchPath, packaged_dir
from .yamlio import read_yaml

GUIDE = "HUONG-DAN.md"
YAML_FILES = ("report.yaml", "analysis.yaml", "solutions.yaml", "responsible.yaml")
CHECK_DPI = 0  # dry runs place blank images: the point is the text and the template


# --- init ----------------------------------------------------------------------------------

def default_files() -> list[Path]:
    """Every file of the packaged defaults, relative to their folder."""
    root = packaged_dir()
    return sorted(p.relative_to(root) for p in root.rglob("*") if p.is_file()
                  and "__pycache__" not in p.parts)


def init_templates(target: Path, force: bool = False, guide_extra: str = "") -> list[Path]:
    """Copy the defaults into ``target``; existing files are refused unless ``force``."""
    root = packaged_dir()
    files = default_files()
    clashes = [f for f in files if (target / f).exists()]
    if clashes and not force:
        shown = ", ".join(str(f) for f in clashes[:6]) + (" …" if len(clashes) > 6 else "")
        raise ConfigError(f"Thư mục '{target}' đã có {len(clashes)} tệp trùng tên ({shown}). "
                          "Dùng --force để ghi đè, hoặc chọn thư mục khác.")
    written = []
    for rel in files:
        dest = target / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(root / rel, dest)
        written.append(dest)
    if guide_extra:
        guide = target / GUIDE
        guide.write_text(guide.read_text(encoding="utf-8") + "\n" + guide_extra, encoding="utf-8")
    return written


def variable_reference(context: dict, analysis: dict) -> str:
    """Markdown tables of every variable the Word template and the phrase files can use,
    with an example value taken from a report of the bundled sample."""
    lines = ["## Các biến dùng trong mẫu Word (bao-cao.docx)", "",
             "Giá trị ví dụ lấy từ báo cáo của dữ liệu mẫu; danh sách `[…]` được lặp bằng "
             "`{%p for x in … %}` hoặc `{%tr for x in … %}`.", "",
             "| Biến | Ví dụ |", "|---|---|"]
    lines += [f"| `{k}` | {v} |" for k, v in flatten(context)]
    lines += ["", "## Các biến dùng trong mẫu câu (phrases/*.j2)", "",
              "`a` là toàn bộ kết quả phân tích; `i` là một chỉ số trong `a.indices`; `c` là một "
              "thành phần trong `i.components`.", "", "| Biến | Ví dụ |", "|---|---|"]
    lines += [f"| `a.{k}` | {v} |" for k, v in flatten(analysis)]
    return "\n".join(lines) + "\n"


def flatten(value: object, prefix: str = "", depth: int = 0) -> Iterable[tuple[str, str]]:
    """(dotted name, short example) pairs; lists show their first element as ``name[0]``."""
    if isinstance(value, dict):
        for k, v in value.items():
            if k in ("png", "image"):
                yield f"{prefix}{k}", "(ảnh biểu đồ)"
                continue
            yield from flatten(v, f"{prefix}{k}.", depth + 1)
        return
    name = prefix.rstrip(".")
    if isinstance(value, list):
        if value and isinstance(value[0], dict | list) and depth < 6:
            yield name, f"danh sách ({len(value)} phần tử)"
            yield from flatten(value[0], f"{name}[0].", depth + 1)
        else:
            example = ", ".join(str(v) for v in value[:3]) + (" …" if len(value) > 3 else "")
            yield name, f"[{example}]".replace("|", "\\|")[:120]
        return
    text = str(value).replace("|", "\\|").replace("\n", " ")
    yield name, (text[:117] + "…") if len(text) > 120 else text


# --- check ---------------------------------------------------------------------------------

@dataclass
class CheckReport:
    issues: list[Issue] = field(default_factory=list)
    rendered: int = 0
    units: int = 0

    @property
    def ok(self) -> bool:
        return not any(i.severity == "error" for i in self.issues)


def _collect(report: CheckReport, step: Callable[[], object]) -> object | None:
    """Run one check step; its typed errors become issues instead of stopping the check."""
    try:
        return step()
    except IssuesError as exc:
        report.issues.extend(exc.issues)
    except ReportgenError as exc:
        report.issues.append(Issue(exc.message, exc.location, code="config"))
    return None


def check_yaml(search: SearchPath, report: CheckReport) -> None:
    paths = [search.find(name) for name in YAML_FILES]
    paths += search.find_all("frameworks")
    for path in paths:
        _collect(report, lambda p=path: read_yaml(p))


def check_variables(renderer: object, context: dict, report: CheckReport) -> None:
    """Names the Word template uses that no report provides, with the nearest valid name."""
    known = set(context)
    for name in sorted(renderer.variables() - known):
        report.issues.append(Issue(
            f"biến '{name}' không có trong dữ liệu báo cáo.{did_you_mean(name, known)}",
            Location(file=renderer.name), code="undefined_variable"))


def check_templates(templates: str | Path | None = None, data: str | Path | None = None,
                    config: str | Path | None = None, units: int | None = None) -> CheckReport:
    """Every check, all problems listed; stops early only when nothing further can run."""
    from .analyze import analyze_unit, prepare
    from .build import REPORT_TEMPLATE, context_from_analysis, load_dataset, make_toolkit, open_project
    from .narrate import Phrases
    from .render import Renderer
    from .rules import check_rules, load_rules

    report = CheckReport()
    search = _collect(report, lambda: SearchPath.build(templates))
    if search is None:
        return report
    check_yaml(search, report)
    if not report.ok:
        return report
    project = _collect(report, lambda: open_project(templates))
    if project is None:
        return report
    # each part compiled on its own, so that a broken phrase file does not hide a broken
    # Word template
    rules = _collect(report, lambda: load_rules(project.search))
    if rules is not None:
        report.issues.extend(check_rules(rules, project.frameworks))
    _collect(report, lambda: Phrases.load(project.search))
    _collect(report, lambda: Renderer(project.search.find(REPORT_TEMPLATE)))
    kit = _collect(report, lambda: make_toolkit(project, config, dpi=CHECK_DPI)) if report.ok else None
    dataset = _collect(report, lambda: load_dataset(project, data))
    if kit is None or dataset is None or not report.ok:
        return report
    prepared = prepare(dataset)
    year = dataset.years[-1]
    names = [u for u in dataset.units if (dataset.frame["unit"].eq(u) & dataset.frame["year"].eq(year)).any()]
    names = names[:units] if units else names
    report.units = len(names)
    seen: set[str] = set()
    for n, unit in enumerate(names):
        try:
            context = context_from_analysis(kit, dataset, analyze_unit(prepared, unit, year, kit.rules))
            if n == 0:
                check_variables(kit.renderer, context, report)
            kit.renderer.render(context)
            report.rendered += 1
        except IssuesError as exc:
            for issue in exc.issues:
                if str(issue) not in seen:
                    seen.add(str(issue))
                    report.issues.append(Issue(f"{issue.message} (khi tạo báo cáo thử cho {unit})",
                                               issue.location, issue.value, issue.severity, issue.code))
        except ReportgenError as exc:
            if exc.message not in seen:
                seen.add(exc.message)
                report.issues.append(Issue(f"{exc.message} (khi tạo báo cáo thử cho {unit})",
                                           exc.location, code="render"))
    return report
