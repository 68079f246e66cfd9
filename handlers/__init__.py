"""Telegram glue, one module per feature: parse the update, call compliance/, render the reply."""
