"""A module that reads today once, when it is imported (``TODAY = timezone.localdate()``), compares it with what
the code under test reads when the test runs. A suite that crosses midnight (or the new year, for a ``YEAR``) then
fails on nothing but the hour: the module's tests saw yesterday, the code sees today.

``on_the_day_of_import()`` returns an autouse fixture that starts each test of the module on the clock at the module's
import, ticking, and never later than 23:00 that day, so the day the module read is the day the code reads for as
long as the module's tests last. The database's and Redis's own clocks are not moved: Python's time runs behind
theirs by as long as the suite has run since the import. A test of such a module must not compare a time written by
Python with the database's ``now()``.
"""

import pytest
import time_machine
from django.utils import timezone


def on_the_day_of_import():
    now = timezone.localtime()
    start = min(now, now.replace(hour=23, minute=0, second=0, microsecond=0))

    @pytest.fixture(autouse=True)
    def _on_the_day_of_import():
        with time_machine.travel(start, tick=True):
            yield

    return _on_the_day_of_import
