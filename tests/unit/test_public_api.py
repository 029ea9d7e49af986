"""The declared public API: sorted, importable, and exactly what __all__ says."""

from __future__ import annotations

import subprocess
import sys

import guidepath


def test_all_is_sorted_and_every_name_resolves() -> None:
    assert guidepath.__all__ == sorted(guidepath.__all__)
    for name in guidepath.__all__:
        assert getattr(guidepath, name) is not None


def test_public_api_names() -> None:
    assert {"evaluate", "Case", "Assessment", "BadInput"} <= set(guidepath.__all__)


def test_unknown_attribute_is_an_attribute_error() -> None:
    try:
        guidepath.does_not_exist  # noqa: B018
    except AttributeError as error:
        assert "does_not_exist" in str(error)
    else:
        raise AssertionError("expected AttributeError")


def test_importing_the_package_is_cheap() -> None:
    code = "import sys, guidepath; print('pydantic' in sys.modules, 'yaml' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
