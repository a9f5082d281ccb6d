"""The ND30 header and closing block of a report (issuer, number, place and date, subject,
legal bases, signature, recipients) from ``report.yaml``, its ``{{ }}`` variables filled."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from typing import Any

from jinja2 import TemplateError
from jinja2.sandbox import SandboxedEnvironment

from reportgen.errors import Issue, Location
from reportgen.errors import TemplateError as ReportTemplateError
from reportgen.narrate.labels import label, vn_date
from reportgen.narrate.limits import MACRO_BUDGET_S, TEMPLATE_FAULTS, budget

REPORT_SETTINGS = "report.yaml"
# report.yaml keys that section VI prints (a unit report's; the overview's own, in its last part)
SECTION_VI_KEYS = ("implementation", "proposals")
# what filling a setting's {{ }} can raise: each becomes a message naming report.yaml
SETTING_FAULTS: tuple[type[BaseException], ...] = (TemplateError, *TEMPLATE_FAULTS)


def report_settings(config: Mapping[str, Any], group: str) -> dict[str, Any]:
    """Defaults overridden by the unit's group section."""
    merged = dict(config.get("defaults") or {})
    merged.update((config.get("groups") or {}).get(group) or {})
    return merged


DEADLINE_KEYS = ("explanation", "progress", "summary")


def report_deadlines(config: Mapping[str, Any], group: str, env: SandboxedEnvironment,
                     variables: Mapping[str, Any]) -> dict[str, str]:
    """The ``deadlines`` of report.yaml for a group, key by key (a group overrides only the
    deadlines it writes), ``{{ }}`` filled; the older ``explanation_deadline`` is read as
    ``deadlines.explanation``. "" where no deadline is set: the report states none."""
    merged: dict[str, Any] = {}
    for part in (config.get("defaults") or {}, (config.get("groups") or {}).get(group) or {}):
        if part.get("explanation_deadline"):
            merged["explanation"] = part["explanation_deadline"]
        merged.update(part.get("deadlines") or {})
    filled = render_setting(env, {k: v for k, v in merged.items() if v}, variables)
    return {key: filled.get(key, "") for key in DEADLINE_KEYS}


def with_index_bases(settings: Mapping[str, Any], bases: Iterable[str]) -> dict[str, Any]:
    """The settings with, when they give no ``legal_bases`` of their own, the "Căn cứ" lines
    of the frameworks of the indexes reported on (each index cites its own publisher and
    year; a report of one index cites only that index)."""
    if settings.get("legal_bases") is not None:
        return dict(settings)
    return {**settings, "legal_bases": list(dict.fromkeys(bases))}


def render_setting(env: SandboxedEnvironment, value: Any, variables: Mapping[str, Any]) -> Any:
    """Fill ``{{ }}`` variables in a configuration value (strings, lists, mappings)."""
    if isinstance(value, str):
        if "{" not in value and "\r" not in value:  # nothing to fill: Jinja would return it as is
            return re.sub(r"\s*\n\s*", " ", value).strip()
        try:
            compiled = getattr(env, "setting", env.from_string)  # the sandbox keeps them compiled
            with budget(MACRO_BUDGET_S):
                text = compiled(value).render(**variables)
        except SETTING_FAULTS as exc:
            detail = str(exc) if isinstance(exc, TemplateError) else f"{type(exc).__name__}: {exc}"
            raise ReportTemplateError([Issue(
                f"không điền được giá trị {value[:80]!r} của cấu hình báo cáo: {detail}",
                Location(file=REPORT_SETTINGS), code="setting_render")]) from exc
        # folded YAML lines join with one space; runs of spaces the user typed ("Số:      /") stay
        return re.sub(r"\s*\n\s*", " ", text).strip()
    if isinstance(value, list):
        return [render_setting(env, v, variables) for v in value]
    if isinstance(value, Mapping):
        return {k: render_setting(env, v, variables) for k, v in value.items()}
    return value


def signing_date(value: Any, action_year: int, today: dt.date | None = None, *,
                 env: SandboxedEnvironment) -> str:
    """"ngày 05 tháng 5 năm 2025", or, when no date is configured, blanks for the clerk
    (macro ``ngay_ky_de_trong`` of ``phrases/nhan.j2``)."""
    if value in (None, ""):
        return label(env, "ngay_ky_de_trong", nam=action_year)
    if value == "today":
        return vn_date(env, today or dt.date.today())
    if isinstance(value, dt.date):
        return vn_date(env, value)
    return vn_date(env, dt.date.fromisoformat(str(value)))


def header_block(settings: Mapping[str, Any], env: SandboxedEnvironment, variables: Mapping[str, Any],
                 action_year: int) -> dict[str, Any]:
    """Issuer, number, place and date, subject, legal bases, signature and recipients; the
    fixed words (document type, defaults of a missing number or archive line, the appendix
    reference) come from ``phrases/nhan.j2``."""
    s = render_setting(env, settings, variables)
    recipients = [f"- {str(r).rstrip(';. ')};" for r in s.get("recipients") or []]
    archive = s["archive"] if "archive" in s else label(env, "luu_tru")
    recipients.append(f"- {archive}")
    bases = list(s.get("legal_bases") or [])
    bases = [b.rstrip(";.") + (";" if n < len(bases) - 1 else ".") for n, b in enumerate(bases)]
    date = signing_date(settings.get("date"), action_year, env=env)
    place_date = f"{s.get('place', '')}, {date}"
    number = s["number"] if "number" in s else label(env, "so_van_ban")
    return {
        "parent_agency": s.get("parent_agency", ""),
        "agency": s.get("agency", ""),
        "agency_short": s.get("agency_short", ""),
        "number": number,
        "place_date": place_date,
        "doc_type": label(env, "loai_van_ban"),
        "subject": s.get("subject", ""),
        "legal_bases": bases,
        "intro": s.get("intro", ""),
        "closing": s.get("closing", "").rstrip().removesuffix("./.").rstrip(".") + "./.",
        "signer": s.get("signer") or {"authority": "", "title": "", "name": ""},
        "recipients": recipients,
        "appendix_ref": label(env, "kem_theo", so=number, ngay=date,
                              co_quan=s.get("agency_short", "")),
        "explanation_deadline": s.get("explanation_deadline"),
        "unit_label": s.get("unit_label", variables["unit"]),
        "unit_short": s.get("unit_short", variables["unit"]),
        "peer_label": s.get("peer_label", variables["group"].lower()),
        "sample_notice": "",
    }
