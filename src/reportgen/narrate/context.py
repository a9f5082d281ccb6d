"""The render context: every value the Word template (``bao-cao.docx``) can place.

This module is the single written contract between the narrative stage
(:mod:`reportgen.narrate.unit`, which fills it) and the Word template (which only places its
strings: rendering computes nothing). Every number arrives already formatted as Vietnamese
text ("86,47", "-0,82", "41/63", "-06"); every sentence is complete.

Each key is documented by the string under it (read by :func:`variables`, which the user
guide uses to list the variables a template author can use). Keys marked ``NotRequired``
are produced by the narrative stage for its own use or are optional; the bundled template
never needs them.

Conventions the template relies on:

- text may contain ``\\n`` for a line break inside a paragraph (docxtpl turns it into
  ``<w:br/>``), e.g. ``agency: "ỦY BAN NHÂN DÂN\\nTỈNH HÒA LÂM"``;
- empty strings and empty lists mean "leave this out" (the template tests them with
  ``{%p if … %}``);
- a chart reaches the template as ``chart.image``: the renderer adds it (a native Word
  chart built from ``native``, or an ``InlineImage`` built from ``png`` and ``width_cm``)
  to a copy of the context.
"""

import ast
import inspect
import sys
import typing
from dataclasses import dataclass
from typing import Literal, NotRequired, TypedDict

# --- header block, title, signature ------------------------------------------------------


class Signer(TypedDict):
    """Signature block on the right under the closing paragraph (ND30 ô 7a, 7b)."""

    authority: str
    """Quyền hạn ký, in hoa, có thể trống: "KT. GIÁM ĐỐC", "TM. ỦY BAN NHÂN DÂN"."""
    title: str
    """Chức vụ người ký, in hoa: "PHÓ GIÁM ĐỐC"."""
    name: str
    """Họ và tên người ký (không ghi học hàm, học vị): "Đặng Minh Quân"."""


class Report(TypedDict):
    """The document's formal parts (ND30 ô 1–9): header block, title, căn cứ, signature."""

    parent_agency: str
    """Tên cơ quan chủ quản, in hoa, có thể trống: "UBND TỈNH HÒA LÂM"."""
    agency: str
    """Tên cơ quan ban hành, in hoa (in đậm): "SỞ NỘI VỤ"; "\\n" để xuống dòng."""
    number: str
    """Số, ký hiệu văn bản: "Số:      /BC-SNV" (để trống số cho văn thư điền)."""
    place_date: str
    """Địa danh và ngày tháng (in nghiêng): "Hòa Lâm, ngày 05 tháng 5 năm 2025"."""
    doc_type: str
    """Tên loại văn bản: "BÁO CÁO"."""
    subject: str
    """Trích yếu nội dung: "Phân tích kết quả Chỉ số PAR INDEX, SIPAS, PAPI năm 2024 …"."""
    legal_bases: list[str]
    """Các dòng căn cứ (in nghiêng), dòng cuối kết thúc bằng dấu chấm: ["Căn cứ …;", …]."""
    intro: str
    """Đoạn mở đầu: "Thực hiện …, Sở Nội vụ báo cáo … như sau:"."""
    closing: str
    """Đoạn kết, kết thúc bằng "./.": "Trên đây là … xem xét, chỉ đạo./."."""
    signer: Signer
    """Người ký."""
    recipients: list[str]
    """Nơi nhận, mỗi dòng một nơi: ["- UBND tỉnh (để báo cáo);", …, "- Lưu: VT, CCHC."]."""
    appendix_ref: str
    """Dòng "(Kèm theo Báo cáo số …)" dưới tên phụ lục."""
    sample_notice: str
    """Lời cảnh báo số liệu mẫu (in nghiêng, đóng khung dưới trích yếu); "" = không in."""
    agency_short: NotRequired[str]
    """Tên ngắn của cơ quan ban hành dùng trong câu văn: "Sở Nội vụ"."""
    explanation_deadline: NotRequired[str | None]
    """Hạn gửi báo cáo giải trình (dùng trong câu văn Mục IV)."""
    unit_label: NotRequired[str]
    """Cách gọi đầy đủ của đơn vị trong câu văn: "tỉnh Hòa Lâm"."""
    unit_short: NotRequired[str]
    """Cách gọi ngắn của đơn vị: "tỉnh"."""
    peer_label: NotRequired[str]
    """Cách gọi nhóm so sánh: "tỉnh, thành phố"."""


