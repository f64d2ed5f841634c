"""Hypothesis strategies: raw bytes and text, mutated seeds, and structure-aware documents."""

from __future__ import annotations

import codecs
import copy
import functools
from typing import Any

from hypothesis import strategies as st

from tests.fuzz import corpus, documents
from tests.fuzz.harness import SECRET

# Strings that have broken (or could break) parsers: limits, odd URLs, odd versions.
ADVERSARIAL = (
    "",
    " ",
    "\t",
    "\n",
    "\r\n",
    "\u2028",
    "\ufeff",
    "\x00",
    "\ud800",
    "x" * 2000,
    "9" * 5000,
    "1e400",
    "-1",
    "0",
    "NaN",
    "*",
    ".*",
    "==",
    "===",
    "=",
    "!=1.0",
    ">=1,<2",
    "1.0+local",
    "1!2.0",
    "1.0.*.post1",
    "[",
    "]",
    "[]",
    "{}",
    "::",
    "conda-forge::",
    "pkgs/main",
    "@",
    "@EXPLICIT",
    "#",
    "# comment",
    ";",
    "; python_version < '3.8'",
    "python_version<'3",
    'extra == "a"',
    "https://",
    "https://[::1",
    "http://[",
    "http://h:99999999/",
    "https://h:port/",
    f"https://user:{SECRET}@host/simple",
    f"https://__token__:pypi-{SECRET}@upload.pypi.org/legacy/",
    f"https://h/x?token={SECRET}",
    "git+https://github.com/a/b@main#egg=b",
    "git+ssh://git@github.com/a/b.git@" + "a" * 40,
    "git+https://h/r?rev=v1&subdirectory=sub#" + "b" * 40,
    "file:///tmp/x.whl",
    "file://",
    "../../../etc/passwd",
    "/etc/passwd",
    "C:\\x\\y",
    "${HOME}",
    "${PIP_PASSWORD}",
    "%2B",
    "%",
    "%zz",
    "sha256:" + "a" * 64,
    "sha256:",
    "md5:zz",
    "a" * 64,
    "linux-64",
    "noarch",
    "pypi",
    "conda",
    "pip",
)
# Tokens of each kind of syntax, inserted by the text mutator.
TOKENS = {
    "lines": (
        "\n",
        "\\\n",
        " #",
        "-r ",
        "-c ",
        "-e ",
        "-i ",
        "--hash=sha256:",
        "--extra-index-url ",
        "--no-binary :all:",
        "--pre",
        " @ ",
        "[",
        "]",
        "==",
        ";",
        ",",
        "${X}",
        "#md5=",
        "#sha256:",
        "/linux-64/",
        ".conda",
        ".tar.bz2",
        "@EXPLICIT\n",
        "# platform: ",
        "RUN ",
        "FROM ",
        "ARG ",
        "pip install ",
        "conda install -c ",
        " && ",
        "${",
    ),
    "toml": (
        "\n",
        "[[package]]\n",
        "[[packages]]\n",
        "[metadata]\n",
        "[package.dependencies]\n",
        " = ",
        '"',
        "'''",
        '"""',
        "{",
        "}",
        "[",
        "]",
        ",",
        ".",
        "version = ",
        "name = ",
        "1979-05-27T07:32:00Z",
        "inf",
        "0x1F",
        "\\u0000",
    ),
    "yaml": (
        "\n",
        "- ",
        ": ",
        "  ",
        "&a ",
        "*a",
        "!!python/object ",
        "!!binary ",
        "---\n",
        "...\n",
        "? ",
        "|",
        ">",
        "{",
        "}",
        "[",
        "]",
        '"',
        "'",
        "%YAML 1.1\n",
        "<<: ",
        "2001-12-14t21:59:43.10-05:00",
    ),
    "json": (
        "{",
        "}",
        "[",
        "]",
        ",",
        ":",
        '"',
        "null",
        "true",
        "1e999",
        "-0",
        "\\u0000",
        "\\ud800",
    ),
}

_OPS = ("delete", "insert", "duplicate", "replace", "copy", "truncate", "swap_lines", "splice")


