"""Times on the desk: in the network's time zone, with UTC on hover."""

from datetime import UTC

from django import template
from django.utils import timezone
from django.utils.html import format_html

register = template.Library()


@register.filter
def desk_time(value, fmt="%Y-%m-%d %H:%M"):
    """Render an aware datetime as <time>: network time shown, UTC in its title
    (hover) and its machine-readable datetime; "never" for None."""
    if value is None:
        return "never"
    local = timezone.localtime(value)
    utc = value.astimezone(UTC)
    return format_html(
        '<time datetime="{}" title="{} UTC">{} {}</time>',
        utc.isoformat(timespec="seconds").replace("+00:00", "Z"),
        utc.strftime("%Y-%m-%d %H:%M"),
        local.strftime(fmt),
        local.tzname(),
    )
