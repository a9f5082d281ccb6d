"""Example values for the user guide: one report of the bundled sample, analysed and narrated."""

from __future__ import annotations

from .build import context_from_analysis, load_dataset, make_toolkit, open_project


def example_for_guide(dpi: int = 0) -> tuple[dict, dict]:
    """(render context, analysis) of the sample's default unit, charts drawn small."""
    from .analyze import analyze_unit, prepare
    from .build import default_unit_and_year

    project = open_project()
    dataset = load_dataset(project)
    kit = make_toolkit(project, dpi=dpi)
    unit, year = default_unit_and_year(dataset, kit, None, None)
    analysis = analyze_unit(prepare(dataset), unit, year, kit.rules)
    return context_from_analysis(kit, dataset, analysis), analysis
