"""Seeded generator of the bundled sample dataset and of large synthetic datasets.

Every unit is fictional, so no generated report can state a false figure about a real
province, and every row says so in its ``source`` column. The shape is realistic: one peer
group of provinces with PAR INDEX (8 fields, field 8 split in two), SIPAS (5 factors and the
service/policy parts) and PAPI (8 dimensions, some sub-dimensions); one province's
departments in a second group scored on a province-defined index; three consecutive years;
a persistent quality per unit plus yearly drift; a few ties and a few missing years.

Run ``python -m reportgen.data.sample --out PATH [--provinces N] [--seed S]``.
"""

from __future__ import annotations

import argparse
import csv
import random
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import NotRequired, TypeAlias, TypedDict

from reportgen.data.text import fold

SAMPLE_SOURCE = "DỮ LIỆU MẪU hư cấu (reportgen), không phải số liệu công bố"
PROVINCE_GROUP = "Tỉnh, thành phố"
DEPARTMENT_GROUP = "Khối sở"
HOME_PROVINCE = "Hòa Lâm"

# Province names that exist or existed, excluded from the fictional combinations.
_REAL = {
    "An Giang", "Bắc Giang", "Bình Định", "Bình Phước", "Bình Thuận", "Gia Lai", "Hà Giang",
    "Hải Dương", "Hòa Bình", "Hưng Yên", "Long An", "Nam Định", "Phú Yên", "Thanh Hóa",
    "Trà Vinh", "Vĩnh Long", "Vĩnh Phúc", "Yên Bái", "Thái Bình", "Minh Hải", "Hậu Giang",
    "Sông Bé", "Hải Hưng", "Nghĩa Bình", "Phú Khánh", "Thuận Hải", "Hà Tuyên", "Cửu Long",
    "Kiên Giang", "Tiền Giang", "Đồng Nai", "Quảng Nam", "Lâm Đồng", "Ninh Bình", "Phú Thọ",
    "Quảng Bình", "Quảng Ngãi", "Quảng Ninh", "Quảng Trị", "Bình Dương", "Bắc Ninh", "Hà Nam",
    "Hà Tĩnh", "Hải Phòng", "Cao Bằng", "Bến Tre", "Cà Mau", "Kon Tum", "Lai Châu", "Lào Cai",
    "Sơn La", "Tây Ninh", "Khánh Hòa", "Đồng Tháp", "Đông Hải", "An Hải",
}
_FIRST = ["Hòa", "An", "Bảo", "Cẩm", "Đông", "Gia", "Hưng", "Kim", "Lạc", "Ngọc", "Phú", "Phước",
          "Quang", "Tân", "Thuận", "Trường", "Vạn", "Xuân", "Đại", "Mỹ"]
_SECOND = ["Lâm", "Hải", "Sơn", "Giang", "Thành", "Phong", "Lộc", "Thủy", "Điền", "Minh",
           "Xuyên", "Khê", "Nguyên", "Hòa", "Bình"]

# Departments of the home province in 2022–2024 (before the 03/2025 merger). The "&" is on
# purpose: a real name written that way must never corrupt the Word document.
DEPARTMENTS = [
    "Sở Nội vụ", "Sở Tư pháp", "Sở Kế hoạch và Đầu tư", "Sở Tài chính", "Sở Công Thương",
    "Sở Nông nghiệp và Phát triển nông thôn", "Sở Giao thông vận tải", "Sở Xây dựng",
    "Sở Tài nguyên và Môi trường", "Sở Thông tin và Truyền thông",
    "Sở Lao động - Thương binh và Xã hội", "Sở Văn hóa, Thể thao & Du lịch",
    "Sở Khoa học và Công nghệ", "Sở Giáo dục và Đào tạo", "Sở Y tế", "Thanh tra tỉnh",
    "Văn phòng UBND tỉnh",
]

# Illustrative PAR INDEX field maxima (the 2022–2024 official ones are unpublished; the
# framework leaves them empty and the data carries them, as a user's file would).
PAR_MAX = {"1": 9.0, "2": 11.0, "3": 13.5, "4": 9.5, "5": 13.0, "6": 10.0, "7": 13.0,
           "8.1": 14.5, "8.2": 6.5}
PAR_BASE = {"1": 0.95, "2": 0.88, "3": 0.88, "4": 0.93, "5": 0.87, "6": 0.86, "7": 0.80,
            "8.1": 0.84, "8.2": 0.82}
