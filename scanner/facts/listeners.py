"""Callbacks registered to run later, once per event, rather than while the code that
registers them runs: an emitter's listeners, and any registrar called with a key first."""

from __future__ import annotations

import re

import tree_sitter as ts

from .entries import member_decorators
from .nodes import TRANSPARENT, text, unwrap

# Methods that register a callback to run once per event, later, not while the registering
# function runs: Node's EventEmitter and the DOM's, and Electron's `ipcMain.handle`.
LISTENER_METHODS = frozenset({"on", "once", "addListener", "prependListener", "prependOnceListener",
                              "addEventListener", "ipcMain.handle", "ipcMain.handleOnce"})


# A key that names an event, channel or job: a string, or a constant (`IPC_CHANNELS.CREATE`,
# `EVENT_NAME`) spelled in capitals.
_CONSTANT_KEY = re.compile(r"^(?:[A-Za-z_$][\w$]*\.)*[A-Z][A-Z0-9_]+$")


def keyed_registration(fn: ts.Node) -> bool:
    """Whether a function is written inline after a key, as an argument of a call made as a
    statement of its own (`hub.subscribe("edit-comment", "prisma", async (…) => …)`,
    `createHandler(IPC.CATEGORIES_CREATE, schema, async (data) => …)`): a registration that
    runs the callback later, once per event under that key, not while the registering code
    runs. A callback first in the arguments (`items.forEach(cb)`) or one whose call is
    awaited or used (`await lock.acquire("k", cb)`) runs now."""
    holder = fn.parent
    while holder is not None and holder.type in TRANSPARENT:
        holder = holder.parent
    if holder is None or holder.type != "arguments" or holder.parent is None:
        return False
    call = holder.parent
    if call.type != "call_expression" or call.parent is None or call.parent.type != "expression_statement":
        return False
    args = [a for a in holder.named_children if a.type != "comment"]
    if len(args) < 2 or args[0].start_byte >= fn.start_byte:
        return False
    key = unwrap(args[0])
    if key is None:
        return False
    if key.type == "string" or (key.type == "template_string" and not key.named_children):
        return True
    return key.type in ("identifier", "member_expression") and bool(_CONSTANT_KEY.match(text(key)))


def listener_callback(callee: str | None) -> bool:
    """Whether an inline callback handed to `callee` (`client.on`, `ipcMain.handle`) is a listener."""
    return bool(callee) and (callee.rsplit(".", 1)[-1] in LISTENER_METHODS or callee in LISTENER_METHODS)


# Decorators that register a method as an event's listener (NestJS's `@OnEvent('order.paid')`):
# the emitter calls it once per event and drops what it returns.
_LISTENER_DECORATORS = frozenset({"OnEvent"})


def listener_decorator(method: ts.Node) -> bool:
    """A method a decorator registers as an event listener (`@OnEvent('booking.cancelled')`)."""
    return method.type == "method_definition" and bool(member_decorators(method) & _LISTENER_DECORATORS)
