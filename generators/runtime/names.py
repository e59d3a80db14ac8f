"""Named choices a person types (a CLI flag, a setting, a catalog cell): one way to read them back.

Every such enum (role, profile, platform, language, recipe …) parses the same way: its own member passes
through, text is compared trimmed and lower-cased, and an unknown name is an `UnknownNameError` that lists the
valid ones, so every surface says the same thing about a typo.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Self

from generators.runtime.errors import UnknownNameError


class NamedChoice(StrEnum):
    """A StrEnum with `parse`: the error names the kind of choice by the class's name ("role", "platform")."""

    @classmethod
    def normalize(cls, name: str) -> str:
        """How typed text maps to a value; subclasses widen it (e.g. "zh-CN" -> "zh")."""
        return name.strip().lower()

    @classmethod
    def parse(cls, name: str | Self) -> Self:
        """The member named `name`, or UnknownNameError listing the valid names."""
        if isinstance(name, cls):
            return name
        try:
            return cls(cls.normalize(str(name)))
        except ValueError:
            raise UnknownNameError(cls.__name__.lower(), str(name), [m.value for m in cls]) from None
