"""Models of the reviews app: the rules (windows, approval chains) and the rounds with everything they record."""

from .documents import Certificate, RecognitionDecision
from .rounds import (
    ApprovalAction,
    Complaint,
    HouseholdRequest,
    MeetingVote,
    Posting,
    ReviewCase,
    ReviewRound,
    Submission,
    TransitionRefused,
    VillageMeeting,
)
from .rules import ApprovalChainRule, LegalDocument, ReviewWindow, SignatureAuthority

__all__ = [
    "ApprovalAction",
    "ApprovalChainRule",
    "Certificate",
    "Complaint",
    "HouseholdRequest",
    "LegalDocument",
    "MeetingVote",
    "Posting",
    "RecognitionDecision",
    "ReviewCase",
    "ReviewRound",
    "ReviewWindow",
    "SignatureAuthority",
    "Submission",
    "TransitionRefused",
    "VillageMeeting",
]
