"""Entry point and wiring: CLI, settings, build_application(), logging, i18n setup."""
