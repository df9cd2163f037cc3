"""LLM providers behind one port: Gemini (google-genai) and an offline extractive provider."""
