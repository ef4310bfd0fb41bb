"""modules/shiny_patches/isolate.py: values read inside isolate() leave nothing behind."""

from __future__ import annotations

from shiny import reactive

from modules.shiny_patches import isolate as shiny_isolate


def dependents(value: reactive.Value) -> int:
    # Private to Shiny, but it is exactly what grew: the contexts registered on a value.
    return len(value._value_dependents._dependents) + len(value._is_set_dependents._dependents)


def test_reads_inside_isolate_register_no_lasting_dependents():
    shiny_isolate.install()
    value = reactive.value(1)
    for _ in range(100):
        with reactive.isolate():
            assert value() == 1
            assert value.is_set()
    assert dependents(value) == 0


def test_isolate_still_reads_without_creating_a_dependency():
    shiny_isolate.install()
    value = reactive.value("a")
    outer = reactive.Context()
    with outer():
        with reactive.isolate():
            assert value() == "a"
        value()  # a normal read in the outer context does depend on it
    assert dependents(value) == 1
    value.set("b")
    assert outer._invalidated
    assert dependents(value) == 0


def test_install_is_idempotent():
    shiny_isolate.install()
    first = reactive._core.ReactiveEnvironment.isolate
    shiny_isolate.install()
    assert reactive._core.ReactiveEnvironment.isolate is first
