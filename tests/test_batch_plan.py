"""batch/plan: which units a batch writes (by year, group, unit) and the file of each (two
units with one file name are refused before anything is written)."""

from __future__ import annotations

from pathlib import Path

import pytest

from reportgen.batch.plan import BatchResult, plan_outputs, select_units, slug_of
from reportgen.config.frameworks import Frameworks
from reportgen.data.load import records_from
from reportgen.data.validate import Dataset, validate
from reportgen.errors import LookupFailed, OutputError

# (year, index, unit, group), in the order of the data file
ROWS = [
    (2024, "PAR_SO", "Sở Một", "Khối sở"),
    (2024, "PAR_SO", "Sở Hai", "Khối sở"),
    (2024, "PAR_SO", "xã Đông", "Khối xã"),
    (2024, "PAR_SO", "xã Tây", "Khối xã"),
    (2024, "PAPI", "Hòa Lâm", "Tỉnh, thành phố"),
    (2024, "PAR_SO", "Hòa Lâm", "Khối tỉnh"),  # a unit in two groups: reported in its first
    (2023, "PAR_SO", "Sở Một", "Khối sở"),
    (2022, "PAR_SO", "Sở Ba", "Khối sở"),
]


@pytest.fixture(scope="module")
def dataset(frameworks: Frameworks) -> Dataset:
    rows = [{"year": y, "index": i, "unit": u, "component": "TOTAL", "score": "70", "group": g}
            for y, i, u, g in ROWS]
    return validate(records_from(rows), frameworks)


# --- plan_outputs ----------------------------------------------------------------------------

def test_each_unit_gets_its_file_under_year_and_group(tmp_path: Path):
    paths = plan_outputs(tmp_path, 2024, [("Sở Văn hóa, Thể thao & Du lịch", "Khối sở"),
                                          ("xã Đông", "Khối xã")])
    assert paths == {"Sở Văn hóa, Thể thao & Du lịch":
                     tmp_path / "2024/khoi-so/so-van-hoa-the-thao-du-lich.docx",
                     "xã Đông": tmp_path / "2024/khoi-xa/xa-dong.docx"}
    assert slug_of(paths["xã Đông"], tmp_path) == "2024/khoi-xa/xa-dong.docx"
    assert not any(tmp_path.iterdir())  # planning writes nothing


def test_one_name_in_two_groups_gives_two_files(tmp_path: Path):
    paths = plan_outputs(tmp_path, 2024, [("Hòa Lâm", "Tỉnh, thành phố"), ("Hòa Lâm 2", "Khối tỉnh")])
    assert len(set(paths.values())) == 2


def test_two_units_with_one_file_name_are_refused_naming_both(tmp_path: Path):
    units = [("Sở A & B", "Khối sở"), ("Sở Một", "Khối sở"), ("Sở A - B", "Khối sở"),
             ("xã Đông", "Khối xã"), ("Xã ĐÔNG", "Khối xã")]
    with pytest.raises(OutputError) as err:
        plan_outputs(tmp_path, 2024, units)
    message = str(err.value)
    assert message.startswith("Hai đơn vị trùng tên tệp kết quả: ")
    assert "'Sở A & B' và 'Sở A - B' cùng tên tệp so-a-b.docx" in message
    assert "'xã Đông' và 'Xã ĐÔNG' cùng tên tệp xa-dong.docx" in message  # every clash at once
    assert message.endswith("Hãy đổi tên một đơn vị trong dữ liệu.")
    assert not any(tmp_path.iterdir())


def test_a_unit_name_cannot_lead_outside_the_folder(tmp_path: Path):
    paths = plan_outputs(tmp_path / "out", 2024, [("../../etc/passwd", "../..")])
    assert paths["../../etc/passwd"].resolve().is_relative_to((tmp_path / "out").resolve())


# --- select_units ----------------------------------------------------------------------------

def test_every_unit_of_the_year_in_data_order_each_once(dataset: Dataset):
    assert select_units(dataset, 2024, None, None) == [
        ("Sở Một", "Khối sở"), ("Sở Hai", "Khối sở"), ("xã Đông", "Khối xã"), ("xã Tây", "Khối xã"),
        ("Hòa Lâm", "Tỉnh, thành phố")]
    assert select_units(dataset, 2023, None, None) == [("Sở Một", "Khối sở")]


def test_selection_by_group(dataset: Dataset):
    assert select_units(dataset, 2024, ["Khối xã"], None) == [("xã Đông", "Khối xã"), ("xã Tây", "Khối xã")]
    assert select_units(dataset, 2024, ["Khối tỉnh"], None) == [("Hòa Lâm", "Khối tỉnh")]


def test_selection_by_unit_accepts_names_without_accents(dataset: Dataset):
    assert select_units(dataset, 2024, None, ["so hai", "Xã Tây"]) == [("Sở Hai", "Khối sở"),
                                                                       ("xã Tây", "Khối xã")]
    assert select_units(dataset, 2024, ["Khối sở"], ["xã Tây"]) == []  # both filters apply


def test_a_year_without_data_is_refused_listing_the_years(dataset: Dataset):
    with pytest.raises(LookupFailed) as err:
        select_units(dataset, 2025, None, None)
    assert str(err.value) == "Không có dữ liệu năm 2025. Các năm có dữ liệu: 2022, 2023, 2024"


def test_an_unknown_group_is_refused_listing_the_groups_of_that_year(dataset: Dataset):
    with pytest.raises(LookupFailed) as err:
        select_units(dataset, 2023, ["Khối xã"], None)
    assert str(err.value) == "Không có nhóm 'Khối xã' trong năm 2023. Các nhóm: Khối sở"
    with pytest.raises(LookupFailed, match="Các nhóm: Khối sở, Khối xã, Tỉnh, thành phố, Khối tỉnh$"):
        select_units(dataset, 2024, ["Khối sở", "khối huyện"], None)


def test_an_unknown_unit_is_refused_with_a_suggestion(dataset: Dataset):
    with pytest.raises(LookupFailed, match="Không tìm thấy đơn vị 'Sở Mộtt'. Có phải: 'Sở Một'"):
        select_units(dataset, 2024, None, ["Sở Mộtt"])


# --- BatchResult -----------------------------------------------------------------------------

def test_a_batch_is_ok_unless_a_unit_failed():
    result = BatchResult(generated=["Sở Một"], skipped=["Sở Hai"])
    assert result.ok
    result.failed["xã Đông"] = "lỗi mẫu"
    assert not result.ok
