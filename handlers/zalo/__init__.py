"""Zalo (Zalo Bot Platform): updates in, text dialogs, the Zalo sender. Text and pictures only."""
