"""The pipeline as a readable list of stage calls: load → validate → analyze → narrate/chart
→ render → write. The CLI and the batch runner call these; they hold no logic of their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reportgen.config.frameworks import Frameworks, load_frameworks
from reportgen.config.search import SearchPath
from reportgen.data.load import LoadOptions, load
from reportgen.data.sample import sample_path
from reportgen.data.validate import Dataset, validate


@dataclass(frozen=True)
class Project:
    """Everything a run reads besides the dataset: search path and the editable files."""

    search: SearchPath
    frameworks: Frameworks


def open_project(templates: str | Path | None = None, framework_files: tuple[Path, ...] = ()) -> Project:
    """Resolve the search path and read the frameworks found on it."""
    search = SearchPath.build(templates)
    return Project(search, load_frameworks(search, framework_files))


def data_path(data: str | Path | None) -> Path:
    """The user's dataset, or the bundled sample when none is given."""
    return Path(data) if data is not None else sample_path()


def load_dataset(project: Project, data: str | Path | None = None, strict: bool = False,
                 options: LoadOptions | None = None) -> Dataset:
    """Load and validate a dataset (all problems reported at once)."""
    return validate(load(data_path(data), options), project.frameworks, strict=strict)


# --- one report --------------------------------------------------------------------------

REPORT_TEMPLATE = "bao-cao.docx"
REPORT_CONFIG = "report.yaml"
CHART_DPI = 200


@dataclass
class Toolkit:
    """What is prepared once per process and reused for every report: rules, phrases,
    report configuration and the compiled Word template."""

    project: Project
    rules: object
    narrator: object
    renderer: object
    template_path: Path
    config_path: Path
    dpi: int = CHART_DPI


def make_toolkit(project: Project, config: str | Path | None = None,
                 template: str = REPORT_TEMPLATE, dpi: int = CHART_DPI) -> Toolkit:
    """Read and compile everything a report needs besides its data."""
    from reportgen.config.rules import load_rules
    from reportgen.config.yamlio import read_yaml
    from reportgen.docx.render import Renderer
    from reportgen.narrate.unit import Narrator, Phrases

    config_path = Path(config) if config else project.search.find(REPORT_CONFIG)
    template_path = project.search.find(template)
    narrator = Narrator(Phrases.load(project.search), read_yaml(config_path) or {}, str(config_path))
    narrator.check_settings()
    return Toolkit(project, load_rules(project.search), narrator, Renderer(template_path),
                   template_path, config_path, dpi)


# A 1×1 white PNG: dry runs (templates check) place it instead of drawing each chart.
PLACEHOLDER_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415408d763f8"
    "ffff3f0005fe02fea7d6a4e00000000049454e44ae426082")


def draw_charts(specs: dict[str, list], dpi: int) -> dict[str, list[dict]]:
    """Draw each chart specification, or record why it was left out; ``dpi`` 0 means a
    dry run that places a blank image of the right size instead of drawing."""
    from reportgen.charts.mpl import draw
    from reportgen.charts.spec import GAP, too_little_data

    drawn: dict[str, list[dict]] = {}
    for section, items in specs.items():
        out = []
        for spec in items:
            reason = too_little_data(spec)
            if reason:
                out.append({"kind": spec.kind, "omitted": reason})
                continue
            drawn_or_spec = draw(spec, dpi) if dpi > 0 else spec  # both carry size and alt text
            chart = {"kind": spec.kind, "png": drawn_or_spec.png if dpi > 0 else PLACEHOLDER_PNG,
                     "width_cm": drawn_or_spec.width_cm, "height_cm": drawn_or_spec.height_cm,
                     "alt_text": drawn_or_spec.alt_text}
            if spec.excerpt_of is not None:
                shown = len(spec.categories) - spec.categories.count(GAP)
                chart["excerpt"] = {"shown": shown, "of": spec.excerpt_of}
            out.append(chart)
        drawn[section] = out
    return drawn


def index_sources(dataset: Dataset, year: int) -> dict[str, str]:
    """The ``source`` column of each index that year, for the "Nguồn:" lines."""
    frame = dataset.frame
    part = frame[(frame["year"] == year) & (frame["source"] != "")]
    return {idx: str(src) for idx, src in part.groupby("index")["source"].first().items()}


def is_sample(dataset: Dataset) -> bool:
    from reportgen.data.sample import SAMPLE_SOURCE

    return bool((dataset.frame["source"] == SAMPLE_SOURCE).any())


def context_from_analysis(kit: Toolkit, dataset: Dataset, analysis: dict) -> dict:
    """chart specs → draw → narrate: the complete render context of one analysed unit."""
    return build_context(kit, analysis, index_sources(dataset, analysis["year"]), is_sample(dataset))


def build_context(kit: Toolkit, analysis: dict, sources: dict[str, str], sample: bool) -> dict:
    """The render context from an analysis and the dataset facts its text cites (the
    indexes' sources, whether it is sample data): what a batch worker receives."""
    from reportgen.charts.unit import index_charts

    unit = analysis["unit"]
    rule = kit.narrator.excerpt_rule(analysis.get("group") or "")
    charts = {i["index"]: draw_charts(index_charts(i, unit, rule), kit.dpi) for i in analysis["indices"]}
    return kit.narrator.context(analysis, charts, sources, sample)


def report_context(kit: Toolkit, prepared: object, dataset: Dataset, unit: str, year: int) -> dict:
    """analyze → chart specs → draw → narrate: the complete render context of one report."""
    from reportgen.analysis.unit import analyze_unit

    return context_from_analysis(kit, dataset, analyze_unit(prepared, unit, year, kit.rules))


def render_report(kit: Toolkit, prepared: object, dataset: Dataset, unit: str, year: int) -> bytes:
    """The .docx bytes of one report (nothing written yet)."""
    return kit.renderer.render(report_context(kit, prepared, dataset, unit, year))


def default_unit_and_year(dataset: Dataset, kit: Toolkit, unit: str | None,
                          year: int | None) -> tuple[str, int]:
    """The unit asked for, else the configuration's ``default_unit`` when it is in the data,
    else the first unit; the year asked for, else the unit's latest year with data."""
    if unit is None:
        configured = (kit.narrator.config.get("defaults") or {}).get("default_unit")
        unit = configured if configured in dataset.units else dataset.units[0]
    if year is None:
        years = dataset.frame.loc[dataset.frame["unit"] == unit, "year"]
        year = int(years.max()) if len(years) else dataset.years[-1]
    return unit, year
