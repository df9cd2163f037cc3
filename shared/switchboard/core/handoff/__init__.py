"""Does the customer ask for a human? A multilingual detector with hard negatives.

Structure
---------
A message asks for a person when a *request frame* is aimed at a *human noun phrase*. Each of the
13 languages (en es pt fr de it nl pl ru uk mn tr zh) has a ``Lexicon`` (``lexicon.py``), read
from ``data/<code>.json`` (``languages.py``):

* words: human nouns (person, agent, operator, staff member, consultant, support team, customer
  service, someone ...) with their inflected forms spelled out (Polish ``konsultant/konsultanta/
  konsultantem``, Russian ``оператор/оператора/оператором``, German ``Mitarbeiter/
  Mitarbeiterin``, Italian ``operatore/operatrice``); determiners and adverbs ("a", "one of
  your", ``l'``, ``un'``, "subito") and adjectives ("real", "live") that may stand before them;
  bot nouns. They make the noun phrases ``<NP>`` (any human noun), ``<PP>`` (people only:
  someone, a human, an operator; used where CRM words such as "agent" or "manager" would be
  ambiguous) and ``<BOT>``. Turkish and Mongolian nouns take any case suffix ("temsilciyle",
  "ажилтантай"), and their verbs follow the noun phrase;
* frames: regex templates per *form*, built from verb lists and the noun phrases: ``talk``
  (talk/speak/chat/contact/reach/get in touch with <NP>, "is it possible to speak with"),
  ``connect`` (connect/transfer/put me through/pass me to <NP>), ``want`` (I want/need/would
  like/give me/can I get <NP>), ``avail`` (is any <NP> available, anyone there?, can an <NP>
  help me?, who can I talk to?), ``callback`` (have someone call me, callback from <NP>,
  "rappelez-moi"), ``refuse`` (I don't want to talk to a machine, no more bot, rather a person
  than a bot), and a few language-specific ones. Each language's frames are compiled at import
  into one regex with a named group per form, every word list as a character trie (fast to
  reject); the rule that fires is reported as ``"<lang>:<form>"``;
* vetoes: a negation in the same clause before the match ("I don't need to talk to anyone",
  "мне не нужен оператор", "不需要人工"), words right after the noun phrase ("agent licence",
  "human resources", "an agent assigned to this lead", "人工智能"), a clause-final verb that
  makes it an admin action ("einen Mitarbeiter hinzufügen", "een agent verwijderen"), and talk
  about the handoff feature itself ("about the escalate to a human feature").

Every language's frames run on every message (customers mix languages); the detected language
labels the verdict and breaks ties in typo repair (``detector.py``). When no frame fires, the
message's embedding may get a second opinion (``similar.py``: a logistic model over the local
embedder's query vectors, fitted by ``switchboard bench fit-handoff``), reported as
``"<lang>:similar"``. Text is normalised once
(``folding.py``), and unknown words one edit away from a key word are repaired before the frames
run (``typos.py``). Chinese has no word boundaries, so its frames carry no ``\\b`` and guard
against compounds (``智能``).
"""

from __future__ import annotations

from switchboard.core.handoff.detector import HandoffIntent, detect_handoff, match_rule, second_opinion
from switchboard.core.handoff.folding import normalize

__all__ = ["HandoffIntent", "detect_handoff", "match_rule", "normalize", "second_opinion"]
