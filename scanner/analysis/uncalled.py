"""Methods nothing calls: a class's method that no call in the scan reaches, while calls
to the same class's other methods resolve (dependency injection, `this.` calls), runs on
no request path the code shows (rules.md §8: outside the request path)."""

from __future__ import annotations

from ..index import FunctionKey, ProjectIndex


def _called_methods(index: ProjectIndex) -> frozenset[tuple[str, str]]:
    """(path, class name) of the classes with at least one method some call reaches."""
    def compute():
        out = set()
        for path, facts in index.files.items():
            for fn in facts.functions:
                if fn.class_name and index.callers(FunctionKey(path, fn.id)):
                    out.add((path, fn.class_name))
        return frozenset(out)
    return index.memo("classes-with-called-methods", compute)


def uncalled_method(index: ProjectIndex, path: str, fid: int) -> str | None:
    """Why the method owning function `fid` runs on no path the scan shows, or None."""
    key = FunctionKey(path, index.owner(path, fid))
    fn = index.function(key)
    if fn is None or not fn.class_name or index.entry_kind(path, key.id) is not None \
            or index.callers(key) or (path, fn.class_name) not in _called_methods(index):
        return None
    return (f"nothing in the scan calls {fn.class_name}.{fn.name}(), while calls to its other methods "
            "resolve: it runs on no request path the code shows")
