"""The edges: Slack, Teams, HTTP server, scheduler, CLI, settings and the composition root."""
