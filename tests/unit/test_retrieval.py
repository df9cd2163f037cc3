from __future__ import annotations

from switchboard.knowledge.articles import Article, chunk_article
from switchboard.knowledge.confidence import UNANSWERED_CAP, UNCITED_CAP, confidence_features, confidence_from
from switchboard.knowledge.profile import KbProfile
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
    cited = confidence_from(confidence_features(passages, [passages[0].id], 0.9))
    uncited = confidence_from(confidence_features(passages, [], 0.9))
    assert cited > 0.6
    assert uncited <= UNCITED_CAP


def test_a_model_that_says_the_passages_do_not_answer_caps_the_confidence() -> None:
    passages = _index().search("card refund days", k=3)
    features = confidence_features(passages, [passages[0].id], 0.9)
    assert confidence_from(features, "genai", answered=True) > 0.3
    assert confidence_from(features, "genai", answered=False) <= UNANSWERED_CAP


def test_fusion_reads_both_sides_against_the_kbs_off_domain_level() -> None:
    chunks = [c for a in ARTICLES for c in chunk_article(a)]
    vectors = {c.id: ([1.0, 0.0] if c.article_id == "listing" else [0.0, 1.0]) for c in chunks}
    profile = KbProfile("en", lexical_mu=0.1, lexical_sd=0.1, dense_mu=0.2, dense_sd=0.1, probes=10)
    index = KnowledgeIndex(chunks, vectors, profile)
    # a strong dense match with no shared word still ranks, and carries both raw scores
    (best,) = index.search("advertise my house", k=1, query_vector=[1.0, 0.0])
    assert best.article_id == "listing" and best.dense == 1.0 and best.lexical == 0.0
    # every candidate carries its cosine, lexical matches included
    scored = index.score("card refund", [0.0, 1.0])
    assert scored and all(s.dense is not None for s in scored)
    # vectors of another embedder (another width) are ignored rather than misread
    assert all(s.dense is None for s in index.score("card refund", [1.0, 0.0, 0.0]))


def test_support_phrases_and_synonyms_bridge_the_customers_words() -> None:
    from switchboard.knowledge.synonyms import canonical

    assert "twofactor" in canonical("How do I enable 2FA?") and "twofactor" in canonical("Two-step verification")
    articles = [
        Article("2fa", "Two-step verification", "Turn on two-step verification in Profile > Security."),
        Article("remove", "Removing a member", "Open Members and choose Remove next to the person."),
        Article("plans", "Plans and pricing", "The Team plan is 8 dollars per member per month."),
    ]
    index = KnowledgeIndex([c for a in articles for c in chunk_article(a)])
    assert index.search("how to enable 2FA", k=1)[0].article_id == "2fa"
    assert index.search("kick a user out", k=1)[0].article_id == "remove"
    assert index.search("how much does it cost", k=1)[0].article_id == "plans"


def test_unknown_share_flags_words_the_knowledge_base_never_uses() -> None:
    index = _index()
    assert index.unknown_share("card refund days") == 0.0
    assert index.unknown_share("reset my gmail password") > 0.3
    assert index.unknown_share("") == 1.0


def test_dense_ranking_orders_chunks_by_cosine_alone() -> None:
    chunks = [c for a in ARTICLES for c in chunk_article(a)]
    vectors = {c.id: ([1.0, 0.0] if c.article_id == "listing" else [0.6, 0.8]) for c in chunks}
    index = KnowledgeIndex(chunks, vectors)
    ranked = index.dense_ranking([1.0, 0.0], n=2)
    assert ranked[0].article_id == "listing" and len(ranked) == 2
    assert KnowledgeIndex(chunks).dense_ranking([1.0, 0.0]) == []


def test_a_dense_neighbour_ranked_low_lexically_keeps_its_lexical_scores() -> None:
    # 600 chunks match the question's words; the one nearest by vector is lexically among the last
    articles = [
        Article(f"a{i:03d}", f"Note {i}", "Refund policy. " + " ".join(f"filler{j}" for j in range(i % 40 * 2)))
        for i in range(600)
    ]
    chunks = [c for a in articles for c in chunk_article(a)]
    target = max(chunks, key=lambda c: len(c.text))  # the longest: the weakest BM25 match
    vectors = {c.id: ([1.0, 0.0] if c.id == target.id else [0.0, 1.0]) for c in chunks}
    profile = KbProfile("en", lexical_mu=0.1, lexical_sd=0.1, dense_mu=0.2, dense_sd=0.1, probes=10)
    index = KnowledgeIndex(chunks, vectors, profile)
    lexical = {p.id: p for p in index.search("refund policy", k=600)}
    assert len(lexical) == 600 and list(lexical).index(target.id) > 200
    (best,) = index.search("refund policy", k=1, query_vector=[1.0, 0.0])
    assert best.id == target.id and best.dense == 1.0
    assert best.lexical == lexical[target.id].lexical > 0 and best.coverage == lexical[target.id].coverage == 1.0
