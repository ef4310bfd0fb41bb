"""Pure builders of the Paper & project page: the methods card and the project messages.

Every text that may hold a user's column name or file name goes through htmltools tags,
which escape it.
"""

from __future__ import annotations

from collections.abc import Sequence

from htmltools import Tag, TagChild
from shiny import ui

from modules.shared.methods_text import Methods

# Copies the plain-text methods from the (read-only) textarea; works without a secure context.
COPY_JS = (
    "(function(b){var t=document.getElementById(b.dataset.target);t.select();"
    "var ok=false;try{ok=document.execCommand('copy');}catch(e){}"
    "if(!ok&&navigator.clipboard){navigator.clipboard.writeText(t.value);ok=true;}"
    "b.textContent=ok?'Copied':'Select the text and copy it';})(this)"
)
NOTHING_RUN = (
    "Nothing has been run yet. Run an analysis (Table 1, Outcome analysis, Survival, ...) and "
    "its methods appear here, describing only what was run."
)


def methods_card_body(
    methods: Methods, plain_id: str, left_out: Sequence[str], failed: str = ""
) -> TagChild:
    """The paragraphs, the references, what is left out and why, and the copy button."""
    if failed:
        return ui.p(failed, class_="text-danger", id="methods-failed")
    notes = _notes(methods, left_out)
    if not methods.paragraphs:
        return ui.div(ui.p(NOTHING_RUN, class_="text-muted", id="methods-empty"), *notes)
    paragraphs = [
        ui.p(ui.strong(f"{heading}. ") if heading else None, text, data_part=heading)
        for heading, text in methods.paragraphs
    ]
    references = ui.tags.ol(*[ui.tags.li(r) for r in methods.references], class_="small")
    copy = ui.tags.button(
        "Copy the text",
        type="button",
        class_="btn btn-outline-secondary btn-sm",
        id="methods-copy",
        data_target=plain_id,
        onclick=COPY_JS,
    )
    plain = ui.tags.textarea(
        methods.text(),
        id=plain_id,
        readonly=True,
        rows=4,
        class_="form-control form-control-sm mt-2",
        aria_label="Methods as plain text",
        style="position:absolute;left:-10000px;width:1px;height:1px",
    )
    return ui.div(
        ui.div(*paragraphs, id="methods-text"),
        ui.h6("References", class_="mt-3") if methods.references else None,
        references if methods.references else None,
        *notes,
        copy,
        plain,
    )


def _notes(methods: Methods, left_out: Sequence[str]) -> list[Tag]:
    notes = []
    if left_out:
        notes.append(
            ui.p(
                f"Left out, because their result is out of date: {', '.join(left_out)}. "
                "Press Run on those tabs to include them.",
                class_="small text-warning-emphasis",
                id="methods-left-out",
            )
        )
    if methods.undescribed:
        notes.append(
            ui.p(
                "No methods sentences yet for: "
                f"{', '.join(methods.undescribed)}. Describe them by hand.",
                class_="small text-muted",
            )
        )
    return notes


def project_message(kind: str, lines: Sequence[str]) -> TagChild:
    """The result of opening a project: restored, refused (why), or what differs."""
    if not lines:
        return None
    theme = {"ok": "success", "differs": "warning", "error": "danger"}.get(kind, "secondary")
    head, *rest = lines
    return ui.div(
        ui.p(head, class_="mb-1 fw-semibold"),
        ui.tags.ul(*[ui.tags.li(line) for line in rest], class_="mb-0") if rest else None,
        class_=f"alert alert-{theme} py-2 small",
        id="project-message",
        data_state=kind,
    )
