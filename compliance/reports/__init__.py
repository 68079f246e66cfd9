"""Reports: the roll-up of a unit tree, lapses, files (Excel, chart), weekly summaries."""
