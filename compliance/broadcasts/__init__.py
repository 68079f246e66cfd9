"""Plan updates: sending to chosen units, files, acknowledgements, follow-up."""
