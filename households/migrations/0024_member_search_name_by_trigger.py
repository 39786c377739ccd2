"""The members' stored normalised name (``search_name``) is kept by a ``BEFORE`` row trigger instead of being a
generated column: the same value from the same function on every insert and on every update of the name, whoever
writes the row. A generated column cannot be given a value, so a bulk load paid the normalising function once per
member row it moved (≈ 4,4 µs, 80 % of the row's cost: ≈ 19 s of the million-household generator's critical path);
with the trigger, the generator computes each distinct name once beside the other work and moves the rows with the
trigger off inside its transaction (households.demo_scale, docs/adr/0057).

Django's state keeps ``GeneratedField``: Django never writes the column and reads it back after a save, which is
exactly right for a column the database computes. The trigger also recomputes a value written by hand (an ``UPDATE``
of ``search_name`` alone gets the normalised name again), so the column cannot drift from the name."""

from django.db import migrations

FUNCTION = "households_member_search_name"

TO_TRIGGER = f"""
ALTER TABLE households_member ALTER COLUMN search_name DROP EXPRESSION;
CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- an update that changes neither the name nor the stored value keeps it (the import's updates of every member)
    IF TG_OP = 'UPDATE' AND NEW.full_name IS NOT DISTINCT FROM OLD.full_name
       AND NEW.search_name IS NOT DISTINCT FROM OLD.search_name THEN
        RETURN NEW;
    END IF;
    NEW.search_name := households_search_norm(NEW.full_name);
    RETURN NEW;
END $$;
CREATE TRIGGER {FUNCTION} BEFORE INSERT OR UPDATE OF full_name, search_name ON households_member
    FOR EACH ROW EXECUTE FUNCTION {FUNCTION}();
"""

# Back to the generated column (migration 0013's definition): the table is rewritten once, as 0013 did.
TO_GENERATED = f"""
DROP TRIGGER IF EXISTS {FUNCTION} ON households_member;
DROP FUNCTION IF EXISTS {FUNCTION}();
ALTER TABLE households_member DROP COLUMN search_name;
ALTER TABLE households_member
    ADD COLUMN search_name text GENERATED ALWAYS AS (households_search_norm(full_name::text)) STORED;
"""


class Migration(migrations.Migration):
    dependencies = [("households", "0023_escape_registration_place_required")]

    operations = [migrations.RunSQL(TO_TRIGGER, TO_GENERATED)]
