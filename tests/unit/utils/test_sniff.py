"""Encoding, separator and container sniffing on bytes made here with Python's own codecs."""

from __future__ import annotations

import pytest

from utils import file_types, sniff
from utils.data_error import DataError

THAI = "ชื่อ,แผนก\nสมชาย ใจดี,อายุรกรรม\nสมหญิง รักไทย,ศัลยกรรม\nประเสริฐ,กุมารเวชกรรม\n"
SHORT_THAI = "id,sex\n1,ชาย\n2,หญิง\n"
FRENCH = "nom,ville\nJosé,Orléans\nRenée,Besançon\nZoë,Genève\n"
GERMAN = "name,wert\nGrößenänderung,5\nMüller,3\nWeiß,2\n"


@pytest.mark.parametrize(
    ("text", "codec", "expected"),
    [
        (THAI, "cp874", "cp874"),
        # charset-normalizer 3.5 takes this one for UTF-16 and the Western ones for cp1250;
        # the rule here reads them right.
        (SHORT_THAI, "cp874", "cp874"),
        (FRENCH, "cp1252", "cp1252"),
        (GERMAN, "cp1252", "cp1252"),
        (THAI, "utf-8", "utf-8"),
        (FRENCH, "utf-8", "utf-8"),
        ("a,b\n1,2\n", "ascii", "utf-8"),
        (FRENCH, "utf-8-sig", "utf-8-sig"),
        (FRENCH, "utf-16", "utf-16"),
        (FRENCH, "utf-16-be", "utf-16-be"),
    ],
)
def test_encoding(text, codec, expected):
    data = text.encode(codec)
    found = sniff.sniff_encoding(data)
    assert found == expected
    assert data.decode(found).lstrip("\ufeff") == text


def test_bytes_cp1252_leaves_undefined_fall_back_to_latin1():
    data = b"a,b\nx\x81y,1\n"
    assert sniff.sniff_encoding(data) == "latin-1"


@pytest.mark.parametrize(
    ("text", "sep"),
    [
        ("a,b,c\n1,2,3\n", ","),
        ("a;b;c\n1,5;2;3\n", ";"),
        ("a\tb\n1\t2\n", "\t"),
        ("a|b\n1|2\n", "|"),
        # commas inside the text of a tab-separated file do not win
        ("name\tdx\nSmith, J\tflu, mild\nDoe, A\tcold, mild\n", "\t"),
        ('name,dx\n"Smith; J",flu\n"Doe; A",cold\n', ","),
        ("single\n1\n2\n", ","),
    ],
)
def test_separator(text, sep):
    assert sniff.sniff_layout(text.encode(), "utf-8").sep == sep


def test_decimal_comma_only_when_commas_outnumber_points():
    assert sniff.sniff_layout(b"a;b\n1,5;2\n3,25;4\n", "utf-8").decimal == ","
    assert sniff.sniff_layout(b"a;b\n1.5;2\n3.25;4\n", "utf-8").decimal == "."
    assert sniff.sniff_layout(b"a,b\n1,5\n", "utf-8").decimal == "."


def test_containers():
    assert file_types.detect_container(b"a,b\n1,2\n") == "text"
    with pytest.raises(DataError, match="SPSS"):
        file_types.detect_container(b"$FL2@(#) IBM SPSS STATISTICS")
    with pytest.raises(DataError, match="web page"):
        file_types.detect_container(b"\n  <html lang='en'><body>")


def test_a_header_longer_than_the_sample_is_read_whole():
    # 12,000 names of 7 bytes: a header of 96 KB, past the 64 KB sample of the separator sniffer.
    names = [f"v{i:05d}" for i in range(12_000)]
    text = ",".join(names) + "\n" + ",".join("1" for _ in names) + "\n"
    layout = sniff.sniff_layout(text.encode(), "utf-8")
    assert layout.sep == ","
    assert layout.header == tuple(names)
