"""A plain psycopg2 connection to the test database, outside Django's connection handling: a second transaction
for the tests of what two writers do at the same moment (locks, waits, deadlocks)."""

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
