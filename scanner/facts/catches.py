"""Catch clauses and `.catch(…)` callbacks: where errors are handled, and how."""

from __future__ import annotations

import re

import tree_sitter as ts

from .call_sites import discarded
from .handlers import TOOL_COMMENT as _TOOL_COMMENT, ends_in_answer, summarise_catch_callback, summarise_catch_clause
from .model import CatchFact, Span
from .nodes import FUNCTION_TYPES, enclosing, field, key, param_nodes, mention, param_pattern, short, span, text, unwrap
from .parsed import ParsedFile

def _statement_of(node: ts.Node) -> ts.Node:
    """The statement an expression belongs to."""
    n = node
    while n.parent is not None and n.parent.type not in ("statement_block", "program", "switch_case",
                                                          "switch_default") \
            and n.type not in FUNCTION_TYPES:
        n = n.parent
    return n


# Words that say a failure is let pass on purpose ("best-effort", "never throws", …), also as
# code written in French, Spanish, Portuguese, Italian or German says it ("non bloquant",
# "no bloqueante", "nicht kritisch").
TOLERATED = re.compile(r"(?i)best[- ]effort|non[- ]?(?:fatal|blocking|critical)|fire[- ]and[- ]forget|"
                       r"not (?:fatal|critical|block)|don'?t (?:block|fail)|never throws?|ignor(?:e|ed|ing)\b|"
                       r"continu(?:e|ing) anyway|safe to ignore|"
                       r"\bnon[- ](?:bloquant|bloccante|critique|critico)|"
                       r"\bn(?:o|ão|ao)[- ](?:bloqueante|cr[ií]tico)|"
                       r"\bnicht[- ](?:blockierend|kritisch)|meilleur effort|mejor esfuerzo|melhor esfor[cç]o")


def _stated_intent(stmt: ts.Node, block: ts.Node | None) -> str:
    """A comment on the line above `stmt`, or opening its try block: why the author lets
    failures pass (`// best effort: a missed timestamp is harmless`); else the doc comment of
    the function around it when that says so (`/** Best-effort: never throws. */`)."""
    before = stmt.prev_sibling
    if before is not None and before.type == "comment" and before.end_point[0] >= stmt.start_point[0] - 1 \
            and not _TOOL_COMMENT.match(text(before)):
        return short(before, 160)
    first = block.named_children[0] if block is not None and block.named_children else None
    if first is not None and first.type == "comment" and not _TOOL_COMMENT.match(text(first)):
        return short(first, 160)
    return _enclosing_intent(stmt) or _doc_intent(stmt) or _module_intent(stmt) or _name_intent(stmt)


# A function named for an attempt: `tryNotifyManagers`, `maybeSyncCalendar`, `bestEffortPurge`.
_ATTEMPT_NAME = re.compile(r"^_?(?:try|maybe|attempt|bestEffort)[A-Z]")


def _name_intent(stmt: ts.Node) -> str:
    """The name of the function around `stmt` when it says the work is only attempted
    (`tryCreateLinkedNotifications`): the author's word that its failure may pass, as a
    comment's would be."""
    fn = enclosing(stmt, FUNCTION_TYPES)
    name = field(fn, "name") if fn is not None else None
    if fn is not None and name is None and fn.parent is not None and fn.parent.type == "variable_declarator":
        name = field(fn.parent, "name")
    said = text(name) if name is not None else ""
    return f"the function's name says it only tries: `{said}`" if _ATTEMPT_NAME.match(said) else ""


# What ends a module's header: its first export, function or class.
_MODULE_BODY = frozenset({"export_statement", "function_declaration", "generator_function_declaration",
                          "class_declaration", "abstract_class_declaration"})


def _module_intent(stmt: ts.Node) -> str:
    """A comment of the module's header (its top level before the first export, function or
    class) that stands alone (a blank line, an import or nothing after it: a note on the module,
    not the doc of the statement below) whose words say failures are let pass (`// Upload a conversion
    to Google Ads. Best-effort; never throws.`): the author's word on the module covers the
    catches written in it."""
    root = stmt
    while root.parent is not None:
        root = root.parent
    kids, i = root.named_children, 0
    while i < len(kids):
        if kids[i].type in _MODULE_BODY:
            return ""   # (past the header: a note further down speaks for the code around it)
        if kids[i].type != "comment":
            i += 1
            continue
        j = i   # (a run of `//` lines, one under the other, is one comment)
        while j + 1 < len(kids) and kids[j + 1].type == "comment" \
                and kids[j + 1].start_point[0] <= kids[j].end_point[0] + 1:
            j += 1
        nxt = kids[j + 1] if j + 1 < len(kids) else None
        said = TOLERATED.search(comment_run(kids[j]))
        # (The file's opening comment right above its first import is the header's; one above a
        # later import says what that import is for.)
        opens = nxt is not None and nxt.type == "import_statement" and all(k.type == "comment" for k in kids[:i])
        if said is not None and (nxt is None or opens or nxt.start_point[0] > kids[j].end_point[0] + 1):
            return f"the module's own comment (line {kids[i].start_point[0] + 1}): \u201c{said.group(0)}\u201d"
        i = j + 1   # (a comment right above a statement is that statement's doc)
    return ""


