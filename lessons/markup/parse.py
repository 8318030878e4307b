"""Parse TeX-like math source into the node tree of :mod:`lessons.markup.nodes`.

A recursive-descent parser over the commands listed in :mod:`lessons.markup.tables`; any other
command, a stray brace or a misplaced script raises :class:`MathError` naming the position.
Use it through :func:`lessons.markup.mathtext.parse_math`.
"""

from __future__ import annotations

import re
from typing import Literal, NoReturn

from lessons.markup import tables as T
from lessons.markup.nodes import (
    Accent,
    BigOp,
    Delimited,
    Frac,
    MathError,
    Matrix,
    Node,
    Row,
    Scripts,
    Space,
    Sqrt,
    Styled,
    Symbol,
)

_Stop = Literal["eof", "group", "right", "cell"]
_NUMBER = re.compile(r"\d*\.?\d+")


class _Parser:
    """Recursive-descent parser over one math source."""

    def __init__(self, source: str) -> None:
        self.s = source
        self.i = 0

    def fail(
        self, message: str, position: int | None = None, command: str | None = None
    ) -> NoReturn:
        pos = self.i if position is None else position
        raise MathError(f"{message} at position {pos} in math {self.s!r}", pos, command)

    def peek(self) -> str:
        return self.s[self.i] if self.i < len(self.s) else ""

    def skip_spaces(self) -> None:
        while self.peek().isspace():
            self.i += 1

    def read_command(self) -> str:
        """Read ``\\name`` (letters, optional ``*``) or ``\\c``; the backslash is at ``self.i``."""
        start = self.i + 1
        end = start
        while end < len(self.s) and self.s[end].isalpha():
            end += 1
        if end == start:
            if start >= len(self.s):
                self.fail("lone backslash")
            end = start + 1
        elif end < len(self.s) and self.s[end] == "*":
            end += 1
        self.i = end
        return self.s[start:end]

    def expect(self, char: str) -> None:
        self.skip_spaces()
        if self.peek() != char:
            self.fail(f"expected {char!r}")
        self.i += 1

    def parse_list(self, stop: _Stop) -> list[Node]:
        items: list[Node] = []
        while True:
            self.skip_spaces()
            c = self.peek()
            if not c:
                if stop != "eof":
                    self.fail(
                        {"group": "missing '}'", "right": "\\left without \\right"}.get(
                            stop, "unterminated environment"
                        )
                    )
                return items
            if c == "}":
                if stop != "group":
                    self.fail("unmatched '}'")
                return items
            if c == "&" or self.s.startswith("\\\\", self.i) or self.s.startswith("\\end", self.i):
                if stop != "cell":
                    self.fail(f"{c!r} outside a matrix" if c == "&" else "'\\\\' outside a matrix")
                return items
            if (
                self.s.startswith("\\right", self.i)
                and not self.s[self.i + 6 : self.i + 7].isalpha()
            ):
                if stop != "right":
                    self.fail("\\right without \\left", command="right")
                return items
            items.append(self.parse_atom())

    def parse_atom(self) -> Node:
        base = self.parse_primary()
        self.skip_spaces()
        for flag, value in (("\\limits", True), ("\\nolimits", False)):
            if isinstance(base, BigOp) and self.s.startswith(flag, self.i):
                self.i += len(flag)
                base = BigOp(base.symbol, named=base.named, limits=value)
        sub: Node | None = None
        sup: Node | None = None
        while True:
            self.skip_spaces()
            c = self.peek()
            if c not in ("^", "_", "'"):
                break
            pos = self.i
            self.i += 1
            if c == "'":
                primes = 1
                while self.peek() == "'":
                    primes, self.i = primes + 1, self.i + 1
                prime = Symbol("′" * primes)
                if sup is not None:
                    self.fail("prime after a superscript", pos)
                self.skip_spaces()
                if self.peek() == "^":
                    self.i += 1
                    sup = Row((prime, self.parse_arg()))
                else:
                    sup = prime
            elif c == "^":
                if sup is not None:
                    self.fail("double superscript", pos)
                sup = self.parse_arg()
            else:
                if sub is not None:
                    self.fail("double subscript", pos)
                sub = self.parse_arg()
        if sub is None and sup is None:
            return base
        if isinstance(base, BigOp):
            return BigOp(base.symbol, sub, sup, base.named, base.limits)
        return Scripts(base, sub, sup)

    def parse_arg(self) -> Node:
        """A command argument: a ``{group}``, one character or one command."""
        self.skip_spaces()
        c = self.peek()
        if not c:
            self.fail("missing argument")
        if c == "{":
            return self.parse_primary()
        if c.isdigit() or c.isalpha():
            self.i += 1
            return self.char_symbol(c)
        if c in "^_}&'":
            self.fail(f"missing argument before {c!r}")
        return self.parse_primary()

    def group(self) -> Node:
        self.expect("{")
        items = self.parse_list("group")
        self.i += 1
        return items[0] if len(items) == 1 else Row(tuple(items))

    def raw_group(self) -> str:
        """The raw text of a ``{...}`` argument (for ``\\text`` and names), unescaped."""
        self.expect("{")
        depth, out = 0, []
        while True:
            c = self.peek()
            if not c:
                self.fail("missing '}'")
            self.i += 1
            if c == "\\" and self.peek() in "{}$%&_#\\ ":
                out.append(" " if self.peek() == "\\" else self.peek())
                self.i += 1
            elif c == "}" and depth == 0:
                return "".join(out)
            else:
                depth += {"{": 1, "}": -1}.get(c, 0)
                out.append(c)

    def char_symbol(self, c: str) -> Symbol:
        if c.isdigit():
            return Symbol(c)
        if c.isalpha():
            return Symbol(c, italic=c not in T.UPRIGHT_LETTERS)
        if c in T.CHARS:
            text, kind = T.CHARS[c]
            return Symbol(text, kind=kind)
        if c in T.UNICODE_KINDS:
            return Symbol(c, kind=T.UNICODE_KINDS[c])
        if c in T.FORBIDDEN_CHARS or not c.isprintable():
            self.fail(f"character {c!r} not allowed (escape it as \\{c})")
        return Symbol(c)

    def parse_primary(self) -> Node:
        self.skip_spaces()
        start = self.i
        c = self.peek()
        if c == "{":
            return self.group()
        if c == "\\":
            return self.parse_command(self.read_command(), start)
        if c in "^_":
            return Row(())  # a script with no base, e.g. "^2" alone
        if c.isdigit() or (c == "." and self.s[self.i + 1 : self.i + 2].isdigit()):
            m = _NUMBER.match(self.s, self.i)
            if m is None:
                self.fail("malformed number")
            self.i = m.end()
            return Symbol(m.group())
        self.i += 1
        if c == "~":
            return Space(T.SPACES[" "])
        return self.char_symbol(c)

    def delimiter(self) -> str:
        self.skip_spaces()
        start = self.i
        c = self.peek()
        name = self.read_command() if c == "\\" else c
        if c != "\\":
            self.i += 1
        key = ("\\" + name) if c == "\\" else name
        if key not in T.DELIMITERS:
            self.fail(f"{key!r} is not a delimiter", start)
        return T.DELIMITERS[key]

    def parse_command(self, name: str, start: int) -> Node:
        if name in T.SYMBOLS:
            text, kind, italic = T.SYMBOLS[name]
            return Symbol(text, italic, kind)
        if name in T.SPACES:
            return Space(T.SPACES[name])
        if name in T.FUNCTIONS:
            return Symbol(T.FUNCTIONS[name], kind="op")
        if name in T.LIMIT_FUNCTIONS:
            return BigOp(T.LIMIT_FUNCTIONS[name], named=True)
        if name in T.BIG_OPS:
            return BigOp(T.BIG_OPS[name])
        if name in ("limits", "nolimits"):
            self.fail(f"\\{name} must follow a big operator", start, name)
        if name in ("frac", "dfrac", "tfrac"):
            return Frac(self.parse_arg(), self.parse_arg())
        if name == "sqrt":
            self.skip_spaces()
            index = None
            if self.peek() == "[":
                close = self.s.find("]", self.i)
                if close < 0:
                    self.fail("missing ']'")
                index = parse_math(self.s[self.i + 1 : close]) if close > self.i + 1 else None
                self.i = close + 1
            return Sqrt(self.parse_arg(), index)
        if name in T.ACCENTS:
            accent, wide = T.ACCENTS[name]
            return Accent(self.parse_arg(), accent, wide)
        if name in T.TEXT_STYLES:
            return Styled(Symbol(self.raw_group()), T.TEXT_STYLES[name])
        if name in T.MATH_STYLES:
            return Styled(self.parse_arg(), T.MATH_STYLES[name])
        if name in ("operatorname", "operatorname*"):
            text = self.raw_group().strip()
            return BigOp(text, named=True) if name.endswith("*") else Symbol(text, kind="op")
        if name in T.ALPHABETS:
            return self.alphabet(T.ALPHABETS[name], name)
        if name == "left":
            left = self.delimiter()
            body = self.parse_list("right")
            self.read_command()  # \right
            return Delimited(left, _row(body), self.delimiter())
        if name == "begin":
            return self.environment(start)
        self.fail(f"unknown command \\{name}", start, name)

    def alphabet(self, table: dict[str, str], name: str) -> Node:
        self.skip_spaces()
        start = self.i
        if self.peek() == "{":
            raw = self.raw_group().replace(" ", "")
        else:
            raw, self.i = self.peek(), self.i + 1
        if not raw or any(ch not in table for ch in raw):
            self.fail(f"\\{name} takes letters only", start, name)
        return Symbol("".join(table[ch] for ch in raw))

    def environment(self, start: int) -> Node:
        env = self.raw_group().strip()
        if env not in T.ENVIRONMENTS:
            self.fail(f"unknown environment {env!r}", start, "begin")
        left, right, align = T.ENVIRONMENTS[env]
        rows: list[tuple[Node, ...]] = []
        cells: list[Node] = []
        while True:
            cells.append(_row(self.parse_list("cell")))
            if self.peek() == "&":
                self.i += 1
                continue
            if self.s.startswith("\\\\", self.i):
                self.i += 2
                rows.append(tuple(cells))
                cells = []
                continue
            self.read_command()  # \end
            if self.raw_group().strip() != env:
                self.fail(f"\\begin{{{env}}} closed by a different \\end", start, "end")
            if len(cells) > 1 or cells[0] != Row(()) or not rows:
                rows.append(tuple(cells))
            return Matrix(tuple(rows), left, right, align)


def _row(items: list[Node]) -> Node:
    return items[0] if len(items) == 1 else Row(tuple(items))


def parse_math(source: str) -> Node:
    """Parse a TeX-like math source into a node tree; raise :class:`MathError` on mistakes."""
    return _row(_Parser(source).parse_list("eof"))
