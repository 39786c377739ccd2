"""Database expressions the registry's search shares between its indexes and its queries.

``SearchNorm`` wraps ``households_search_norm(text)``, an IMMUTABLE SQL function created by migration 0009:
NFC, unaccent (Đ/đ become D/d), lower case, apostrophes dropped ("H'Linh" and "hlinh" are both "hlinh") and
every other run of punctuation or spaces made one space. The trigram index on members' names is built over
this expression, so a query must call the same function for PostgreSQL to use it; the search box's text goes
through it too, so both sides are normalised by one definition.
"""

from django.db.models import FloatField, Func, TextField

SEARCH_NORM_FUNCTION = "households_search_norm"


class SearchNorm(Func):
    function = SEARCH_NORM_FUNCTION
    arity = 1
    output_field = TextField()


class WordSimilarity(Func):
    """pg_trgm's word_similarity(needle, haystack): 1 when the needle is a whole word run of the haystack."""

    function = "word_similarity"
    arity = 2
    output_field = FloatField()
