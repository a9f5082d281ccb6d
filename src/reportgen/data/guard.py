"""Defensive reading of data files: every format read without trusting what the file says of
itself, under limits set here (the settings), with a clear located message when a file is
too large, damaged, unsafe, or of a format reportgen does not read.

- CSV: any line ending (``\\n``, ``\\r\\n``, ``\\r`` alone), a field-size limit set on
  purpose (:data:`MAX_FIELD_CHARS`; Python's default of 128 KiB raised an exception), at most
  :data:`MAX_FILE_BYTES` and :data:`MAX_ROWS`.
- .xlsx: the zip is inspected before openpyxl opens it — the total uncompressed size
  (:data:`MAX_XLSX_UNCOMPRESSED`: a 1 MB file can expand to gigabytes of XML) and XML
  declarations of entities (``<!DOCTYPE``/``<!ENTITY``: external entities, entity bombs) are
  refused; a sheet's declared ``<dimension>`` is ignored (read-only openpyxl trusts it and
  silently drops the rows beyond it), rows are counted up to :data:`MAX_ROWS`; a damaged
  compressed stream is a message, not a traceback.
- A folder: a file of a spreadsheet format reportgen does not read (``.xls``, ``.ods`` …) is
  an error, any other file a warning — never skipped without a word.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
import zlib
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, Literal, Protocol
from xml.etree.ElementTree import ParseError

from reportgen.errors import Issue, Location

MAX_FILE_BYTES = 1 << 30  # a CSV file (1 GiB)
MAX_ROWS = 5_000_000  # rows of one CSV file or one sheet
MAX_FIELD_CHARS = 1 << 20  # one CSV cell (1 MiB of text): a name or a note is far shorter
MAX_XLSX_UNCOMPRESSED = 512 << 20  # all parts of an .xlsx once decompressed (512 MiB)
PROLOGUE_BYTES = 4096  # where an XML part's DOCTYPE would be
CHUNK_BYTES = 1 << 20  # decompressed at a time while measuring an .xlsx
# Spreadsheet formats a user may drop into a data folder that reportgen does not read.
SPREADSHEETS = {".xls": "Excel 97–2003", ".xlsb": "Excel nhị phân", ".ods": "OpenDocument",
                ".numbers": "Numbers", ".tsv": "TSV", ".json": "JSON", ".parquet": "Parquet"}
# What a damaged .xlsx raises while its sheets are read.
XLSX_FAULTS: tuple[type[BaseException], ...] = (zlib.error, zipfile.BadZipFile, EOFError,
                                                ParseError, KeyError, ValueError, OSError)


def _mib(n: int) -> str:
    return f"{n / (1 << 20):.0f} MiB"


def file_too_large(path: Path) -> Issue | None:
    """A located error when a CSV file is larger than :data:`MAX_FILE_BYTES`."""
    size = path.stat().st_size
    if size <= MAX_FILE_BYTES:
        return None
    return Issue(f"tệp quá lớn ({_mib(size)}; giới hạn {_mib(MAX_FILE_BYTES)}): hãy tách theo "
                 "năm hoặc chỉ số thành nhiều tệp trong một thư mục", Location(file=str(path)),
                 code="file_too_large")


def parse_csv(text: str | Iterable[str], delimiter: str, where: Location, issues: list[Issue],
              convert: Callable[[list[str]], list[str]] | None = None,
              ) -> list[list[str]] | None:
    """The cells of CSV text (or of a text stream opened with ``newline=""``) with any line
    ending, each row passed through ``convert`` as it is read (its raw cells are then not
    kept); None, with a located issue, when a field is longer than :data:`MAX_FIELD_CHARS`,
    the file has more than :data:`MAX_ROWS` rows, or its quoting is broken."""
    previous = csv.field_size_limit(MAX_FIELD_CHARS)
    lines = io.StringIO(text, newline="") if isinstance(text, str) else text
    reader = csv.reader(lines, delimiter=delimiter)
    rows: list[list[str]] = []
    try:
        for row in reader:
            rows.append(convert(row) if convert is not None else row)
            if len(rows) > MAX_ROWS:
                issues.append(Issue(f"tệp có hơn {MAX_ROWS:_} dòng (giới hạn); hãy tách thành "
                                    "nhiều tệp".replace("_", "."), where, code="too_many_rows"))
                return None
    except csv.Error as exc:
        limit = "field larger than field limit" in str(exc)
        what = (f"một ô dài quá {_mib(MAX_FIELD_CHARS)} ký tự (thường do một dấu ngoặc kép \" "
                "không được đóng)" if limit else f"tệp CSV hỏng ({exc})")
        issues.append(Issue(what, Location(where.file, where.sheet, reader.line_num),
                            code="bad_csv"))
        return None
    finally:
        csv.field_size_limit(previous)
    return rows


def utf8_filled(path: Path) -> bool | None:
    """Whether a file, read as UTF-8 (with or without a BOM), holds more than whitespace;
    None when it is not UTF-8. Decoded a chunk at a time: the text is not held."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    filled = False
    try:
        with path.open("rb") as stream:
            while chunk := stream.read(CHUNK_BYTES):
                filled = bool(decoder.decode(chunk).strip()) or filled
            filled = bool(decoder.decode(b"", final=True).strip()) or filled
    except UnicodeDecodeError:
        return None
    return filled


