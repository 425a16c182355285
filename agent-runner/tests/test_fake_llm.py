"""The fake-LLM stand-in's own script language (its behaviour over HTTP is covered by test_agent_loop)."""

from __future__ import annotations

from fake_llm import ANSWER_PREFIX, Conversation, decide, parse_directives


def test_directives_are_parsed_and_removed() -> None:
    calls, delay, text = parse_directives('Save it [fake:tool=write_file {"file_path": "/a", "content": "x]y"}] now [fake:delay=1.5]')
    assert [(c.name, c.args) for c in calls] == [("write_file", {"file_path": "/a", "content": "x]y"})]
    assert delay == 1.5
    assert text == "Save it now"


def test_tool_calls_play_in_order_then_the_last_result_is_the_answer() -> None:
    prompt = '[fake:tool=ls {"path": "/"}][fake:tool=read_file {"file_path": "/a"}]'
    first, _ = decide(Conversation(prompt, []))
    second, _ = decide(Conversation(prompt, ["a b"]))
    final, _ = decide(Conversation(prompt, ["a b", "contents"]))
    assert first.tool_call is not None and first.tool_call.name == "ls"
    assert second.tool_call is not None and second.tool_call.name == "read_file"
    assert final.tool_call is None and final.text == ANSWER_PREFIX + "contents"


def test_only_the_latest_user_turn_scripts_the_answer() -> None:
    from fake_llm import anthropic_conversation, openai_conversation

    old = '[fake:tool=ls {"path": "/"}]'
    anthropic = anthropic_conversation(
        {"messages": [{"role": "user", "content": old}, {"role": "assistant", "content": "done"}, {"role": "user", "content": [{"type": "text", "text": "again?"}]}]}
    )
    openai = openai_conversation({"messages": [{"role": "user", "content": old}, {"role": "tool", "content": "x"}, {"role": "user", "content": "again?"}]})
    assert (anthropic.prompt, anthropic.tool_results) == ("again?", [])
    assert (openai.prompt, openai.tool_results) == ("again?", [])


def test_without_directives_the_prompt_is_echoed() -> None:
    reply, delay = decide(Conversation("What is 2+2?", []))
    assert (reply.text, reply.tool_call, delay) == (ANSWER_PREFIX + "What is 2+2?", None, 0.0)


def test_failure_directives_fail_all_or_the_first_n_requests() -> None:
    from fake_llm import FakeLlmServer, failure_directive

    assert failure_directive("hi [fake:fail=401]") == (401, None)
    assert failure_directive("hi [fake:fail=503*2]") == (503, 2)
    assert parse_directives("hi [fake:fail=503*2]")[2] == "hi"
    with FakeLlmServer() as server:
        assert [server.scripted_failure("x [fake:fail=503*2]") for _ in range(3)] == [True, True, False]
        assert all(server.scripted_failure("y [fake:fail=400]") for _ in range(3))
        assert not server.scripted_failure("no directive")


def test_a_tool_call_longer_than_the_output_limit_is_cut_as_the_apis_cut_it() -> None:
    from fake_llm import Reply, ToolCall, anthropic_response, cut_at_limit, openai_response

    call = Reply(tool_call=ToolCall("write_file", {"file_path": "/a.txt", "content": "z" * 400}))
    assert cut_at_limit(call, 1000) is call
    cut = cut_at_limit(call, 20)  # 80 characters of JSON
    assert cut.cut and cut.tool_call is not None
    assert cut.tool_call.args["file_path"] == "/a.txt" and 0 < len(cut.tool_call.args["content"]) < 80
    anthropic = anthropic_response({"model": "m", "max_tokens": 20}, cut)
    assert (anthropic["stop_reason"], anthropic["usage"]["output_tokens"]) == ("max_tokens", 20)
    assert anthropic["content"][0]["type"] == "tool_use" and anthropic["content"][0]["input"] == cut.tool_call.args
    openai = openai_response({"model": "m", "max_tokens": 20}, cut)["choices"][0]
    assert openai["finish_reason"] == "length" and len(openai["message"]["tool_calls"][0]["function"]["arguments"]) == 80


def test_ollama_answers_for_the_models_it_has_pulled_only() -> None:
    import json
    import urllib.error
    import urllib.request

    from fake_llm import FakeLlmServer

    with FakeLlmServer(ollama_models=("llama3.2:latest",)) as server:
        tags = json.loads(urllib.request.urlopen(server.url + "/api/tags").read())
        assert [m["name"] for m in tags["models"]] == ["llama3.2:latest"]
        request = urllib.request.Request(server.url + "/api/chat", data=json.dumps({"model": "qwen3", "messages": []}).encode())
        try:
            urllib.request.urlopen(request)
            raise AssertionError("the chat was answered")
        except urllib.error.HTTPError as error:
            assert (error.code, json.loads(error.read())) == (404, {"error": 'model "qwen3" not found, try pulling it first'})
