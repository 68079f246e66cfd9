"""The channels: what turns an inbound event into a domain call and a domain answer into something a
person sees. Shared here: the unit of work per event, locale and formatting; one sub-package per
channel."""
