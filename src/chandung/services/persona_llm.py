"""The optional language model that rephrases persona summaries (off by default).

It calls an OpenAI-compatible chat endpoint the user configures (``[personas] llm_url``,
usually a model served inside the business), with the API key read from the environment
variable ``llm_api_key_env`` (never stored). Each answer passes the guard of
:mod:`chandung.personas.rephrase` or is dropped; a failed call leaves the template's text.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from typing import Any

from ..config import PersonaSettings
from ..personas.rephrase import facts_preserved

_TIMEOUT_SECONDS = 30
_PROMPT = {
    "vi": "Viết lại câu sau cho tự nhiên, sinh động, bằng tiếng Việt. Giữ nguyên mọi con số, "
    "tên riêng và sự thật; không thêm thông tin nào. Chỉ trả về câu đã viết lại.",
    "en": "Rewrite the following sentence so it reads naturally and vividly, in English. Keep "
    "every number, name and fact; add no information. Return only the rewritten sentence.",
}


def _ask(settings: PersonaSettings, text: str, language: str) -> str | None:
    body = {
        "model": settings.llm_model,
        "temperature": 0.3,
        "messages": [
            {"role": "system", "content": _PROMPT.get(language, _PROMPT["en"])},
            {"role": "user", "content": text},
        ],
    }
    headers = {"Content-Type": "application/json"}
    key = os.environ.get(settings.llm_api_key_env, "")
    if key:
        headers["Authorization"] = f"Bearer {key}"
    request = urllib.request.Request(  # noqa: S310 - the user's own configured endpoint
        settings.llm_url, data=json.dumps(body).encode("utf-8"), headers=headers, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=_TIMEOUT_SECONDS) as response:  # noqa: S310
            answer: Any = json.loads(response.read().decode("utf-8"))
        content = answer["choices"][0]["message"]["content"]
    except (urllib.error.URLError, TimeoutError, ValueError, KeyError, IndexError, TypeError):
        return None
    return content.strip() if isinstance(content, str) else None


def rephrase(
    settings: PersonaSettings, text: str, language: str, allowed_words: list[str]
) -> str | None:
    """A rephrasing of ``text`` that keeps its facts, or ``None`` (off, failed or refused)."""
    if not settings.llm_url:
        return None
    candidate = _ask(settings, text, language)
    if candidate is None or not facts_preserved(text, candidate, allowed_words):
        return None
    return candidate
