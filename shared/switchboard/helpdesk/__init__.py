"""Connectors to the human side: Freshdesk, Chatwoot, Teams, email (SMTP or Amazon SES)."""
