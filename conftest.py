"""Collection rules for the whole repository: tests/ and the doctests under src/."""

import importlib.util

collect_ignore: list[str] = []
if importlib.util.find_spec("scispacy") is None:
    # The optional linker imports scispacy at module level; `make test-scispacy` covers it.
    collect_ignore.append("src/medreward/medical/scispacy_linker.py")
