"""Who a request comes from, and how often they may try: the real client address
behind trusted proxies, counters in the shared cache, the admin's login throttle.

Every web worker and sender counts in Django's cache, so with CACHE_URL=redis://
a limit holds for the whole site, not per process."""
