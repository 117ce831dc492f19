"""The desk's two roles, as groups: what editors and administrators may do.

Editors run the network day to day: articles, stories, editions, and the
sources (a feed on or off, checked now; a paper's extraction rules). They see
subscribers and deliveries but cannot change them, and cannot touch the site's
settings (its Site record, flat pages, regions, countries) or any account.
Administrators may do everything an account can, users and groups included.

The data migration (0001_roles) creates the groups; a post_migrate hook runs
the same sync after every migrate, so a model added later (and its
permissions) joins its role without another migration. A model not installed
is skipped.
"""

ALL = ("view", "add", "change", "delete")

EDITOR_PERMISSIONS = {
    "articles.article": ("view", "change"),
    "articles.articlerevision": ("view",),
    "stories.story": ALL,
    "stories.storymembership": ALL,
    "stories.articleplace": ("view",),
    "stories.pin": ALL,
    "stories.storyredirect": ("view",),
    "newsletter.edition": ALL,
    "newsletter.editionitem": ALL,
    "newsletter.delivery": ("view",),
    "newsletter.subscriber": ("view",),
    "newsletter.consent": ("view",),
    "network.publication": ("view", "change"),
    "network.feed": ("view", "add", "change"),
    "network.region": ("view",),
    "network.country": ("view",),
    "admin.logentry": ("view",),
}

EDITORS = "Editors"
ADMINISTRATORS = "Administrators"


def editor_codenames(apps):
    """Yield (app_label, codename) of the editors' permissions whose model exists."""
    for label, actions in EDITOR_PERMISSIONS.items():
        app_label, model = label.split(".")
        try:
            apps.get_model(app_label, model)
        except LookupError:
            continue
        for action in actions:
            yield app_label, f"{action}_{model}"


def sync_roles(apps):
    """Create the two groups if missing and give each its permissions
    (editors exactly theirs; administrators every permission there is)."""
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    editors, _ = group_model.objects.get_or_create(name=EDITORS)
    wanted = set(editor_codenames(apps))
    editors.permissions.set(
        [
            permission
            for permission in permission_model.objects.select_related("content_type")
            if (permission.content_type.app_label, permission.codename) in wanted
        ]
    )
    administrators, _ = group_model.objects.get_or_create(name=ADMINISTRATORS)
    administrators.permissions.set(permission_model.objects.all())


def sync_after_migrate(sender, **kwargs):
    """post_migrate: permissions of models added since now exist; sync again."""
    from django.apps import apps as global_apps

    sync_roles(kwargs.get("apps") or global_apps)