class Sections(TypedDict):
    """The numbered section headings (Heading 1), so their wording and year are data."""

    results: str
    """"I. KẾT QUẢ CHUNG"."""
    components: str
    """"II. PHÂN TÍCH KẾT QUẢ THEO LĨNH VỰC, CHỈ SỐ THÀNH PHẦN"."""
    assessment: str
    """"III. ĐÁNH GIÁ CHUNG"."""
    responsibility: str
    """"IV. TRÁCH NHIỆM CỦA CÁC CƠ QUAN, ĐƠN VỊ"."""
    tasks: str
    """"V. NHIỆM VỤ, GIẢI PHÁP NĂM 2025"."""
    implementation: str
    """"VI. TỔ CHỨC THỰC HIỆN, KIẾN NGHỊ"."""


# --- charts ------------------------------------------------------------------------------


class Chart(TypedDict):
    """One drawn chart, placed centred with its caption and source line under it."""

    png: NotRequired[bytes]
    """Ảnh PNG của biểu đồ (khi vẽ ảnh: --charts png, và biểu đồ nhiệt của báo cáo tổng hợp)."""
    native: NotRequired[object]
    """Biểu đồ Word (mặc định): phần biểu đồ và bảng số liệu Excel nhúng ("Edit Data")."""
    width_cm: float
    """Chiều rộng khi chèn vào văn bản, cm (chiều cao theo tỷ lệ ảnh): 15.0."""
    height_cm: float
    """Chiều cao dự kiến, cm (thông tin; ảnh giữ đúng tỷ lệ của nó): 8.0."""
    caption: str
    """Chú thích: "Biểu đồ 1. Điểm số và thứ hạng Chỉ số PAR INDEX giai đoạn 2020–2024"."""
    source: str
    """Dòng nguồn: "Nguồn: Bộ Nội vụ; Sở Nội vụ tổng hợp."."""
    alt_text: str
    """Mô tả thay thế của ảnh (cho người dùng trình đọc màn hình)."""
    kind: NotRequired[str]
    """Loại biểu đồ (dùng nội bộ): "score_rank", "peer_bars", "component_bars", "change_bars",
    "radar"."""
    number: NotRequired[int]
    """Số thứ tự của biểu đồ trong văn bản ("Biểu đồ 3" → 3), để câu văn dẫn chiếu."""


# --- I. results --------------------------------------------------------------------------


class Result(TypedDict):
    """Section I, one index: heading, paragraphs, charts."""

    heading: str
    """Tiêu đề mục (Heading 2): "1. Chỉ số cải cách hành chính (PAR INDEX)"."""
    paragraphs: list[str]
    """Các đoạn văn phân tích kết quả chung."""
    charts: list[Chart]
    """Các biểu đồ của mục (có thể rỗng)."""
    notes: list[str]
    """Câu thay cho biểu đồ bị bỏ vì thiếu số liệu."""


class SummaryRow(TypedDict):
    """Bảng 1: one row per index."""

    name: str
    """Tên chỉ số và đơn vị: "PAR INDEX (%)"."""
    prev: str
    """Kết quả năm trước: "87,29" ("–" nếu không có)."""
    score: str
    """Kết quả năm đánh giá: "86,47"."""
    delta: str
    """Tăng/giảm điểm: "-0,82"."""
    prev_rank: str
    """Xếp hạng năm trước: "35/63"."""
    rank: str
    """Xếp hạng năm đánh giá: "41/63"."""
    delta_rank: str
    """Tăng/giảm bậc: "-06"."""
    rating: str
    """Nhóm/xếp loại: "B (2023: B)" hoặc "–"."""


class Summary(TypedDict):
    """Bảng 1: the summary of every index."""

    number: NotRequired[int]
    """Số thứ tự của bảng ("Bảng 1" → 1), để câu văn dẫn chiếu."""
    prev_head: str
    """Tiêu đề cột năm trước: "Năm 2023" (các chỉ số so sánh cùng một năm), "Năm trước"."""
    year_head: str
    """Tiêu đề cột năm đánh giá: "Năm 2024"."""
    caption: str
    """"Bảng 1. Tổng hợp kết quả các Chỉ số năm 2023 và năm 2024 của tỉnh"."""
    rows: list[SummaryRow]
    """Các dòng của bảng."""
    note: str
    """Ghi chú dưới bảng (in nghiêng); "" = không in."""


# --- II. components ----------------------------------------------------------------------


