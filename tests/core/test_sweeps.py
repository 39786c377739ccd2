"""One sweep of a kind at a time (core.sweeps, docs/adr/0063): the summary tables' sweep tasks, sent by beat and after
every commit that marks a commune, return at once while another session runs the same sweep, and leave nothing behind
(the running one looks again after releasing its lock); an error releases the lock. The rows they write are what the
services compute: the sweeps' own tests (tests/households/test_summary.py, tests/programs/test_support_summary.py)."""

import pytest

from core import sweeps
from households import tasks as household_tasks
from households.models import CommuneSummary, SummaryStale
from programs import tasks as programme_tasks
from programs.models import SupportStale, SupportSummary

from ..pg import raw_connection

pytestmark = pytest.mark.django_db

SWEEPS = {
    "summaries": (
        household_tasks,
        "summaries_sweep",
        household_tasks.summaries_sweep_task,
        SummaryStale,
        sweeps.SUMMARIES,
    ),
    "support": (programme_tasks, "support_sweep", programme_tasks.support_sweep_task, SupportStale, sweeps.SUPPORT),
}


def rows(name: str) -> int:
    return (CommuneSummary if name == "summaries" else SupportSummary).objects.count()


def free(key: int) -> bool:
    """Whether another session can take the sweep's lock now (a session may take its own lock again: the test's
    session cannot tell whether it released it)."""
    other = raw_connection()
    other.autocommit = True
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [sweeps.LOCK_NAMESPACE, key])
            return bool(cursor.fetchone()[0])
    finally:
        other.close()


@pytest.mark.parametrize("name", SWEEPS)
def test_a_sweep_sent_while_another_session_runs_it_returns_at_once(tree, name):
    _module, _function, task, Stale, key = SWEEPS[name]
    Stale.objects.create(commune=tree.commune)
    other = raw_connection()
    other.autocommit = True
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s, %s)", [sweeps.LOCK_NAMESPACE, key])
        assert task() == 0
        assert Stale.objects.filter(commune=tree.commune).exists() and rows(name) == 0, "the copy computed beside it"
    finally:
        other.close()  # the running sweep's worker ends: its session's lock goes with it
    assert task() > 0
    assert not Stale.objects.exists() and rows(name) > 0
    assert free(key), "the sweep kept its lock"


@pytest.mark.parametrize("name", SWEEPS)
def test_a_mark_committed_after_the_running_sweep_s_last_look_is_swept_by_it(tree, name, monkeypatch):
    """The copy sent after that mark's commit found the lock taken and returned: the running sweep, having released
    it, looks again and sweeps the mark instead of leaving it for beat's next run."""
    module, function, task, Stale, _key = SWEEPS[name]
    real = getattr(module, function)
    calls = []

    def sweep():
        written = real()
        if not calls:
            Stale.objects.create(commune=tree.commune)  # committed after the sweep's last look
        calls.append(written)
        return written

    monkeypatch.setattr(module, function, sweep)
    task()
    assert len(calls) == 2 and not Stale.objects.exists()


@pytest.mark.parametrize("name", SWEEPS)
def test_a_sweep_that_fails_releases_the_lock(tree, name, monkeypatch):
    module, function, task, Stale, key = SWEEPS[name]
    real = getattr(module, function)

    def broken():
        raise RuntimeError("the database went away")

    monkeypatch.setattr(module, function, broken)
    with pytest.raises(RuntimeError):
        task()
    assert free(key), "the failed sweep kept its lock"
    monkeypatch.setattr(module, function, real)
    Stale.objects.create(commune=tree.commune)
    assert task() > 0 and not Stale.objects.exists()


@pytest.mark.parametrize("name", SWEEPS)
def test_work_still_pending_after_the_last_pass_is_sent_again_not_left_for_beat(tree, name, monkeypatch):
    """Marks that keep arriving after each pass: after the last one the task is sent again for them."""
    module, function, task, Stale, _key = SWEEPS[name]
    real = getattr(module, function)

    def sweep():
        written = real()
        Stale.objects.create(commune=tree.commune)  # a change committed after every pass
        return written

    sent = []
    monkeypatch.setattr(module, function, sweep)
    monkeypatch.setattr(f"{module.__name__.rsplit('.', 1)[0]}.summary._send_refresh", lambda: sent.append(name))
    task()
    assert sent == [name] and Stale.objects.exists()
