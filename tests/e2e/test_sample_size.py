"""Browser: the Sample size tab works without any upload: two proportions give the protocol's
152 per group and its sentence, a new power marks the answer out of date and Calculate updates
it, and both downloads carry the answer."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.helpers import expect_fresh, expect_stale, open_tab, run_tab, upload

SENTENCE = (
    "To detect a difference between 40% and 25% with 80% power at a two-sided α of 0.05, "
    "152 patients per group (304 in all) are needed; allowing for 10% dropout, 338 will be "
    "recruited."
)


def test_two_proportions_without_data_then_new_power_then_download(page: Page, tmp_path):
    open_tab(page, "Sample size")
    family = page.locator("#sample_size-family")
    family.wait_for(state="attached", timeout=20_000)
    expect(page.locator("#sample_size-no_data")).to_be_empty()  # no "load data first"
    family.select_option("proportions")
    expect(page.locator("#sample_size-p1")).to_have_value("0.4", timeout=15_000)
    page.locator("#sample_size-p2").fill("0.25")
    page.locator("#sample_size-dropout").fill("0.1")
    page.locator("#sample_size-dropout").press("Tab")
    run_tab(page, "sample_size")

    sentence = page.locator("#protocol-sentence")
    expect(sentence).to_have_text(SENTENCE)
    expect(page.locator("#sample_size-box_total")).to_contain_text("304")
    expect(page.locator("#sample_size-box_recruit")).to_contain_text("338")
    expect(page.locator("#sample-size-curve .main-svg").first).to_be_visible(timeout=15_000)

    # A power of 90% is another question: the answer is marked out of date until Calculate.
    page.locator("#sample_size-power").fill("0.9")
    page.locator("#sample_size-power").press("Tab")
    expect_stale(page, "sample_size")
    run_tab(page, "sample_size")
    expect(sentence).to_contain_text("with 90% power")
    expect(sentence).to_contain_text("203 patients per group (406 in all)")

    for button, expected in (("download_csv", "203"), ("download_html", "with 90% power")):
        with page.expect_download(timeout=30_000) as info:
            page.locator(f"#sample_size-{button}").click()
        saved = tmp_path / info.value.suggested_filename
        info.value.save_as(saved)
        text = saved.read_text(encoding="utf-8")
        assert expected in text, button
        assert saved.name.startswith("medstat_sample_size_proportions_")


def test_an_impossible_input_is_a_sentence(page: Page):
    open_tab(page, "Sample size")
    page.locator("#sample_size-family").wait_for(state="attached", timeout=20_000)
    page.locator("#sample_size-p2").fill("0.4")  # equal to group 1
    page.locator("#sample_size-p2").press("Tab")
    page.locator("#sample_size-run").click()
    error = page.locator("#sample_size-status [data-state=error]")
    expect(error).to_contain_text("The two proportions are equal", timeout=15_000)


def test_new_data_leaves_the_answer_current(page: Page, tmp_path):
    """The tab needs no data: an upload elsewhere does not mark its result out of date."""
    open_tab(page, "Sample size")
    page.locator("#sample_size-family").wait_for(state="attached", timeout=20_000)
    run_tab(page, "sample_size")
    expect(page.locator("#protocol-sentence")).to_contain_text("152 patients per group")
    other = tmp_path / "other_study.csv"
    other.write_text("age,sex\n61,F\n72,M\n55,F\n", encoding="utf-8")
    upload(page, other)
    open_tab(page, "Sample size")
    expect_fresh(page, "sample_size")
    expect(page.locator("#protocol-sentence")).to_contain_text("152 patients per group")


def test_a_reload_brings_back_the_design_and_its_answer(page: Page):
    open_tab(page, "Sample size")
    family = page.locator("#sample_size-family")
    family.wait_for(state="attached", timeout=20_000)
    family.select_option("means")
    expect(page.locator("#sample_size-sd")).to_have_value("10", timeout=15_000)
    run_tab(page, "sample_size")
    sentence = page.locator("#protocol-sentence")
    expect(sentence).to_contain_text("64 patients per group (128 in all)")

    page.reload()
    page.wait_for_selector(".shiny-bound-output", timeout=30_000)
    open_tab(page, "Sample size")
    expect(page.locator("#sample_size-family")).to_have_value("means", timeout=15_000)
    expect(sentence).to_contain_text("64 patients per group (128 in all)", timeout=15_000)
    expect_fresh(page, "sample_size")
