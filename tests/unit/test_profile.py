"""The import-time KB profile: off-domain levels that make scores mean the same on any KB."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence

from switchboard.knowledge.articles import Article, chunk_article
from switchboard.knowledge.profile import KbProfile, build_profile, kb_language, off_domain_probes
from switchboard.knowledge.retrieval import KnowledgeIndex

ARTICLES = [
    Article("refunds", "Card refunds", "Refunds go back to the original card within 5 to 10 business days."),
    Article(
        "password", "Resetting your password", "Click Forgot password on the sign-in page; the link expires in an hour."
    ),
    Article("export", "Exporting leads", "Open Leads, select the rows and choose Export to CSV."),
]


class BagOfWordsEmbedder:
    """A deterministic stand-in for our Embedder port: hashed bag of words, unit length."""

    name = "bow-test"

    def embed(self, texts: Sequence[str], task: str) -> list[list[float]]:
        out = []
        for text in texts:
            vec = [0.0] * 64
            for word in text.lower().split():
                vec[int(hashlib.md5(word.strip("?.,!").encode()).hexdigest(), 16) % 64] += 1.0
            norm = math.sqrt(sum(v * v for v in vec)) or 1.0
            out.append([v / norm for v in vec])
        return out


def _index(embedder: BagOfWordsEmbedder | None = None) -> KnowledgeIndex:
    chunks = [c for a in ARTICLES for c in chunk_article(a)]
    vectors = {}
    if embedder is not None:
        vectors = dict(
            zip(
                [c.id for c in chunks],
                embedder.embed([f"{c.title}\n{c.text}" for c in chunks], "document"),
                strict=True,
            )
        )
    return KnowledgeIndex(chunks, vectors)


def test_the_shipped_probe_pool_is_large_and_off_domain() -> None:
    probes = off_domain_probes()
    assert len(probes) >= 200
    assert len(set(probes)) == len(probes)


def test_profile_measures_the_off_domain_level_of_this_kb() -> None:
    embedder = BagOfWordsEmbedder()
    index = _index(embedder)
    profile = build_profile(index, ARTICLES, embedder)
    assert profile.language == "en"
    assert profile.probes == len(off_domain_probes())
    assert profile.dense_model == "bow-test"
    # an in-domain question sits far above the off-domain level; an off-domain one does not
    in_domain = "how long do card refunds take"
    lexical, dense = index.best_scores(in_domain, embedder.embed([in_domain], "query")[0])
    assert dense is not None
    assert profile.lexical_z(lexical) > 2 and profile.dense_z(dense) > 2
    off = "set an alarm for seven tomorrow morning"
    lexical, dense = index.best_scores(off, embedder.embed([off], "query")[0])
    assert dense is not None
    assert profile.lexical_z(lexical) < 1.5 and profile.dense_z(dense) < 1.5


def test_without_vectors_the_profile_has_no_dense_level() -> None:
    profile = build_profile(_index(), ARTICLES, None)
    assert profile.dense_model == "" and profile.dense_mu == 0.0
    assert profile.lexical_sd > 0


def test_profile_round_trips_and_tolerates_old_or_odd_stored_forms() -> None:
    profile = KbProfile("de", 0.1, 0.05, 0.3, 0.04, "local:x", 400)
    assert KbProfile.from_dict(profile.as_dict()) == profile
    assert KbProfile.from_dict(None) == KbProfile()
    assert KbProfile.from_dict({"language": "fr", "unknown_field": 1}).language == "fr"


def test_kb_language_is_the_majority_language() -> None:
    german = [
        Article("a", "Passwort zurücksetzen", "Klicken Sie auf der Anmeldeseite auf Passwort vergessen."),
        Article("b", "Rückerstattung", "Die Erstattung erfolgt innerhalb von zehn Werktagen auf die Karte."),
        Article("c", "Export", "Open Leads and choose Export."),
    ]
    assert kb_language(german) == "de"
    assert kb_language([]) == ""