class ComponentRow(TypedDict):
    """Bảng 2–4: one component (lĩnh vực, yếu tố, nội dung) or the total row."""

    no: str
    """STT: "1"; "" cho dòng con và dòng tổng."""
    name: str
    """Tên lĩnh vực/chỉ số thành phần; dòng con bắt đầu bằng "- "."""
    max: str
    """Điểm tối đa: "13,50"."""
    score: str
    """Điểm đạt: "11,32"."""
    percent: str
    """Tỷ lệ % điểm tối đa: "83,85"."""
    lost: str
    """Điểm bị mất: "2,18" ("–" khi chỉ số không cộng dồn)."""
    delta: str
    """Tăng/giảm điểm so với năm trước: "-0,94"."""
    rank: str
    """Xếp hạng: "47/63"."""
    delta_rank: str
    """Tăng/giảm bậc: "-25"."""
    mark: Literal["strength", "weakness", ""]
    """Đánh dấu: "strength" (điểm mạnh, nền xanh nhạt), "weakness" (cần cải thiện, nền cam
    nhạt) hoặc ""."""
    bold: bool
    """Dòng in đậm (dòng tổng cộng)."""


class Subsection(TypedDict):
    """Section II, a lettered subsection "a) …" with its paragraphs and bullets."""

    heading: str
    """Tiêu đề (Heading 3): "a) Các lĩnh vực đạt tỷ lệ điểm cao"."""
    paragraphs: list[str]
    """Các đoạn văn."""
    bullets: list[str]
    """Các ý gạch đầu dòng (không kèm dấu "- "; mẫu thêm vào)."""


class Component(TypedDict):
    """Section II, one index analysed by component."""

    heading: str
    """Tiêu đề (Heading 2): "1. Chỉ số PAR INDEX theo 08 lĩnh vực"."""
    intro: str
    """Câu dẫn trước bảng, nêu số bảng, biểu đồ, phụ lục: "Kết quả … tại Bảng 2 …"; "" = không in."""
    caption: str
    """Tên bảng: "Bảng 2. Kết quả Chỉ số PAR INDEX năm 2024 theo lĩnh vực"."""
    unit_note: str
    """Đơn vị tính (in nghiêng, căn phải trên bảng): "Đơn vị tính: điểm"."""
    rows: list[ComponentRow]
    """Các dòng của bảng, dòng cuối là dòng tổng (bold)."""
    note: str
    """Ghi chú dưới bảng; "" = không in."""
    mark_note: bool
    """In ghi chú ký hiệu (+)/(!) dưới bảng: chỉ ở bảng đầu tiên có dòng được đánh dấu."""
    subsections: list[Subsection]
    """Các mục a), b), c)…"""
    charts: list[Chart]
    """Các biểu đồ của mục."""
    notes: list[str]
    """Câu thay cho biểu đồ bị bỏ vì thiếu số liệu."""


# --- III–V -------------------------------------------------------------------------------


class Assessment(TypedDict):
    """Section III: each item is one bullet ("- " is added by the template)."""

    strengths: list[str]
    """Ưu điểm."""
    weaknesses: list[str]
    """Tồn tại, hạn chế."""
    causes_objective: list[str]
    """Nguyên nhân khách quan."""
    causes_subjective: list[str]
    """Nguyên nhân chủ quan."""


class ResponsibilityRow(TypedDict):
    """Bảng 5: one accountable agency."""

    no: str
    """STT: "1"."""
    unit: str
    """Cơ quan chủ trì: "Văn phòng UBND tỉnh"."""
    lines: list[str]
    """Mỗi nội dung còn hạn chế một dòng, kèm mức độ của chính nó: "PAR INDEX – Cải cách
    TTHC: mất 2,33/13,50 điểm, giảm 21 bậc"."""
    request: str
    """Yêu cầu và thời hạn: "Làm rõ nguyên nhân …; gửi … trước ngày 20 tháng 5 năm 2025"."""


class Responsibility(TypedDict):
    """Section IV."""

    intro: str
    """Đoạn dẫn trước bảng."""
    caption: str
    """"Bảng 5. Cơ quan chủ trì đối với các lĩnh vực, tiêu chí còn hạn chế"."""
    rows: list[ResponsibilityRow]
    """Các dòng của bảng."""
    closing: str
    """Đoạn sau bảng (yêu cầu giải trình, thời hạn)."""


class Solution(TypedDict):
    """Section V.3: one lettered solution."""

    label: str
    """Ký hiệu điểm: "a)"."""
    lead_in: str
    """Phần dẫn (in nghiêng): "Cải cách TTHC (mất 2,18 điểm; giảm 0,94 điểm, giảm 25 bậc)"."""
    text: str
    """Nội dung giải pháp."""
    assignment: str
    """Phân công: "Chủ trì: …; phối hợp: …; thời hạn: …."."""


