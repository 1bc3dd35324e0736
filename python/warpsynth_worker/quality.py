"""Quality measures of a kernel's Python, read from its syntax tree.

The same code measures generated and extracted records (meta.quality), so that `warpsynth stats
--against` compares like with like. Every measure is about whether the code means something:

- dead assignments: an assignment whose value reaches no output (an array store, an atomic or
  any other call made for its effect, a returned value, a condition), directly or through other
  assignments. Found by iterated liveness: an assignment is dead when its variable is not live
  after it; uses inside dead assignments do not keep anything alive, so chains die together.
- unused kernel arguments and func parameters, funcs that nothing calls;
- builtin calls whose arguments are all constants (`wp.sin(2.0)`), constructors and casts aside;
- conditions on constants only (`if 1.5 > 2.0`, `wp.where(True, a, b)`);
- trivial operations: `x = x`, `x += x`, `a - a`, `a / a`, `wp.where(c, a, a)`;
- whether any stored value depends on a kernel argument (flow-insensitive taint);
- a docstring or comment; the calls of `wp.*` functions by name (for histograms).

Reads only the syntax tree: nothing is imported or run.
"""

from __future__ import annotations

import ast
import io
import tokenize
from collections import Counter

# `wp.X(...)` names that build a value from components or convert a scalar: not computing builtins.
_CONSTRUCTORS = {
    "vec2", "vec3", "vec4", "vec2f", "vec3f", "vec4f", "vec2d", "vec3d", "vec4d", "vec2h", "vec3h", "vec4h",
    "vec2i", "vec3i", "vec4i", "vec2ui", "vec3ui", "vec4ui", "vec2b", "vec3b", "vec4b", "vec2s", "vec3s",
    "vec4s", "vec2l", "vec3l", "vec4l", "vec2ub", "vec3ub", "vec4ub", "vec2us", "vec3us", "vec4us",
    "vec2ul", "vec3ul", "vec4ul", "mat22", "mat33", "mat44", "mat22f", "mat33f", "mat44f", "mat22d",
    "mat33d", "mat44d", "mat22h", "mat33h", "mat44h", "quat", "quatf", "quatd", "quath", "transform",
    "transformf", "transformd", "transformh", "spatial_vector", "spatial_vectorf", "spatial_vectord",
    "spatial_vectorh", "spatial_matrix", "spatial_matrixf", "spatial_matrixd", "spatial_matrixh", "vector",
    "matrix", "quaternion", "transformation", "float16", "float32", "float64", "int8", "int16", "int32",
    "int64", "uint8", "uint16", "uint32", "uint64", "bool", "constant", "identity", "quat_identity",
    "transform_identity", "matrix_from_cols", "matrix_from_rows", "tid",
}
_PYTHON_CASTS = {"float", "int", "bool", "range"}


def _is_wp_attr(node: ast.AST) -> str | None:
    """`wp.X` (or `warp.X`) -> "X"."""
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in ("wp", "warp"):
        return node.attr
    return None


def _is_constant(node: ast.AST) -> bool:
    """A literal, or a constructor, cast, tuple or sign of literals: a value known before the kernel runs."""
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.UnaryOp):
        return _is_constant(node.operand)
    if isinstance(node, (ast.Tuple, ast.List)):
        return all(_is_constant(e) for e in node.elts)
    if isinstance(node, ast.Call):
        name = _is_wp_attr(node.func) or (node.func.id if isinstance(node.func, ast.Name) else None)
        if name in _CONSTRUCTORS or name in _PYTHON_CASTS:
            return all(_is_constant(a) for a in node.args) and all(_is_constant(k.value) for k in node.keywords)
    return False


