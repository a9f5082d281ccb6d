"""data/facts: the "Nguồn:" lines of each index and the bundled-sample notice, read from the
``source`` column of a validated dataset."""

from __future__ import annotations

import pytest

from reportgen.config.frameworks import Frameworks
from reportgen.data.facts import index_sources, is_sample
from reportgen.data.load import records_from
from reportgen.data.sample import SAMPLE_SOURCE
from reportgen.data.validate import Dataset, validate

PAR_SO_SOURCE = "Quyết định số 12/QĐ-UBND ngày 10/3/2025 của UBND tỉnh Hòa Lâm"
PAPI_SOURCE = "Báo cáo PAPI 2024 (UNDP)"


def row(year: int, index: str, unit: str, score: str, group: str, source: str = "") -> dict:
    return {"year": year, "index": index, "unit": unit, "component": "TOTAL", "score": score,
            "group": group, "source": source}


@pytest.fixture
def dataset(frameworks: Frameworks) -> Dataset:
    rows = [
        row(2024, "PAR_SO", "Sở Một", "81,5", "Khối sở", PAR_SO_SOURCE),
        row(2024, "PAR_SO", "Sở Hai", "78,0", "Khối sở"),  # the source given once is enough
        row(2024, "PAR_SO", "xã Đông", "70,0", "Khối xã", "Tổng hợp của Phòng Nội vụ"),
        row(2024, "PAPI", "Hòa Lâm", "42,1", "Tỉnh, thành phố", PAPI_SOURCE),
        row(2023, "PAPI", "Hòa Lâm", "41,0", "Tỉnh, thành phố", SAMPLE_SOURCE),
        row(2023, "PAR_SO", "Sở Một", "80,0", "Khối sở"),
    ]
    return validate(records_from(rows), frameworks)


def test_sources_of_each_index_that_year(dataset: Dataset):
    assert index_sources(dataset, 2024, "Khối sở") == {"PAR_SO": PAR_SO_SOURCE}
    assert index_sources(dataset, 2024, "Khối xã") == {"PAR_SO": "Tổng hợp của Phòng Nội vụ"}
    assert index_sources(dataset, 2024, "Tỉnh, thành phố") == {"PAPI": PAPI_SOURCE}


def test_sources_of_all_groups_take_the_first_given(dataset: Dataset):
    assert index_sources(dataset, 2024) == {"PAR_SO": PAR_SO_SOURCE, "PAPI": PAPI_SOURCE}


def test_an_index_without_any_source_that_year_is_left_out(dataset: Dataset):
    assert index_sources(dataset, 2023, "Khối sở") == {}
    assert index_sources(dataset, 2023) == {"PAPI": SAMPLE_SOURCE}
    assert index_sources(dataset, 2022) == {}
    assert index_sources(dataset, 2024, "Nhóm không có") == {}


def test_is_sample_of_the_whole_dataset_or_of_a_year_and_group(dataset: Dataset):
    assert is_sample(dataset)  # one sample row is enough for the notice
    assert is_sample(dataset, 2023)
    assert not is_sample(dataset, 2024)
    assert is_sample(dataset, 2023, "Tỉnh, thành phố")
    assert not is_sample(dataset, 2023, "Khối sở")
    assert not is_sample(dataset, group="Khối xã")
    assert is_sample(dataset, group="Tỉnh, thành phố")


def test_user_data_is_not_the_sample(frameworks: Frameworks):
    data = validate(records_from([row(2024, "PAPI", "Hòa Lâm", "42,1", "Tỉnh, thành phố")]), frameworks)
    assert not is_sample(data) and index_sources(data, 2024) == {}
