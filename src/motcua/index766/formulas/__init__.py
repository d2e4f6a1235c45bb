"""Built-in formula sets; importing this package registers them."""

from motcua.index766.formulas import portal_2026  # noqa: F401
