"""modules/shiny_patches/startup.py: the same source references, computed once; no stack walks."""

from __future__ import annotations

import functools

from shiny import reactive

from modules.shiny_patches import startup as shiny_startup


def make_handler():
    def handler():
        return 1

    return handler


def test_source_ref_is_what_shiny_computes_and_is_shared_by_the_same_code():
    first, second = make_handler(), make_handler()
    assert first is not second
    expected = dict(shiny_startup._original_source_ref(first))
    assert expected["code.function.name"] == "handler"
    assert shiny_startup.source_ref(first) == expected
    assert shiny_startup.source_ref(second) == expected
    assert first.__code__ in shiny_startup._source_refs


def test_source_ref_sees_through_wrappers_and_returns_a_copy():
    inner = make_handler()

    @functools.wraps(inner)
    def wrapper():
        return inner()

    ref = shiny_startup.source_ref(wrapper)
    assert ref["code.function.name"] == "handler"
    ref["extra"] = 1
    assert "extra" not in shiny_startup.source_ref(wrapper)


def test_a_builtin_falls_back_to_shiny():
    assert shiny_startup.source_ref(len) == shiny_startup._original_source_ref(len)


def test_values_are_not_named_by_walking_the_stack_without_tracing():
    shiny_startup.install()
    counter = reactive.value(0)
    named = reactive.Value(0, name="counter")
    assert counter._name is None
    assert named._name == "counter"
    with reactive.isolate():
        assert counter() == 0


def test_install_is_idempotent():
    shiny_startup.install()
    shiny_startup.install()
    assert reactive._reactives.extract_source_ref is shiny_startup.source_ref
