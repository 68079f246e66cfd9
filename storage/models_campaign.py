"""Tables of issue 17 (campaign); filled by that work."""

from __future__ import annotations
