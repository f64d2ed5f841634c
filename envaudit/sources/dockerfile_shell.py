"""Just enough POSIX shell to read Dockerfile RUN commands: words, quotes, ``$VAR``s, ``&&``."""

from __future__ import annotations

import bisect
import re
from collections.abc import Mapping

from envaudit.record import record

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_BRACED = re.compile(r"(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-+=?])(?P<word>.*))?", re.S)
_OPERATORS = ("&&", "||", ";;", ";", "|", "&", "(", ")")
_BLANKS = " \t\r"


class ShellSyntaxError(ValueError):
    """Text a shell would refuse (an unterminated quote or substitution)."""


@record
class Word:
    """One shell word after quote removal; ``unresolved`` when an expansion stayed unknown."""

    text: str
    line: int
    unresolved: bool = False


class LineMap:
    """Maps an offset in joined instruction text back to its 1-based physical line."""

    def __init__(self, starts: list[tuple[int, int]]) -> None:
        self._offsets = [offset for offset, _ in starts]
        self._lines = [line for _, line in starts]

    @classmethod
    def single(cls, line: int) -> LineMap:
        return cls([(0, line)])

    def line_at(self, offset: int) -> int:
        index = bisect.bisect_right(self._offsets, offset) - 1
        return self._lines[max(index, 0)]


def expand(text: str, variables: Mapping[str, str]) -> tuple[str, bool]:
    """Docker-style substitution of ``$NAME``/``${NAME:-default}``; True when some stayed unknown.

    Unknown variables are kept as written, so the result still shows them.
    """
    reader = _Reader(text, LineMap.single(1), variables, operators=False)
    out: list[str] = []
    unresolved = False
    position = 0
    while position < len(text):
        char = text[position]
        if char == "\\" and position + 1 < len(text) and text[position + 1] == "$":
            out.append("$")
            position += 2
        elif char == "$":
            value, position, known = reader.expansion(position)
            out.append(value)
            unresolved = unresolved or not known
        else:
            out.append(char)
            position += 1
    return "".join(out), unresolved


def split_words(text: str, variables: Mapping[str, str], line: int = 1) -> list[Word]:
    """Words of an ARG/ENV/FROM line: quotes and expansions, no shell operators."""
    reader = _Reader(text, LineMap.single(line), variables, operators=False)
    return [word for command in reader.commands() for word in command]


def split_commands(text: str, lines: LineMap, variables: Mapping[str, str]) -> list[list[Word]]:
    """The simple commands of a shell script, split at ``&&``, ``||``, ``;``, ``|`` and newlines.

    Redirections and their targets are dropped; ``#`` comments are skipped.
    """
    return _Reader(text, lines, variables, operators=True).commands()