@functools.cache
def vocabulary(fmt: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Keys and string values seen in the seeds of a structured format."""
    keys: set[str] = set()
    values: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            keys.update(str(k) for k in node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
        elif isinstance(node, str) and len(node) < 200:
            values.add(node)

    for tree in corpus.trees(fmt):
        walk(tree)
    return tuple(sorted(keys)) or ("name",), tuple(sorted(values))[:400] or ("x",)


def raw_bytes() -> st.SearchStrategy[bytes]:
    boms = st.sampled_from(
        (b"", codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE)
    )
    return st.builds(lambda bom, body: bom + body, boms, st.binary(max_size=1024))


@functools.cache  # built once per format: tests draw from it once per input
def raw_text(fmt: str) -> st.SearchStrategy[str]:
    """Unicode soup, biased towards the format's own syntax characters and tokens."""
    kind = corpus.DOCUMENT_KIND.get(fmt, "lines")
    pieces = st.one_of(
        st.characters(codec=None),
        st.sampled_from(TOKENS[kind]),
        st.sampled_from("=<>!~;,@#[]{}()*:.-_/\\'\" \n\t"),
    )
    return st.lists(pieces, max_size=200).map("".join)


@functools.cache  # built once per format: tests draw from it once per input
def encoded_text(fmt: str) -> st.SearchStrategy[bytes]:
    """A seed as a file on disk might hold it: another encoding, CRLF, a stray byte."""
    encodings = st.sampled_from(
        ("utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "latin-1")
    )

    @st.composite
    def build(draw: st.DrawFn) -> bytes:
        text = draw(st.sampled_from(corpus.seeds(fmt)))
        if draw(st.booleans()):
            text = text.replace("\n", "\r\n")
        data = text.encode(draw(encodings), errors="replace")
        if data and draw(st.booleans()):
            at = draw(st.integers(0, len(data) - 1))
            data = data[:at] + bytes([draw(st.integers(0x80, 0xFF))]) + data[at + 1 :]
        return data

    return build()


def _mutate_text(draw: st.DrawFn, text: str, fmt: str) -> str:
    kind = corpus.DOCUMENT_KIND.get(fmt, "lines")
    tokens = TOKENS[kind] + ADVERSARIAL
    for _ in range(draw(st.integers(1, 5))):
        size = len(text)
        op = draw(st.sampled_from(_OPS))
        start = draw(st.integers(0, size))
        end = min(size, start + draw(st.integers(0, 120)))
        if op == "delete":
            text = text[:start] + text[end:]
        elif op == "insert":
            text = text[:start] + draw(st.sampled_from(tokens)) + text[start:]
        elif op == "duplicate":
            text = text[:start] + text[start:end] * draw(st.integers(2, 4)) + text[end:]
        elif op == "replace":
            text = text[:start] + draw(st.characters(codec=None)) + text[start + 1 :]
        elif op == "copy":
            target = draw(st.integers(0, size))
            text = text[:target] + text[start:end] + text[target:]
        elif op == "truncate":
            text = text[:start]
        elif op == "swap_lines":
            lines = text.split("\n")
            a, b = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
            lines[a], lines[b] = lines[b], lines[a]
            text = "\n".join(lines)
        else:  # splice in a line of another seed of the same format
            other = draw(st.sampled_from(corpus.seeds(fmt))).split("\n")
            line = other[draw(st.integers(0, len(other) - 1))]
            text = text[:start] + line + "\n" + text[start:]
    return text


@functools.cache  # built once per format: tests draw from it once per input
def mutated_seed(fmt: str) -> st.SearchStrategy[str]:
    """A shrunk real sample with a few byte-level edits (delete, insert tokens, splice...)."""

    @st.composite
    def build(draw: st.DrawFn) -> str:
        return _mutate_text(draw, draw(st.sampled_from(corpus.seeds(fmt))), fmt)

    return build()


@functools.cache  # built once per format: tests draw from it once per input
def _scalars(fmt: str) -> st.SearchStrategy[Any]:
    keys, values = vocabulary(fmt)
    return st.one_of(
        st.sampled_from(values),
        st.sampled_from(ADVERSARIAL),
        st.sampled_from(keys),
        st.integers(min_value=-(2**70), max_value=2**70),
        st.floats(allow_nan=True),
        st.booleans(),
        st.none(),
        st.text(max_size=30),
    )


@functools.cache  # built once per format: tests draw from it once per input
def json_values(fmt: str) -> st.SearchStrategy[Any]:
    keys, _ = vocabulary(fmt)
    key = st.one_of(st.sampled_from(keys), st.text(max_size=10))
    return st.recursive(
        _scalars(fmt),
        lambda inner: st.one_of(
            st.lists(inner, max_size=4), st.dictionaries(key, inner, max_size=4)
        ),
        max_leaves=12,
    )


def _nodes(tree: Any) -> list[tuple[Any, Any]]:
    """Every (container, key) pair in a tree, breadth first."""
    found: list[tuple[Any, Any]] = []
    queue = [tree]
    while queue:
        node = queue.pop(0)
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for key, value in list(items):
            found.append((node, key))
            if isinstance(value, dict | list):
                queue.append(value)
    return found


def _mutate_tree(draw: st.DrawFn, tree: Any, fmt: str) -> Any:
    keys, _ = vocabulary(fmt)
    for _ in range(draw(st.integers(1, 4))):
        nodes = _nodes(tree) if isinstance(tree, dict | list) else []
        if not nodes:
            return draw(json_values(fmt))
        parent, key = draw(st.sampled_from(nodes))
        op = draw(st.sampled_from(("replace", "scalar", "delete", "duplicate", "add_key", "wrap")))
        if op == "replace":
            parent[key] = draw(json_values(fmt))
        elif op == "scalar":
            parent[key] = draw(_scalars(fmt))
        elif op == "delete":
            del parent[key]
        elif op == "duplicate" and isinstance(parent, list):
            parent.insert(key, copy.deepcopy(parent[key]))
        elif op == "add_key" and isinstance(parent[key], dict):
            parent[key][draw(st.sampled_from(keys))] = draw(json_values(fmt))
        else:
            parent[key] = draw(
                st.sampled_from(([parent[key]], {"x": parent[key]}, str(parent[key])))
            )
    return tree


@functools.cache  # built once per format: tests draw from it once per input
def mutated_tree(fmt: str) -> st.SearchStrategy[str]:
    """A seed read as data, with values replaced, retyped, deleted or duplicated, written back."""

    @st.composite
    def build(draw: st.DrawFn) -> str:
        tree = copy.deepcopy(draw(st.sampled_from(corpus.trees(fmt))))
        return documents_dump(_mutate_tree(draw, tree, fmt), fmt)

    return build()


def documents_dump(tree: Any, fmt: str) -> str:
    kind = corpus.DOCUMENT_KIND[fmt]
    if kind == "toml":
        return documents.to_toml(tree if isinstance(tree, dict) else {"value": tree})
    if kind == "yaml":
        return documents.to_yaml(tree)
    return documents.to_json(tree)


@functools.cache  # built once per format: tests draw from it once per input
def random_document(fmt: str) -> st.SearchStrategy[str]:
    """A document of random shape built from the format's own key names."""
    keys, _ = vocabulary(fmt)
    top = st.dictionaries(st.sampled_from(keys), json_values(fmt), max_size=6)
    return top.map(lambda tree: documents_dump(tree, fmt))
