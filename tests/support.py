"""Helpers for tests that need a real framework (torch, keras, optax, transformers, timm)."""

from __future__ import annotations

import importlib
import os
from types import ModuleType

import pytest


def require(module: str) -> ModuleType:
    """Import *module* for a parity test.

    On a user's machine without it the test skips with a reason; in CI (``CI`` set) a
    missing framework is an error, because parity tests must run there.
    """
    if os.environ.get("CI"):
        return importlib.import_module(module)
    return pytest.importorskip(module, reason=f"{module} is not installed (parity test)")
