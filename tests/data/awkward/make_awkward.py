"""Write the corpus of awkward and hostile uploads into tests/data/awkward/.

Run from the repository root:  .venv/bin/python tests/data/awkward/make_awkward.py

Each file is small and made from fixed seeds. EXPECTED.json (next to this script, written by
hand) says what MedStat must do with each one; tests/integration/test_awkward_inputs.py checks
it. The very wide and very long files are not stored: the test builds them with wide_csv() and
long_csv() in a temporary directory, so the repository stays small.
"""

from __future__ import annotations

import gzip
import io
import logging
import struct
import sys
import zipfile
import zlib
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import numpy as np
import openpyxl

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
COHORT_ROWS = 80
HEADER = ("patient_id", "age", "sex", "bmi", "smoker", "died")
_WORDS = [
    "pain",
    "fever",
    "cough",
    "rash",
    "nausea",
    "fatigue",
    "dizzy",
    "swelling",
    "bleeding",
    "chills",
]


def cohort(n: int = COHORT_ROWS, seed: int = 6) -> list[list[object]]:
    """Rows of a small cohort: death is more likely with age and smoking, so models fit."""
    rng = np.random.default_rng(seed)
    age = rng.integers(30, 90, n)
    sex = rng.choice(["F", "M"], n)
    bmi = np.round(rng.normal(26, 4, n), 1)
    smoker = rng.choice(["no", "yes"], n, p=[0.6, 0.4])
    risk = -6 + 0.07 * age + 0.8 * (smoker == "yes")
    died = rng.random(n) < 1 / (1 + np.exp(-risk))
    return [
        [f"P{i + 1:04d}", int(age[i]), sex[i], float(bmi[i]), smoker[i], "yes" if died[i] else "no"]
        for i in range(n)
    ]


def to_csv(rows: list[list[object]], header=HEADER, sep: str = ",", decimal: str = ".") -> str:
    """Rows as delimited text (no quoting: callers choose values without separators)."""

    def cell(value: object) -> str:
        text = str(value)
        return text.replace(".", decimal) if isinstance(value, float) else text

    lines = [sep.join(header)] + [sep.join(cell(v) for v in row) for row in rows]
    return "\n".join(lines) + "\n"


