"""modules/shiny_patches: applied on the Shiny they were written for, refused elsewhere."""

from __future__ import annotations

import logging

import pytest
import shiny
from shiny import reactive
from shiny.reactive import _core, _reactives

from modules import shiny_patches
from modules.shiny_patches import inputs, isolate, refresh, startup


@pytest.fixture
def unpatched(monkeypatch):
    """Shiny as it ships: the originals back in place and the patches marked inactive."""
    monkeypatch.setattr(_core.ReactiveEnvironment, "isolate", isolate._original_isolate)
    for module in (_reactives, shiny.session._session, shiny.reactive._extended_task):
        monkeypatch.setattr(module, "extract_source_ref", startup._original_source_ref)
    monkeypatch.setattr(_reactives.Value, "_try_infer_name", startup._original_infer_name)
    monkeypatch.setattr(shiny.session._session.AppSession, "_manage_inputs", inputs._original)
    monkeypatch.setitem(shiny_patches._state, "active", False)


def test_the_installed_shiny_is_one_they_were_written_for():
    # requirements.txt pins it; an upgrade must re-check the patches and extend WRITTEN_FOR.
    assert shiny_patches.supported(shiny.__version__)


def test_refuses_another_version_and_says_why(unpatched, caplog):
    with caplog.at_level(logging.WARNING, logger="modules.shiny_patches"):
        assert shiny_patches.install(version="1.9.0") is False
    assert "1.9.0" in caplog.text and "none applied" in caplog.text
    assert _core.ReactiveEnvironment.isolate is isolate._original_isolate
    assert _reactives.extract_source_ref is startup._original_source_ref
    assert _reactives.Value._try_infer_name is startup._original_infer_name
    assert shiny.session._session.AppSession._manage_inputs is inputs._original
    assert not shiny_patches.active()


def test_refresh_falls_back_to_shinys_own_timer_when_not_active(unpatched, monkeypatch):
    calls = []
    monkeypatch.setattr(reactive, "invalidate_later", lambda delay: calls.append(delay))
    refresh.invalidate_later(2.5)
    assert calls == [2.5]


def test_applies_every_patch_on_the_supported_version(unpatched):
    assert shiny_patches.install(version=shiny.__version__) is True
    assert _core.ReactiveEnvironment.isolate is isolate._isolate
    assert _reactives.extract_source_ref is startup.source_ref
    assert shiny.session._session.AppSession._manage_inputs is inputs.manage_inputs
    assert shiny_patches.active()
