"""Local development tooling: emulators, the one-URL dev server, the dev stack. Never deployed."""
