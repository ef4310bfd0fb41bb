"""Issue 17 case 4: a codebook of thousands of variables against a file of thousands of columns.

Matching scores every variable against every column (names and labels), so it is bounded and
admitted by variables x columns: with the bound at 200,000 pairs (1,000,000 by default), 5,000
variables x 60 columns = 300,000 pairs are refused at once with the limit's name, where
2,500 x 8,000 took 160 s and 1.1 GB before. (A wide file costs the loop its own time when it
loads: that is issue 17 case 1's, so the file here is narrow.)
"""

from __future__ import annotations

import asyncio
import time

from bench.hostile_files import write_codebook, write_wide_csv
from tests.hostile.conftest import (
    ATTACKER_ADDRESS,
    AddressedSession,
    RssSampler,
    assert_up,
    page_init,
)


def test_a_huge_codebook_is_refused_by_pairs(tmp_path, hostile_app, victim):
    wide = write_wide_csv(tmp_path / "wide.csv", 60, rows=20)
    codebook = write_codebook(tmp_path / "codebook.csv", 5_000)
    with hostile_app(codebook_max_pairs="200000") as app, RssSampler(app.pid) as rss:
        init = page_init(app.url)
        with victim(app.url) as user:

            async def attack() -> tuple[str, float]:
                session = AddressedSession(app.url, init, 1, 60, ATTACKER_ADDRESS)
                session.visible = ("cleaning-codebook-status",)
                await session.open()
                try:
                    refused = (await session.upload(wide))[1]
                    assert not refused, refused
                    started = time.monotonic()
                    await session.upload_to(codebook, "cleaning-codebook-upload")
                    text = await session.wait_text(
                        "cleaning-codebook-status", "not used", "MEDSTAT_"
                    )
                    return text, time.monotonic() - started
                finally:
                    await session.close()

            text, took = asyncio.run(attack())
        user.assert_unharmed()
        assert_up(app)
        log = app.log()
    rss.assert_under()
    assert "300,000 pairs" in text and "MEDSTAT_CODEBOOK_MAX_PAIRS" in text, text
    assert took < 10, f"the refusal took {took:.1f} s"
    assert "codebook matched" not in log and "Traceback" not in log
