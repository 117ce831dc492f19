from django.apps import AppConfig


class DeskConfig(AppConfig):
    """The editors' desk: the staff home page (health at a glance), the tools
    that cross apps (check a feed now, test a paper's extraction rules) and the
    editors' and administrators' groups. It reads from the other apps; nothing
    imports it (DESIGN §4)."""

    name = "briefings.desk"
    verbose_name = "Editors' desk"

    def ready(self):
        from django.db.models.signals import post_migrate

        from briefings.desk.roles import sync_after_migrate

        post_migrate.connect(sync_after_migrate, sender=self)
