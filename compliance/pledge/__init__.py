"""The pledge: templates and versions, signing, the signature ledger, receipts, ceremonies."""
