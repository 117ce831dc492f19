"""Turn text into terms for similarity: words for alphabetic scripts, character
bigrams for Chinese, Japanese, Korean and Thai runs (which have no spaces between
words), so no language-specific segmenter is needed."""

import re
import unicodedata

MAX_CHARS = 20_000  # a 1 MB article is judged on its first 20,000 characters
MAX_TERM = 40  # longer "words" (URLs, junk) are cut

# CJK ideographs, kana, hangul and Thai: scripts written without word spaces
# (or, for hangul, with spaces between long agglutinated words), tokenized as
# overlapping character bigrams.
_BIGRAM_SCRIPTS = (
    "\u0e00-\u0e7f"  # Thai
    "\u1100-\u11ff\u3130-\u318f\uac00-\ud7af"  # Hangul
    "\u3040-\u30ff\u31f0-\u31ff"  # Hiragana, Katakana
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # CJK ideographs
)
_RUN = re.compile(rf"[{_BIGRAM_SCRIPTS}]+|[^\W_{_BIGRAM_SCRIPTS}]+")
_BIGRAM_RUN = re.compile(rf"[{_BIGRAM_SCRIPTS}]")
_CAPITALIZED = re.compile(r"\b[A-Z][a-zA-Z'\-]{2,}(?:\s+[A-Z][a-zA-Z'\-]{2,})*")

STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be
    because been before being below between both but by can could did do does
    doing down during each few for from further had has have having he her here
    hers herself him himself his how i if in into is it its itself just me more
    most my myself no nor not now of off on once only or other our ours out over
    own same she should so some such than that the their theirs them themselves
    then there these they this those through to too under until up very was we
    were what when where which while who whom why will with would you your yours
    said says say told according would could may might must shall one two three
    new also year years day days today yesterday tomorrow monday tuesday wednesday
    thursday friday saturday sunday week weeks month months last first next since
    however including many much people per cent percent mr mrs ms like well still
    us""".split()
)


def normalize(text):
    """Return `text` capped, NFKC-normalized and lowercased."""
    return unicodedata.normalize("NFKC", (text or "")[:MAX_CHARS]).lower()


def _stem(word):
    # Light English plural folding: "talks" ~ "talk", "protesters" ~ "protester".
    if len(word) > 4 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def terms(text):
    """Return the list of terms of `text`, in order, repeats kept."""
    out = []
    for run in _RUN.findall(normalize(text)):
        if _BIGRAM_RUN.match(run):
            if len(run) == 1:
                out.append(run)
            else:
                out.extend(run[i : i + 2] for i in range(len(run) - 1))
        elif run.isdigit():
            if len(run) >= 3:
                out.append(run)
        elif len(run) >= 2 and run not in STOPWORDS:
            out.append(_stem(run[:MAX_TERM]))
    return out


def names(text):
    """Return the capitalized names in `text` (people, places, bodies), lowercased.

    Only scripts with letter case have them; for the others the bigram terms
    carry the names."""
    found = set()
    for match in _CAPITALIZED.findall((text or "")[:MAX_CHARS]):
        for word in match.split():
            word = word.lower().strip("'-")
            if len(word) >= 3 and word not in STOPWORDS:
                found.add(_stem(word))
    return found