PAR_YEAR_SHIFT = {2022: -0.020, 2023: 0.005, 2024: 0.019}
PAPI_BASE = {"1": 5.0, "2": 5.3, "3": 4.5, "4": 6.8, "5": 7.3, "6": 7.1, "7": 3.5, "8": 2.9}
PAPI_SUBS = {"3": ("3.1", "3.2", "3.3"), "7": ("7.1", "7.2", "7.3")}
SIPAS_BASE = {"1": 85.5, "2": 85.0, "3": 87.0, "4": 85.8, "5": 76.0}
SIPAS_YEAR_SHIFT = {2022: -2.6, 2023: 0.0, 2024: 1.3}
PAR_SO_MAX = {"1": 12.0, "2": 10.0, "3": 22.0, "4": 10.0, "5": 14.0, "6": 12.0, "7": 20.0}

# PAR INDEX criteria (tiêu chí) under fields 1–7, and sub-criteria under 3.3: HƯ CẤU — names,
# maxima and lead agencies are illustrative, not the list of Quyết định 876/QĐ-BNV (which could
# not be confirmed from public sources; see templates/frameworks/par_index_876.yaml). Each
# field's maxima add up to PAR_MAX; code → (name, maximum, lead agency given in the data or "").
PAR_CRITERIA: dict[str, tuple[str, float, str]] = {
    "1.1": ("Kế hoạch cải cách hành chính năm", 2.0, ""),
    "1.2": ("Báo cáo cải cách hành chính", 1.5, ""),
    "1.3": ("Kiểm tra công tác cải cách hành chính", 2.0, ""),
    "1.4": ("Tuyên truyền cải cách hành chính", 1.5, ""),
    "1.5": ("Sáng kiến, giải pháp mới trong cải cách hành chính", 2.0, ""),
    "2.1": ("Xây dựng, ban hành văn bản quy phạm pháp luật", 3.5, ""),
    "2.2": ("Rà soát, hệ thống hóa văn bản quy phạm pháp luật", 3.0, ""),
    "2.3": ("Theo dõi thi hành pháp luật", 2.0, ""),
    "2.4": ("Kiểm tra, xử lý văn bản quy phạm pháp luật", 2.5, ""),
    "3.1": ("Kiểm soát thủ tục hành chính", 3.0, "Văn phòng UBND tỉnh"),
    "3.2": ("Công khai thủ tục hành chính", 2.5, "Văn phòng UBND tỉnh"),
    "3.3": ("Thực hiện cơ chế một cửa, một cửa liên thông", 4.0,
            "Trung tâm Phục vụ hành chính công tỉnh"),
    "3.3.1": ("Tỷ lệ hồ sơ giải quyết đúng hạn", 2.5, ""),
    "3.3.2": ("Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính", 1.5, ""),
    "3.4": ("Tiếp nhận, xử lý phản ánh, kiến nghị về thủ tục hành chính", 4.0,
            "Văn phòng UBND tỉnh"),
    "4.1": ("Sắp xếp tổ chức bộ máy", 3.5, ""),
    "4.2": ("Quản lý biên chế", 3.0, ""),
    "4.3": ("Phân cấp quản lý", 3.0, ""),
    "5.1": ("Vị trí việc làm", 3.0, ""),
    "5.2": ("Tuyển dụng, sử dụng công chức, viên chức", 3.5, ""),
    "5.3": ("Đánh giá, khen thưởng công chức, viên chức", 3.0, ""),
    "5.4": ("Kỷ luật, kỷ cương hành chính", 3.5, "Thanh tra tỉnh"),
    "6.1": ("Quản lý, sử dụng ngân sách nhà nước", 4.0, ""),
    "6.2": ("Tự chủ tài chính của đơn vị sự nghiệp công lập", 3.0, ""),
    "6.3": ("Quản lý, sử dụng tài sản công", 3.0, ""),
    "7.1": ("Hạ tầng, nền tảng số", 3.5, ""),
    "7.2": ("Cung cấp dịch vụ công trực tuyến", 5.0, ""),
    "7.3": ("Dữ liệu số", 2.5, ""),
    "7.4": ("Bảo đảm an toàn thông tin", 2.0, ""),
}
FULL_SHARE = 0.3  # share of criteria a sample unit keeps at full score


