"""Database expressions the registry's search shares between its indexes and its queries.

``SearchNorm`` wraps ``households_search_norm(text)``, an IMMUTABLE SQL function created by migration 0009:
NFC, unaccent (Đ/đ become D/d), lower case, apostrophes dropped ("H'Linh" and "hlinh" are both "hlinh") and
every other run of punctuation or spaces made one space. The trigram index on members' names is built over
this expression, so a query must call the same function for PostgreSQL to use it; the search box's text goes
through it too, so both sides are normalised by one definition.
"""

from django.contrib.postgres.fields import ArrayField
from django.db.models import FloatField, Func, TextField

SEARCH_NORM_FUNCTION = "households_search_norm"


class SearchNorm(Func):
    function = SEARCH_NORM_FUNCTION
    arity = 1
    output_field = TextField()


class SearchWords(Func):
    """The words of a normalised name or search text, as an array: ``string_to_array(value, ' ')``.

    A text whose words are all whole words of a name is found by array containment over the search row's
    ``words`` (household_search_words_idx, ADR 0046), which the index answers exactly.
    """

    function = "string_to_array"
    template = "%(function)s(%(expressions)s, ' ')"
    arity = 1
    output_field = ArrayField(TextField())


class WordSimilarity(Func):
    """pg_trgm's word_similarity(needle, haystack): 1 when the needle is a whole word run of the haystack."""

    function = "word_similarity"
    arity = 2
    output_field = FloatField()
