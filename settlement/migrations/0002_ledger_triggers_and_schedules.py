"""The ledger's guarantees in the database, and the periodic settlement jobs.

A deferred constraint trigger checks at commit that every journal entry's lines sum to zero, and triggers refuse
UPDATE and DELETE of journal entries and lines (a correction is a new entry).
"""

from django.db import migrations

PG_FORWARD = """
CREATE OR REPLACE FUNCTION settlement_journal_balanced() RETURNS trigger AS $$
DECLARE total numeric;
BEGIN
  SELECT COALESCE(SUM(amount), 0) INTO total FROM settlement_journalline WHERE entry_id = NEW.entry_id;
  IF total <> 0 THEN
    RAISE EXCEPTION 'journal entry % does not balance: lines sum to %', NEW.entry_id, total USING ERRCODE = '23514';
  END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE CONSTRAINT TRIGGER settlement_journalline_balanced AFTER INSERT ON settlement_journalline
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION settlement_journal_balanced();
CREATE OR REPLACE FUNCTION settlement_ledger_immutable() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'ledger rows are never changed (%): post a correction entry', TG_TABLE_NAME USING ERRCODE = '23514';
END $$ LANGUAGE plpgsql;
CREATE TRIGGER settlement_journalline_immutable BEFORE UPDATE OR DELETE ON settlement_journalline
  FOR EACH ROW EXECUTE FUNCTION settlement_ledger_immutable();
CREATE TRIGGER settlement_journalentry_immutable BEFORE UPDATE OR DELETE ON settlement_journalentry
  FOR EACH ROW EXECUTE FUNCTION settlement_ledger_immutable();
"""

PG_BACKWARD = """
DROP TRIGGER IF EXISTS settlement_journalline_balanced ON settlement_journalline;
DROP TRIGGER IF EXISTS settlement_journalline_immutable ON settlement_journalline;
DROP TRIGGER IF EXISTS settlement_journalentry_immutable ON settlement_journalentry;
DROP FUNCTION IF EXISTS settlement_journal_balanced();
DROP FUNCTION IF EXISTS settlement_ledger_immutable();
"""

def schedules_forward(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    monthly, _ = CrontabSchedule.objects.get_or_create(
        minute="30", hour="1", day_of_month="1", month_of_year="*", day_of_week="*", timezone="Asia/Shanghai"
    )
    daily, _ = CrontabSchedule.objects.get_or_create(
        minute="15", hour="1", day_of_month="*", month_of_year="*", day_of_week="*", timezone="Asia/Shanghai"
    )
    PeriodicTask.objects.update_or_create(
        name="医保直接结算：生成上月结算单并扣减医疗机构",
        defaults={"task": "settlement.generate_monthly", "crontab": monthly, "interval": None, "enabled": True},
    )
    PeriodicTask.objects.update_or_create(
        name="医保直接结算：逾期与即将到期检查、逾期未确认视同确认",
        defaults={"task": "settlement.daily_check", "crontab": daily, "interval": None, "enabled": True},
    )


def schedules_backward(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(
        task__in=["settlement.generate_monthly", "settlement.daily_check"]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("settlement", "0001_settlement_tables"), ("django_celery_beat", "0019_alter_periodictasks_options")]
    operations = [
        migrations.RunSQL([PG_FORWARD], [PG_BACKWARD]),  # each one script, not split by statement
        migrations.RunPython(schedules_forward, schedules_backward),
    ]
