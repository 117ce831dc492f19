"""Newsletter pages: signup, confirmation, preferences, unsubscribe, the archive.

The management pages (preferences, export, delete, unsubscribe) open with a
token from an email: it expires (NEWSLETTER_MANAGE_DAYS), unsubscribing or
deleting with it revokes it, and nothing is read out or changed by a GET but the
preferences page, which shows the address masked."""

import json
from datetime import date
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from briefings.network.models import Region
from briefings.network.networkfile import load_network
from briefings.newsletter import subscribe as subscriptions
from briefings.newsletter.models import Edition, EditionItem, Subscriber
from briefings.newsletter.render import edition_context, variant_items
from briefings.newsletter.subscribe import Signup, SignupError
from briefings.newsletter.tokens import TokenError, manage_token
from briefings.throttle.address import client_address

PUBLISHED = (
    Edition.Status.SENDING,
    Edition.Status.SENT,
    Edition.Status.PAUSED,
    Edition.Status.PUBLISHED,
)
HONEYPOT = "website"


def published_editions():
    return Edition.objects.filter(status__in=PUBLISHED).order_by("-date")


def _client(request, source=""):
    return {
        "ip": client_address(request),
        "user_agent": request.META.get("HTTP_USER_AGENT", ""),
        "source": source,
    }


def from_this_site(request):
    """Return whether a POST was sent from one of this site's pages: its Origin
    header, or without one its Referer, names this site (scheme and host, as
    Django reads them behind a proxy) or one of CSRF_TRUSTED_ORIGINS. Browsers
    send Origin with every cross-site POST, so another site's form is refused.
    """
    if getattr(request, "_dont_enforce_csrf_checks", False):
        return True  # Django's test client, as CsrfViewMiddleware allows it
    site = f"{request.scheme}://{request.get_host()}"
    allowed = {site, *settings.CSRF_TRUSTED_ORIGINS}
    origin = request.META.get("HTTP_ORIGIN")
    if origin is None:
        try:
            referer = urlsplit(request.META.get("HTTP_REFERER", ""))
        except ValueError:  # an unclosed IPv6 bracket
            return False
        if not (referer.scheme and referer.netloc):
            return False  # neither header: browsers send Origin with every POST
        origin = f"{referer.scheme}://{referer.netloc}"
    return origin.lower() in {site.lower() for site in allowed}


# The signup form is on every cached page, which nginx serves as a file
# (web/page_files.py): it cannot carry a reader's CSRF token. What a token
# would stop, another site making its visitors' browsers sign addresses up
# (from many addresses, past the rate limits), the origin check stops; the
# double opt-in stops anyone signing up an address that is not theirs.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def signup(request):
    """Show the signup form; take a signup from this site's pages and answer the
    same for any address, after the same work: the signup is queued, the
    sender does the rest."""
    context = {"regions_all": Region.objects.all(), "chosen": [], "error": ""}
    if request.method == "GET":
        context["editions"] = published_editions()[:5]
        # From the compact line on every page: the address, to confirm here.
        context["email"] = request.GET.get("email", "")[:254]
        return render(request, "newsletter/signup.html", context)
    if not from_this_site(request):
        context["error"] = "Please sign up from our own pages."
        return render(request, "newsletter/signup.html", context, status=403)
    if request.POST.get(HONEYPOT):
        return redirect("newsletter:thanks")  # a bot: say nothing different
    if subscriptions.rate_limited(client_address(request)):
        context["error"] = "Too many signups from your network. Try again later."
        return render(request, "newsletter/signup.html", context, status=429)
    referer = request.META.get("HTTP_REFERER", "")[:200]
    form = Signup(
        email=request.POST.get("email", ""),
        regions=request.POST.getlist("regions"),
        frequency=request.POST.get("frequency", ""),
        **_client(request, referer or request.path),
    )
    try:
        subscriptions.queue_signup(form)
    except SignupError as error:
        context["error"] = str(error)
        context["chosen"] = form.regions
        return render(request, "newsletter/signup.html", context, status=400)
    return redirect("newsletter:thanks")


def thanks(request):
    return render(request, "newsletter/thanks.html")


@require_http_methods(["GET", "POST"])
def confirm(request, token):
    """GET asks to confirm (link scanners only GET); POST confirms."""
    try:
        if request.method == "GET":  # a garbage or used link says so at once
            subscriptions.check_confirmation(token)
            return render(request, "newsletter/confirm.html", {"token": token})
        subscriber = subscriptions.confirm(token, Signup("", **_client(request)))
    except TokenError as error:
        return render(
            request, "newsletter/token_error.html", {"reason": str(error)}, status=400
        )
    manage = manage_token(subscriber)
    subscriptions.send_welcome(subscriber, manage)
    return render(request, "newsletter/confirmed.html", {"manage": manage})


def _token_error(request, error):
    reason = "expired" if str(error) == "expired" else "invalid"
    return render(
        request,
        "newsletter/token_error.html",
        {"reason": reason, "manage": True},
        status=400,
    )