class _Reader:
    """A single pass over shell text, building words and commands."""

    def __init__(
        self, text: str, lines: LineMap, variables: Mapping[str, str], *, operators: bool
    ) -> None:
        self.text = text
        self.lines = lines
        self.variables = variables
        self.operators = operators
        self.commands_out: list[list[Word]] = [[]]
        self.chars: list[str] = []
        self.word_start: int | None = None
        self.unresolved = False
        self.skip_next_word = False

    def commands(self) -> list[list[Word]]:
        position = 0
        while position < len(self.text):
            position = self._step(position)
        self._flush()
        return [command for command in self.commands_out if command]

    def _step(self, position: int) -> int:
        char = self.text[position]
        if char in _BLANKS:
            self._flush()
            return position + 1
        if char == "\n":
            self._end_command()
            return position + 1
        if char == "#" and self.word_start is None:
            end = self.text.find("\n", position)
            return len(self.text) if end < 0 else end
        if self.operators and char in "<>":
            return self._redirection(position)
        if self.operators and char in "&|;()":
            return self._operator(position)
        if self.text.startswith("\\\n", position):
            return position + 2  # a line continuation inside a script
        self._mark(position)
        if char == "\\":
            return self._escape(position)
        if char == "'":
            end = self.text.find("'", position + 1)
            if end < 0:
                raise ShellSyntaxError("unterminated single quote")
            self.chars.append(self.text[position + 1 : end])
            return end + 1
        if char == '"':
            return self._double_quoted(position + 1)
        if char == "$":
            value, end, known = self.expansion(position)
            self.chars.append(value)
            self.unresolved = self.unresolved or not known
            return end
        if char == "`":
            end = self.text.find("`", position + 1)
            if end < 0:
                raise ShellSyntaxError("unterminated backquote")
            self.chars.append(self.text[position : end + 1])
            self.unresolved = True
            return end + 1
        self.chars.append(char)
        return position + 1

    def _mark(self, position: int) -> None:
        if self.word_start is None:
            self.word_start = position

    def _escape(self, position: int) -> int:
        if position + 1 >= len(self.text):
            return position + 1
        following = self.text[position + 1]
        if following != "\n":
            self.chars.append(following)
        return position + 2

    def _double_quoted(self, position: int) -> int:
        while position < len(self.text):
            char = self.text[position]
            if char == '"':
                return position + 1
            if char == "\\" and position + 1 < len(self.text):
                following = self.text[position + 1]
                if following in '"\\$`':
                    self.chars.append(following)
                elif following != "\n":
                    self.chars.append(char + following)
                position += 2
            elif char == "$":
                value, position, known = self.expansion(position)
                self.chars.append(value)
                self.unresolved = self.unresolved or not known
            else:
                self.chars.append(char)
                position += 1
        raise ShellSyntaxError("unterminated double quote")

    def expansion(self, position: int) -> tuple[str, int, bool]:
        """``(value, next position, known)`` for the ``$...`` at ``position``."""
        text = self.text
        following = text[position + 1 : position + 2]
        if following == "{":
            end = _closing(text, position + 2, "{", "}")
            value, known = self._braced(text[position + 2 : end], text[position : end + 1])
            return value, end + 1, known
        if following == "(":
            end = _closing(text, position + 2, "(", ")")
            return text[position : end + 1], end + 1, False
        match = _NAME.match(text, position + 1)
        if match is None:
            if following and (following.isdigit() or following in "@*#?$!-"):
                return text[position : position + 2], position + 2, False
            return "$", position + 1, True
        name = match.group()
        if name in self.variables:
            return self.variables[name], match.end(), True
        return text[position : match.end()], match.end(), False

    def _braced(self, inner: str, written: str) -> tuple[str, bool]:
        match = _BRACED.fullmatch(inner)
        if match is None:
            return written, False
        name, op, word = match.group("name", "op", "word")
        is_set = name in self.variables and (self.variables[name] != "" or not op or ":" not in op)
        if op is None:
            return (self.variables[name], True) if name in self.variables else (written, False)
        if op.endswith("-"):
            return (self.variables[name], True) if is_set else expand(word, self.variables)
        if op.endswith("+"):
            return expand(word, self.variables) if is_set else ("", True)
        return (self.variables[name], True) if is_set else (written, False)

    def _operator(self, position: int) -> int:
        for operator in _OPERATORS:
            if self.text.startswith(operator, position):
                if operator == "&" and self.text.startswith("&>", position):
                    return self._redirection(position + 1)
                self._end_command()
                return position + len(operator)
        return position + 1  # pragma: no cover - every char in "&|;()" starts an operator

    def _redirection(self, position: int) -> int:
        if self.chars and "".join(self.chars).isdigit():
            self.chars, self.word_start, self.unresolved = [], None, False  # the fd of 2>
        self._flush()
        end = position + 1
        while end < len(self.text) and self.text[end] in "<>&|":
            end += 1
        if self.text[position + 1 : end].startswith("&") and end < len(self.text):
            while end < len(self.text) and (self.text[end].isdigit() or self.text[end] == "-"):
                end += 1
            return end  # >&2 names a descriptor, not a file
        self.skip_next_word = True
        return end

    def _flush(self) -> None:
        if self.word_start is None:
            return
        word = Word("".join(self.chars), self.lines.line_at(self.word_start), self.unresolved)
        self.chars, self.word_start, self.unresolved = [], None, False
        if self.skip_next_word:
            self.skip_next_word = False
            return
        self.commands_out[-1].append(word)

    def _end_command(self) -> None:
        self._flush()
        self.skip_next_word = False
        if self.commands_out[-1]:
            self.commands_out.append([])


def _closing(text: str, start: int, opening: str, closing: str) -> int:
    depth = 1
    position = start
    while position < len(text):
        char = text[position]
        if char == opening:
            depth += 1
        elif char == closing:
            depth -= 1
            if depth == 0:
                return position
        position += 1
    raise ShellSyntaxError(f"unterminated ${opening}")