def xlsx(rows: list[list[object]]) -> bytes:
    """A one-sheet workbook with fixed document dates (so reruns change little)."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Patients"
    for row in rows:
        sheet.append(row)
    book.properties.created = book.properties.modified = datetime(2024, 1, 1)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def png_1x1() -> bytes:
    """A valid 1x1 grey PNG built by hand."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x80")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def zip_of(entries: dict[str, bytes], level: int = 6) -> bytes:
    """A ZIP with fixed entry dates."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        for name, body in entries.items():
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, body)
    return buffer.getvalue()


def zip_bomb_xlsx(unpacked_mb: int = 256) -> bytes:
    """An 'xlsx' whose one sheet unpacks to far more than the upload limit allows."""
    sheet = b" " * (unpacked_mb * 1024 * 1024)
    return zip_of({"xl/workbook.xml": b"<workbook/>", "xl/worksheets/sheet1.xml": sheet}, 9)


def binary_outcome_rows(n: int, seed: int, coding: tuple[str, str]) -> str:
    rng = np.random.default_rng(seed)
    age = rng.integers(30, 90, n)
    died = rng.random(n) < 1 / (1 + np.exp(-(-5 + 0.07 * age)))
    rows = [f"{a},{rng.choice(['F', 'M'])},{coding[int(d)]}" for a, d in zip(age, died)]
    return "age,sex,outcome\n" + "\n".join(rows) + "\n"


def wide_csv(n_cols: int = 3000, n_rows: int = 60, seed: int = 1) -> bytes:
    """Thousands of numeric columns (an omics export) plus a binary outcome."""
    rng = np.random.default_rng(seed)
    values = np.round(rng.normal(size=(n_rows, n_cols)), 2)
    died = (values[:, 0] + rng.normal(size=n_rows) > 0).astype(int)
    header = ",".join(["died", *(f"g{j}" for j in range(n_cols))])
    lines = [f"{d}," + ",".join(f"{v:g}" for v in row) for d, row in zip(died, values)]
    return (header + "\n" + "\n".join(lines) + "\n").encode()


def long_csv(n_rows: int = 200_000, seed: int = 2) -> bytes:
    """A registry-sized file: many rows, a few columns, missing codes here and there."""
    rng = np.random.default_rng(seed)
    age = rng.integers(18, 95, n_rows)
    sex = rng.choice(np.array(["F", "M"]), n_rows)
    crp = np.round(rng.lognormal(1.5, 1.0, n_rows), 1).astype(str)
    crp[rng.random(n_rows) < 0.02] = "NA"
    died = (rng.random(n_rows) < 1 / (1 + np.exp(-(-6 + 0.06 * age)))).astype(int)
    ids = np.char.add("R", np.arange(n_rows).astype(str))
    table = np.column_stack([ids, age.astype(str), sex, crp, died.astype(str)])
    body = "\n".join(",".join(row) for row in table.tolist())
    return ("record_id,age,sex,crp,died\n" + body + "\n").encode()


# --- the files --------------------------------------------------------------------------------


def _html_page() -> bytes:
    return (
        b"<!DOCTYPE html>\n<html lang='en'><head><title>Sign in - Hospital portal</title>"
        b"</head><body><form><input name='user'></form></body></html>\n"
    )


def _html_comment_first() -> bytes:
    return (
        b"\r\n<!-- saved from url=(0042)https://portal.example.org/export?id=7 -->\r\n"
        b"<html><head><meta charset='utf-8'></head><body><table>"
        b"<tr><th>age</th><th>died</th></tr><tr><td>50</td><td>1</td></tr></table></body></html>"
    )


def _utf8_bom() -> bytes:
    rows = cohort(40, seed=11)
    names = ["Anaïs", "Björn", "Zoë", "Łukasz", "Søren", "Nguyễn", "Hélène", "José"]
    header = (*HEADER, "name")
    text = to_csv([[*r, names[i % len(names)]] for i, r in enumerate(rows)], header)
    return b"\xef\xbb\xbf" + text.encode()


def _utf16_tab() -> bytes:
    wards = ["Médecine", "Chirurgie", "Réanimation"]
    rows = [[*r, wards[i % 3]] for i, r in enumerate(cohort(40, seed=12))]
    return to_csv(rows, (*HEADER, "ward"), sep="\t").encode("utf-16")


def _latin1() -> bytes:
    # 0x81 is undefined in Windows-1252, so this is only readable as Latin-1.
    wards = ["Médecine", "Urgences", "Pédiatrie", "Gériatrie\x81"]
    rows = [[*r, wards[i % 4]] for i, r in enumerate(cohort(40, seed=13))]
    return to_csv(rows, (*HEADER, "service"), sep=";", decimal=",").encode("latin-1")


def _thai() -> bytes:
    rng = np.random.default_rng(14)
    wards = ["อายุรกรรม", "ศัลยกรรม", "กุมารเวชกรรม"]
    lines = ["hn,หอผู้ป่วย,อายุ,เพศ,เสียชีวิต"]
    for i in range(40):
        age = int(rng.integers(20, 90))
        died = "ใช่" if rng.random() < (age - 15) / 100 else "ไม่ใช่"
        lines.append(f"{i + 1:06d},{wards[i % 3]},{age},{rng.choice(['ชาย', 'หญิง'])},{died}")
    return ("\r\n".join(lines) + "\r\n").encode("cp874")


def _tab_decimal_comma() -> bytes:
    return to_csv(cohort(40, seed=15), sep="\t", decimal=",").encode()


def _semicolon_decimal_comma() -> bytes:
    return to_csv(cohort(40, seed=16), sep=";", decimal=",").encode("cp1252")


def _duplicate_padded_headers() -> bytes:
    rows = cohort(40, seed=17)
    header = ("  patient_id ", " age", "age ", "sex", "", "bmi", "Age", "died")
    return to_csv(
        [[r[0], r[1], r[1] + 1, r[2], "", r[3], r[1], r[5]] for r in rows], header
    ).encode()


def _ragged_extra_value() -> bytes:
    lines = to_csv(cohort(20, seed=18)).splitlines()
    lines[9] += ",unexpected, extra"
    return ("\n".join(lines) + "\n").encode()


def _ragged_short_rows() -> bytes:
    lines = to_csv(cohort(30, seed=19)).splitlines()
    for i in (3, 7, 12):
        lines[i] = ",".join(lines[i].split(",")[:4])
    return ("\n".join(lines) + "\n").encode()


def _quoted_newlines() -> bytes:
    rows = cohort(30, seed=20)
    notes = ['"Seen in clinic,\nreferred on"', '"He said ""fine""\r\nthen left"', "routine"]
    lines = ["patient_id,age,sex,note,died"]
    lines += [f"{r[0]},{r[1]},{r[2]},{notes[i % 3]},{r[5]}" for i, r in enumerate(rows)]
    return ("\n".join(lines) + "\n").encode()


def _missing_codes() -> bytes:
    codes = ["NA", "N/A", ".", "-", "missing", "", "NULL", "#N/A", "nan"]
    rows = cohort(60, seed=21)
    for i, row in enumerate(rows):
        if i % 5 == 0:
            row[3] = codes[i // 5 % len(codes)]
        if i % 11 == 0:
            row[4] = codes[i // 11 % len(codes)]
    return to_csv(rows).encode()


def _numbers_with_units() -> bytes:
    rng = np.random.default_rng(22)
    lines = ["dose,weight,platelets,spo2,died"]
    for i in range(40):
        dose = int(rng.choice([5, 10, 20]))
        weight = round(float(rng.normal(70, 12)), 1)
        plt = int(rng.integers(90_000, 450_000))
        grouped = f"{plt:,}".replace(",", " ")
        spo2 = int(rng.integers(85, 100))
        died = "yes" if rng.random() < (100 - spo2) / 20 else "no"
        lines.append(f"{dose} mg,{weight} kg,{grouped},{spo2}%,{died}")
    return ("\n".join(lines) + "\n").encode()


def _id_and_free_text() -> bytes:
    rng = np.random.default_rng(23)
    lines = ["patient_id,hn,admitted,age,sex,complaint,died"]
    for i, row in enumerate(cohort(60, seed=23)):
        words = " ".join(rng.choice(_WORDS, 3))
        note = f"Day {i}: {words} since {int(rng.integers(1, 9))} days"
        date = f"2024-{i % 12 + 1:02d}-{i % 27 + 1:02d}"
        lines.append(f"{row[0]},{i * 37 + 1000:07d},{date},{row[1]},{row[2]},{note},{row[5]}")
    return ("\n".join(lines) + "\n").encode()


def _constant_outcome() -> bytes:
    return to_csv([[*r[:5], "no"] for r in cohort(40, seed=24)]).encode()


def _three_level_outcome() -> bytes:
    levels = ["alive", "dead", "lost to follow-up"]
    return to_csv([[*r[:5], levels[i % 3]] for i, r in enumerate(cohort(60, seed=25))]).encode()


def _outcome_case_variants() -> bytes:
    spell = {"yes": ["yes", "Yes", "YES "], "no": ["no", "No"]}
    rows = [[*r[:5], spell[r[5]][i % len(spell[r[5]])]] for i, r in enumerate(cohort(60, seed=26))]
    return to_csv(rows).encode()


def _perfect_separation() -> bytes:
    rng = np.random.default_rng(27)
    lines = ["age,sex,shock,died"]
    for i in range(40):
        shock = i % 4 == 0
        lines.append(
            f"{int(rng.integers(30, 90))},{rng.choice(['F', 'M'])},{int(shock)},{int(shock)}"
        )
    return ("\n".join(lines) + "\n").encode()


def _collinear() -> bytes:
    rng = np.random.default_rng(28)
    lines = ["age,age_months,weight_kg,weight_lb,died"]
    for _ in range(80):
        age = int(rng.integers(30, 90))
        kg = round(float(rng.normal(70, 10)), 1)
        died = int(rng.random() < 1 / (1 + np.exp(-(-5 + 0.07 * age))))
        lines.append(f"{age},{age * 12},{kg},{kg * 2.2:.2f},{died}")
    return ("\n".join(lines) + "\n").encode()


def _more_covariates_than_rows() -> bytes:
    rng = np.random.default_rng(29)
    header = ["died", *(f"lab{j}" for j in range(12))]
    lines = [",".join(header)]
    for i in range(8):
        labs = ",".join(f"{v:.2f}" for v in rng.normal(size=12))
        lines.append(f"{i % 2},{labs}")
    return ("\n".join(lines) + "\n").encode()


def _all_missing_columns() -> bytes:
    header = (*HEADER, "hba1c", "ldl", "comment")
    rows = [[*r, "", "NA", ""] for r in cohort(40, seed=30)]
    return to_csv(rows, header).encode()


def _script_injection() -> bytes:
    header = [
        '"<script>alert(""h"")</script>"',
        '"<img src=x onerror=alert(1)>"',
        "age",
        "=HYPERLINK(1)",
        "died",
    ]
    cells = ['"<script>alert(""xss"")</script>"', "<b>bold</b>", "<svg onload=alert(2)>"]
    formulas = ["=1+1", "@SUM(A1)", "+cmd|' /C calc'!A0", '=HYPERLINK("http://x")']
    lines = [",".join(header)]
    for i, row in enumerate(cohort(40, seed=31)):
        img = f'"<img src=x onerror=alert({i % 3})>"'
        lines.append(f"{cells[i % 3]},{img},{row[1]},{formulas[i % 4]},{row[5]}")
    return ("\n".join(lines) + "\n").encode()


def _unterminated_quote() -> bytes:
    lines = to_csv(cohort(20, seed=32)).splitlines()
    lines[6] = lines[6].replace(",F,", ',"F,').replace(",M,", ',"M,')
    return ("\n".join(lines) + "\n").encode()


def _cr_line_endings() -> bytes:
    return to_csv(cohort(40, seed=33)).replace("\n", "\r").encode()


def _infinite_values() -> bytes:
    lines = ["age,crp,ratio,died"]
    special = ["inf", "-inf", "Infinity", "1e400"]
    for i, row in enumerate(cohort(40, seed=34)):
        ratio = special[i // 10] if i % 10 == 0 else f"{(row[3] / (i + 3)):.3f}"
        lines.append(f"{row[1]},{row[3]},{ratio},{row[5]}")
    return ("\n".join(lines) + "\n").encode()


def _huge_values() -> bytes:
    lines = ["age,viral_load,died"]
    for i, row in enumerate(cohort(40, seed=35)):
        load = f"{(i + 1) * 1.5e300:.3g}"
        lines.append(f"{row[1]},{load},{row[5]}")
    return ("\n".join(lines) + "\n").encode()


def _weird_headers() -> bytes:
    long_name = "x" * 3000
    header = ['"systolic\nBP"', '"1"', '"2"', "🩺 pulse", long_name, '"a,b"', "died"]
    lines = [",".join(header)]
    rng = np.random.default_rng(36)
    for _ in range(30):
        vals = rng.integers(50, 180, 5)
        lines.append(
            ",".join(str(v) for v in vals) + f",{rng.choice(['a', 'b'])},{rng.integers(0, 2)}"
        )
    return ("\n".join(lines) + "\n").encode()


def _one_row() -> bytes:
    return to_csv(cohort(1, seed=37)).encode()


def _one_column() -> bytes:
    return ("died\n" + "\n".join(r[5] for r in cohort(30, seed=38)) + "\n").encode()


def _docx_renamed() -> bytes:
    return zip_of({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})


FILES: dict[str, Callable[[], bytes]] = {
    "empty.csv": lambda: b"",
    "whitespace_only.csv": lambda: b"\xef\xbb\xbf  \r\n\r\n\t\n",
    "header_only.csv": lambda: ",".join(HEADER).encode() + b"\r\n",
    "one_column.csv": _one_column,
    "one_row.csv": _one_row,
    "binary_junk.csv": lambda: np.random.default_rng(5).integers(0, 256, 4096, np.uint8).tobytes(),
    "nul_padded.csv": lambda: to_csv(cohort(10, seed=39)).encode() + b"\x00" * 512,
    "png_renamed.csv": png_1x1,
    "gzip_renamed.csv": lambda: gzip.compress(to_csv(cohort()).encode(), mtime=0),
    "xlsx_renamed.csv": lambda: xlsx([list(HEADER), *cohort(40, seed=40)]),
    "docx_renamed.csv": _docx_renamed,
    "zip_bomb.xlsx": zip_bomb_xlsx,
    "html_page.csv": _html_page,
    "html_comment_first.csv": _html_comment_first,
    "utf8_bom.csv": _utf8_bom,
    "utf16_tab.txt": _utf16_tab,
    "latin1_semicolon.csv": _latin1,
    "thai_cp874.csv": _thai,
    "tab_decimal_comma.tsv": _tab_decimal_comma,
    "semicolon_decimal_comma.csv": _semicolon_decimal_comma,
    "cr_line_endings.csv": _cr_line_endings,
    "duplicate_padded_headers.csv": _duplicate_padded_headers,
    "weird_headers.csv": _weird_headers,
    "ragged_extra_value.csv": _ragged_extra_value,
    "ragged_short_rows.csv": _ragged_short_rows,
    "quoted_newlines.csv": _quoted_newlines,
    "unterminated_quote.csv": _unterminated_quote,
    "missing_codes.csv": _missing_codes,
    "numbers_with_units.csv": _numbers_with_units,
    "infinite_values.csv": _infinite_values,
    "huge_values.csv": _huge_values,
    "id_and_free_text.csv": _id_and_free_text,
    "all_missing_columns.csv": _all_missing_columns,
    "constant_outcome.csv": _constant_outcome,
    "three_level_outcome.csv": _three_level_outcome,
    "outcome_case_variants.csv": _outcome_case_variants,
    "outcome_yes_no.csv": lambda: binary_outcome_rows(80, 41, ("No", "Yes")).encode(),
    "outcome_1_2.csv": lambda: binary_outcome_rows(80, 42, ("1", "2")).encode(),
    "perfect_separation.csv": _perfect_separation,
    "collinear_covariates.csv": _collinear,
    "more_covariates_than_rows.csv": _more_covariates_than_rows,
    "script_injection.csv": _script_injection,
}


def write_all(directory: Path = HERE) -> list[Path]:
    """Write every corpus file into `directory`; returns their paths."""
    paths = []
    for name, make in FILES.items():
        path = directory / name
        path.write_bytes(make())
        paths.append(path)
    return paths


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, stream=sys.stdout, format="%(message)s")
    written = write_all()
    total = sum(p.stat().st_size for p in written)
    log.info("wrote %d files, %.0f KB, into %s", len(written), total / 1024, HERE)
