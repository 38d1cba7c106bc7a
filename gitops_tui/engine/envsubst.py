"""Flux's post-build variable substitution language, as fluxcd/pkg `envsubst` parses and evaluates it.

A port of that package (itself a fork of drone/envsubst), scanner, parser and functions alike, so that a
manifest substitutes here exactly as kustomize-controller substitutes it: only `${...}` is a variable (`$var`
is text), `$${var}` is the text `${var}`, `${var:=default}`, `${var:-default}` and `${var=default}` all
mean "the default when the value is empty", `${var-default}` is a parse error ("missing closing brace"),
and bash's string functions (`${#var}`, `${var:1:2}`, `${var/a/b}`, `${var^^}`, `${var#prefix}`...) work.

`evaluate(text, lookup)`: `lookup(name)` returns (value, exists); a variable that does not exist and has no
default operator raises VariableNotSet (Flux's strict mode); a text that does not parse raises
SubstitutionError with the parser's reason.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from gitops_tui.engine.envsubst_funcs import function

_EOF = "\0"  # as rune(0) in the Go scanner: a NUL in the text ends it there too
_IDENT, _LBRACK, _RBRACK, _ESCAPE = 1, 2, 4, 8  # scanner modes
_DOLLAR, _BACKSLASH = 1, 2  # escape characters
_ESCAPE_ALL = _DOLLAR | _BACKSLASH
_T_ILLEGAL, _T_EOF, _T_IDENT, _T_LBRACK, _T_RBRACK = range(5)

Accept = Callable[[str, int], bool]
Lookup = Callable[[str], tuple[str, bool]]


class SubstitutionError(ValueError):
    """The text does not parse (Go's parse errors, same wording)."""


class VariableNotSet(SubstitutionError):
    def __init__(self, name: str) -> None:
        super().__init__(f'variable not set (strict mode): "{name}"')
        self.name = name


@dataclass
class _Text:
    value: str


@dataclass
class _Func:
    param: str = ""
    name: str = ""
    args: list[_Node] = field(default_factory=list)


@dataclass
class _List:
    nodes: list[_Node]


_Node = _Text | _Func | _List


def _accept_rune(r: str, i: int) -> bool:
    return True


def _accept_ident(r: str, i: int) -> bool:
    return r.isalpha() or r.isdigit() or r == "_"


def _accept_colon(r: str, i: int) -> bool:
    return r == ":"


def _accept_one_hash(r: str, i: int) -> bool:
    return r == "#" and i == 1


def _accept_not_closing(r: str, i: int) -> bool:
    return r != "}"


def _accept_hash_func(r: str, i: int) -> bool:
    return r == "#" and i < 3


def _accept_percent_func(r: str, i: int) -> bool:
    return r == "%" and i < 3


def _accept_default_func(r: str, i: int) -> bool:
    return (i == 1 and r == ":") or (i == 2 and r in "=-?+")


def _accept_replace_func(r: str, i: int) -> bool:
    return (i == 1 and r == "/") or (i == 2 and r in "/#%")


def _accept_one_equal(r: str, i: int) -> bool:
    return i == 1 and r == "="


def _accept_one_colon(r: str, i: int) -> bool:
    return i == 1 and r == ":"


def _reject_colon_close(r: str, i: int) -> bool:
    return r not in ":}"


def _accept_slash(r: str, i: int) -> bool:
    return r == "/"


def _accept_not_slash(r: str, i: int) -> bool:
    return r != "/"


def _accept_casing_func(r: str, i: int) -> bool:
    return r in ",^" and i < 3


class _Scanner:
    def __init__(self, buf: str) -> None:
        self.buf = buf
        self.pos = 0
        self.start = 0
        self.width = 0
        self.mode = 0
        self.escape = 0
        self.accept: Accept = _accept_rune

    def read(self) -> str:
        if self.pos >= len(self.buf):
            self.width = 0
            return _EOF
        r = self.buf[self.pos]
        self.width = 1
        self.pos += 1
        return r

    def unread(self) -> None:
        self.pos -= self.width

    def skip(self) -> None:
        self.buf = self.buf[: self.pos - 1] + self.buf[self.pos :]

    def peek(self) -> str:
        r = self.read()
        self.unread()
        return r

    def string(self) -> str:
        return self.buf[self.start : self.pos]

    def scan(self) -> int:
        self.start = self.pos
        r = self.read()
        if r == _EOF:
            return _T_EOF
        if self._lbrack(r):
            return _T_LBRACK
        if self._rbrack(r):
            return _T_RBRACK
        if self._ident(r):
            return _T_IDENT
        return _T_ILLEGAL

    def _ident(self, r: str) -> bool:
        if not self.mode & _IDENT:
            return False
        if self._escaped(r):
            self.skip()
        elif not self.accept(r, self.pos - self.start):
            return False
        while True:
            r = self.read()
            if r == _EOF:
                self.unread()
                break
            if self._lbrack(r):
                self.unread()
                self.unread()
                break
            if self._escaped(r):
                self.skip()
                continue
            if not self.accept(r, self.pos - self.start):
                self.unread()
                break
        return True

    def _lbrack(self, r: str) -> bool:
        if not self.mode & _LBRACK:
            return False
        if r == "$":
            if self.read() == "{":
                return True
            self.unread()
        return False

    def _rbrack(self, r: str) -> bool:
        return bool(self.mode & _RBRACK) and r == "}"

    def _escaped(self, r: str) -> bool:
        if not self.mode & _ESCAPE:
            return False
        if r == "$" and self.escape & _DOLLAR and self.peek() == "$":
            return True
        return r == "\\" and bool(self.escape & _BACKSLASH) and self.peek() in ("/", "\\")


class _Parser:
    def __init__(self, text: str) -> None:
        self.s = _Scanner(text)

    def parse(self) -> list[_Node]:
        # Go recurses once per token (parseAny); a loop builds the same list without a depth limit.
        nodes: list[_Node] = []
        while True:
            s = self.s
            s.accept, s.mode, s.escape = _accept_rune, _IDENT | _LBRACK | _ESCAPE, _DOLLAR
            token = s.scan()
            if token == _T_IDENT:
                nodes.append(_Text(s.string()))
            elif token == _T_EOF:
                return nodes
            elif token == _T_LBRACK:
                nodes.append(self.func())
            else:
                raise SubstitutionError("bad substitution")

    def func(self) -> _Node:
        s = self.s
        s.escape = _ESCAPE_ALL
        if s.peek() == "#":
            return self.length()
        s.accept, s.mode = _accept_ident, _IDENT
        if s.scan() != _T_IDENT:
            raise SubstitutionError("unable to parse variable name")
        name = s.string()
        nxt = s.peek()
        if nxt == ":":
            return self.default_or_substr(name)
        if nxt == "=":
            return self.default(name)
        if nxt in (",", "^"):
            return self.casing(name)
        if nxt == "/":
            return self.replace(name)
        if nxt == "#":
            return self.remove(name, _accept_hash_func)
        if nxt == "%":
            return self.remove(name, _accept_percent_func)
        s.accept, s.mode = _accept_ident, _RBRACK
        if s.scan() != _T_RBRACK:
            raise SubstitutionError("missing closing brace")
        return _Func(param=name)

    def param(self, accept: Accept, mode: int) -> _Node:
        s = self.s
        s.accept, s.mode = accept, mode | _LBRACK
        token = s.scan()
        if token == _T_LBRACK:
            return self.func()
        if token in (_T_IDENT, _T_RBRACK):
            return _Text(s.string())
        raise SubstitutionError("unable to parse substitution within function")

    def _name(self, accept: Accept, error: str = "bad substitution") -> str:
        s = self.s
        s.accept, s.mode = accept, _IDENT
        if s.scan() != _T_IDENT:
            raise SubstitutionError(error)
        return s.string()

    def default_or_substr(self, name: str) -> _Node:
        s = self.s
        s.read()
        r = s.peek()
        s.unread()
        return self.default(name) if r in ("=", "-", "?", "+") else self.substr(name)

    def substr(self, name: str) -> _Node:
        node = _Func(param=name, name=self._name(_accept_one_colon))
        node.args.append(self.param(_reject_colon_close, _IDENT))
        s = self.s
        s.accept, s.mode = _accept_colon, _IDENT | _RBRACK
        token = s.scan()
        if token == _T_RBRACK:
            return node
        if token != _T_IDENT:
            raise SubstitutionError("bad substitution")
        node.args.append(self.param(_accept_not_closing, _IDENT))
        self.rbrack()
        return node

    def remove(self, name: str, accept: Accept) -> _Node:
        node = _Func(param=name, name=self._name(accept))
        node.args.append(self.param(_accept_not_closing, _IDENT))
        self.rbrack()
        return node

    def replace(self, name: str) -> _Node:
        node = _Func(param=name, name=self._name(_accept_replace_func))
        node.args.append(self.param(_accept_not_slash, _IDENT | _ESCAPE))
        self._name(_accept_slash)
        if self.s.peek() == "}":
            self.rbrack()
            return node
        node.args.append(self.param(_accept_not_closing, _IDENT | _ESCAPE))
        self.rbrack()
        return node

    def default(self, name: str) -> _Node:
        s = self.s
        accept = _accept_one_equal if s.peek() == "=" else _accept_default_func
        node = _Func(param=name, name=self._name(accept, "unable to parse default function"))
        while True:
            if s.peek() == "}":
                self.rbrack()
                return node
            node.args.append(self.param(_accept_not_closing, _IDENT))

    def casing(self, name: str) -> _Node:
        node = _Func(param=name, name=self._name(_accept_casing_func))
        self.rbrack()
        return node

    def length(self) -> _Node:
        node = _Func(name=self._name(_accept_one_hash))
        node.param = self._name(_accept_ident)
        self.rbrack()
        return node

    def rbrack(self) -> None:
        self.s.mode = _RBRACK
        if self.s.scan() != _T_RBRACK:
            raise SubstitutionError("bad substitution")


_DEFAULT_OPS = frozenset({"-", "+", "=", "?", ":-", ":+", ":=", ":?"})


def _eval(node: _Node, lookup: Lookup) -> str:
    if isinstance(node, _Text):
        return node.value
    if isinstance(node, _List):
        return "".join(_eval(n, lookup) for n in node.nodes)
    args = [_eval(a, lookup) for a in node.args]
    value, exists = lookup(node.param)
    if not exists and node.name not in _DEFAULT_OPS:
        raise VariableNotSet(node.param)
    return function(node.name, len(args))(value, *args)


def evaluate(text: str, lookup: Lookup) -> str:
    """`text` with every `${...}` expression replaced (see the module's docstring)."""
    return "".join(_eval(n, lookup) for n in _Parser(text).parse())
