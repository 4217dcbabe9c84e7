"""Schema fields no application code spells: no route, action, library or component file
names the field (or the column it maps to) as a word. No create or update the scan sees
sets it and nothing here reads it, so no amount is computed, summed or rounded in it by
this code: a column stored but not in use (float-for-money, rules.md §8 low). Seeds,
scripts, tests and stories do not count; they are not the application.

The test is textual on purpose and leans to "spelled": a field named like a common word
(`amount`, `price`) is spelled somewhere in almost every application, a generated schema
copy (zod types) spells every field, and a form or raw SQL naming the column counts. A
model some application write may set any field of (its data a variable or a spread, or a
nested write from another model) has no unspelled field: the request decides those."""

from __future__ import annotations

import re

from ..discover import NON_APP_ROLES
from ..facts.args import NESTED_SETS
from ..facts.lone_functions import word_count
from ..facts.operations import CREATE_OPS, RAW_METHODS, UPDATE_OPS
from .created_models import nested_targets
from .sources import scanned_sources, source_lines, spelled_words

# A write's `create:` / `update:` / `data:` given as an object literal the scan reads.
_LITERAL_DATA = re.compile(rb"\b(?:data|create|update)\s*:\s*\{")


def unspelled(index, words: dict[str, tuple[str, ...]]) -> set[str] | None:
    """The keys of `words` (a field's key → the words naming it) none of whose words any
    application source spells; None when a source cannot be read again, or when the scan
    holds no application code at all (a schema scanned without its code)."""
    texts = scanned_sources(index)
    app = [src for path, src in (texts or {}).items()
           if index.files[path].role not in NON_APP_ROLES and not path.endswith(".prisma")]
    if texts is None or not app or not words:
        return None
    found = spelled_words(app, {w for ws in words.values() for w in ws})
    return {k for k, ws in words.items() if not found.intersection(ws)}


def open_writes(index) -> frozenset[str]:
    """Schema names of the models some application write may set any field of: its argument
    or data is a variable or holds a spread (`data: body`, `{ ...input }`), or a nested write
    through another model's relation creates or updates its rows."""
    schema = index.schema

    def compute() -> frozenset[str]:
        out: set[str] = set()
        for call in index.prisma_calls:
            model = schema.by_client_name(call.model) if call.model else None
            if model is not None and index.files[call.path].role not in NON_APP_ROLES:
                out.update(t for _, t in nested_targets(call, model, NESTED_SETS))
        for call, model, src in _app_writes(index)[0]:
            if call.call.args.opaque or b"..." in src or not _LITERAL_DATA.search(src):
                out.add(model)
        return frozenset(out)
    return index.memo("open-writes", compute) if schema is not None else frozenset()


def _app_writes(index) -> tuple[list[tuple[object, str, bytes]], list[bytes]]:
    """([(call, schema model name, the call's text)] of the application's creates and updates
    of models, [the text of each of its raw SQL calls]), read once per scan."""
    def compute():
        schema = index.schema
        writes, raw = [], []
        for call in index.prisma_calls:
            if index.files[call.path].role in NON_APP_ROLES:
                continue
            model = schema.by_client_name(call.model) if call.model else None
            if (model is None or call.operation not in CREATE_OPS | UPDATE_OPS) and call.operation not in RAW_METHODS:
                continue
            span = call.call.span
            text = b"\n".join(source_lines(index, call.path)[span.line - 1:span.end_line])
            if model is None:
                raw.append(text)
            else:
                writes.append((call, model.name, text))
        return writes, raw
    return index.memo("app-write-texts", compute)


def unwritten(index, words: dict[tuple[str, str], tuple[str, ...]]) -> dict[tuple[str, str], str]:
    """{(model, field): how} for the keys of `words` that no application write sets to an
    amount, on models the application does write: every create, update or upsert of the model
    writes its data out (none open: `open_writes`), and no raw SQL of the application spells a
    word naming the field (its name, its column); and either none of those writes spells it
    ("never"), or each one that does sets it to zero or null (`balance: 0`: "zero"; a
    price written out, `amount: 50`, is an amount). What is stored there is the column's
    default, zero, or another system's value, never an amount this code computes. A model the
    application never writes is not judged here: another service may write every field of it."""
    schema = index.schema
    opened = open_writes(index)
    wanted = {k for k in words if k[0] not in opened}
    if schema is None or not wanted:
        return {}
    found, raw = _app_writes(index)
    writes: dict[str, list[bytes]] = {}
    for _, model, text in found:
        writes.setdefault(model, []).append(text)
    out: dict[tuple[str, str], str] = {}
    for k in wanted:
        if k[0] not in writes or spelled_words(raw, set(words[k])):
            continue
        texts = writes[k[0]]
        if not spelled_words(texts, set(words[k])):
            out[k] = "never"
        elif all(_constant_only(t, w) for t in texts for w in words[k]):
            out[k] = "zero"
    return out


_ZERO = rb"\s*:\s*(?:0+(?:\.0+)?|null)\s*(?=[,}\n])"


def _constant_only(text: bytes, word: str) -> bool:
    """Every spelling of `word` in a write's text sets it to zero or null (a price written out,
    `amount: 50`, is an amount)."""
    every = word_count(text, word.encode())
    return every == len(re.findall(rb"(?<![\w$.])" + re.escape(word.encode()) + _ZERO, text))