def _subscriber_or_error(request, token):
    try:
        return subscriptions.subscriber_for(token), None
    except TokenError as error:
        return None, _token_error(request, error)


def masked(email):
    """Return `email` with most of its local part hidden: r•••@example.com."""
    local, _, domain = email.rpartition("@")
    return f"{local[:1]}•••@{domain}"


@csrf_exempt  # RFC 8058: mail clients POST here with neither cookies nor token
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """GET shows a confirmation button and changes nothing; POST unsubscribes and
    revokes the link (the page after it carries no management link)."""
    subscriber, error = _subscriber_or_error(request, token)
    if error:
        return error
    if request.method == "GET":
        return render(
            request,
            "newsletter/unsubscribe.html",
            {"token": token, "subscriber": subscriber},
        )
    try:
        subscriptions.unsubscribe(subscriber)
    except TokenError as error:  # the same link, used a moment ago
        return _token_error(request, error)
    return render(request, "newsletter/unsubscribed.html")


@never_cache
@require_http_methods(["GET", "POST"])
def preferences(request, token):
    subscriber, error = _subscriber_or_error(request, token)
    if error:
        return error
    saved = False
    if request.method == "POST":
        subscriber.regions = subscriptions.clean_regions(
            request.POST.getlist("regions")
        )
        subscriber.frequency = subscriptions.clean_frequency(
            request.POST.get("frequency", "")
        )
        subscriber.save(update_fields=["regions", "frequency"])
        saved = True
    chosen = subscriber.regions or list(Region.objects.values_list("slug", flat=True))
    return render(
        request,
        "newsletter/preferences.html",
        {
            "token": token,
            "subscriber": subscriber,
            "email": masked(subscriber.email),
            "regions_all": Region.objects.all(),
            "chosen": chosen,
            "saved": saved,
            "active": subscriber.status == Subscriber.Status.CONFIRMED,
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
def export(request, token):
    """GET asks (link scanners and prefetchers only GET); POST downloads."""
    subscriber, error = _subscriber_or_error(request, token)
    if error:
        return error
    if request.method == "GET":
        return render(request, "newsletter/export.html", {"token": token})
    response = HttpResponse(
        json.dumps(subscriptions.export(subscriber), indent=2),
        content_type="application/json",
    )
    response["Content-Disposition"] = 'attachment; filename="eastern-briefings.json"'
    return response


@never_cache
@require_POST
def delete(request, token):
    subscriber, error = _subscriber_or_error(request, token)
    if error:
        return error
    try:
        subscriptions.delete(subscriber)
    except TokenError as error:  # the same link, used a moment ago
        return _token_error(request, error)
    return render(request, "newsletter/deleted.html")


def edition(request, day):
    try:
        when = date.fromisoformat(day)
    except ValueError as error:
        raise Http404("no such date") from error
    edition = get_object_or_404(published_editions(), date=when)
    return _edition_page(request, edition)


def today(request):
    edition = published_editions().first()
    if edition is None:
        return render(request, "newsletter/no_edition.html")
    return _edition_page(request, edition)


def _edition_page(request, edition):
    """The edition as the email shows it (the same sheet and CSS), in the site."""
    editions = published_editions()
    context = edition_context(edition, variant_items(edition))
    context |= {
        "previous": editions.filter(date__lt=edition.date).first(),
        "next": editions.filter(date__gt=edition.date).last(),
    }
    return render(request, "newsletter/edition.html", context)


def edition_css(request):
    """The email's stylesheet, scoped to the web edition (one CSS for both)."""
    response = render(request, "newsletter/edition.css", content_type="text/css")
    response["Cache-Control"] = "public, max-age=3600"
    return response


def archive(request):
    """Every published edition by date, each with its lead's headline."""
    editions = list(published_editions()[:400])
    rows = (
        EditionItem.objects.filter(edition__in=editions)
        .order_by("-is_lead", "position", "id")
        .values_list("edition_id", "article__headline")
    )
    leads = {}
    for edition_id, headline in rows:
        leads.setdefault(edition_id, headline)  # the lead, else the first item
    for edition in editions:
        edition.lead_headline = leads.get(edition.pk, "")
    return render(request, "newsletter/archive.html", {"editions": editions})


class EditionFeed(Feed):
    feed_type = Atom1Feed

    def title(self):
        return load_network().newsletter_name

    def subtitle(self):
        return load_network().newsletter_tagline

    def link(self):
        return reverse("newsletter:archive")

    def items(self):
        return published_editions()[:30]

    def item_title(self, item):
        return f"{load_network().newsletter_name}: {item.date:%-d %B %Y}"

    def item_description(self, item):
        # The summary is type="html" (Atom1Feed): headlines are text, escaped.
        headlines = [escape(i.article.headline) for i in variant_items(item)]
        return " · ".join(headlines)

    def item_pubdate(self, item):
        return item.send_started_at or item.created_at
