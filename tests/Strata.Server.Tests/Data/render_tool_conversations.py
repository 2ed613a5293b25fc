"""Renders tool_conversations.json's conversation through real chat templates with Python Jinja2, configured as
Hugging Face transformers renders chat templates (sandboxed, trim_blocks, lstrip_blocks, loopcontrols, a tojson
that keeps non-ASCII), and writes tool_conversations.expected.json. Run from this folder:
    python3 render_tool_conversations.py
The conversation is in OpenAI's shape (tool call arguments as JSON text); like the server, it passes the
arguments to the template as objects, which is what Hugging Face's templates expect."""
import json
from pathlib import Path

import jinja2
from jinja2.ext import loopcontrols
from jinja2.sandbox import ImmutableSandboxedEnvironment

TEMPLATES = [
    "NousResearch-Hermes-2-Pro-Llama-3-8B-tool_use",
    "NousResearch-Hermes-3-Llama-3.1-8B-tool_use",
    "Qwen-Qwen2.5-7B-Instruct",
    "meta-llama-Llama-3.1-8B-Instruct",
]


def raise_exception(message):
    raise jinja2.exceptions.TemplateError(message)


def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
    return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)


def render(source, messages, tools):
    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[loopcontrols])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    return env.from_string(source).render(messages=messages, tools=tools, add_generation_prompt=True,
                                          bos_token="<s>", eos_token="</s>")


def hugging_face_shape(messages):
    shaped = json.loads(json.dumps(messages))
    for message in shaped:
        for call in message.get("tool_calls") or []:
            call["function"]["arguments"] = json.loads(call["function"]["arguments"])
    return shaped


def main():
    here = Path(__file__).parent
    conversation = json.loads((here / "tool_conversations.json").read_text())
    templates_dir = here.parents[3] / "shared" / "chat-templates"
    expected = {}
    for name in TEMPLATES:
        source = (templates_dir / f"{name}.jinja").read_text()
        expected[name] = render(source, hugging_face_shape(conversation["messages"]), conversation["tools"])
    (here / "tool_conversations.expected.json").write_text(json.dumps(expected, ensure_ascii=False, indent=1) + "\n")


if __name__ == "__main__":
    main()
