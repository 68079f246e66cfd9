"""The Zalo dialogs, one module per feature: typed keywords and numbered replies instead of buttons."""
