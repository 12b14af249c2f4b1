from django.contrib.auth.models import Group

from spkt.org.models import Role


def test_every_role_exists_as_a_group_after_migrate(db) -> None:
    assert set(Group.objects.values_list("name", flat=True)) >= set(Role.values)
