import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


@pytest.mark.django_db(transaction=True)
def test_contact_center_agents_become_tier_1():
    executor = MigrationExecutor(connection)
    before, after = [("core", "0006_notification_user_unindexed")], [("core", "0007_contact_center_tiers")]
    try:
        executor.migrate(before)
        old = executor.loader.project_state(before).apps.get_model("core", "User")
        old.objects.create(username="old-agent", role="ncsc_agent", password="!")
        executor = MigrationExecutor(connection)
        executor.migrate(after)
        new = executor.loader.project_state(after).apps.get_model("core", "User")
        assert new.objects.get(username="old-agent").role == "ncsc_tier1"
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
