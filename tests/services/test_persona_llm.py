"""The optional rephrasing model: off by default, and refused when it changes a fact."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from chandung.config import PersonaSettings
from chandung.services.persona_llm import rephrase

ORIGINAL = "Women, aged 25-34; in Hồ Chí Minh City; buys mostly on Shopee; 92% repeat."


class _Model(BaseHTTPRequestHandler):
    answer = ""
    seen: ClassVar[list[dict[str, object]]] = []

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        _Model.seen.append(
            {"body": json.loads(self.rfile.read(length)), "auth": self.headers["Authorization"]}
        )
        payload = json.dumps({"choices": [{"message": {"content": _Model.answer}}]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def model_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Model)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1/chat/completions"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_off_by_default() -> None:
    assert PersonaSettings().llm_url == ""
    assert rephrase(PersonaSettings(), ORIGINAL, "en", []) is None


def test_a_faithful_rephrasing_is_kept(model_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHANDUNG_LLM_API_KEY", "secret")
    _Model.answer = "Women of 25-34 in Hồ Chí Minh City who shop on Shopee; 92% come back."
    settings = PersonaSettings(llm_url=model_url, llm_model="local")
    assert rephrase(settings, ORIGINAL, "en", []) == _Model.answer
    sent = _Model.seen[-1]
    assert sent["auth"] == "Bearer secret"
    assert ORIGINAL in json.dumps(sent["body"], ensure_ascii=False)


@pytest.mark.parametrize(
    "answer",
    [
        "Women of 25-34 in Hồ Chí Minh City on Shopee; 95% come back.",  # a changed number
        "Women of 25-34 in Hồ Chí Minh City on Shopee and Lazada; 92% come back.",  # a new name
        "Women of 25-34 in Hồ Chí Minh City on Shopee; 92% come back, earning 20 million.",
        "",
    ],
)
def test_a_rephrasing_that_changes_facts_is_refused(model_url: str, answer: str) -> None:
    _Model.answer = answer
    settings = PersonaSettings(llm_url=model_url, llm_model="local")
    assert rephrase(settings, ORIGINAL, "en", []) is None


def test_an_unreachable_model_leaves_the_template() -> None:
    settings = PersonaSettings(llm_url="http://127.0.0.1:9/v1/chat/completions")
    assert rephrase(settings, ORIGINAL, "en", []) is None
