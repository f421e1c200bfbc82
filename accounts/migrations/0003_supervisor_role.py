"""The supervisor (监督人员) of the agency: decides appeals (申诉) against the answers officials give to objections."""

from django.db import migrations

ROLE = ("supervisor", "监督人员", "agency")


def load(apps, schema_editor):
    code, name, kind = ROLE
    apps.get_model("accounts", "Role").objects.update_or_create(code=code, defaults={"name": name, "org_kind": kind})


def unload(apps, schema_editor):
    apps.get_model("accounts", "Role").objects.filter(code=ROLE[0]).delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_load_regions_and_roles")]
    operations = [migrations.RunPython(load, unload)]
