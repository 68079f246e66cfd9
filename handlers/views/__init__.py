"""What the bot says, one module per feature, as neutral messages (handlers.messages) that every channel
renders: built once from the domain's plain data, in the reader's language, never from a channel's types."""
