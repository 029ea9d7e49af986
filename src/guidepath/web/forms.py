"""Reading a submitted form: CSRF checked, repeated names (checkbox lists) kept as lists."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Request

from guidepath.web.security import check_csrf


async def submitted(request: Request, is_list: Callable[[str], bool]) -> dict[str, Any]:
    """The form's values: a list for a name ``is_list`` names (even with one box ticked) or
    that came more than once, text otherwise. A missing or forged CSRF token is refused (403)."""
    form = await request.form()
    values: dict[str, Any] = {}
    for key in form:
        items = [str(v) for v in form.getlist(key)]
        values[key] = items if len(items) > 1 or is_list(key) else items[0]
    check_csrf(request, str(values.get("csrf", "")))
    return values
