"""The web pages: Starlette routes and Jinja2 templates, served by the bot's own process."""
