"""Reading questions: facts (medspacy), intents, and retrieval over the pack's topics (bm25s)."""
