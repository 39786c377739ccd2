"""Write services of the review rounds (QĐ 24/2021/QĐ-TTg, Điều 4–5). Each one: keyword-only arguments,
one transaction, the optimistic lock on the round (or the case), the state check, a log row."""

from .approval import (
    may_approve,
    may_reopen,
    review_round_recognise,
    review_round_reopen,
    review_round_submit,
    submission_approve,
    submission_return,
)
from .common import StaleRoundError
from .rounds import household_request_register, review_case_add, review_case_save, review_round_open
from .steps import (
    complaint_recheck,
    complaint_record,
    posting_start,
    village_meeting_problems,
    village_meeting_record,
)

__all__ = [
    "StaleRoundError",
    "complaint_recheck",
    "complaint_record",
    "household_request_register",
    "may_approve",
    "may_reopen",
    "posting_start",
    "review_case_add",
    "review_case_save",
    "review_round_open",
    "review_round_recognise",
    "review_round_reopen",
    "review_round_submit",
    "submission_approve",
    "submission_return",
    "village_meeting_problems",
    "village_meeting_record",
]
