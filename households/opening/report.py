"""What an opening-balance import found or did: the errors by sheet, row and column, and the counts."""

from dataclasses import asdict, dataclass, field

from django.core.exceptions import ValidationError

from ..excel import opening as sheets


@dataclass(frozen=True)
class OpeningError:
    sheet: str  # the sheet's title as the officer sees it
    row: int | None
    code: str
    column: str
    message: str


@dataclass
class OpeningReport:
    """What the import found or did, per sheet, and the errors by sheet, row and column."""

    balances: int = 0  # status records written as opening balance
    balances_unchanged: int = 0
    households_created: list[str] = field(default_factory=list)
    targets: int = 0
    targets_unchanged: int = 0
    registrations: int = 0
    registrations_unchanged: int = 0
    errors: list[OpeningError] = field(default_factory=list)
    committed: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def error_rows(self) -> int:
        return len({(e.sheet, e.row) for e in self.errors})

    def sorted_errors(self) -> list[OpeningError]:
        order = [str(title) for title, _columns in sheets.SHEETS.values()]
        return sorted(self.errors, key=lambda e: (order.index(e.sheet) if e.sheet in order else 9, e.row or 0))

    def to_dict(self) -> dict:
        return {**asdict(self), "errors": [asdict(error) for error in self.errors]}

    @classmethod
    def from_dict(cls, data: dict) -> "OpeningReport":
        return cls(**{**data, "errors": [OpeningError(**error) for error in data.get("errors", [])]})


def _sentence(message) -> str:
    message = str(message).strip()
    if message:
        message = message[0].upper() + message[1:]
    return message if message.endswith((".", "!", "?")) else message + "."


def _messages(error: Exception) -> list[str]:
    if isinstance(error, ValidationError):
        if hasattr(error, "error_dict"):
            return [m for ms in error.message_dict.values() for m in ms]
        return list(error.messages)
    return [str(error)]
