"""The domain: conversations, turns, handoff, prompts. Imports no cloud SDK and no HTTP library."""