def province_names(n: int, seed: int) -> list[str]:
    """``n`` fictional province names, the home province first, then seeded combinations,
    then numbered names when the combinations run out (large benchmark datasets)."""
    rng = random.Random(seed)
    real = {fold(n) for n in _REAL}
    combos = [f"{a} {b}" for a in _FIRST for b in _SECOND if a != b and fold(f"{a} {b}") not in real]
    rng.shuffle(combos)
    names = [HOME_PROVINCE] + [c for c in combos if c != HOME_PROVINCE]
    names += [f"Tỉnh mẫu {i:04d}" for i in range(1, max(0, n - len(names)) + 1)]
    return names[:n]


@dataclass
class _Unit:
    name: str
    group: str
    quality: float
    trend: float
    missing: frozenset[int]


class SampleRow(TypedDict):
    """One generated row of the long layout (text scores with a decimal comma)."""

    year: int
    index: str
    unit: str
    component: str
    score: str
    max_score: str
    rank: int | str  # the published rank on TOTAL rows of ranked indexes, else ""
    group: str
    source: str
    component_name: NotRequired[str]  # a criterion's name (PAR INDEX criteria only)
    responsible: NotRequired[str]  # a criterion's lead agency, when the data gives one


# An index of the provinces: code, score maker, maxima carried by the data, ranks published.
_Maker: TypeAlias = tuple[str, Callable[[_Unit, int, random.Random], dict[str, float]],
                          dict[str, float] | None, bool]


def _clip(x: float, lo: float, hi: float) -> float:
    return max(lo, min(hi, x))


def _par_rows(u: _Unit, year: int, rng: random.Random) -> dict[str, float]:
    drift = u.quality + u.trend * (year - 2023)
    scores = {}
    for code, mx in PAR_MAX.items():
        pct = PAR_BASE[code] + PAR_YEAR_SHIFT[year] + 0.035 * drift + rng.gauss(0, 0.025)
        scores[code] = round(mx * _clip(pct, 0.55, 1.0), 2)
    scores["8"] = round(scores["8.1"] + scores["8.2"], 2)
    scores["TOTAL"] = round(sum(scores[c] for c in "12345678"), 2)
    return scores


def _split_loss(parent: float, maxima: list[float], lost: float,
                rng: random.Random) -> list[float]:
    """Scores of the children of a node scoring ``parent`` (its maximum minus ``lost``): the
    loss shared at random (some children at full score), each child within its maximum, the
    scores adding up to ``parent`` exactly (two decimals)."""
    weights = [0.0 if rng.random() < FULL_SHARE else rng.uniform(0.3, 1.0) for _ in maxima]
    if not any(weights):
        weights[rng.randrange(len(weights))] = 1.0
    losses = [0.0] * len(maxima)
    left = lost
    while left > 1e-9:  # shares capped at a child's maximum go to the others
        open_ = [k for k, w in enumerate(weights) if w and losses[k] < maxima[k] - 1e-9]
        if not open_:  # the children losing nothing so far share what is left
            if all(weights):
                break  # every child at zero: nothing more to lose
            weights = [w or 1.0 for w in weights]
            continue
        total = sum(weights[k] for k in open_)
        spent = 0.0
        for k in open_:
            take = min(left * weights[k] / total, maxima[k] - losses[k])
            losses[k] += take
            spent += take
        left -= spent
    scores = [round(m - x, 2) for m, x in zip(maxima, losses, strict=True)]
    last = max((k for k, w in enumerate(weights) if w), key=lambda k: scores[k])
    scores[last] = round(parent - sum(s for k, s in enumerate(scores) if k != last), 2)
    return scores


def _par_criteria(u: _Unit, year: int, fields: dict[str, float], seed: int) -> dict[str, float]:
    """The sample unit's criterion scores under fields 1–7 (and 3.3's sub-criteria), adding
    up to the field scores; their own generator, so that no other score changes."""
    rng = random.Random(f"{seed}/{u.name}/{year}")
    out: dict[str, float] = {}
    for parent in [*"1234567", *(c for c in PAR_CRITERIA if c.count(".") == 1)]:
        kids = [c for c in PAR_CRITERIA if c.rpartition(".")[0] == parent]
        score = fields[parent] if parent in fields else out.get(parent)
        if not kids or score is None:
            continue
        maxima = [PAR_CRITERIA[c][1] for c in kids]
        for code, value in zip(kids, _split_loss(score, maxima, sum(maxima) - score, rng),
                               strict=True):
            out[code] = value
    return out


