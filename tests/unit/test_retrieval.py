from __future__ import annotations

from switchboard.knowledge.articles import Article, chunk_article
from switchboard.knowledge.confidence import UNCITED_CAP, combine_confidence
from switchboard.knowledge.retrieval import KnowledgeIndex
from switchboard.knowledge.text import stem, tokens

ARTICLES = [
    Article("pw", "Password Reset Guide", "Go to Settings > Users and click Reset Password. A reset link is emailed."),
    Article("refund", "Processing a Refund", "Open Billing > Payments, click Refund. Card refunds take 5 to 10 days."),
    Article("listing", "Creating a Listing", "Open Listings, click New Listing, add photos and publish."),
]


def _index() -> KnowledgeIndex:
    return KnowledgeIndex([c for a in ARTICLES for c in chunk_article(a)])


def test_stemming_joins_word_forms() -> None:
    assert stem("refunds") == stem("refunded") == stem("refunding") == "refund"
    assert tokens("How do I reset passwords?") == ["reset", "password"]


def test_best_article_ranks_first_with_scores_in_range() -> None:
    passages = _index().search("how long does a card refund take", k=3)
    assert passages[0].article_id == "refund"
    assert all(0 <= p.score <= 1 for p in passages)
    assert passages == sorted(passages, key=lambda p: -p.score)


def test_unrelated_question_finds_nothing() -> None:
    assert _index().search("capital of France") == []


def test_dense_vectors_can_rescue_a_lexical_miss() -> None:
    chunks = [c for a in ARTICLES for c in chunk_article(a)]
    vectors = {c.id: ([1.0, 0.0] if c.article_id == "listing" else [0.0, 1.0]) for c in chunks}
    passages = KnowledgeIndex(chunks, vectors).search("advertise my house", k=1, query_vector=[1.0, 0.0])
    assert passages[0].article_id == "listing"


def test_confidence_is_capped_without_citations_and_zero_without_passages() -> None:
    passages = _index().search("card refund days", k=3)
    cited = combine_confidence(passages, [passages[0].id], 0.9)
    uncited = combine_confidence(passages, [], 0.9)
    assert cited > 0.6
    assert uncited <= UNCITED_CAP
    assert combine_confidence([], [], 1.0) == 0.0
