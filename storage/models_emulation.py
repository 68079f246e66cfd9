"""Tables of issue 16 (emulation); filled by that work."""

from __future__ import annotations
