"""Knowledge-base articles: validation, reading JSONL or Markdown, and chunking."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from switchboard.errors import FieldProblem, InvalidInputError, ValidationFailedError

_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")
#: An article is stored as one Firestore document (at most 1 MiB): its text stays well below.
MAX_BODY_CHARS = 200_000
MAX_TITLE_CHARS = 500
MAX_STORED_BYTES = 800_000
_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
MAX_CHUNK_CHARS = 900


@dataclass(frozen=True)
class Article:
    """One knowledge-base article.

    Attributes:
        id: Stable id (letters, digits, ``._:-``; at most 128 characters).
        title: Title shown as the source.
        body: Plain text or Markdown.
        entry_type: Kind of entry (``how_to``, ``faq``, ``policy`` ...).
        url: Optional public link; only http(s) links are kept.
        tags: Optional labels.
    """

    id: str
    title: str
    body: str
    entry_type: str = "article"
    url: str | None = None
    tags: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Chunk:
    """A retrievable piece of an article."""

    id: str
    article_id: str
    title: str
    text: str
    entry_type: str
    url: str | None
    position: int


@dataclass(frozen=True)
class StoredChunk:
    """A chunk with its store key (a hash of its content) and its embedding, if any."""

    key: str
    chunk: Chunk
    vector: Any = None


@dataclass(frozen=True)
class KbRelease:
    """A complete knowledge-base version, ready to publish.

    Attributes:
        articles: ``(key, article)`` for every article of the version.
        chunks: Every chunk, in index order (chunk ids sorted), with its key and vector.
        meta: The packed index's meta, the profile and the counts (stored on the version).
        blobs: The packed index (:mod:`switchboard.knowledge.packed`).
        existing_chunks: Chunk keys the store already holds: neither embedded nor written again.
        existing_articles: Article keys the store already holds.
        base_version: The tenant's version when the import read the store; publishing fails
            if another import published since.
        lease_owner: The import lease the import holds (publishing checks it still does).
    """

    articles: list[tuple[str, Article]]
    chunks: list[StoredChunk]
    meta: dict[str, Any]
    blobs: dict[str, bytes]
    existing_chunks: frozenset[str] = frozenset()
    existing_articles: frozenset[str] = frozenset()
    base_version: int = 0
    lease_owner: str = ""


def article_from_mapping(data: object, where: str = "article") -> Article:
    """Validate one article given as a mapping (a JSONL line or an API body).

    Args:
        data: The decoded object.
        where: A label for error messages (for example ``"line 3"``).

    Raises:
        ValidationFailedError: When fields are missing or of the wrong type.
    """
    if not isinstance(data, dict):
        raise ValidationFailedError([FieldProblem(where, "object_expected")])
    problems: list[FieldProblem] = []
    art_id = data.get("id")
    if not isinstance(art_id, str | int) or not _ID_RE.match(str(art_id)):
        problems.append(FieldProblem(f"{where}.id", "invalid_id"))
    for name, most in (("title", MAX_TITLE_CHARS), ("body", MAX_BODY_CHARS)):
        value = data.get(name)
        if not isinstance(value, str) or not value.strip():
            problems.append(FieldProblem(f"{where}.{name}", "missing_or_empty"))
        elif len(value) > most or len(value.encode("utf-8", "replace")) > MAX_STORED_BYTES:
            problems.append(FieldProblem(f"{where}.{name}", "too_long", f"at most {most} characters"))
    url = data.get("url")
    if url is not None and not (isinstance(url, str) and re.match(r"^https?://\S+$", url)):
        problems.append(FieldProblem(f"{where}.url", "invalid_url"))
    tags = data.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        problems.append(FieldProblem(f"{where}.tags", "list_of_strings_expected"))
    entry_type = data.get("entry_type") or "article"
    if not isinstance(entry_type, str):
        problems.append(FieldProblem(f"{where}.entry_type", "string_expected"))
    if problems:
        raise ValidationFailedError(problems)
    return Article(
        id=str(art_id),
        title=str(data["title"]).strip(),
        body=str(data["body"]).strip(),
        entry_type=str(entry_type),
        url=url,
        tags=tuple(tags),
    )


def articles_from_jsonl(text: str, name: str) -> list[Article]:
    """Articles from JSONL text, one JSON object per line (blank lines skipped).

    Raises:
        InvalidInputError: On a line that is not JSON.
        ValidationFailedError: On a line that is not a valid article.
    """
    articles: list[Article] = []
    # Lines end at "\n" only: JSON strings may hold U+2028/U+2029, which splitlines() would split at.
    for number, line in enumerate(text.removeprefix("\ufeff").split("\n"), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InvalidInputError(f"{name} line {number}: not valid JSON ({exc.msg})") from exc
        articles.append(article_from_mapping(data, f"{name} line {number}" if name else f"line {number}"))
    return articles


def read_jsonl(path: Path) -> list[Article]:
    """Read articles from a JSONL file, one JSON object per line (blank lines skipped).

    Raises:
        InvalidInputError: On a line that is not JSON.
        ValidationFailedError: On a line that is not a valid article, or on duplicate ids.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInputError(f"{path.name}: not UTF-8 text") from exc
    articles = articles_from_jsonl(text, "")
    _check_unique(articles)
    return articles


