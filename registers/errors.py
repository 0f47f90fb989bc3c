"""Known failures. The CLI maps `CocError` to exit 1 with its one-line message (STYLE §2)."""
from __future__ import annotations


class CocError(Exception):
    """A user-facing failure: bad input, a refused action, a broken register file.

    The message is one line and names the file, line and field where there is one.
    """

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None,
                 field: str | None = None) -> None:
        self.path, self.line, self.field = path, line, field
        super().__init__(message)

    def __str__(self) -> str:
        where = ""
        if self.path:
            where = self.path + (f":{self.line}" if self.line else "") + ": "
        if self.field:
            where += f"{self.field}: "
        return where + super().__str__()


class RefusedError(CocError):
    """An action the code or the register forbids (wrong approver, unknown person)."""
