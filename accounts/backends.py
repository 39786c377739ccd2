"""Sign-in backend: Django's model backend, reading the officer's unit and its parent with the account."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class UserBackend(ModelBackend):
    """The user of each request read with the unit and the unit's parent in the same query.

    Every page reads them: the header names the unit and its parent, and ``accounts.scoping`` filters by the unit's
    path. Django's backend read the account, then the unit, then the parent (three queries per request;
    docs/adr/0047-sign-in-and-session-per-request.md).
    """

    def get_user(self, user_id):
        model = get_user_model()
        try:
            user = model._default_manager.select_related("unit__parent").get(pk=user_id)
        except model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