_FRONT_END = re.compile(r"^---[ \t]*$", re.MULTILINE)


def _front_matter(text: str) -> tuple[dict[str, str], str]:
    if not text.startswith("---\n"):
        return {}, text
    closing = _FRONT_END.search(text, 4)
    if closing is None:
        return {}, text
    end = closing.start() - 1
    meta: dict[str, str] = {}
    for line in text[4:end].splitlines():
        key, sep, value = line.partition(":")
        if sep:
            meta[key.strip().lower()] = value.strip().strip("'\"")
    return meta, text[end + 4 :].lstrip("\n")


def article_from_markdown(text: str, rel: str, where: str) -> Article:
    """One Markdown file as an article.

    The id is the front-matter ``id`` or ``rel`` (the file's path without ``.md``, slashes as
    ``:``); the title is the front-matter ``title`` or the first ``#`` heading.

    Raises:
        ValidationFailedError: When the result is not a valid article.
    """
    meta, body = _front_matter(text.removeprefix("\ufeff").replace("\r\n", "\n"))
    title = meta.get("title", "")
    lines = body.splitlines()
    if not title:
        for index, line in enumerate(lines):
            match = _HEADING.match(line)
            if match and len(match.group(1)) == 1:
                title = match.group(2).strip()
                del lines[index]
                break
    stem = rel.rsplit(":", 1)[-1]
    raw = {
        "id": meta.get("id") or re.sub(r"[^A-Za-z0-9._:-]", "-", rel),
        "title": title or stem.replace("-", " ").replace("_", " "),
        "body": "\n".join(lines),
        "url": meta.get("url") or None,
        "entry_type": meta.get("entry_type") or "article",
        "tags": [t.strip() for t in meta.get("tags", "").split(",") if t.strip()],
    }
    return article_from_mapping(raw, where)


def read_markdown_dir(folder: Path) -> list[Article]:
    """Read every ``*.md`` file under ``folder`` as one article (see :func:`article_from_markdown`)."""
    articles = []
    for path in sorted(folder.rglob("*.md")):
        rel = path.relative_to(folder).with_suffix("").as_posix().replace("/", ":")
        articles.append(article_from_markdown(path.read_text(encoding="utf-8"), rel, path.name))
    _check_unique(articles)
    return articles


