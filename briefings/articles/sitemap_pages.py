"""Pages of a long sitemap as ranges of ids (the articles' and the stories'
sitemaps, each page up to `limit` URLs).

Django's sitemaps page a queryset with a Paginator: the sitemap index counts
every item to know how many pages there are (38 ms for 100,000 articles on a
busy host), and page 20 skips 38,000 rows with OFFSET (0.7 s). Here page n
holds the items whose ids fall in the n-th run of `limit` ids from the lowest:
the number of pages comes from the lowest and highest ids (two index reads) and
a page reads one range of the primary key. Every item is on exactly one page;
a page may hold fewer than `limit` (ids of hidden or deleted items), or none.
"""

from functools import cached_property

from django.contrib.sitemaps import Sitemap
from django.core.paginator import EmptyPage, PageNotAnInteger


class IdRangePage:
    def __init__(self, object_list, number):
        self.object_list = object_list
        self.number = number


class IdRangePaginator:
    """What Django's sitemap views read of a Paginator (num_pages, page(n)),
    over `queryset` in runs of `per_page` ids."""

    def __init__(self, queryset, per_page):
        self.queryset = queryset
        self.per_page = per_page

    @cached_property
    def _span(self):
        ids = self.queryset.order_by().values_list("pk", flat=True)
        low = ids.order_by("pk").first()
        high = ids.order_by("-pk").first()
        return (low, high) if low is not None else None

    @cached_property
    def num_pages(self):
        if self._span is None:
            return 1  # an empty first page, as Django's Paginator allows
        low, high = self._span
        return (high - low) // self.per_page + 1

    def page(self, number):
        try:
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger("That page number is not an integer") from None
        if number < 1 or number > self.num_pages:
            raise EmptyPage("That page contains no results")
        if self._span is None:
            return IdRangePage(self.queryset.none(), number)
        start = self._span[0] + (number - 1) * self.per_page
        items = self.queryset.filter(pk__gte=start, pk__lt=start + self.per_page)
        # Newest id first; and the primary key's range, not the date index.
        return IdRangePage(items.order_by("-pk"), number)


class IdRangeSitemap(Sitemap):
    """A Sitemap whose pages are runs of `limit` ids of items()."""

    @property
    def paginator(self):
        return IdRangePaginator(self._items(), self.limit)
