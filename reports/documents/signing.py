"""The signature block of a document (NĐ 30/2020/NĐ-CP, Điều 13; Phụ lục I, ô số 7a–7b), pure Python.

Two facts decide it: who issues the document (the head in his own name, or a collective body such as the
People's Committee) and in what capacity the person signs (the head himself, a deputy "ký thay", or an acting
head). The first is a property of the kind of document (reviews.models.SignatureAuthority); the second is
recorded where the document is issued.
"""

from __future__ import annotations

from .data import Signer

CHAIRMAN, DEPUTY, ACTING = "chairman", "deputy", "acting"


def signature_block(
    *,
    collective: bool,
    capacity: str,
    name: str,
    body: str = "ỦY BAN NHÂN DÂN",
    head: str = "CHỦ TỊCH",
    deputy: str = "PHÓ CHỦ TỊCH",
) -> Signer:
    """
    own name, chairman:   CHỦ TỊCH
    own name, deputy:     KT. CHỦ TỊCH / PHÓ CHỦ TỊCH
    own name, acting:     Q. CHỦ TỊCH
    collective, chairman: TM. ỦY BAN NHÂN DÂN / CHỦ TỊCH
    collective, deputy:   TM. ỦY BAN NHÂN DÂN / KT. CHỦ TỊCH / PHÓ CHỦ TỊCH
    collective, acting:   TM. ỦY BAN NHÂN DÂN / Q. CHỦ TỊCH
    """
    if capacity not in (CHAIRMAN, DEPUTY, ACTING):
        raise ValueError(f"Unknown signing capacity: {capacity!r}")
    # NĐ 30/2020, Điều 13: "TM." (thay mặt) above the head's title when he signs for a collective body.
    lines = [f"TM. {body}"] if collective else []
    if capacity == DEPUTY:  # "KT." (ký thay) above the deputy's own title
        lines.append(f"KT. {head}")
        title = deputy
    elif capacity == ACTING:  # "Q." (quyền): an acting head signs under the head's title
        title = f"Q. {head}"
    else:
        title = head
    return Signer(title=title, name=name, authority="\n".join(lines))