class Tasks(TypedDict):
    """Section V."""

    targets: list[str]
    """Đoạn văn mục tiêu (V.1)."""
    general: list[str]
    """Nhiệm vụ chung (V.2), mỗi mục một gạch đầu dòng."""
    solutions: list[Solution]
    """Giải pháp cụ thể (V.3)."""


class Proposal(TypedDict):
    """Section VI.2: the proposals to one addressee."""

    heading: str
    """"a) Đối với Ủy ban nhân dân tỉnh:"."""
    items: list[str]
    """Các kiến nghị, mỗi mục một gạch đầu dòng. Trong mẫu viết ``p['items']``."""


class Implementation(TypedDict):
    """Section VI: organising the work, proposals."""

    tasks: list[str]
    """Tổ chức thực hiện (VI.1): cơ quan nào làm gì, thời hạn nào; mỗi mục một đoạn."""
    proposals: list[Proposal]
    """Đề xuất, kiến nghị (VI.2); rỗng thì không in mục này."""


# --- appendices --------------------------------------------------------------------------


class AppendixComponentRow(TypedDict):
    """Phụ lục I: one index (bold head row) or one component, both years."""

    no: str
    """STT: "A", "1", ""."""
    name: str
    """Tên chỉ số/thành phần."""
    max: str
    """Điểm tối đa."""
    prev: str
    """Điểm năm trước."""
    prev_percent: str
    """Tỷ lệ năm trước (%)."""
    prev_rank: str
    """Hạng năm trước: "35"."""
    score: str
    """Điểm năm đánh giá."""
    percent: str
    """Tỷ lệ năm đánh giá (%)."""
    rank: str
    """Hạng năm đánh giá: "41"."""
    delta: str
    """Tăng/giảm điểm."""
    delta_rank: str
    """Tăng/giảm bậc."""
    responsible: str
    """Cơ quan chủ trì."""
    bold: bool
    """Dòng in đậm (dòng chỉ số)."""


class RankingRow(TypedDict):
    """Phụ lục II: one unit of the peer ranking."""

    rank: str
    """Hạng: "01"."""
    unit: str
    """Tên đơn vị."""
    score: str
    """Điểm."""
    percent: str
    """Tỷ lệ (%)."""
    delta: str
    """Tăng/giảm điểm."""
    delta_rank: str
    """Tăng/giảm bậc."""
    rating: str
    """Nhóm/xếp loại."""
    highlight: bool
    """Dòng của đơn vị được báo cáo (in đậm, tô nền)."""


class CriterionRow(TypedDict):
    """Phụ lục "Điểm chi tiết theo tiêu chí": one field (bold) or one criterion."""

    code: str
    """Mã: "3", "3.4", "3.4.2"."""
    name: str
    """Tên lĩnh vực/tiêu chí; tiêu chí bắt đầu bằng "- ", tiêu chí thành phần bằng "+ "."""
    max: str
    """Điểm tối đa: "1,00"."""
    score: str
    """Điểm đạt: "0,50"."""
    percent: str
    """Tỷ lệ % điểm tối đa."""
    lost: str
    """Điểm bị mất: "0,50"."""
    delta: str
    """Tăng/giảm điểm so với năm trước: "-0,25" ("–" khi không so sánh được)."""
    mean: str
    """Điểm trung bình của các đơn vị cùng nhóm có tiêu chí này ("–" khi không nêu được)."""
    rank: str
    """Xếp hạng trong nhóm: "12/63" ("–" khi không có)."""
    lead: str
    """Cơ quan chủ trì: "Văn phòng UBND tỉnh"."""
    bold: bool
    """Dòng in đậm (dòng lĩnh vực)."""


class AppendixTable(TypedDict):
    """One table of an appendix; ``kind`` picks the table layout in the template."""

    caption: str
    """Tên bảng: "A. Chỉ số cải cách hành chính (PAR INDEX)"."""
    kind: Literal["components", "ranking", "criteria"]
    """"components" (bảng chi tiết thành phần), "ranking" (bảng xếp hạng) hoặc "criteria"
    (điểm chi tiết theo tiêu chí)."""
    rows: list[AppendixComponentRow] | list[RankingRow] | list[CriterionRow]
    """Các dòng, theo loại bảng."""
    prev_head: NotRequired[str]
    """Bảng chi tiết thành phần: tiêu đề cột năm trước: "Năm 2023"."""
    year_head: NotRequired[str]
    """Bảng chi tiết thành phần: tiêu đề cột năm đánh giá: "Năm 2024"."""


