"""Browser test: a merge proposal below high confidence is shown with its reason, not ticked.

One diagnosis column: 'Appendicitis' (6 rows), 'appendicitis' (3: same letters, different
case, pre-ticked) and 'Apendicits' (1: a two-letter typo, or the model's similar meaning when
the worker runs; either way below the pre-tick level), and the opposites 'NSCLC' / 'SCLC',
which are never proposed together. Apply merges only what is ticked.
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.helpers import upload

ROWS = ["Appendicitis"] * 6 + ["appendicitis"] * 3 + ["Apendicits"] + ["NSCLC"] * 4 + ["SCLC"] * 2


def test_a_doubtful_proposal_is_shown_with_its_reason_but_not_ticked(page: Page, tmp_path) -> None:
    data = tmp_path / "diagnoses.csv"
    lines = ["patient_id,age,diagnosis"] + [
        f"P{i:03d},{40 + i},{label}" for i, label in enumerate(ROWS)
    ]
    data.write_text("\n".join(lines) + "\n")
    upload(page, data)

    page.click("a[data-value='cleaning']")
    page.select_option("#cleaning-column", "diagnosis")
    page.click("#cleaning-find")
    groups = page.locator("#cleaning-group-list .cleaning-group")
    expect(groups).to_have_count(1, timeout=30_000)  # NSCLC and SCLC stand alone
    group = groups.first
    expect(group.locator("input[type=text]")).to_have_value("Appendicitis")

    case = group.locator(".cleaning-member", has_text="appendicitis").filter(
        has=page.locator("code", has_text=re.compile(r"^appendicitis$"))
    )
    expect(case.locator(".cleaning-reason")).to_have_text("same letters, different case")
    expect(case.locator("input[type=checkbox]")).to_be_checked()

    typo = group.locator(".cleaning-member", has_text="Apendicits")
    expect(typo.locator(".cleaning-reason")).to_have_text(
        re.compile(r"^(typo: 2 letters|similar meaning \(model\))$")
    )
    expect(typo).to_contain_text("confidence 0.")
    expect(typo.locator("input[type=checkbox]")).not_to_be_checked()
    expect(group.get_by_label("Merge into")).to_be_checked()

    page.click("#cleaning-apply")
    history = page.locator("#cleaning-history-list li")
    expect(history).to_have_count(1, timeout=15_000)
    expect(history.first).to_contain_text("1 label(s) merged into 1")
