"""Knowledge base: articles, chunking, retrieval and the confidence model (pure Python)."""
