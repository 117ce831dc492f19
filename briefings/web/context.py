"""Template context every page shares: the network's name, regions, social links."""

from django.utils.functional import SimpleLazyObject

from briefings.network.models import Feed, Publication, Region
from briefings.network.networkfile import load_network


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


def network(request):
    return {
        "demo_banner": SimpleLazyObject(_demo_banner),
        "network": SimpleLazyObject(load_network),
        "regions": SimpleLazyObject(lambda: list(Region.objects.all())),
        "newsletter_pitch": SimpleLazyObject(_newsletter_pitch),
    }
