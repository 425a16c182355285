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
