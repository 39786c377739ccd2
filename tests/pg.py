"""A plain psycopg2 connection to the test database, outside Django's connection handling: a second transaction
for the tests of what two writers do at the same moment (locks, waits, deadlocks)."""

import threading

import psycopg2
from django.db import connection


def raw_connection():
    settings = connection.settings_dict
    return psycopg2.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        password=settings["PASSWORD"],
        host=settings["HOST"],
        port=settings["PORT"],
    )


def in_thread(target):
    """Run ``target`` in a thread with its own Django connection (closed at the end); returns the thread and the
    errors it raised."""
    errors = []

    def run():
        try:
            target()
        except Exception as error:  # reported by the test
            errors.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, errors


def second_waits_for_first(leader, follower, holding, release, done) -> None:
    """Two writers of the same rows: ``leader`` writes and sets ``holding``, then waits for ``release`` before it
    commits; ``follower`` sets ``done`` once committed. The follower must still be waiting a second later; once
    released, both must end without an error."""
    first_thread, first_errors = in_thread(leader)
    assert holding.wait(10)
    second_thread, second_errors = in_thread(follower)
    assert not done.wait(1), "the second writer did not wait for the first"
    release.set()
    first_thread.join(10)
    second_thread.join(10)
    assert not first_errors and not second_errors, (first_errors, second_errors)
