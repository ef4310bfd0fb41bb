"""all-MiniLM-L6-v2 on torch's own transformer layers: the vectors sentence-transformers gives,
in a worker that imports neither sentence-transformers nor transformers.

The model is a 6-layer BERT: embeddings, then post-norm encoder layers with GELU, which is
exactly torch.nn.TransformerEncoderLayer(norm_first=False). The weights are the package's
safetensors file, renamed into those layers; the tokenizer is its tokenizer.json, read by the
`tokenizers` library that transformers itself uses; the sentence vector is the mean of the
token vectors, L2-normalised (the package's modules.json: Transformer, mean Pooling, Normalize).
Importing sentence-transformers pulls in transformers' model code, scikit-learn, scipy and
pandas: ~200 MB of a worker that needs none of them (OPTIMIZATION.md, "The embedding worker").
Importing this module imports torch; only the worker process does.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from safetensors.torch import load_file
from tokenizers import Tokenizer
from torch import nn

MAX_TOKENS = 256  # the model's max_seq_length (sentence_bert_config.json); labels are far shorter
BATCH = 16  # texts per forward pass: the peak grows with it, the speed hardly (bench)


class UnsupportedModel(ValueError):
    """The model folder is not the BERT + mean pooling + normalise shape this loader reads."""

    permanent = True  # the worker says so: loading it again cannot help


def _check(path: Path) -> dict:
    """The model's config, after checking it is the architecture this module implements."""
    config = json.loads((path / "config.json").read_text())
    modules = [m.get("type", "").rsplit(".", 1)[-1] for m in _read(path / "modules.json", [])]
    pooling = _read(path / "1_Pooling" / "config.json", {})
    problems = [
        what
        for what, ok in (
            ("a BERT model", config.get("model_type") == "bert"),
            ("GELU activations", config.get("hidden_act") == "gelu"),
            ("absolute positions", config.get("position_embedding_type", "absolute") == "absolute"),
            ("Transformer, Pooling, Normalize", modules == ["Transformer", "Pooling", "Normalize"]),
            ("mean pooling", pooling.get("pooling_mode_mean_tokens") is True),
        )
        if not ok
    ]
    if problems:
        raise UnsupportedModel(
            f"{path}: not the model this loader reads (expected {', '.join(problems)})"
        )
    return config


def _read(path: Path, default):
    return json.loads(path.read_text()) if path.exists() else default


def _layer(weights: dict[str, torch.Tensor], i: int, config: dict) -> nn.TransformerEncoderLayer:
    """Encoder layer i: BERT's names mapped onto torch's layer (query, key, value in one matrix)."""
    with torch.device("meta"):  # no random initial weights: the real ones are assigned below
        layer = nn.TransformerEncoderLayer(
            config["hidden_size"],
            config["num_attention_heads"],
            config["intermediate_size"],
            dropout=0.0,
            activation="gelu",
            layer_norm_eps=config["layer_norm_eps"],
            batch_first=True,
            norm_first=False,
        )

    def take(name: str) -> torch.Tensor:
        return weights.pop(f"encoder.layer.{i}.{name}")

    qkv = ("query", "key", "value")
    state = {
        "self_attn.in_proj_weight": torch.cat([take(f"attention.self.{n}.weight") for n in qkv]),
        "self_attn.in_proj_bias": torch.cat([take(f"attention.self.{n}.bias") for n in qkv]),
        "self_attn.out_proj.weight": take("attention.output.dense.weight"),
        "self_attn.out_proj.bias": take("attention.output.dense.bias"),
        "norm1.weight": take("attention.output.LayerNorm.weight"),
        "norm1.bias": take("attention.output.LayerNorm.bias"),
        "linear1.weight": take("intermediate.dense.weight"),
        "linear1.bias": take("intermediate.dense.bias"),
        "linear2.weight": take("output.dense.weight"),
        "linear2.bias": take("output.dense.bias"),
        "norm2.weight": take("output.LayerNorm.weight"),
        "norm2.bias": take("output.LayerNorm.bias"),
    }
    layer.load_state_dict(state, assign=True)
    return layer.eval().requires_grad_(False)


class SentenceEncoder:
    """Unit-length sentence vectors from the model folder at `path` (CPU, inference only)."""

    def __init__(self, path: Path) -> None:
        config = _check(path)
        weights = load_file(str(path / "model.safetensors"))
        self.layers = [_layer(weights, i, config) for i in range(config["num_hidden_layers"])]
        self.word = weights["embeddings.word_embeddings.weight"]
        self.position = weights["embeddings.position_embeddings.weight"]
        self.token_type = weights["embeddings.token_type_embeddings.weight"][0]
        self.norm = (weights["embeddings.LayerNorm.weight"], weights["embeddings.LayerNorm.bias"])
        self.eps = float(config["layer_norm_eps"])
        self.dim = int(config["hidden_size"])
        self.tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        # tokenizer.json pads every text to 128 tokens; pad a batch to its longest text instead.
        self.tokenizer.enable_truncation(min(MAX_TOKENS, config["max_position_embeddings"]))
        self.tokenizer.enable_padding(pad_id=config.get("pad_token_id", 0))

    def encode(self, texts: Sequence[str], batch_size: int = BATCH) -> np.ndarray:
        """float32 array (len(texts), dim), rows in the order of texts, each of length 1."""
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        # Texts of similar length together, as sentence-transformers does: less padding.
        order = sorted(range(len(texts)), key=lambda k: len(texts[k]))
        with torch.inference_mode():
            for start in range(0, len(order), batch_size):
                chosen = order[start : start + batch_size]
                out[chosen] = self._forward([texts[k] for k in chosen]).numpy()
        return out

    def _forward(self, texts: list[str]) -> torch.Tensor:
        encoded = self.tokenizer.encode_batch(texts)
        ids = torch.tensor([e.ids for e in encoded])
        mask = torch.tensor([e.attention_mask for e in encoded], dtype=torch.bool)
        x = F.embedding(ids, self.word) + self.position[: ids.shape[1]] + self.token_type
        x = F.layer_norm(x, (self.dim,), *self.norm, self.eps)
        for layer in self.layers:
            x = layer(x, src_key_padding_mask=~mask)
        weights = mask.unsqueeze(-1).to(x.dtype)
        mean = (x * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
        return F.normalize(mean, p=2, dim=1)