def xlsx_problem(path: Path) -> str | None:
    """Why an .xlsx must not be opened, or None: more than :data:`MAX_XLSX_UNCOMPRESSED` once
    decompressed (counted while decompressing, not taken from the zip's headers), an XML
    part declaring entities, or a damaged compressed stream. A file that is no zip at all is
    left to openpyxl's own message."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    total = 0
    try:
        with archive:
            for info in archive.infolist():
                xml = info.filename.endswith((".xml", ".rels"))
                with archive.open(info) as part:
                    first = True
                    while chunk := part.read(CHUNK_BYTES):
                        total += len(chunk)
                        if total > MAX_XLSX_UNCOMPRESSED:
                            return (f"tệp Excel khi giải nén lớn hơn {_mib(MAX_XLSX_UNCOMPRESSED)}"
                                    " (giới hạn): tệp bất thường hoặc quá lớn; hãy lưu lại chỉ với "
                                    "các sheet cần thiết, hoặc dùng .csv")
                        head = chunk[:PROLOGUE_BYTES]
                        if xml and first and (b"<!DOCTYPE" in head or b"<!ENTITY" in head):
                            return (f"tệp Excel chứa khai báo thực thể XML (<!DOCTYPE>/<!ENTITY> "
                                    f"trong {info.filename}), điều Excel không bao giờ ghi: vì an "
                                    "toàn, không đọc tệp này; hãy mở bằng Excel và lưu lại "
                                    "dạng .xlsx")
                        first = False
    except (zlib.error, EOFError, zipfile.BadZipFile, OSError, ValueError) as exc:
        return (f"tệp Excel bị hỏng, không giải nén được ({type(exc).__name__}); hãy mở bằng "
                "Excel và lưu lại dạng .xlsx")
    return None


class _Sheet(Protocol):
    def iter_rows(self, *, values_only: Literal[True]) -> Iterator[Sequence[object]]: ...


def reset_dimensions(workbook: Any) -> None:
    """Make read-only openpyxl read every row of every sheet, whatever ``<dimension>`` says."""
    for sheet in workbook.worksheets:
        reset = getattr(sheet, "reset_dimensions", None)
        if reset is not None:
            reset()


def sheet_rows(sheet: _Sheet, where: Location, issues: list[Issue]) -> list[list[object]] | None:
    """Every row of a sheet (cached values); None, with a located issue, beyond
    :data:`MAX_ROWS` rows."""
    rows: list[list[object]] = []
    for row in sheet.iter_rows(values_only=True):
        rows.append(list(row))
        if len(rows) > MAX_ROWS:
            issues.append(Issue(f"sheet có hơn {MAX_ROWS:_} dòng (giới hạn); hãy tách thành "
                                "nhiều tệp".replace("_", "."), where, code="too_many_rows"))
            return None
    return rows


def damaged_excel(exc: BaseException, where: Location) -> Issue:
    return Issue(f"tệp Excel bị hỏng, không đọc hết được ({type(exc).__name__}); hãy mở bằng "
                 "Excel và lưu lại dạng .xlsx", where, code="damaged_excel")


def duplicate_headers(typed: Sequence[str], headers: Sequence[str], where: Location,
                      header_row: int, ignored: Callable[[str], bool] = lambda _: False,
                      ) -> list[Issue]:
    """Errors for two columns that mean the same thing ("score" and "Điểm", or two columns of
    one component): which one would win is not the user's intent, so neither does. ``typed``
    are the headers as written, ``headers`` as understood; ``ignored`` columns (notes) may
    repeat."""
    seen: dict[str, int] = {}
    issues = []
    for i, name in enumerate(headers):
        if not name or ignored(name):
            continue
        if name in seen:
            first = typed[seen[name]]
            issues.append(Issue(
                f"hai cột cùng nghĩa '{name}': '{first}' (cột {seen[name] + 1}) và '{typed[i]}' "
                f"(cột {i + 1}); hãy xóa hoặc đổi tên một cột",
                Location(where.file, where.sheet, header_row, typed[i]), code="duplicate_column"))
        else:
            seen[name] = i
    return issues


def unread_files(folder: Path, readable: Collection[str]) -> list[Path]:
    """The files of a data folder that no reader reads (hidden files and Excel's lock files
    ``~$…`` aside): each is reported (:func:`unsupported`), none skipped silently."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() not in readable
                  and not p.name.startswith(("~$", ".")))


def unsupported(path: Path) -> Issue:
    """A file of a data folder that reportgen does not read: an error for a spreadsheet
    format, a warning for anything else (it is not read)."""
    kind = SPREADSHEETS.get(path.suffix.lower())
    if kind is not None:
        return Issue(f"định dạng {kind} ({path.suffix}) không được hỗ trợ: hãy mở bằng Excel và "
                     "lưu lại dạng .xlsx (hoặc .csv UTF-8)", Location(file=str(path)),
                     code="bad_format")
    return Issue("không phải tệp dữ liệu (.csv, .xlsx): không đọc tệp này",
                 Location(file=str(path)), severity="warning", code="not_data")
