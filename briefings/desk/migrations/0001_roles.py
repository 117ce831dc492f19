"""The editors' and administrators' groups with their permissions (desk/roles.py)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from briefings.desk.roles import sync_roles


def create_roles(apps, schema_editor):
    # Permissions are created after all migrations (post_migrate); on a fresh
    # database they do not exist yet at this point, so create them first.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    sync_roles(apps)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(
        name__in=["Editors", "Administrators"]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("articles", "0005_canonical_url_per_publication"),
        ("network", "0004_publication_hosts"),
        ("newsletter", "0003_queued_signup"),
        ("stories", "0005_articleplace_kind_region"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