def _sipas_rows(u: _Unit, year: int, rng: random.Random) -> dict[str, float]:
    drift = u.quality + u.trend * (year - 2023)
    scores = {code: round(_clip(base + SIPAS_YEAR_SHIFT[year] + 2.2 * drift + rng.gauss(0, 1.4),
                                50, 99.5), 2)
              for code, base in SIPAS_BASE.items()}
    scores["DV"] = round(sum(scores[c] for c in "12345") / 5 + rng.gauss(0, 0.4), 2)
    scores["CS"] = round(_clip(scores["DV"] - 2.0 + 1.5 * drift + rng.gauss(0, 1.0), 50, 99.5), 2)
    scores["TOTAL"] = round((scores["DV"] + scores["CS"]) / 2, 2)
    return scores


def _papi_rows(u: _Unit, year: int, rng: random.Random) -> dict[str, float]:
    drift = u.quality + u.trend * (year - 2023)
    scores: dict[str, float] = {}
    for code, base in PAPI_BASE.items():
        subs = PAPI_SUBS.get(code)
        value = _clip(base + 0.35 * drift + rng.gauss(0, 0.3), 1.0, 9.8)
        if subs:
            parts = [round(value / len(subs) + rng.gauss(0, 0.08), 2) for _ in subs]
            for sub, part in zip(subs, parts, strict=True):
                scores[sub] = part
            value = sum(parts)
        scores[code] = round(value, 2)
    scores["TOTAL"] = round(sum(scores[c] for c in PAPI_BASE), 2)
    return scores


def _par_so_rows(u: _Unit, year: int, rng: random.Random) -> dict[str, float]:
    drift = u.quality + u.trend * (year - 2023)
    scores = {code: round(mx * _clip(0.86 + 0.01 * (year - 2023) + 0.05 * drift
                                     + rng.gauss(0, 0.035), 0.5, 1.0), 2)
              for code, mx in PAR_SO_MAX.items()}
    scores["TOTAL"] = round(sum(scores.values()), 2)
    return scores


def _units(names: list[str], group: str, years: tuple[int, ...], rng: random.Random,
           missing_share: float) -> list[_Unit]:
    units = []
    for i, name in enumerate(names):
        missing: frozenset[int] = frozenset()
        if i > 0 and rng.random() < missing_share:
            missing = frozenset({years[0]}) if rng.random() < 0.6 else frozenset({years[1]})
        units.append(_Unit(name, group, rng.gauss(0, 1), rng.gauss(0, 0.35), missing))
    return units


def _emit(index: str, u: _Unit, year: int, scores: dict[str, float],
          maxima: dict[str, float] | None, rank: int | None) -> Iterator[SampleRow]:
    for code, score in scores.items():
        yield {
            "year": year, "index": index, "unit": u.name, "component": code,
            "score": f"{score:.2f}".replace(".", ","),
            "max_score": f"{maxima[code]:g}".replace(".", ",") if maxima and code in maxima else "",
            "rank": rank if code == "TOTAL" and rank is not None else "",
            "group": u.group, "source": SAMPLE_SOURCE,
        }


def _criteria_rows(u: _Unit, year: int, fields: dict[str, float], seed: int
                   ) -> Iterator[SampleRow]:
    """The sample unit's PAR INDEX criterion rows: name, maximum and lead agency given."""
    for code, score in _par_criteria(u, year, fields, seed).items():
        name, maximum, lead = PAR_CRITERIA[code]
        yield {"year": year, "index": "PAR_INDEX", "unit": u.name, "component": code,
               "score": f"{score:.2f}".replace(".", ","),
               "max_score": f"{maximum:g}".replace(".", ","), "rank": "", "group": u.group,
               "source": SAMPLE_SOURCE, "component_name": name, "responsible": lead}


def _ranked(scores: dict[str, dict[str, float]]) -> dict[str, int]:
    from reportgen.analysis.ranking import rank_map

    return rank_map({name: s["TOTAL"] for name, s in scores.items()})


