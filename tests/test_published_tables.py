"""The result tables the Ministry and VCCI publish load as published (issue #11, point 8).

Two fictional fixtures in their shape: title lines above the table, Vietnamese headers
("Tỉnh/thành phố", "Lĩnh vực 1: …", component names, "Xếp hạng", "Xếp loại"), a row of maxima,
"N/A" and "-" cells, one sheet with whatever name the publisher gave it. Figures asserted come
from the rows written here.
"""

from __future__ import annotations

import pytest

from reportgen.data.load import LoadOptions, load
from reportgen.data.validate import validate
from reportgen.errors import DataError

YEAR = 2024

# Ministry-style PAR INDEX table (fields by number and name, total in %, rank, rating).
PAR_HEADER = ["STT", "Tỉnh/thành phố", "Lĩnh vực 1: Công tác chỉ đạo, điều hành",
              "Lĩnh vực 2: Cải cách thể chế", "Chỉ số CCHC (%)", "Xếp hạng", "Xếp loại"]
PAR_ROWS = [
    ["", "Điểm tối đa", 9, 11, 100, "", ""],
    [1, "Phú Hòa", 8.9, 10.5, 91.2, 1, "A"],
    [2, "Hòa Lâm", 8.1, "N/A", 86.45, 20, "B"],
    [3, "Kim Sơn", 7.7, 9.9, 86.45, 20, "Nhóm B"],
]

# VCCI-style PCI table: sub-indices by name only, "PCI 2024", "-" for a missing value.
PCI_NAMES = ["Chi phí gia nhập thị trường", "Tiếp cận đất đai", "Tính minh bạch",
             "Chi phí thời gian", "Chi phí không chính thức", "Cạnh tranh bình đẳng",
             "Tính năng động", "Hỗ trợ doanh nghiệp", "Đào tạo lao động", "Thiết chế pháp lý"]
PCI_HEADER = ["Tỉnh/thành phố", *PCI_NAMES, f"PCI {YEAR}", "Xếp hạng", "Xếp loại"]
PCI_ROWS = [
    ["Phú Hòa", 8.1, 7.0, 6.9, 7.5, 6.6, 5.9, 7.1, 6.4, 7.2, 7.7, 72.95, 1, "Rất tốt"],
    ["Hòa Lâm", 7.4, "-", 6.1, 6.8, 6.0, 5.2, 6.3, 5.8, 6.0, 7.1, 66.12, 18, "Tốt"],
]


def _titled(header: list[object], rows: list[list[object]]) -> list[list[object]]:
    return [["KẾT QUẢ CÔNG BỐ NĂM 2024 (SỐ LIỆU HƯ CẤU)"], [], header, *rows]


@pytest.fixture
def par_table(make_xlsx):
    return make_xlsx("ket-qua-par-index.xlsx", {"KQ PAR INDEX 2024": _titled(PAR_HEADER, PAR_ROWS)})


@pytest.fixture
def pci_table(make_xlsx):
    return make_xlsx("pci-2024.xlsx", {"Bảng xếp hạng": _titled(PCI_HEADER, PCI_ROWS)})


def _by(frame, unit: str, component: str) -> dict:
    rows = frame[(frame["unit"] == unit) & (frame["component"] == component)]
    assert len(rows) == 1, (unit, component, frame[["unit", "component"]].values.tolist())
    return rows.iloc[0].to_dict()


def test_ministry_table_loads_as_published(par_table, frameworks):
    dataset = validate(load(par_table, LoadOptions(year=YEAR, index="PAR INDEX")), frameworks)
    frame = dataset.frame
    header_row = 3  # two title lines above the header
    home = _by(frame, "Hòa Lâm", "TOTAL")
    assert (home["score"], home["rank"], home["rating"]) == (86.45, 20, "B")
    assert home["_row"] == header_row + 3  # the maxima row, Phú Hòa, then Hòa Lâm
    assert _by(frame, "Phú Hòa", "1")["max"] == 9 and _by(frame, "Phú Hòa", "2")["max"] == 11
    # "N/A" is a missing value, not an error; "Nhóm B" is the rating B
    assert frame[(frame["unit"] == "Hòa Lâm") & (frame["component"] == "2")].empty
    assert _by(frame, "Kim Sơn", "TOTAL")["rating"] == "B"
    assert sorted(frame["unit"].unique()) == ["Hòa Lâm", "Kim Sơn", "Phú Hòa"]


def test_vcci_table_matches_headers_to_names(pci_table, frameworks):
    dataset = validate(load(pci_table, LoadOptions(year=YEAR, index="PCI")), frameworks)
    frame = dataset.frame
    fw = dataset.framework("PCI", YEAR)
    for n, name in enumerate(PCI_NAMES, start=1):
        assert fw.component_code(name) == str(n), name
        assert _by(frame, "Phú Hòa", str(n))["score"] == PCI_ROWS[0][n]
    home = _by(frame, "Hòa Lâm", "TOTAL")
    assert (home["score"], home["rank"]) == (66.12, 18)
    assert frame[(frame["unit"] == "Hòa Lâm") & (frame["component"] == "2")].empty  # "-"
    # PCI has no rating groups in its framework: the column is ignored once, with a note
    (note,) = [w for w in dataset.warnings if w.code == "unknown_rating"]
    assert note.location.column == "rating" and "PCI" in note.message


def test_a_header_that_names_nothing_is_located_once(make_xlsx, frameworks):
    rows = _titled([*PCI_HEADER[:3], "Điểm thưởng"], [["Phú Hòa", 8.1, 7.0, 1], ["Hòa Lâm", 7.4, 6.1, 2]])
    path = make_xlsx("pci-sai.xlsx", {"PCI": rows})
    with pytest.raises(DataError) as err:
        validate(load(path, LoadOptions(year=YEAR, index="PCI")), frameworks)
    (issue,) = [i for i in err.value.issues if i.code == "unknown_column"]
    assert issue.location.column == "Điểm thưởng" and issue.location.sheet == "PCI"
