"""modules/shiny_patches/tag_checks.py: htmltools' protocol checks answer as typing does,
remembered by class, and a page renders the same."""

from __future__ import annotations

import typing

from htmltools import HTML, TagList, _core, tags
from shiny import ui

from modules.shiny_patches import tag_checks


class Tagifies:
    def tagify(self):
        return tags.span("made").tagify()


class ShowsHtml:
    def _repr_html_(self) -> str:
        return "<b>x</b>"


SAMPLES = [tags.div("a"), TagList("a"), HTML("<i>x</i>"), "text", 3, None, Tagifies(), ShowsHtml()]


def typing_answer(protocol: type, value: object) -> bool:
    return typing._ProtocolMeta.__instancecheck__(protocol, value)


def test_answers_are_typings_and_kept_by_class():
    tag_checks.install()
    for protocol in (_core.Tagifiable, _core.ReprHtml):
        for value in SAMPLES:
            assert isinstance(value, protocol) is typing_answer(protocol, value), (protocol, value)
        assert Tagifies in tag_checks._answers[protocol]


def test_a_page_renders_the_same():
    def page():
        return TagList(
            ui.input_select("kind", None, {"a": "A <b>", "b": "B"}, selected="b"),
            tags.div(Tagifies(), ShowsHtml(), "x < y", HTML("<hr>")),
        ).render()["html"]

    tag_checks.install()
    patched = page()
    for protocol in (_core.Tagifiable, _core.ReprHtml):
        protocol.__class__ = tag_checks._ProtocolMeta
    try:
        assert page() == patched
    finally:
        tag_checks.install()
    assert type(_core.Tagifiable) is tag_checks._ByClass


def test_install_is_idempotent():
    tag_checks.install()
    tag_checks.install()
    assert type(_core.ReprHtml) is tag_checks._ByClass