def generate(provinces: int = 45, years: tuple[int, ...] = (2022, 2023, 2024),
             departments: bool = True, seed: int = 2025,
             indexes: tuple[str, ...] = ("PAR_INDEX", "SIPAS", "PAPI"),
             criteria: bool = False) -> list[SampleRow]:
    """Rows of the long layout (text cells, decimal comma) for a fictional dataset; the
    provinces get the listed indexes (benchmarks may ask for fewer), and with ``criteria``
    the PAR INDEX criteria of :data:`PAR_CRITERIA` (the bundled sample has them)."""
    rng = random.Random(seed)
    prov = _units(province_names(provinces, seed), PROVINCE_GROUP, years, rng, 0.08)
    depts = _units(DEPARTMENTS, DEPARTMENT_GROUP, years, rng, 0.06) if departments else []
    rows: list[SampleRow] = []
    makers: tuple[_Maker, ...] = (("PAR_INDEX", _par_rows, PAR_MAX, True),
                                  ("SIPAS", _sipas_rows, None, True),
                                  ("PAPI", _papi_rows, None, False))
    makers = tuple(m for m in makers if m[0] in indexes)
    for year in years:
        present = [u for u in prov if year not in u.missing]
        for index, make, maxima, published in makers:
            scores = {u.name: make(u, year, rng) for u in present}
            _make_tie(scores, rng)
            ranks = _ranked(scores) if published else {}
            for u in present:
                rows.extend(_emit(index, u, year, scores[u.name], maxima, ranks.get(u.name)))
                if criteria and index == "PAR_INDEX":
                    rows.extend(_criteria_rows(u, year, scores[u.name], seed))
        dept_scores = {u.name: _par_so_rows(u, year, rng) for u in depts if year not in u.missing}
        for u in depts:
            if u.name in dept_scores:
                rows.extend(_emit("PAR_SO", u, year, dept_scores[u.name], None, None))
    return rows


def _make_tie(scores: dict[str, dict[str, float]], rng: random.Random) -> None:
    """Give two units the same results, so ties (1, 2, 2, 4) occur in the sample."""
    names = list(scores)
    if len(names) >= 6:
        a, b = rng.sample(names[1:], 2)
        scores[b] = dict(scores[a])


COMMUNE_GROUP = "Xã, phường"
COMMUNE_INDEX = "PAR_XA"  # templates/frameworks/par_xa_vi_du.yaml (an example framework)
_COMMUNE_WORDS = ["Xã", "Phường"]


def commune_names(n: int, seed: int, taken: Iterable[str] = ()) -> list[str]:
    """``n`` distinct fictional commune names ("Xã Phú Lâm", "Phường Tân Hải 2"), none in
    ``taken``."""
    rng = random.Random(seed)
    combos = [f"{w} {a} {b}" for w in _COMMUNE_WORDS for a in _FIRST for b in _SECOND if a != b]
    rng.shuffle(combos)
    used = set(taken)
    names = [c for c in combos if c not in used]
    names += [f"Xã mẫu {i:04d}" for i in range(1, max(0, n - len(names)) + 1)]
    return names[:n]


def communes(old: int = 300, new: int = 100, seed: int = 2025, year: int = 2025,
             ) -> tuple[list[SampleRow], list[dict[str, object]]]:
    """A fictional province's communes across the 2025 reorganisation: ``old`` communes
    scored the year before ``year``, merged into ``new`` ones scored in ``year`` (each new
    commune continues two or more old ones, by population share; one in five keeps the name
    of its largest predecessor). Returns the score rows and the lineage table's rows."""
    if not 1 <= new <= old:
        raise ValueError("số xã sau sắp xếp phải từ 1 đến số xã trước sắp xếp")
    rng = random.Random(seed)
    before = commune_names(old, seed)
    parts = _partition(old, new, rng)
    lineage: list[dict[str, object]] = []
    fresh = iter(commune_names(new, seed + 1, before))
    after: list[str] = []
    start = 0
    for k, size in enumerate(parts):
        preds = before[start:start + size]
        start += size
        shares = [rng.uniform(0.5, 2.0) for _ in preds]
        weights = [round(s / sum(shares), 3) for s in shares]
        weights[-1] = round(1.0 - sum(weights[:-1]), 3)
        name = preds[weights.index(max(weights))] if k % 5 == 0 else next(fresh)
        after.append(name)
        lineage += [{"year": year, "unit": name, "predecessor": p, "weight": w,
                     "kind": "merge" if len(preds) > 1 else "rename", "source": SAMPLE_SOURCE}
                    for p, w in zip(preds, weights, strict=True)]
    rows: list[SampleRow] = []
    for when, names in ((year - 1, before), (year, after)):
        units = _units(names, COMMUNE_GROUP, (when,), rng, 0.0)
        for u in units:
            rows.extend(_emit(COMMUNE_INDEX, u, when, _par_so_rows(u, when, rng), None, None))
    return rows, lineage


