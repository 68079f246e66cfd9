"""Tables of issue 17 (consent); filled by that work."""

from __future__ import annotations
