"""Security headers Django does not set itself: a Content Security Policy.

The site runs no inline script and no third-party code: scripts and styles come
from our own origin only. Story images come from the member papers, so images
may load from any http(s) origin. Django's admin keeps inline styles here and
there, so its pages allow those (never inline scripts).
"""

SITE_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: https: http:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
ADMIN_POLICY = SITE_POLICY.replace(
    "style-src 'self'", "style-src 'self' 'unsafe-inline'"
)


class ContentSecurityPolicyMiddleware:
    """Add a Content-Security-Policy header to responses that have none."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            admin = request.path.startswith("/admin/")
            response["Content-Security-Policy"] = ADMIN_POLICY if admin else SITE_POLICY
        return response