def _partition(total: int, parts: int, rng: random.Random) -> list[int]:
    """``parts`` sizes of at least one (two when there is room) summing to ``total``."""
    floor = 2 if total >= 2 * parts else 1
    sizes = [floor] * parts
    for _ in range(total - floor * parts):
        sizes[rng.randrange(parts)] += 1
    return sizes


LINEAGE_FIELDS = ["year", "unit", "predecessor", "weight", "kind", "source"]


def write_communes(folder: Path, old: int = 300, new: int = 100, seed: int = 2025) -> Path:
    """The commune sample as a data folder: ``scores.csv`` and ``lineage.csv``."""
    rows, lineage = communes(old, new, seed)
    write_csv(rows, folder / "scores.csv")
    with (folder / "lineage.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=LINEAGE_FIELDS)
        writer.writeheader()
        writer.writerows(lineage)
    return folder


def write_csv(rows: Iterable[Mapping[str, object]], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fields = ["year", "index", "unit", "component", "score", "max_score", "rank", "group", "source",
              "component_name", "responsible"]
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields, restval="")
        writer.writeheader()
        writer.writerows(rows)


GROUP_FIELDS = ["year", "index", "group", "size", "source"]


def groups_rows(rows: Iterable[Mapping[str, object]]) -> list[dict[str, object]]:
    """The sample's ``groups`` table: how many fictional provinces each index assessed each
    year (a province absent from a year's results was not assessed that year). The
    province-defined index of the departments has no such table: its group is complete."""
    assessed: dict[tuple[object, object, object], set[object]] = {}
    for r in rows:
        if r["group"] == PROVINCE_GROUP and r["component"] == "TOTAL":
            assessed.setdefault((r["year"], r["index"], r["group"]), set()).add(r["unit"])
    return [{"year": y, "index": i, "group": g, "size": len(units), "source": SAMPLE_SOURCE}
            for (y, i, g), units in assessed.items()]


def write_groups(rows: Iterable[Mapping[str, object]], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=GROUP_FIELDS)
        writer.writeheader()
        writer.writerows(groups_rows(rows))


def sample_dir() -> Path:
    """The bundled sample dataset: a folder with the scores and the groups table."""
    return Path(__file__).parent / "sample"


def sample_path() -> Path:
    """The scores of the bundled sample dataset (``sample.csv`` in :func:`sample_dir`)."""
    return sample_dir() / "sample.csv"


def data_path(data: str | Path | None) -> Path:
    """The user's dataset, or the bundled sample (its folder) when none is given."""
    return Path(data) if data is not None else sample_dir()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Sinh bộ dữ liệu mẫu hư cấu cho reportgen")
    parser.add_argument("--out", type=Path, default=sample_path())
    parser.add_argument("--provinces", type=int, default=45)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--no-departments", action="store_true")
    parser.add_argument("--no-criteria", action="store_true",
                        help="không sinh điểm các tiêu chí (hư cấu) của PAR INDEX")
    parser.add_argument("--no-groups", action="store_true",
                        help="không ghi bảng groups.csv (số tỉnh mỗi năm) cạnh tệp điểm")
    parser.add_argument("--indexes", default="PAR_INDEX,SIPAS,PAPI",
                        help="chỉ số của các tỉnh, cách nhau bởi dấu phẩy")
    parser.add_argument("--communes", type=int, nargs=2, metavar=("CU", "MOI"),
                        help="thay vào đó: thư mục --out gồm điểm các xã của một tỉnh hư cấu, CU "
                        "xã trước sắp xếp năm 2025 hợp nhất thành MOI xã, kèm bảng lineage.csv")
    args = parser.parse_args(argv)
    if args.communes:
        old, new = args.communes
        write_communes(args.out, old, new, seed=args.seed)
        return
    rows = generate(args.provinces, departments=not args.no_departments, seed=args.seed,
                    indexes=tuple(args.indexes.split(",")), criteria=not args.no_criteria)
    write_csv(rows, args.out)
    if not args.no_groups:
        write_groups(rows, args.out.parent / "groups.csv")


if __name__ == "__main__":
    main()
