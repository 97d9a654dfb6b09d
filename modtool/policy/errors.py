"""The error a policy file (or a policy name) causes."""

from __future__ import annotations

from dataclasses import dataclass

from modtool.errors import InputError


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a policy file: where (line and/or label/rule) and what."""

    message: str
    line: int | None = None
    where: str | None = None

    def format(self, path: object) -> str:
        place = f"{path}:{self.line}" if self.line else f"{path}"
        context = f" {self.where}:" if self.where else ""
        return f"{place}:{context} {self.message}"


class PolicyError(InputError):
    """A policy cannot be used; ``problems`` lists everything wrong (all at once)."""

    def __init__(
        self, message: str, problems: list[Problem] | None = None, path: object = None
    ) -> None:
        super().__init__(message)
        self.problems = problems or []
        self.path = path

    @classmethod
    def from_problems(cls, path: object, problems: list[Problem]) -> PolicyError:
        lines = [problem.format(path) for problem in problems]
        count = len(problems)
        head = f"{path}: {count} problem{'s' if count != 1 else ''} in policy"
        return cls("\n".join([head, *("  " + line for line in lines)]), problems, path)
