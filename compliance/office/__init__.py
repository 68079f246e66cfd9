"""The office: units, officials, the staff list and its import, joining, invites, groups."""
