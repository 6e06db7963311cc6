"""Textual's `@work` names each worker after its call, with `repr()` of every argument,
unless the decorator is given a `description`. A worker handed 100,000 results (or a pasted
text, or a list of IDs) spent 0.4 s of the event loop on that repr before doing anything, at
the very moment the results were first shown. So every `@work` method of the app that takes
arguments says what it does itself."""

from __future__ import annotations

import ast
from pathlib import Path

from textual import work
from textual.app import App
from textual.widget import Widget
from textual.worker import Worker

TUI = Path(__file__).resolve().parents[2] / "geelark_tui" / "tui"


class Counted:
    reprs = 0

    def __repr__(self) -> str:
        Counted.reprs += 1
        return "Counted()"


async def test_textual_reprs_a_workers_arguments_unless_it_has_a_description() -> None:
    """Why the rule below exists (if Textual stops doing this, the rule can go)."""

    class Probe(Widget):
        @work(exit_on_error=False)
        async def plain(self, value: object) -> None:
            pass

        @work(exit_on_error=False, description="described")
        async def described(self, value: object) -> None:
            pass

    Counted.reprs = 0
    app = App()
    async with app.run_test():
        probe = Probe()
        await app.mount(probe)
        worker: Worker[None] = probe.plain(Counted())
        assert Counted.reprs == 1 and "Counted()" in worker.description
        await worker.wait()
        worker = probe.described(Counted())
        assert Counted.reprs == 1 and worker.description == "described"
        await worker.wait()


def work_methods_without_description() -> list[str]:
    missing = []
    for path in sorted(TUI.rglob("*.py")):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            args = node.args
            takes_arguments = (len(args.posonlyargs) + len(args.args) > 1 or args.vararg
                               or args.kwonlyargs or args.kwarg)
            for decorator in node.decorator_list:
                call = decorator if isinstance(decorator, ast.Call) else None
                name = ast.unparse(call.func if call else decorator)
                if name != "work" or not takes_arguments:
                    continue
                if call is None or not any(k.arg == "description" for k in call.keywords):
                    missing.append(f"{path.relative_to(TUI)}:{node.lineno} {node.name}")
    return missing


def test_every_worker_that_takes_arguments_has_a_description() -> None:
    assert work_methods_without_description() == []