def _enclosing_intent(stmt: ts.Node) -> str:
    """A comment heading the paragraph of `stmt`, or of a statement of the same function that
    holds it (an `if`, a loop, a block), when its words say failures are let pass: the author's
    word on a block covers the work written in it (`// External, best-effort fan-out` above
    `if (won) { await notify(id).catch(() => {}) }`), and a comment heads the statements written
    under it with no blank line between (`// Best-effort: sync both sides` above two `.catch()`
    calls). Any comment would be too much here: one above an `if` usually says what the branch
    does, not how its failures are meant."""
    n = stmt
    while n is not None and n.type not in FUNCTION_TYPES:
        heading = _paragraph_heading(n) if n.parent is not None and n.parent.type == "statement_block" else None
        said = TOLERATED.search(comment_run(heading)) if heading is not None else None
        if said is not None:
            return f"the comment heading the statements that hold it: \u201c{said.group(0)}\u201d"
        n = n.parent
    return ""


def _paragraph_heading(n: ts.Node) -> ts.Node | None:
    """The comment that opens the run of statements `n` ends, each on the line after the one
    before it (no blank line between), or None."""
    cur, prev = n, n.prev_sibling
    while prev is not None and prev.end_point[0] >= cur.start_point[0] - 1:
        if prev.type == "comment" and not _TOOL_COMMENT.match(text(prev)):
            return prev   # (a tool's directive, `// eslint-disable-next-line`, heads nothing)
        cur, prev = prev, prev.prev_sibling
    return None


def comment_run(last: ts.Node) -> str:
    """The text of the comment ending with `last` and of the comments right above it, one
    under the other: lines of `//` written as one note (`// External, best-effort fan-out —` /
    `// gated on the win`) are one comment, whose words count together. Tool directives aside."""
    run, cur = [last], last.prev_sibling
    while cur is not None and cur.type == "comment" and cur.end_point[0] >= run[-1].start_point[0] - 1:
        run.append(cur)
        cur = cur.prev_sibling
    return " ".join(text(c) for c in reversed(run) if not _TOOL_COMMENT.match(text(c)))


def _doc_intent(stmt: ts.Node) -> str:
    """The doc comment right above the function around `stmt` (or above its declaration or
    export), when its words say failures are let pass on purpose; else the doc comment of the
    class whose method it is (`// Deliberately best-effort: every public method here catches its
    own errors` above `@Injectable() export class LedgerPosting`)."""
    fn = enclosing(stmt, FUNCTION_TYPES)
    said = _doc_words(fn)
    if said:
        return f"the function's doc comment: \u201c{said}\u201d"
    cls = fn.parent if fn is not None and fn.type == "method_definition" else None
    while cls is not None and cls.type not in _CLASSES and cls.type not in FUNCTION_TYPES:
        cls = cls.parent
    said = _doc_words(cls) if cls is not None and cls.type in _CLASSES else ""
    return f"the doc comment of its class: \u201c{said}\u201d" if said else ""


_CLASSES = ("class_declaration", "abstract_class_declaration", "class")


def _doc_words(node: ts.Node | None) -> str:
    """The words of tolerance in the comment right above `node` (or above its declaration or
    export), or ""."""
    holder = node
    while holder is not None and holder.parent is not None and holder.parent.type in (
            "variable_declarator", "lexical_declaration", "export_statement", "pair", "public_field_definition"):
        holder = holder.parent
    doc = holder.prev_sibling if holder is not None else None
    if doc is None or doc.type != "comment" or doc.end_point[0] < holder.start_point[0] - 1:
        return ""
    said = TOLERATED.search(comment_run(doc))
    return said.group(0) if said else ""



def _answers(block: ts.Node | None) -> bool:
    """The block's last statement returns or answers the request, or is an `if … else` each of
    whose arms does (a throw does not count: the catch then sees every path)."""
    stmts = [c for c in block.named_children if c.type != "comment"] if block is not None else []
    if stmts and stmts[-1].type == "if_statement":
        return _if_answers(stmts[-1])
    return ends_in_answer(stmts) and stmts[-1].type != "throw_statement"


def _if_answers(node: ts.Node) -> bool:
    return field(node, "alternative") is not None and _arm_answers(field(node, "consequence")) \
        and _arm_answers(field(node, "alternative"))


def _arm_answers(arm: ts.Node | None) -> bool:
    """One arm of an `if`: a block, a single statement, or (`else if`) another `if`."""
    if arm is not None and arm.type == "else_clause":
        arm = next((c for c in reversed(arm.named_children) if c.type != "comment"), None)
    if arm is None:
        return False
    if arm.type == "statement_block":
        return _answers(arm)
    if arm.type == "if_statement":
        return _if_answers(arm)
    return ends_in_answer([arm]) and arm.type != "throw_statement"