def _names_read(node: ast.AST | None) -> set[str]:
    if node is None:
        return set()
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def _root_name(node: ast.AST) -> str | None:
    while isinstance(node, (ast.Subscript, ast.Attribute)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _decorator_names(fn: ast.FunctionDef) -> list[str]:
    names = []
    for d in fn.decorator_list:
        target = d.func if isinstance(d, ast.Call) else d
        names.append(_is_wp_attr(target) or (target.id if isinstance(target, ast.Name) else ""))
    return names


def _array_params(fn: ast.FunctionDef) -> set[str]:
    """Parameters annotated as arrays (wp.array, wp.array2d, wp.indexedarray, ...): stores into them are outputs."""
    out = set()
    for a in fn.args.args:
        text = ast.unparse(a.annotation) if a.annotation is not None else ""
        if "array" in text or "Array" in text:
            out.add(a.arg)
    return out


class _Liveness:
    """Backward liveness over one function's statements, with a set of assignments already known dead
    (their reads keep nothing alive). `dead` collects the assignments found dead in this pass."""

    def __init__(self, outputs: set[str], known_dead: set[int]):
        self.outputs = outputs  # names whose element/field stores are outputs (array parameters)
        self.known_dead = known_dead
        self.dead: set[int] = set()
        self.loops: list[tuple[set[str], set[str]]] = []  # (live after the loop, live at the loop's head)
        self.locals: set[str] = set()  # names assigned in the function or its parameters, outputs aside

    def block(self, stmts: list[ast.stmt], live: set[str]) -> set[str]:
        for s in reversed(stmts):
            live = self.stmt(s, live)
        return live

    def _def(self, node: ast.stmt, targets: list[str], reads: set[str], live: set[str], also_reads_target: bool) -> set[str]:
        if not any(t in live for t in targets):
            self.dead.add(id(node))
            return live
        if id(node) in self.known_dead:
            return live
        out = set(live) - (set() if also_reads_target else set(targets))
        return out | reads

    def stmt(self, s: ast.stmt, live: set[str]) -> set[str]:
        if isinstance(s, (ast.Assign, ast.AnnAssign)):
            targets = s.targets if isinstance(s, ast.Assign) else [s.target]
            value = s.value
            if value is None:
                return live
            names: list[str] = []
            for t in targets:
                if isinstance(t, ast.Name):
                    names.append(t.id)
                elif isinstance(t, (ast.Tuple, ast.List)) and all(isinstance(e, ast.Name) for e in t.elts):
                    names.extend(e.id for e in t.elts)
                else:
                    root = _root_name(t)
                    if root is None or root in self.outputs or root not in self.locals:
                        # a store to an array, a struct's array field, a global: an output
                        return live | _names_read(value) | _names_read(t)
                    # `v[0] = x` updates the local v: it reads v too
                    value_reads = _names_read(value) | _names_read(t)
                    return self._def(s, [root], value_reads, live, also_reads_target=True)
            return self._def(s, names, _names_read(value), live, also_reads_target=False)
        if isinstance(s, ast.AugAssign):
            t = s.target
            if isinstance(t, ast.Name):
                return self._def(s, [t.id], _names_read(s.value) | {t.id}, live, also_reads_target=True)
            root = _root_name(t)
            if root is None or root in self.outputs or root not in self.locals:
                return live | _names_read(s.value) | _names_read(t)
            return self._def(s, [root], _names_read(s.value) | _names_read(t), live, also_reads_target=True)
        if isinstance(s, ast.Expr):
            return live | _names_read(s.value)  # a call made for its effect: everything it reads is used
        if isinstance(s, ast.Return):
            return _names_read(s.value)
        if isinstance(s, ast.If):
            body = self.block(s.body, set(live))
            orelse = self.block(s.orelse, set(live))
            return body | orelse | _names_read(s.test)
        if isinstance(s, (ast.For, ast.While)):
            head_reads = _names_read(s.test) if isinstance(s, ast.While) else _names_read(s.iter)
            loop_var = {s.target.id} if isinstance(s, ast.For) and isinstance(s.target, ast.Name) else set()
            head = set(live) | head_reads
            # Iterate the body until what is live at the loop's head stops growing.
            dead_before = set(self.dead)
            for _ in range(8):
                self.dead = set(dead_before)
                self.loops.append((set(live), head))
                inside = self.block(s.body, set(head))
                self.loops.pop()
                new_head = set(live) | head_reads | (inside - loop_var)
                if new_head == head:
                    break
                head = new_head
            orelse = self.block(s.orelse, set(live)) if s.orelse else set()
            return head | orelse
        if isinstance(s, ast.Break):
            return set(self.loops[-1][0]) if self.loops else set(live)
        if isinstance(s, ast.Continue):
            return set(self.loops[-1][1]) if self.loops else set(live)
        if isinstance(s, ast.With):
            return self.block(s.body, live) | set().union(*(_names_read(i.context_expr) for i in s.items))
        # anything else (pass, assert, nested defs...): keep what it reads
        return live | _names_read(s)


def _assignments(fn: ast.FunctionDef) -> list[ast.stmt]:
    return [
        n for n in ast.walk(fn)
        if (isinstance(n, ast.Assign) or (isinstance(n, ast.AnnAssign) and n.value is not None) or isinstance(n, ast.AugAssign))
    ]


def dead_assignments(fn: ast.FunctionDef, outputs: set[str]) -> tuple[int, int]:
    """(assignments, dead ones) of one function."""
    params = {a.arg for a in fn.args.args}
    assigned: set[str] = set()
    for n in _assignments(fn):
        targets = n.targets if isinstance(n, ast.Assign) else [n.target]
        for t in targets:
            for e in (t.elts if isinstance(t, (ast.Tuple, ast.List)) else [t]):
                if isinstance(e, ast.Name):
                    assigned.add(e.id)
    known_dead: set[int] = set()
    for _ in range(64):  # chains die one link per pass
        analysis = _Liveness(outputs, known_dead)
        analysis.locals = (assigned | params) - outputs
        analysis.block(fn.body, set())
        if analysis.dead <= known_dead:
            break
        known_dead |= analysis.dead
    # Only assignments to variables count (an output store is never dead).
    local_names = (assigned | params) - outputs

    def to_local(n: ast.stmt) -> bool:
        targets = n.targets if isinstance(n, ast.Assign) else [n.target]
        return all(
            _root_name(e) in local_names for t in targets for e in (t.elts if isinstance(t, (ast.Tuple, ast.List)) else [t])
        )

    counted = [n for n in _assignments(fn) if to_local(n)]
    return len(counted), sum(1 for n in counted if id(n) in known_dead)


def _trivial_ops(fn: ast.AST) -> int:
    count = 0
    for n in ast.walk(fn):
        if isinstance(n, ast.Assign) and len(n.targets) == 1 and ast.dump(n.targets[0]) == ast.dump(n.value):
            count += 1
        elif isinstance(n, ast.AugAssign) and isinstance(n.op, (ast.Add, ast.Sub, ast.Div, ast.FloorDiv, ast.Mod)):
            if isinstance(n.target, ast.Name) and isinstance(n.value, ast.Name) and n.target.id == n.value.id:
                count += 1
        elif isinstance(n, ast.BinOp) and isinstance(n.op, (ast.Sub, ast.Div, ast.FloorDiv, ast.Mod, ast.BitXor)):
            if ast.dump(n.left) == ast.dump(n.right):
                count += 1
        elif isinstance(n, ast.IfExp) and ast.dump(n.body) == ast.dump(n.orelse):
            count += 1
        elif isinstance(n, ast.Call):
            name = _is_wp_attr(n.func)
            if name == "where" and len(n.args) == 3 and ast.dump(n.args[1]) == ast.dump(n.args[2]):
                count += 1
            elif name in ("sub", "div", "mod") and len(n.args) == 2 and ast.dump(n.args[0]) == ast.dump(n.args[1]):
                count += 1
    return count


def _conditions(fn: ast.AST) -> tuple[int, int]:
    tests = []
    for n in ast.walk(fn):
        if isinstance(n, (ast.If, ast.While, ast.IfExp)):
            tests.append(n.test)
        elif isinstance(n, ast.Call) and _is_wp_attr(n.func) in ("where", "select") and n.args:
            tests.append(n.args[0])
    def constant(t: ast.expr) -> bool:
        if isinstance(t, ast.Constant) and t.value is True:
            return False  # `while True:` with a break inside is an idiom, not a constant test
        return not _names_read(t) and not any(isinstance(x, ast.Call) for x in ast.walk(t) if not _is_constant(x))

    literal = sum(1 for t in tests if constant(t))
    return len(tests), literal


def _calls(fn: ast.AST) -> tuple[Counter, int, int]:
    """(wp.* calls by name, computing builtin calls with arguments, of which on constants only)."""
    names: Counter = Counter()
    computing = literal_only = 0
    body = fn.body if isinstance(fn, ast.FunctionDef) else [fn]  # not the annotations
    for n in (x for stmt in body for x in ast.walk(stmt)):
        if not isinstance(n, ast.Call):
            continue
        name = _is_wp_attr(n.func)
        if name is None:
            continue
        names[name] += 1
        args = list(n.args) + [k.value for k in n.keywords]
        if name in _CONSTRUCTORS or not args:
            continue
        computing += 1
        if all(_is_constant(a) for a in args):
            literal_only += 1
    return names, computing, literal_only


def _taint_reaches_store(fn: ast.FunctionDef) -> bool:
    """Does a value stored into an array (or passed to a call made for its effect) depend on an argument,
    through data (`y[i] = 2.0 * x[i]`) or control (`if x[i] > 0.0: count += 1`, then `y[i] = count`)?"""
    tainted = {a.arg for a in fn.args.args}
    outputs = _array_params(fn) | _struct_params(fn)
    stores_tainted = False

    def targets_of(n: ast.stmt) -> list[str]:
        if isinstance(n, ast.For):
            ts = [n.target]
        else:
            ts = n.targets if isinstance(n, ast.Assign) else [n.target]
        return [r for t in ts for e in (t.elts if isinstance(t, (ast.Tuple, ast.List)) else [t]) if (r := _root_name(e))]

    def walk(stmts: list[ast.stmt], control: bool) -> bool:
        nonlocal stores_tainted
        changed = False
        for n in stmts:
            if isinstance(n, (ast.Assign, ast.AugAssign, ast.AnnAssign)) and n.value is not None:
                value_reads = _names_read(n.value)
                target_reads = (
                    set().union(*(_names_read(t) for t in n.targets)) if isinstance(n, ast.Assign) else _names_read(n.target)
                )
                for root in targets_of(n):
                    if root in outputs:  # what is stored, or where (`bins[b] += 1`), depends on an argument
                        stores_tainted = stores_tainted or control or bool((value_reads | target_reads - {root}) & tainted)
                    elif root not in tainted and (control or (value_reads | target_reads) & tainted):
                        tainted.add(root)
                        changed = True
            elif isinstance(n, ast.Expr) and isinstance(n.value, ast.Call):
                # wp.atomic_add(arr, i, value), wp.tile_store(arr, tile), helper(out, ...): what goes in besides the target
                call = n.value
                if control or any(_names_read(a) & tainted for a in call.args[1:]) or any(
                    _names_read(k.value) & tainted for k in call.keywords
                ):
                    stores_tainted = True
                # a builtin with an output argument (wp.bvh_query_next(query, index)) writes its arguments
                if any(_names_read(a) & tainted for a in call.args):
                    for a in call.args:
                        if isinstance(a, ast.Name) and a.id not in tainted and a.id not in outputs:
                            tainted.add(a.id)
                            changed = True
            elif isinstance(n, (ast.If, ast.While)):
                inner = control or bool(_names_read(n.test) & tainted)
                if isinstance(n, ast.While):
                    for call in (c for c in ast.walk(n.test) if isinstance(c, ast.Call)):
                        if any(_names_read(a) & tainted for a in call.args):
                            for a in call.args:
                                if isinstance(a, ast.Name) and a.id not in tainted:
                                    tainted.add(a.id)
                                    changed = True
                changed |= walk(n.body, inner)
                changed |= walk(n.orelse, inner)
            elif isinstance(n, ast.For):
                inner = control or bool(_names_read(n.iter) & tainted)
                if inner:
                    for root in targets_of(n):
                        if root not in tainted:
                            tainted.add(root)
                            changed = True
                changed |= walk(n.body, inner)
                changed |= walk(n.orelse, inner)
            elif isinstance(n, ast.With):
                changed |= walk(n.body, control)
        return changed

    for _ in range(64):
        if not walk(fn.body, False):
            break
    return stores_tainted


def _struct_params(fn: ast.FunctionDef) -> set[str]:
    out = set()
    for a in fn.args.args:
        ann = a.annotation
        if isinstance(ann, ast.Name):  # a struct type (scalars are wp.* or float/int)
            if ann.id not in ("float", "int", "bool"):
                out.add(a.arg)
    return out


def _has_comment(source: str, fn: ast.FunctionDef, funcs: list[ast.FunctionDef]) -> bool:
    if ast.get_docstring(fn):
        return True
    first = min([d.lineno for d in fn.decorator_list] + [fn.lineno]) - 1  # the line just above counts
    last = fn.end_lineno or fn.lineno
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type == tokenize.COMMENT and first <= tok.start[0] <= last:
                return True
    except (tokenize.TokenError, IndentationError):
        pass
    return False


def _unused_params(fn: ast.FunctionDef) -> tuple[int, int]:
    read: set[str] = set()
    for stmt in fn.body:
        read |= _names_read(stmt)
    params = [a.arg for a in fn.args.args]
    return len(params), sum(1 for p in params if p not in read)


def measure(source: str, kernel_name: str) -> dict:
    """The quality measures of kernel `kernel_name` (a function's name in `source`) and the @wp.func
    helpers of the source; raises ValueError when the kernel is not there."""
    tree = ast.parse(source)
    functions = {n.name: n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
    short = kernel_name.rsplit(".", 1)[-1]
    kernel = functions.get(short)
    if kernel is None:
        # a kernel registered under another key (a factory's inner function): the only kernel there is
        kernels = [f for f in functions.values() if "kernel" in _decorator_names(f)]
        if len(kernels) != 1:
            raise ValueError(f"kernel {kernel_name} not found in its source")
        kernel = kernels[0]
    # every @wp.func definition: overloads share a name, so not from the dict
    helpers = [
        f for f in ast.walk(tree)
        if isinstance(f, ast.FunctionDef) and f is not kernel and "func" in _decorator_names(f)
    ]
    helper_names = {f.name for f in helpers}

    # Which helpers are reachable from the kernel through calls by name.
    called: set[str] = set()
    frontier = [kernel]
    while frontier:
        fn = frontier.pop()
        for n in ast.walk(fn):
            # a call, or the func passed as a value (wp.tile_map(f, a), wp.grad(f)(x))
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load) and n.id in helper_names and n.id not in called:
                called.add(n.id)
                frontier.extend(f for f in helpers if f.name == n.id)

    assignments = dead = trivial = conditions = literal_conditions = computing = literal_only = 0
    calls: Counter = Counter()
    func_params = unused_func_params = 0
    for fn in [kernel, *helpers]:
        a, d = dead_assignments(fn, _array_params(fn) | (_struct_params(fn) if fn is kernel else set()))
        assignments += a
        dead += d
        trivial += _trivial_ops(fn)
        c, lc = _conditions(fn)
        conditions += c
        literal_conditions += lc
        names, comp, lit = _calls(fn)
        calls.update(names)
        computing += comp
        literal_only += lit
        if fn is not kernel:
            p, u = _unused_params(fn)
            func_params += p
            unused_func_params += u
    args, unused_args = _unused_params(kernel)
    return {
        "assignments": assignments,
        "dead_assignments": dead,
        "args": args,
        "unused_args": unused_args,
        "funcs": len(helpers),
        "uncalled_funcs": sum(1 for f in helpers if f.name not in called),
        "func_params": func_params,
        "unused_func_params": unused_func_params,
        "builtin_calls": computing,
        "literal_only_calls": literal_only,
        "conditions": conditions,
        "literal_conditions": literal_conditions,
        "trivial_ops": trivial,
        "stores_depend_on_args": _taint_reaches_store(kernel),
        "docstring_or_comment": _has_comment(source, kernel, helpers),
        "calls": dict(sorted(calls.items())),
    }
