"""The domain, channel-free: it never imports telegram and returns plain data, never message texts."""
