"""Template context every page shares: the network's name, regions, social links.

The regions, the newsletter pitch, the demo banner and the publications behind
the story cards take five queries; they
change only when papers or regions do, so each process keeps them for the
current page-cache generation (a changed publication or region starts a new
one) and at most BRIEFINGS_PAGE_CACHE_SECONDS, as long as a cached page.
"""

import threading
import time
from email.utils import parseaddr

from django.conf import settings
from django.utils.functional import SimpleLazyObject

from briefings.network.models import Feed, Publication, Region
from briefings.network.networkfile import load_network
from briefings.web.caching import generation


def _newsletter_pitch():
    publications = Publication.objects.enabled()
    count = publications.count()
    names = [
        r.name.removesuffix(" Asia")
        for r in Region.objects.filter(publications__in=publications)
        .distinct()
        .order_by("-position")
    ]
    if len(names) > 1:
        regions = ", ".join(names[:-1]) + " and " + names[-1]
    else:
        regions = "".join(names)
    return {"count": count, "regions": f"{regions} Asia" if regions else "Asia"}


DEMO_BANNER = (
    "Demo network: these papers and stories are a demonstration built from English "
    "Wikinews articles (CC BY 2.5; articles before 2005-09-26 are in the public "
    "domain), via the toscaData and van Atteveldt Wikinews compilations. Dates are "
    "shifted to the last days; each story keeps its original date in its credit line."
)


def _demo_banner():
    demo_feeds = Feed.objects.filter(origin=Feed.Origin.DEMO, enabled=True)
    return DEMO_BANNER if demo_feeds.exists() else ""


_facts = {"generation": None, "read": float("-inf"), "values": {}}
_facts_lock = threading.Lock()


def forget_network_facts():
    """Read everything remembered (regions, pitch, banner, papers, the newest
    stories' ids) afresh on the next page."""
    with _facts_lock:
        _facts.update(generation=None, read=float("-inf"), values={})


def remembered(name, read):
    """Return `read()`, kept under `name` in this process's memo while it is fresh:
    the same page-cache generation (no article, paper or page changed since) and
    at most BRIEFINGS_PAGE_CACHE_SECONDS, as long as a cached page."""
    current = generation()
    now = time.monotonic()
    with _facts_lock:
        fresh = (
            _facts["generation"] == current
            and now - _facts["read"] < settings.BRIEFINGS_PAGE_CACHE_SECONDS
        )
        if not fresh:
            _facts.update(generation=current, read=now, values={})
        if name in _facts["values"]:
            return _facts["values"][name]
    value = read()
    with _facts_lock:
        if _facts["generation"] == current:
            _facts["values"][name] = value
    return value


def _papers():
    """The publications as cards show them: with their region and country."""
    return Publication.objects.select_related("region", "country")


def publications():
    """Return {id: publication, with its region and country} from this process's
    memo: a page's story cards take their papers from here instead of joining
    them into every card's row (docs/benchmarks.md, issue #5)."""
    return remembered("publications", lambda: {p.pk: p for p in _papers()})


def publication(pk):
    """Return the publication `pk`, from the memo when it holds it."""
    found = publications().get(pk)
    if found is None:  # added since the memo was read, in another process
        found = _papers().get(pk=pk)
    return found


def regions():
    """The regions, in their order, from this process's memo."""
    return remembered("regions", lambda: list(Region.objects.all()))


def privacy_email():
    """The address readers write to about their data (BRIEFINGS_PRIVACY_EMAIL,
    else the newsletter's sender address)."""
    return settings.BRIEFINGS_PRIVACY_EMAIL or parseaddr(settings.DEFAULT_FROM_EMAIL)[1]


def network(request):
    return {
        "privacy_email": SimpleLazyObject(privacy_email),
        "demo_banner": SimpleLazyObject(
            lambda: remembered("demo_banner", _demo_banner)
        ),
        "network": SimpleLazyObject(load_network),
        "regions": SimpleLazyObject(regions),
        "newsletter_pitch": SimpleLazyObject(
            lambda: remembered("newsletter_pitch", _newsletter_pitch)
        ),
    }