class Appendix(TypedDict):
    """One appendix, in the landscape part of the document, page numbers from 1."""

    number: str
    """"Phụ lục I"."""
    title: str
    """Tên phụ lục, in hoa: "KẾT QUẢ CHI TIẾT CÁC CHỈ SỐ NĂM 2024 CỦA TỈNH HÒA LÂM"."""
    ref: str
    """"(Kèm theo Báo cáo số     /BC-SNV ngày … của Sở Nội vụ)"."""
    tables: list[AppendixTable]
    """Các bảng của phụ lục."""


# --- the whole context -------------------------------------------------------------------


class ReportContext(TypedDict):
    """Everything ``bao-cao.docx`` renders; produced by :class:`reportgen.narrate.unit.Narrator`."""

    report: Report
    """Thể thức: cơ quan, số, ngày, trích yếu, căn cứ, người ký, nơi nhận."""
    sections: Sections
    """Tiêu đề các mục I–V."""
    results: list[Result]
    """Mục I: kết quả chung từng chỉ số."""
    missing: list[str]
    """Mục I, trước Bảng 1: câu nêu các chỉ số không có số liệu năm đánh giá và câu dẫn Bảng 1."""
    summary: Summary
    """Mục I: Bảng 1 tổng hợp."""
    components: list[Component]
    """Mục II: phân tích theo thành phần, mỗi chỉ số một mục."""
    assessment: Assessment
    """Mục III: đánh giá chung."""
    responsibility: Responsibility
    """Mục IV: trách nhiệm các cơ quan, đơn vị."""
    tasks: Tasks
    """Mục V: mục tiêu, nhiệm vụ, giải pháp."""
    implementation: Implementation
    """Mục VI: tổ chức thực hiện, kiến nghị."""
    appendices: list[Appendix]
    """Các phụ lục (trang ngang, đánh số trang lại từ 1)."""
    highlight: NotRequired[list[str]]
    """Các đoạn là gợi ý của thư viện trong bản dự thảo (draft: true): được tô vàng."""


# --- reading the contract ----------------------------------------------------------------


@dataclass(frozen=True)
class Variable:
    """One documented key of the context, for the user guide and for error hints."""

    path: str  # "report.signer.name", "results[].charts[].caption"
    type: str  # "str", "list[str]", "bool", …
    doc: str
    required: bool


def _field_docs(cls: type) -> dict[str, str]:
    """The string literal under each field of a TypedDict class (attribute docstrings)."""
    tree = ast.parse(inspect.getsource(cls))
    body = tree.body[0].body if isinstance(tree.body[0], ast.ClassDef) else []
    docs: dict[str, str] = {}
    for node, after in zip(body, body[1:], strict=False):
        if (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
                and isinstance(after, ast.Expr) and isinstance(after.value, ast.Constant)
                and isinstance(after.value.value, str)):
            docs[node.target.id] = " ".join(after.value.value.split())
    return docs


def _type_name(tp: object) -> str:
    if tp is type(None):
        return "None"
    if isinstance(tp, type) and not typing.is_typeddict(tp):
        return tp.__name__
    if typing.is_typeddict(tp):
        return "dict"
    args = typing.get_args(tp)
    origin = typing.get_origin(tp)
    if origin is Literal:
        return " | ".join(repr(a) for a in args)
    if origin is list:
        return f"list[{_type_name(args[0])}]" if args else "list"
    if args:
        return " | ".join(_type_name(a) for a in args)
    return str(tp).replace("typing.", "")


def _elements(tp: object) -> list[type]:
    """The TypedDicts inside ``X``, ``list[X]`` or ``list[X] | list[Y]``."""
    if typing.is_typeddict(tp):
        return [tp]  # type: ignore[list-item]
    return [inner for arg in typing.get_args(tp) for inner in _elements(arg)]


def variables(root: type = ReportContext, prefix: str = "") -> list[Variable]:
    """Every key of the contract in document order, with its type and description."""
    module = sys.modules[__name__]
    hints = typing.get_type_hints(root, globalns=vars(module), include_extras=False)
    docs = _field_docs(root)
    required = getattr(root, "__required_keys__", frozenset(hints))
    out: list[Variable] = []
    for key, tp in hints.items():
        path = f"{prefix}{key}"
        is_list = typing.get_origin(tp) is list or any(
            typing.get_origin(a) is list for a in typing.get_args(tp))
        out.append(Variable(path, _type_name(tp), docs.get(key, ""), key in required))
        for inner in _elements(tp):
            known = {v.path for v in out}
            out += [v for v in variables(inner, f"{path}[]." if is_list else f"{path}.")
                    if v.path not in known]
    return out


def key_names() -> set[str]:
    """Every key name used anywhere in the contract (for "did you mean" hints)."""
    return {v.path.rsplit(".", 1)[-1].removesuffix("[]") for v in variables()}
