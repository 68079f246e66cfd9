"""Personal data: what a person can see of themselves, erasure, the audit log."""
