from django.apps import AppConfig


class DeskConfig(AppConfig):
    """The editors' desk: the staff home page (health at a glance), the tools
    that cross apps (check a feed now, test a paper's extraction rules) and the
    editors' and administrators' groups. It reads from the other apps; nothing
    imports it (DESIGN §4)."""

    name = "briefings.desk"
    verbose_name = "Editors' desk"
