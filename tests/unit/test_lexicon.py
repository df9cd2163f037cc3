"""Names neither the knowledge base nor the dictionary knows: the "foreign" confidence signal."""

from __future__ import annotations

from switchboard.knowledge.articles import Article, chunk_article
from switchboard.knowledge.confidence import calibration_for, confidence_features, confidence_from
from switchboard.knowledge.lexicon import candidate_words, english_words, is_english_word
from switchboard.knowledge.retrieval import KnowledgeIndex

ARTICLES = [
    Article("pw", "Password Reset Guide", "Go to Settings > Users and click Reset Password in Acmely."),
    Article("slack", "Slack alerts", "Connect Slack under Integrations to get alerts in a channel."),
    Article("app", "Mobile app", "Acmely runs on Android phones."),
]


def _index() -> KnowledgeIndex:
    return KnowledgeIndex([c for a in ARTICLES for c in chunk_article(a)])


def test_the_dictionary_knows_ordinary_words_with_their_inflections_but_not_names() -> None:
    assert len(english_words()) > 60_000
    for word in ("enable", "declined", "renewing", "anymore", "email", "inbox", "website", "laptop", "colour"):
        assert is_english_word(word), word
    for name in ("gmail", "netflix", "hulu", "whatsapp", "tokyo", "microsoft", "trello"):
        assert not is_english_word(name), name


def test_candidate_words_are_plain_latin_words_with_possessives_dropped() -> None:
    assert candidate_words("Why doesn't Netflix’s plan work? 2FA 429 café NETFLIX") == [
        "why",
        "netflix",
        "plan",
        "work",
    ]


def test_foreign_words_are_names_the_knowledge_base_and_the_dictionary_do_not_know() -> None:
    index = _index()
    assert index.foreign_words("reset my gmail password") == ["gmail"]
    assert index.foreign_words("cancel my hulu and netflix subscriptions") == ["hulu", "netflix"]
    # the business's own product and the tools its articles name are not foreign
    assert index.foreign_words("reset my Acmely password") == []
    assert index.foreign_words("connect slack") == []
    # a paraphrase in ordinary words is not foreign, nor a synonym of a known word (iphone ~ phone)
    assert index.foreign_words("how do I enable password recovery") == []
    assert index.foreign_words("does it work on my iphone") == []


def test_a_foreign_name_lowers_the_calibrated_confidence() -> None:
    index = _index()
    passages = index.search("reset my gmail password", k=3)
    cited = [passages[0].id]
    assert calibration_for("extractive") is not None
    plain = confidence_from(confidence_features(passages, cited, 0.5, foreign=0.0), "extractive")
    named = confidence_from(confidence_features(passages, cited, 0.5, foreign=1.0), "extractive")
    assert named < plain / 2
