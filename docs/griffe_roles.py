"""A griffe extension: the reST roles of medreward's docstrings become cross-references.

The docstrings are written for Sphinx-style reading (``:class:`CheckAnswer```, ``:func:`x```,
``:data:`X```, ``:meth:`~A.b```). mkdocstrings does not interpret roles, so without this extension
the reference shows them literally. Once the package is loaded, every docstring's roles are rewritten
into mkdocs-autorefs references: the target is resolved in the scope of the object that holds the
docstring (its imports and members, as Python would), the title is the target as written (``~``: its
last component), and the reference is optional, so that a target the site does not document renders
as code instead of failing ``mkdocs build --strict``.

Used from mkdocs.yml (mkdocstrings' python handler, ``options.extensions``):
``- docs/griffe_roles.py:SphinxRoles``.
"""

from __future__ import annotations

import html
import re
from typing import Any

import griffe

# :class:`X`, :py:func:`~a.b`, :data:`X`, ... (the Python domain's roles).
ROLE = re.compile(r":(?:py:)?(?P<role>class|func|meth|attr|data|const|mod|obj|exc):`(?P<target>[^`]+)`")


def _resolve(obj: griffe.Object, target: str) -> str:
    """The full path of ``target`` as seen from ``obj``; ``target`` itself where it cannot be resolved."""
    head, _, rest = target.partition(".")
    scope: Any = obj
    while scope is not None:
        try:
            full = str(scope.resolve(head))
        except (griffe.NameResolutionError, AttributeError, KeyError):
            scope = scope.parent
            continue
        return f"{full}.{rest}" if rest else full
    return target


def rewrite_roles(text: str, obj: griffe.Object) -> str:
    """``text`` with every role replaced by an optional autorefs reference rendered as code."""

    def replace(match: re.Match[str]) -> str:
        target = match["target"].strip()
        short = target.startswith("~")
        target = target.lstrip("~").removesuffix("()")
        title = target.rsplit(".", 1)[-1] if short else target
        if match["role"] in ("func", "meth"):
            title += "()"
        identifier = html.escape(_resolve(obj, target), quote=True)
        return f'<autoref optional identifier="{identifier}"><code>{html.escape(title)}</code></autoref>'

    return ROLE.sub(replace, text)


def _objects(obj: griffe.Object) -> Any:
    yield obj
    for member in obj.members.values():
        if not member.is_alias:
            yield from _objects(member)  # type: ignore[arg-type]


class SphinxRoles(griffe.Extension):
    """Rewrites reST roles in every docstring of a loaded package (see the module docstring)."""

    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        for obj in _objects(pkg):
            if obj.docstring is not None and ":" in obj.docstring.value:
                obj.docstring.value = rewrite_roles(obj.docstring.value, obj)
