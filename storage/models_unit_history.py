"""Tables of issue 17 (unit history); filled by that work."""

from __future__ import annotations
