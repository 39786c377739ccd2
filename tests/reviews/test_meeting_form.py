"""The village-meeting form reports every problem of what was typed in one round, and keeps what was typed."""

import re

from django.urls import reverse
from django.utils import timezone

from reviews.forms import MeetingForm
from reviews.models import VillageMeeting


def valid_meeting(round, village) -> dict:
    data = {
        "version": round.version,
        "village": village.pk,
        "held_at": (timezone.localtime() - timezone.timedelta(days=14)).strftime("%d/%m/%Y %H:%M"),
        "location": "Nhà văn hoá buôn",
        "chair": "Ksor Y Phen",
        "secretary": "Rơ Mah H'Bia",
        "attendees": "40",
        "supervisors": "Ủy ban MTTQ xã",
        "conclusion": "Thống nhất",
    }
    # Every field the form asks for (a representative of the Fatherland Front, say) gets a plausible value.
    for name in MeetingForm(round=round).fields:
        data.setdefault(name, "Nay H'Luân")
    return data


def test_every_error_of_the_meeting_form_is_shown_at_once(client_for, users, walk):
    walk.open()
    walk.survey_all()
    round = walk.fresh()
    first, second = round.cases.order_by("household__code")[:2]
    data = {
        **valid_meeting(round, walk.tree.village),
        "chair": "",  # a required field left empty (the form)
        "held_at": (timezone.localtime() + timezone.timedelta(days=2)).strftime("%d/%m/%Y %H:%M"),  # the service
        f"agree-{first.pk}": "ba mươi",  # not a number
        f"agree-{second.pk}": "45",  # more than the 40 attendees
        f"ver-{first.pk}": str(first.version),
        f"ver-{second.pk}": str(second.version),
    }
    response = client_for(users.commune_officer).post(reverse("reviews:meeting", args=[round.pk]), data)
    html = response.content.decode()
    assert response.status_code == 200 and not VillageMeeting.objects.exists()
    assert re.search(r'<input[^>]*name="chair"[^>]*is-invalid|<input[^>]*is-invalid[^>]*name="chair"', html)
    assert "thời gian họp không được sau bây giờ" in html
    assert f"Số người đồng ý với hộ {first.household.code} phải từ 0 đến số người dự họp." in html
    assert f"Số người đồng ý với hộ {second.household.code} phải từ 0 đến số người dự họp." in html
    # what was typed is kept
    assert 'value="ba mươi"' in html and 'value="45"' in html and 'value="Nhà văn hoá buôn"' in html


def test_a_valid_form_with_bad_votes_lists_every_household_at_once(client_for, users, walk):
    walk.open()
    walk.survey_all()
    round = walk.fresh()
    cases = list(round.cases.order_by("household__code"))
    data = {**valid_meeting(round, walk.tree.village), "attendees": "20"}
    data.update({f"agree-{c.pk}": "25" for c in cases})
    data.update({f"ver-{c.pk}": str(c.version) for c in cases})
    html = client_for(users.commune_officer).post(reverse("reviews:meeting", args=[round.pk]), data).content.decode()
    for case in cases:
        assert f"Số người đồng ý với hộ {case.household.code} phải từ 0 đến số người dự họp." in html
    assert not VillageMeeting.objects.exists()