def articles_from_files(files: list[tuple[str, str]]) -> list[Article]:
    """Articles from uploaded files ``(name, text)``: ``.jsonl`` files hold many, ``.md`` files one.

    Raises:
        InvalidInputError: A file of another kind, or no article at all.
        ValidationFailedError: An invalid article (its file and line named), or an id twice.
    """
    articles: list[Article] = []
    for name, text in files:
        lower = name.lower()
        if lower.endswith((".jsonl", ".ndjson")):
            articles += articles_from_jsonl(text, name)
        elif lower.endswith((".md", ".markdown")):
            rel = re.sub(r"\.(md|markdown)$", "", name, flags=re.IGNORECASE).replace("/", ":")
            articles.append(article_from_markdown(text, rel, name))
        else:
            raise InvalidInputError(f"{name}: only .jsonl and .md files can be imported")
    if not articles:
        raise InvalidInputError("no articles found in the files")
    _check_unique(articles)
    return articles


def read_articles(path: Path) -> list[Article]:
    """Read a JSONL file or a folder of Markdown files.

    Raises:
        InvalidInputError: When the path is neither, or holds no article.
    """
    if path.is_dir():
        articles = read_markdown_dir(path)
    elif path.is_file():
        articles = read_jsonl(path)
    else:
        raise InvalidInputError(f"{path}: no such file or folder")
    if not articles:
        raise InvalidInputError(f"{path}: no articles found")
    return articles


def _check_unique(articles: list[Article]) -> None:
    seen: set[str] = set()
    dupes = [a.id for a in articles if a.id in seen or seen.add(a.id)]  # type: ignore[func-returns-value]
    if dupes:
        raise ValidationFailedError([FieldProblem(f"id {d}", "duplicate") for d in dupes[:10]])


def _sections(body: str) -> Iterator[tuple[str, str]]:
    heading, buffer = "", list[str]()
    for line in body.splitlines():
        match = _HEADING.match(line)
        if match:
            if "".join(buffer).strip():
                yield heading, "\n".join(buffer).strip()
            heading, buffer = match.group(2).strip(), []
        else:
            buffer.append(line)
    if "".join(buffer).strip():
        yield heading, "\n".join(buffer).strip()


def _split_long(paragraph: str) -> list[str]:
    if len(paragraph) <= MAX_CHUNK_CHARS:
        return [paragraph]
    sentences = re.split(r"(?<=[.!?。])\s+", paragraph)
    out: list[str] = []
    current = ""
    for sentence in sentences:
        if len(sentence) > MAX_CHUNK_CHARS:  # by index: slicing the rest off each time is quadratic
            cut = len(sentence) - len(sentence) % MAX_CHUNK_CHARS or len(sentence) - MAX_CHUNK_CHARS
            out.extend(sentence[i : i + MAX_CHUNK_CHARS] for i in range(0, cut, MAX_CHUNK_CHARS))
            sentence = sentence[cut:]
        if current and len(current) + len(sentence) + 1 > MAX_CHUNK_CHARS:
            out.append(current)
            current = ""
        current = f"{current} {sentence}".strip()
    if current:
        out.append(current)
    return out


def chunk_article(article: Article) -> list[Chunk]:
    """Split an article into chunks of at most about 900 characters along its structure.

    Sections (Markdown headings) are kept apart; paragraphs are packed together up to the size
    limit; each chunk carries its section heading so it reads on its own.
    """
    pieces: list[str] = []
    for heading, text in list(_sections(article.body)) or [("", article.body)]:
        current = ""
        for paragraph in re.split(r"\n\s*\n", text):
            for part in _split_long(paragraph.strip()):
                if current and len(current) + len(part) + 2 > MAX_CHUNK_CHARS:
                    pieces.append(f"{heading}\n{current}".strip())
                    current = ""
                current = f"{current}\n\n{part}".strip()
        if current:
            pieces.append(f"{heading}\n{current}".strip())
    if not pieces:
        pieces = [article.body]
    return [
        Chunk(
            id=f"{article.id}#{i}",
            article_id=article.id,
            title=article.title,
            text=piece,
            entry_type=article.entry_type,
            url=article.url,
            position=i,
        )
        for i, piece in enumerate(pieces)
    ]
