"""The search row of a household: its current members' normalised names in one text, with its commune (ADR 0046).

The name search reads one row per household instead of a member row per person, and a commune officer's search is
one index scan of the commune's rows (the commune is a column of both GIN indexes, through btree_gin). The rows are
written by database triggers only (migration 0017): every writer of members or households — the services, the Excel
import's COPY, the demo generators' COPY and INSERT … SELECT, raw SQL — keeps them equal to the members.
"""

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models import F

# Between two members' names in ``names``: the normalised names hold only a-z, 0-9 and single spaces, so a pattern
# that must not cross this character ("[^|]*") stays inside one member's name.
MEMBER_SEPARATOR = "|"


class HouseholdSearch(models.Model):
    """One household's current members, as the search box compares them; written by triggers, never by Django.

    ``names`` is the members' ``search_name`` joined by ``MEMBER_SEPARATOR`` (in member id order), ``words`` the
    distinct words of those names and each pair of words of one member's name as "a+b" (a < b),
    ``head_name`` the current head's ``search_name`` (the ranking's key), ``commune`` the household's commune.
    A household without a current member has no row.
    """

    household = models.OneToOneField(
        "households.Household", primary_key=True, on_delete=models.CASCADE, related_name="search_row"
    )
    commune = models.ForeignKey(
        "areas.AdministrativeUnit", on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    names = models.TextField()
    words = ArrayField(models.TextField())
    head_name = models.TextField(null=True)

    class Meta:
        indexes = [
            # A typed word as a part of one member's name (trigrams), within a commune when the officer has one.
            GinIndex(F("commune"), OpClass("names", name="gin_trgm_ops"), name="household_search_trgm_idx"),
            # … and, tried first, as whole words: exact, so the index's candidates need no recheck of the text.
            GinIndex(F("commune"), F("words"), name="household_search_words_idx"),
        ]

    def __str__(self) -> str:
        return self.names


class HouseholdSearchWord(models.Model):
    """A word of some member's normalised name: the vocabulary the search's part look-up expands a typed word into.

    A typed word of three letters or more may be any part of a name ("nga" finds "hnga"); the trigram index finds
    households holding it somewhere in any member's name, and each had to be read and its names split to keep those
    where one member holds every typed word. Expanded into the words that contain it ("nga" → nga, hnga, ngan…),
    the look-up becomes one of ``HouseholdSearch.words`` with the pairs of those words, as whole words are (ADR
    0052). Written by triggers on the search rows (migration 0019) whenever a row's words are written; a word no
    name holds any more is left in place (it expands to a word that finds nothing), so the vocabulary holds at least
    every word of every current member's name.
    """

    # Not unique (migration 0020): a unique word made a writer of a new word wait for every uncommitted transaction
    # that had added it (an import, for its whole length). Two writers adding one word at once both keep it.
    word = models.TextField()

    class Meta:
        indexes = [
            GinIndex(OpClass("word", name="gin_trgm_ops"), name="household_search_word_trgm_idx"),
            models.Index(fields=["word"], name="household_search_word_idx"),  # the trigger's NOT EXISTS
        ]

    def __str__(self) -> str:
        return self.word
