"""The ledger's and the settled lines' guarantees in the database, and the statements' storage.

- Every journal entry balances: a deferred constraint trigger checks at commit that its lines sum to zero.
- The ledger is append-only: triggers refuse UPDATE and DELETE of journal entries and lines (a correction is a new
  entry pointing at the one it corrects).
- Settlement lines reference their statement and their receipt line without a foreign-key check per inserted line
  (the monthly generation writes hundreds of thousands); deleting a referenced statement or a settled receipt line is
  refused by a trigger instead. TRUNCATE, used only to empty test and benchmark databases, fires no row triggers.
- Statements are updated in place as they move through the workflow: their table keeps free space on each page.
"""

from django.db import migrations

LEDGER = """
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

LEDGER_REVERSE = """
DROP TRIGGER IF EXISTS settlement_journalline_balanced ON settlement_journalline;
DROP TRIGGER IF EXISTS settlement_journalline_immutable ON settlement_journalline;
DROP TRIGGER IF EXISTS settlement_journalentry_immutable ON settlement_journalentry;
DROP FUNCTION IF EXISTS settlement_journal_balanced();
DROP FUNCTION IF EXISTS settlement_ledger_immutable();
"""

DELETE_GUARDS = """
CREATE OR REPLACE FUNCTION settlement_refuse_delete_referenced() RETURNS trigger AS $$
BEGIN
  IF TG_TABLE_NAME = 'settlement_settlementstatement' THEN
    IF EXISTS (SELECT 1 FROM settlement_settlementline WHERE statement_id = OLD.id) THEN
      RAISE EXCEPTION 'statement % still has lines', OLD.id USING ERRCODE = '23503';
    END IF;
  ELSIF EXISTS (SELECT 1 FROM settlement_settlementline WHERE receipt_line_id = OLD.id AND kind = 'receipt') THEN
    RAISE EXCEPTION 'receipt line % is settled', OLD.id USING ERRCODE = '23503';
  END IF;
  RETURN OLD;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER settlement_statement_delete_guard BEFORE DELETE ON settlement_settlementstatement
  FOR EACH ROW EXECUTE FUNCTION settlement_refuse_delete_referenced();
CREATE TRIGGER settlement_receiptline_delete_guard BEFORE DELETE ON procurement_receiptline
  FOR EACH ROW EXECUTE FUNCTION settlement_refuse_delete_referenced();
"""

DELETE_GUARDS_REVERSE = """
DROP TRIGGER IF EXISTS settlement_statement_delete_guard ON settlement_settlementstatement;
DROP TRIGGER IF EXISTS settlement_receiptline_delete_guard ON procurement_receiptline;
DROP FUNCTION IF EXISTS settlement_refuse_delete_referenced();
"""


class Migration(migrations.Migration):
    dependencies = [("settlement", "0001_initial"), ("procurement", "0001_initial")]
    operations = [
        migrations.RunSQL(LEDGER, LEDGER_REVERSE),
        migrations.RunSQL(DELETE_GUARDS, DELETE_GUARDS_REVERSE),
        migrations.RunSQL(
            "ALTER TABLE settlement_settlementstatement SET (fillfactor = 80)",
            "ALTER TABLE settlement_settlementstatement RESET (fillfactor)",
        ),
    ]
