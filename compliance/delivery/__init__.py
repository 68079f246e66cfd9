"""The outbox: planning messages, claiming them for sending, recording what happened."""
