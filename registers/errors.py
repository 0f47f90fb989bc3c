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


class ManyErrors(CocError):
    """Every mistake found in one file at once (people.yaml), one line each, so the person
    fixing it does not rerun the command once per mistake."""

    def __init__(self, errors: list[CocError]) -> None:
        first = errors[0]
        super().__init__(first.args[0], path=first.path, line=first.line, field=first.field)
        self.errors = errors

    def __str__(self) -> str:
        return "\n".join(str(error) for error in self.errors)


def raise_all(errors: list[CocError]) -> None:
    """Raise the one error, or all of them together; nothing when the list is empty."""
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise ManyErrors(errors)
