"""Tables of issue 16 (letters); filled by that work."""

from __future__ import annotations
