"""Example values for the user guide: one report of the bundled sample, analysed and narrated
with the packaged defaults (the files ``templates init`` copies), whatever the current
project's ``templates/`` folder holds."""

from __future__ import annotations

from reportgen.app import Project, context_from_analysis, load_dataset, make_toolkit
from reportgen.config.frameworks import load_frameworks
from reportgen.config.search import SearchPath, packaged_dir


def example_for_guide(dpi: int = 0) -> tuple[dict, dict]:
    """(render context, analysis) of the sample's default unit, charts not drawn."""
    from reportgen.analysis.unit import analyze_unit, prepare
    from reportgen.app import default_unit_and_year

    search = SearchPath((packaged_dir(),))
    project = Project(search, load_frameworks(search))
    dataset = load_dataset(project)
    kit = make_toolkit(project, dpi=dpi)
    unit, year = default_unit_and_year(dataset, kit, None, None)
    analysis = analyze_unit(prepare(dataset), unit, year, kit.rules)
    return context_from_analysis(kit, dataset, analysis), analysis
