"""Which cells of a lesson compute their output from an exercise's solution: the website (collapse_site.py) shows
those outputs only inside that solution's toggle, since they print or draw the answer (lesson 08's check names the
student's policy, and its figure's legend too).

Read from the code, never marked by hand: a name is *from* a solution when the solution's region (between nbgrader's
``BEGIN SOLUTION`` and ``END SOLUTION``) binds it, or when a statement that reads such a name binds it (``mine =
bundle.evidence(my_policy, ...)``), cell after cell in the lesson's order; rebinding a name from other names frees it.
A cell other than the exercise's own depends on a solution when one of its statements reads a name from it. Inside a
compound statement (``if``, ``for``, ``try``, ``with``) a binding only adds, since it may not run; a method call
with such a name among its arguments (``rows.append(report)``) makes its object one too.
"""

from __future__ import annotations

import ast

SOLUTION_DELIMITERS = ("BEGIN SOLUTION", "END SOLUTION")  # nbgrader's (nbgrader_config.py keeps them)
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp,
           ast.GeneratorExp)
_COMPOUND = tuple(getattr(ast, name) for name in ("If", "While", "For", "AsyncFor", "Try", "TryStar", "With",
                                                   "AsyncWith", "Match") if hasattr(ast, name))


def parse_cell(source: str) -> ast.Module:
    """A code cell's source as Python (IPython's magics, ``%pip ...``, become the calls they stand for)."""
    from IPython.core.inputtransformer2 import TransformerManager  # Jupyter's own: the kernel runs it the same way

    return ast.parse(TransformerManager().transform_cell(source))


def solution_lines(source: str) -> set[int]:
    """The line numbers (from 1) of ``source`` inside a solution region."""
    inside, lines = False, set()
    for number, line in enumerate(source.split("\n"), 1):
        if SOLUTION_DELIMITERS[0] in line:
            inside = True
        elif SOLUTION_DELIMITERS[1] in line:
            inside = False
        elif inside:
            lines.add(number)
    return lines


def _bound(node: ast.AST) -> set[str]:
    """The names ``node`` binds in the cell's scope (not the locals of a function, class or comprehension)."""
    names = set()
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {node.name}
    if isinstance(node, _SCOPES):
        return names
    if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
        names.add(node.id)
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
    for child in ast.iter_child_nodes(node):
        names |= _bound(child)
    return names


class _Flow:
    """The names from a solution, {name: the grade_ids of the solutions it comes from}, statement by statement."""

    def __init__(self):
        self.names: dict[str, set[str]] = {}

    def sources(self, node: ast.AST) -> set[str]:
        found = set()
        for child in ast.walk(node):
            if isinstance(child, ast.Name) and isinstance(child.ctx, ast.Load):
                found |= self.names.get(child.id, set())
        return found

    def bind(self, names: set[str], sources: set[str], nested: bool) -> None:
        for name in names:
            if sources:
                self.names[name] = (self.names.get(name, set()) if nested else set()) | sources
            elif not nested:
                self.names.pop(name, None)

    def run(self, statements: list[ast.stmt], region: set[int], grade_id: str, context: frozenset = frozenset(),
            nested: bool = False) -> set[str]:
        """Follow ``statements`` (``region``: the solution's lines, of the exercise ``grade_id``); return the
        grade_ids of the solutions they read outside the region."""
        read = set()
        for statement in statements:
            if isinstance(statement, _COMPOUND):
                headers = [getattr(statement, field) for field in ("test", "iter", "subject")
                           if getattr(statement, field, None) is not None]
                headers += [item.context_expr for item in getattr(statement, "items", [])]
                here = set(context).union(*(self.sources(header) for header in headers))
                if any(getattr(header, "lineno", 0) in region for header in headers):
                    here.add(grade_id)
                else:
                    read |= here - context
                targets = [getattr(statement, "target", None)] + [item.optional_vars for item in
                                                                  getattr(statement, "items", [])]
                self.bind(set().union(*(_bound(target) for target in targets if target is not None)), here, True)
                bodies = [getattr(statement, field, []) for field in ("body", "orelse", "finalbody")]
                bodies += [handler.body for handler in getattr(statement, "handlers", [])]
                bodies += [case.body for case in getattr(statement, "cases", [])]
                for _ in range(2 if isinstance(statement, (ast.For, ast.AsyncFor, ast.While)) else 1):  # loops
                    for body in bodies:
                        read |= self.run(body, region, grade_id, frozenset(here), nested=True)
                continue
            here = set(context) | self.sources(statement)
            lines = set(range(statement.lineno, (statement.end_lineno or statement.lineno) + 1))
            if lines & region:
                here.add(grade_id)
            else:
                read |= here
            call = statement.value if isinstance(statement, ast.Expr) else None
            if (here and isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
                    and isinstance(call.func.value, ast.Name)):
                self.bind({call.func.value.id}, here, True)  # rows.append(report): rows holds it now
            self.bind(_bound(statement), here, nested)
        return read


def solution_dependents(lesson: dict) -> dict[int, str]:
    """{index of a code cell: the grade_id of the solution its output comes from} for every cell of ``lesson`` (a
    notebook's JSON) that reads a name from an exercise's solution, the exercise's own cell excepted. A cell that
    reads from several solutions is given the last of them."""
    flow, dependents, order = _Flow(), {}, {}
    for index, cell in enumerate(lesson.get("cells", [])):
        if cell.get("cell_type") != "code":
            continue
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        grader = (cell.get("metadata") or {}).get("nbgrader") or {}
        grade_id = grader.get("grade_id") or f"cell {index}"
        is_solution = bool(grader.get("solution"))
        if is_solution:
            order[grade_id] = index
        region = (solution_lines(source) or set(range(1, source.count("\n") + 2))) if is_solution else set()
        read = flow.run(parse_cell(source).body, region, grade_id)  # a solution without delimiters: the whole cell
        if read and not is_solution:
            dependents[index] = max(read, key=lambda name: order.get(name, -1))
    return dependents
