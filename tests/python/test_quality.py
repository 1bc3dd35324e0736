"""The quality measures (meta.quality) on hand-written kernels with known answers."""

import textwrap

import pytest

from warpsynth_worker import quality


def measure(body: str, kernel: str = "k") -> dict:
    return quality.measure("import warp as wp\n\n" + textwrap.dedent(body), kernel)


CLEAN = """
@wp.func
def scale(x: float, s: float) -> float:
    return x * s


@wp.kernel
def k(x: wp.array(dtype=float), s: float, y: wp.array(dtype=float)):
    i = wp.tid()
    v = x[i]
    acc = float(0.0)
    for j in range(4):
        acc += scale(v, s)
    if acc > 1.0:
        acc = wp.sqrt(acc)
    y[i] = acc
"""


def test_a_clean_kernel_scores_zero():
    q = measure(CLEAN)
    assert q["dead_assignments"] == 0
    assert q["unused_args"] == 0 and q["unused_func_params"] == 0 and q["uncalled_funcs"] == 0
    assert q["literal_only_calls"] == 0 and q["literal_conditions"] == 0 and q["trivial_ops"] == 0
    assert q["stores_depend_on_args"] is True
    assert q["docstring_or_comment"] is False
    assert q["assignments"] == 5 and q["args"] == 3 and q["funcs"] == 1
    assert q["calls"] == {"sqrt": 1, "tid": 1}


def test_a_dead_assignment_and_its_chain_are_found():
    q = measure(
        """
        @wp.kernel
        def k(x: wp.array(dtype=float), y: wp.array(dtype=float)):
            i = wp.tid()
            a = x[i] * 2.0
            b = a + 1.0  # b is never used, so a is not either
            y[i] = x[i]
        """
    )
    assert q["dead_assignments"] == 2
    assert q["docstring_or_comment"] is True


def test_a_loop_carried_update_nobody_reads_is_dead():
    q = measure(
        """
        @wp.kernel
        def k(x: wp.array(dtype=float), y: wp.array(dtype=float)):
            i = wp.tid()
            acc = float(0.0)
            for j in range(3):
                acc += x[i]
            y[i] = x[i]
        """
    )
    assert q["dead_assignments"] == 2


def test_a_value_overwritten_before_it_is_read_is_dead_but_one_read_on_a_path_is_not():
    q = measure(
        """
        @wp.kernel
        def k(x: wp.array(dtype=float), y: wp.array(dtype=float)):
            i = wp.tid()
            a = x[i]
            a = x[i] * 2.0
            b = x[i]
            if b > 0.0:
                b = 1.0
            y[i] = a + b
        """
    )
    assert q["dead_assignments"] == 1


def test_unused_argument_and_parameter_and_uncalled_func():
    q = measure(
        """
        @wp.func
        def f(a: float, b: float) -> float:
            return a

        @wp.func
        def never(a: float) -> float:
            return a

        @wp.kernel
        def k(x: wp.array(dtype=float), unused: float, y: wp.array(dtype=float)):
            i = wp.tid()
            y[i] = f(x[i], 1.0)
        """
    )
    assert q["unused_args"] == 1
    assert q["unused_func_params"] == 1
    assert q["uncalled_funcs"] == 1


def test_a_func_passed_as_a_value_counts_as_called():
    q = measure(
        """
        @wp.func
        def g(a: float) -> float:
            return a * 2.0

        @wp.kernel
        def k(x: wp.array2d(dtype=float), y: wp.array2d(dtype=float)):
            t = wp.tile_load(x, shape=(4, 4))
            wp.tile_store(y, wp.tile_map(g, t))
        """
    )
    assert q["uncalled_funcs"] == 0


def test_literal_only_calls_and_conditions_and_trivial_operations():
    q = measure(
        """
        @wp.kernel
        def k(x: wp.array(dtype=float), y: wp.array(dtype=float)):
            i = wp.tid()
            c = wp.sin(2.0) + wp.length(wp.vec3(1.0, 2.0, 3.0))
            v = x[i] - x[i]
            w = wp.where(x[i] > 0.0, v, v)
            if 1.0 > 2.0:
                c = c + 1.0
            while True:
                break
            y[i] = c + w
        """
    )
    assert q["literal_only_calls"] == 2  # wp.vec3 of literals is a constructor, not counted
    assert q["builtin_calls"] == 3
    assert q["literal_conditions"] == 1  # `while True:` is an idiom, not a constant test
    assert q["trivial_ops"] == 2


def test_control_dependence_counts_as_depending_on_arguments():
    q = measure(
        """
        @wp.kernel
        def k(bvh: wp.uint64, lo: wp.array(dtype=wp.vec3), hi: wp.array(dtype=wp.vec3), counts: wp.array(dtype=int)):
            i = wp.tid()
            query = wp.bvh_query_aabb(bvh, lo[i], hi[i])
            index = int(0)
            count = int(0)
            while wp.bvh_query_next(query, index):
                count += 1
            counts[i] = count
        """
    )
    assert q["stores_depend_on_args"] is True
    q = measure(
        """
        @wp.kernel
        def k(y: wp.array(dtype=float)):
            i = wp.tid()
            y[i] = 1.5
        """
    )
    assert q["stores_depend_on_args"] is False


def test_a_missing_kernel_is_an_error():
    two = CLEAN + "\n\n@wp.kernel\ndef other(y: wp.array(dtype=float)):\n    y[wp.tid()] = 0.0\n"
    with pytest.raises(ValueError):
        measure(two, "nope")
    assert measure(CLEAN, "module.k")["args"] == 3  # a Warp key with its module's name