def _ends_function(stmt: ts.Node) -> bool:
    """Nothing of its function runs after the statement: it is the last one of the body, or of
    an `if` arm that is (a function answering in its try returns nothing when the catch falls
    through)."""
    n = stmt
    while True:
        nxt = n.next_named_sibling
        while nxt is not None and nxt.type in ("comment", "else_clause"):
            nxt = nxt.next_named_sibling
        if nxt is not None:
            return False
        parent = n.parent
        if parent is None:
            return False
        if parent.type == "statement_block" and parent.parent is not None and parent.parent.type in FUNCTION_TYPES:
            return True
        if parent.type not in ("statement_block", "else_clause", "if_statement"):
            return False
        n = parent


_FAILURE_KEYS = frozenset({"error", "errors"})
_FLAG_KEYS = frozenset({"success", "ok", "valid"})


def _fails(value: ts.Node | None) -> bool:
    """A value that tells the caller it failed: null/false/undefined, `{ error }`,
    `{ ok: false }`, or a response with a 4xx/5xx status anywhere in it."""
    value = unwrap(value)
    if value is None:
        return False
    if value.type in ("null", "false", "undefined"):
        return True
    stack = [value]
    while stack:
        n = stack.pop()
        if n.type in FUNCTION_TYPES:
            continue
        if n.type == "pair":
            k, v = text(field(n, "key")).strip("'\""), unwrap(field(n, "value"))
            if k in _FAILURE_KEYS or k in _FLAG_KEYS and v is not None and v.type == "false":
                return True
            if k in ("status", "statusCode") and v is not None and v.type == "number" and text(v)[:1] in "45":
                return True
        if n.type == "call_expression":   # res.status(401), res.sendStatus(500)
            fn, args = field(n, "function"), field(n, "arguments")
            first = args.named_children[0] if args is not None and args.named_children else None
            if fn is not None and fn.type == "member_expression" \
                    and text(field(fn, "property")) in ("status", "sendStatus") \
                    and first is not None and first.type == "number" and text(first)[:1] in "45":
                return True
        stack += n.named_children
    return False


def _after_fails(stmt: ts.Node) -> str:
    """The statement after a try when it answers with a failure (see `CatchFact.after_fails`)."""
    nxt = stmt.next_named_sibling
    while nxt is not None and nxt.type == "comment":
        nxt = nxt.next_named_sibling
    if nxt is None:
        return ""
    if nxt.type == "return_statement" and nxt.named_children and _fails(nxt.named_children[0]):
        return short(nxt, 80)
    if nxt.type == "expression_statement" and nxt.named_children and _fails(nxt.named_children[0]) \
            and unwrap(nxt.named_children[0]).type in ("call_expression", "await_expression"):
        return short(nxt, 80)
    return ""


_FLAG_VALUES = frozenset({"true", "false", "string", "number"})


def _success_flag(stmt: ts.Node, handler: ts.Node) -> str:
    """The variable the try block's last statement sets to a literal (`ok = true`, `status =
    "up"`), when a statement after the try reads it and the handler does not set it: the
    failure is recorded there."""
    body = field(stmt, "body")
    stmts = [c for c in body.named_children if c.type != "comment"] if body is not None else []
    last = unwrap(stmts[-1].named_children[0]) if stmts and stmts[-1].type == "expression_statement" \
        and stmts[-1].named_children else None
    left = field(last, "left") if last is not None and last.type == "assignment_expression" else None
    value = unwrap(field(last, "right")) if left is not None else None
    if left is None or left.type != "identifier" or value is None or value.type not in _FLAG_VALUES:
        return ""   # `rows = await load()` keeps the data, not a flag: a fallback, not a report
    name = text(left)
    word = mention(name)
    if re.search(rf"(?<![\w$.]){re.escape(name)}\s*=[^=]", text(handler)):
        return ""
    n = stmt.next_named_sibling
    while n is not None:
        if word.search(text(n)):
            return name
        n = n.next_named_sibling
    return ""


def extract(pf: ParsedFile) -> tuple[CatchFact, ...]:
    out = []
    for _, m in pf.matches("catches"):
        if "try" in m:
            stmt, handler = m["try"][0], m["try.handler"][0]
            param = field(handler, "parameter")
            body = field(handler, "body")
            out.append(CatchFact(key(stmt), "try", span(handler), pf.fid(stmt),
                                 text(param_pattern(param)) if param is not None else None,
                                 short(body, 2000), summarise_catch_clause(handler),
                                 _stated_intent(stmt, field(stmt, "body")), _answers(field(stmt, "body")),
                                 _after_fails(stmt), _ends_function(stmt), _success_flag(stmt, handler)))
        elif "catch_method" in m:
            call, handler = m["catch_method"][0], m["catch_method.handler"][0]
            params = param_nodes(handler) if handler.type in FUNCTION_TYPES else []
            # Placed at `.catch(`, not where the chain starts.
            at, whole = span(field(field(call, "function"), "property")), span(call)
            out.append(CatchFact(key(call), "catch-method",
                                 Span(at.line, at.column, whole.end_line, whole.end_column),
                                 pf.fid(call), text(param_pattern(params[0])) if params else None,
                                 short(handler, 2000), summarise_catch_callback(handler),
                                 _stated_intent(_statement_of(call), None), dropped=discarded(call)))
    return tuple(out)
