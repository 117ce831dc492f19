"""Group signatures into stories, one article at a time, in memory.

The same decision rule serves the live assignment (`assign.py`, candidates from
the database) and the rebuild, the re-check and the evaluation (candidates from
the in-memory index here): an article joins the story of its best-scoring
candidate when that score (the same-event probability, tiers.py) reaches the
threshold, the story, with it, still spans no more than the time window from
its first report, and the article is the same event as most of the story's
RECENT latest members, not only as one of them. That last condition is what
keeps a story from chaining: A-B and B-C both same-event pairs would otherwise
put A and C together however unrelated (issue #12: one demo "story" held
Pakistan's elections, a hostage release and bombings in India). Otherwise the
article starts a story of its own.
"""

from collections import defaultdict, deque
from dataclasses import dataclass

from briefings.stories.similarity import DAY, DEFAULT_WEIGHTS
from briefings.stories.tiers import SAME_EVENT, same_event_probability

PROBE_TERMS = 12  # strongest terms of a new article used to look up candidates
CANDIDATES = 40  # candidates scored in full
DEFAULT_THRESHOLD = SAME_EVENT.threshold  # chosen on the development split
RECENT = 5  # a newcomer must match most of a story's latest this many members


@dataclass(frozen=True)
class Rule:
    """The decision rule: weights of the score and the joining threshold."""

    weights: object = DEFAULT_WEIGHTS
    threshold: float = DEFAULT_THRESHOLD

    @property
    def window(self):
        return int(self.weights.window_days * DAY)

    def score(self, a, b):
        """Return the same-event probability of signatures `a` and `b`."""
        return same_event_probability(a, b, self.weights.window_days)


def agrees(sig, recent, rule):
    """Tell whether `sig` is the same event as most of `recent` (a story's
    latest members' signatures): more than half of them reach the threshold."""
    if not recent:
        return False
    matched = sum(1 for other in recent if rule.score(sig, other) >= rule.threshold)
    return 2 * matched > len(recent)


def choose_story(at, scored, spans, rule, recent_of=None, sig=None):
    """Return (story, score) for the best candidate story, or (None, best score).

    `scored` is [(score, story)], `spans` maps a story to (first, last) times,
    `recent_of(story)` gives the signatures of its RECENT latest members (then
    `sig`, the newcomer's, must agree with most of them). Ties go to the older
    story (smaller key), so the choice is deterministic."""
    best_score = 0.0
    seen = set()
    for value, story in sorted(scored, key=lambda item: (-item[0], item[1])):
        if value < rule.threshold:
            break
        if story in seen:
            continue
        seen.add(story)
        first, last = spans[story]
        within = max(last, at) - min(first, at) <= rule.window
        if within and (recent_of is None or agrees(sig, recent_of(story), rule)):
            return story, value
        best_score = max(best_score, value)
    top = max((value for value, _ in scored), default=0.0)
    return None, max(best_score, top)


class Clusterer:
    """An in-memory index of recent signatures and the stories they form.

    Feed it articles in publication order; entries older than the window behind
    the newest article are dropped, so the index stays bounded by the window.

    With `streaming`, a story is also let go once no later article can join it
    (its first article is more than a window behind the newest): it moves to
    `closed` ({story key: [article keys]}), which the caller drains with
    `take_closed()`, so that memory holds only the open stories. The groups are
    the same either way: a closed story could only be proposed as a candidate
    and then refused by the window."""

    def __init__(self, rule=Rule(), streaming=False):
        self.rule = rule
        self.streaming = streaming
        self.postings = defaultdict(deque)  # term -> deque[(at, key, weight)]
        self.signatures = {}  # key -> signature, within the window only
        self.story_of = {}  # key -> story key, every article of an open story
        self.spans = {}  # story key -> (first, last), open stories
        self.members = defaultdict(list)  # story key -> article keys (streaming)
        self.latest = {}  # story key -> deque of its RECENT latest article keys
        self.closed = {}  # story key -> article keys, closed and not yet taken
        self._order = deque()  # (at, key) in arrival order, for eviction
        self._opened = deque()  # (first, story key) in creation order

    def candidates(self, sig):
        """Return [(key, signature)] of the recent articles sharing strong terms."""
        low, high = sig.at - self.rule.window, sig.at + self.rule.window
        totals = defaultdict(float)
        for term in sig.top(PROBE_TERMS):
            for at, key, weight in self.postings.get(term, ()):
                if low <= at <= high:
                    totals[key] += weight * sig.terms[term]
        ranked = sorted(totals.items(), key=lambda item: (-item[1], item[0]))
        return [(key, self.signatures[key]) for key, _ in ranked[:CANDIDATES]]

    def add(self, key, sig):
        """Assign article `key` with signature `sig`; return (story key, score)."""
        self._evict(sig.at - self.rule.window)
        if self.streaming:
            self._close(sig.at - self.rule.window)
        scored = [
            (self.rule.score(sig, other), self.story_of[other_key])
            for other_key, other in self.candidates(sig)
            if other_key in self.story_of  # else its story is closed: too old
        ]
        story, value = choose_story(
            sig.at, scored, self.spans, self.rule, self._recent_of, sig
        )
        if story is None:
            story, value = key, 1.0
            self.spans[story] = (sig.at, sig.at)
            self.latest[story] = deque(maxlen=RECENT)
            if self.streaming:
                self._opened.append((sig.at, story))
        else:
            first, last = self.spans[story]
            self.spans[story] = (min(first, sig.at), max(last, sig.at))
        self.latest[story].append(key)
        self.story_of[key] = story
        if self.streaming:
            self.members[story].append(key)
        self.signatures[key] = sig
        self._order.append((sig.at, key))
        for term in sig.top(PROBE_TERMS * 2):
            self.postings[term].append((sig.at, key, sig.terms[term]))
        return story, value

    def _recent_of(self, story):
        """Signatures of the story's latest members still in the window (a
        story spans at most a window, so all of an open one's members are)."""
        return [self.signatures[k] for k in self.latest[story] if k in self.signatures]

    def _evict(self, before):
        while self._order and self._order[0][0] < before:
            _, key = self._order.popleft()
            sig = self.signatures.pop(key, None)
            for term in sig.top(PROBE_TERMS * 2) if sig else ():
                postings = self.postings[term]
                while postings and postings[0][0] < before:
                    postings.popleft()
                if not postings:
                    del self.postings[term]

    def _close(self, before):
        """Move the stories whose first article is older than `before` to
        `closed`: no article at or after `before` plus a window can join them."""
        while self._opened and self._opened[0][0] < before:
            _, story = self._opened.popleft()
            members = self.members.pop(story)
            for key in members:
                del self.story_of[key]
            del self.spans[story]
            del self.latest[story]
            self.closed[story] = members

    def take_closed(self, everything=False):
        """Return and forget the closed stories ({story key: [article keys]});
        with `everything`, close the open ones first (the input has ended)."""
        if everything:
            self._close(float("inf"))
        closed, self.closed = self.closed, {}
        return closed

    def stories(self):
        """Return {story key: [article keys]} for every article added (not
        streaming) or of the open stories (streaming)."""
        groups = defaultdict(list)
        for key, story in self.story_of.items():
            groups[story].append(key)
        return dict(groups)
