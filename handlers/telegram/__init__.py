"""Telegram glue, one module per feature: parse the update, call compliance/, render the reply."""

import os

# Opt in to PTB's coming behaviour (RetryAfter.retry_after as a timedelta), which the dispatcher handles.
os.environ.setdefault("PTB_TIMEDELTA", "1")
