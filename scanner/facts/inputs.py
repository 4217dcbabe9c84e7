"""Request input read in a file: `req.json()`, `searchParams.get(…)`, `req.body`, …"""

from __future__ import annotations

import tree_sitter as ts

from .entries import CONTEXT_PARAMS
from .model import InputSource
from .nodes import field, key, short, span, text
from .parsed import ParsedFile


# h3's request readers (Nuxt and Nitro auto-import them): what each returns.
_H3_READERS = {"readBody": "body", "readRawBody": "text", "readFormData": "formData",
               "readMultipartFormData": "formData", "getQuery": "query", "getRouterParam": "params",
               "getRouterParams": "params"}
_H3_MODULES = ("h3", "#imports", "nitropack", "nitropack/runtime")


def _h3_reader(pf: ParsedFile, name: ts.Node) -> str | None:
    """The source kind of `readBody(event)` & co., when the name is h3's: auto-imported (no
    binding) or imported from h3 / Nuxt's `#imports`, not a function of the app's own."""
    b = pf.resolver.lookup(text(name), name)
    if b is not None and not (b.kind == "import" and b.module in _H3_MODULES):
        return None
    return _H3_READERS.get(text(name))


def extract(pf: ParsedFile) -> tuple[InputSource, ...]:
    out = []
    for _, m in pf.matches("request_inputs"):
        if "input.helper_call" in m:
            node = m["input.helper_call"][0]
            kind = _h3_reader(pf, m["input.helper"][0])
            if kind is None:
                continue
        elif "input.call" in m:
            node = m["input.call"][0]
            method = text(m["input.method"][0])
            obj = text(m["input.object"][0])
            last = obj.rsplit(".", 1)[-1]
            if method in ("json", "formData", "text") and last.lower() in ("req", "request", "r"):
                kind = method
            elif method in ("get", "getAll") and "searchParams" in last:
                kind = "search-params"
            elif method in ("get", "getAll") and last.lower() in ("formdata", "form", "data"):
                kind = "form-get"
            elif method in ("param", "query") and last == "req":
                kind = {"param": "params"}.get(method, method)  # Hono: `c.req.param("id")`
            else:
                continue
        else:
            node = m["input.member"][0]
            prop = text(m["input.property"][0])
            obj = text(m["input.object"][0])
            holder = obj.rsplit(".", 1)[-1].lower()
            if holder not in ("req", "request", "ctx", "context", "props"):
                continue
            if holder in CONTEXT_PARAMS and prop == "body":
                continue  # Koa's `ctx.body` is the response; the request's is `ctx.request.body`
            if node.parent is not None and node.parent.type == "call_expression" \
                    and key(field(node.parent, "function")) == key(node):
                continue  # `c.req.query("q")` (Hono): the call is the input
            kind = {"searchParams": "search-params"}.get(prop, prop)
        out.append(InputSource(kind, short(node, 120), span(node), pf.fid(node)))
    return tuple(out)

