"""Shared test helpers: spec'd discord.py fakes and a local web site for feeds and articles."""
