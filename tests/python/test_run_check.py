"""run_sources / run_check: the `--verify run` checks on hand-written kernels, each able to fail."""

import itertools
import tempfile
import textwrap

from warpsynth_worker import warp_bridge
from warpsynth_worker.generated_sources import run_sources

warp_bridge.init()
_names = itertools.count()

HEADER = """
import warp as wp
"""


def run(body: str, **plan) -> dict:
    item = {
        "label": "kernel.py",
        "source": textwrap.dedent(HEADER) + textwrap.dedent(body),
        "run": {"dims": [16], "array_shapes": {}, "host_objects": {}, "block_dim": 0, "seed": 3, **plan},
    }
    with tempfile.TemporaryDirectory() as build_root:
        [reply] = run_sources([item], f"ws_test_run_{next(_names)}", build_root)
    assert reply["errors"] == []
    return reply


def test_a_smooth_kernel_passes_with_what_replays_it():
    reply = run(
        """
        @wp.kernel
        def scaled_sine(x: wp.array(dtype=float), y: wp.array(dtype=float)):
            i = wp.tid()
            y[i] = wp.sin(x[i]) * 2.0
        """
    )
    assert {k: v for k, v in reply["verify"].items() if k != "gpu_run"} == {"cpu_compile": "ok", "cuda_ptx": "ok", "cpu_run": "ok"}
    detail = reply["run"]
    assert detail["input_seed"] == 3
    assert detail["sizes"] == [[16], [37], [5]]
    assert detail["shapes"] == {"x": [16], "y": [16]}
    assert detail["outputs"] == ["y"]
    assert detail["moved_by"]["x"] > 0.1 and detail["inputs_moving_nothing"] == []
    # The same seed gives the same outputs: the checksum replays.
    assert run(
        """
        @wp.kernel
        def scaled_sine(x: wp.array(dtype=float), y: wp.array(dtype=float)):
            i = wp.tid()
            y[i] = wp.sin(x[i]) * 2.0
        """
    )["run"]["checksum"] == detail["checksum"]


def test_a_constant_output_fails():
    reply = run(
        """
        @wp.kernel
        def constant(x: wp.array(dtype=float), y: wp.array(dtype=float)):
            i = wp.tid()
            y[i] = 1.5
        """
    )
    assert reply["verify"]["cpu_run"].startswith("failed: every output holds one constant")


def test_an_output_that_ignores_its_input_fails():
    reply = run(
        """
        @wp.kernel
        def ramp(x: wp.array(dtype=float), y: wp.array(dtype=float)):
            i = wp.tid()
            y[i] = float(i) * 2.0
        """
    )
    assert reply["verify"]["cpu_run"].startswith("failed: outputs do not change when the inputs do")


def test_a_nan_fails():
    reply = run(
        """
        @wp.kernel
        def bad_log(x: wp.array(dtype=float), y: wp.array(dtype=float)):
            i = wp.tid()
            y[i] = wp.log(-1.0 - x[i] * x[i])
        """
    )
    assert reply["verify"]["cpu_run"].startswith("failed: non-finite output y")


def test_an_all_zero_output_fails():
    reply = run(
        """
        @wp.kernel
        def zeros(x: wp.array(dtype=float), y: wp.array(dtype=float)):
            i = wp.tid()
            y[i] = x[i] * 0.0
        """
    )
    assert reply["verify"]["cpu_run"].startswith("failed: all outputs are zero")


def test_a_kernel_that_writes_nothing_fails():
    reply = run(
        """
        @wp.kernel
        def idle(x: wp.array(dtype=float), y: wp.array(dtype=float)):
            i = wp.tid()
            t = x[i] * 2.0
        """
    )
    assert reply["verify"]["cpu_run"].startswith("failed: writes nothing")


def test_an_input_that_moves_nothing_is_named():
    reply = run(
        """
        @wp.kernel
        def half_used(x: wp.array(dtype=float), unused: wp.array(dtype=float), y: wp.array(dtype=float)):
            i = wp.tid()
            y[i] = x[i] * 3.0 + 1.0
        """
    )
    assert reply["verify"]["cpu_run"] == "ok"
    assert reply["run"]["inputs_moving_nothing"] == ["unused"]


def test_composite_types_structs_and_2d_launches():
    reply = run(
        """
        @wp.struct
        class Params:
            gain: float
            axis: wp.vec3
            shear: wp.mat33

        @wp.kernel
        def rotate(
            params: Params,
            q: wp.array2d(dtype=wp.quat),
            p: wp.array2d(dtype=wp.vec3),
            xf: wp.transform,
            out: wp.array2d(dtype=wp.vec3),
        ):
            i, j = wp.tid()
            out[i, j] = wp.transform_point(xf, wp.quat_rotate(q[i, j], p[i, j])) * params.gain + params.shear * params.axis
        """,
        dims=[8, 8],
        array_shapes={"q": [8, 8], "p": [8, 8], "out": [8, 8]},
    )
    assert reply["verify"]["cpu_run"] == "ok", reply["verify"]
    assert reply["run"]["sizes"] == [[8, 8], [5, 7], [3, 3]]


def test_a_mesh_handle_gets_a_mesh():
    reply = run(
        """
        @wp.kernel
        def closest(mesh: wp.uint64, points: wp.array(dtype=wp.vec3), out: wp.array(dtype=float)):
            i = wp.tid()
            q = wp.mesh_query_point(mesh, points[i], 10.0)
            if q.result:
                out[i] = wp.length(wp.mesh_eval_position(mesh, q.face, q.u, q.v) - points[i])
        """,
        host_objects={"mesh": "wp.Mesh(points, indices): a closed triangle mesh"},
    )
    assert reply["verify"]["cpu_run"] == "ok", reply["verify"]


def test_a_handle_nobody_describes_is_skipped():
    reply = run(
        """
        @wp.kernel
        def closest(mesh: wp.uint64, points: wp.array(dtype=wp.vec3), out: wp.array(dtype=float)):
            i = wp.tid()
            out[i] = wp.length(points[i])
        """
    )
    assert reply["verify"]["cpu_run"].startswith("skipped: argument mesh is a handle")


# ---------------------------------------------------------------- grad_check


def grad(body: str, **plan) -> dict:
    return run(body, grad=True, **plan)


def test_the_gradient_of_a_smooth_kernel_matches_finite_differences():
    reply = grad(
        """
        @wp.kernel
        def scaled_sine(x: wp.array(dtype=float), s: float, y: wp.array(dtype=float)):
            i = wp.tid()
            y[i] = wp.sin(x[i]) * 2.0 * s
        """
    )
    assert reply["verify"]["grad_check"] == "ok", reply["verify"]
    detail = reply["grad"]
    assert detail["inputs"] == ["x"] and detail["outputs"] == ["y"] and detail["held_fixed"] == ["s"]
    assert detail["max_rel_error"] < 1e-2 and detail["components"] == 16


def test_a_wrong_custom_adjoint_fails_grad():
    reply = grad(
        """
        @wp.func
        def square(x: float):
            return x * x

        @wp.func_grad(square)
        def adj_square(x: float, adj_ret: float):
            wp.adjoint[x] += adj_ret * 3.0

        @wp.kernel
        def k(x: wp.array(dtype=float), y: wp.array(dtype=float)):
            i = wp.tid()
            y[i] = square(x[i]) + x[i]
        """
    )
    assert reply["verify"]["cpu_run"] == "ok"
    assert reply["verify"]["grad_check"].startswith("failed: the tape's gradient differs from finite differences")
    assert reply["grad"]["max_abs_error"] > 1.0


def test_fp64_is_held_to_a_tighter_tolerance():
    reply = grad(
        """
        @wp.kernel
        def k(x: wp.array(dtype=wp.float64), y: wp.array(dtype=wp.float64)):
            i = wp.tid()
            y[i] = wp.exp(x[i]) * x[i]
        """
    )
    assert reply["verify"]["grad_check"] == "ok"
    assert reply["grad"]["precision"] == "float64" and reply["grad"]["max_rel_error"] < 1e-5


def test_warps_documented_adjoint_limits_are_skipped_not_failed():
    in_place = grad(
        """
        @wp.kernel
        def k(x: wp.array(dtype=float), y: wp.array(dtype=float)):
            i = wp.tid()
            y[i] = x[i] * x[i]
            y[i] = y[i] * x[i]
        """
    )
    assert in_place["verify"]["grad_check"].startswith("skipped: an array written and read in one kernel")
    loop = grad(
        """
        @wp.kernel
        def k(x: wp.array(dtype=float), n: int, y: wp.array(dtype=float)):
            i = wp.tid()
            a = float(1.0)
            for j in range(n):
                a = a * x[i]
            y[i] = a
        """
    )
    assert loop["verify"]["grad_check"].startswith("skipped: a dynamic loop reassigning a variable")
    component = grad(
        """
        @wp.kernel
        def k(x: wp.array(dtype=wp.vec3), y: wp.array(dtype=float)):
            i = wp.tid()
            v = x[i]
            v[1] = wp.sin(v[0])
            y[i] = wp.length_sq(v)
        """
    )
    assert component["verify"]["grad_check"].startswith("skipped: a component of a local vector")


def test_kernels_without_floating_inputs_or_outputs_are_skipped():
    reply = grad(
        """
        @wp.kernel
        def k(x: wp.array(dtype=float), y: wp.array(dtype=int)):
            i = wp.tid()
            y[i] = int(x[i] * 10.0)
        """
    )
    assert reply["verify"]["grad_check"] == "skipped: no floating outputs"


def test_without_a_gpu_gpu_run_says_so():
    import warp as wp

    reply = run(
        """
        @wp.kernel
        def k(x: wp.array(dtype=float), y: wp.array(dtype=float)):
            i = wp.tid()
            y[i] = x[i] * 3.0
        """
    )
    if wp.is_cuda_available():
        assert reply["verify"]["gpu_run"] == "ok"
        assert reply["run"]["gpu"]["max_abs_difference"] < 1e-5
    else:
        assert reply["verify"]["gpu_run"] == "skipped: no GPU"
        assert "gpu" not in reply["run"]


import warp as wp  # noqa: E402 - the kernels below are the module's own, for gpu_check on a given device


@wp.kernel
def _closest_point_distance(mesh: wp.uint64, x: wp.array(dtype=wp.vec3), d: wp.array(dtype=float)):
    i = wp.tid()
    q = wp.mesh_query_point(mesh, x[i], 10.0)
    d[i] = wp.length(wp.mesh_eval_position(mesh, q.face, q.u, q.v) - x[i])


@wp.kernel
def _constant_output(x: wp.array(dtype=float), y: wp.array(dtype=float)):
    i = wp.tid()
    y[i] = 1.5


def _device_plan(**extra) -> dict:
    return {"dims": [16], "array_shapes": {}, "host_objects": {}, "block_dim": 0, "seed": 3, **extra}


def test_the_device_check_makes_host_objects_on_its_device_and_matches_the_cpu():
    # gpu_check with device "cpu" runs everything it runs on a GPU: inputs and the mesh made there,
    # the cpu_run checks at each size, then the comparison.
    from warpsynth_worker import run_check

    plan = _device_plan(host_objects={"mesh": "wp.Mesh"})
    verdict, detail = run_check.check(_closest_point_distance, plan, 3)
    assert verdict == "ok", verdict
    assert run_check.gpu_check(_closest_point_distance, plan, detail, device="cpu") == ("ok", {"max_abs_difference": 0.0})


def test_the_device_check_makes_the_cpu_checks_on_its_device():
    from warpsynth_worker import run_check

    run = {"sizes": [[16], [37], [5]], "input_seed": 3}
    verdict, _ = run_check.gpu_check(_constant_output, _device_plan(), run, device="cpu")
    assert verdict == "failed: on cpu, every output holds one constant (launch 16)"


def test_device_outputs_are_compared_with_the_cpus_within_a_tolerance_wider_for_atomics():
    import numpy as np

    from warpsynth_worker.run_check import compare_devices

    cpu = {"y": np.array([1.0, 2.0, 4.0], dtype=np.float32)}
    assert compare_devices(cpu, {"y": cpu["y"] * (1 + 1e-6)}, False, "cuda:0")[0] == "ok"
    off = {"y": cpu["y"] * (1 + 1e-3)}
    verdict, detail = compare_devices(cpu, off, False, "cuda:0")
    assert verdict.startswith("failed: output y on cuda:0 differs from the CPU's (max abs difference 0.004")
    assert detail == {"max_abs_difference": 0.004}
    assert compare_devices(cpu, off, True, "cuda:0")[0] == "ok"  # atomics: sums in another order
    ints = {"n": np.array([1, 2, 3], dtype=np.int32)}
    assert compare_devices(ints, {"n": np.array([1, 2, 4], dtype=np.int32)}, True, "cuda:0")[0] == (
        "failed: output n on cuda:0 differs from the CPU's (1 elements)")


def test_a_break_in_an_unrolled_loop_fails_grad_warp_finding_1():
    # docs/findings.md, finding 1: Warp's adjoint uses the value from before the loop.
    reply = grad(
        """
        @wp.kernel
        def k(x: wp.array(dtype=float), y: wp.array(dtype=float)):
            i = wp.tid()
            v = x[i]
            for it in range(3):
                v = v - 1.0
                if it == 0:
                    break
            y[i] = v * v
        """
    )
    assert reply["verify"]["cpu_run"] == "ok"
    assert reply["verify"]["grad_check"].startswith("failed: the tape's gradient differs"), reply["verify"]


def test_a_return_inside_a_while_loop_fails_grad_without_running_the_hanging_adjoint():
    # docs/findings.md, finding 3: Warp's backward pass of this kernel never returns.
    reply = grad(
        """
        @wp.kernel
        def k(a: wp.array(dtype=float), out: wp.array(dtype=float)):
            i = wp.tid()
            count = int(0)
            while count < 3:
                if a[i] > 0.9:
                    return
                count += 1
            out[i] = a[i] * 2.0
        """
    )
    assert reply["verify"]["cpu_run"] == "ok"
    assert reply["verify"]["grad_check"].startswith("failed: a return inside a while loop")


def test_a_batch_shares_one_cpu_build_and_runs_the_code_its_records_ship(monkeypatch):
    """At run, a batch's kernels load from one CPU build made with Warp's launch settings; each
    record's functions are byte-identical in that build's source, or the kernel builds alone."""
    from warp._src import build as warp_build

    from warpsynth_worker import generated_sources

    builds, loaded, fallbacks = [], [], []
    real_build, real_load = warp_build.build_cpu, warp_bridge.load_from_unit
    monkeypatch.setattr(warp_build, "build_cpu", lambda *a, **k: builds.append(k.get("use_precompiled_headers")) or real_build(*a, **k))

    def counting_load(kernel, unit, shipped):
        (loaded if real_load(kernel, unit, shipped) else fallbacks).append(kernel.key)
        return bool(loaded and loaded[-1] == kernel.key)

    monkeypatch.setattr(warp_bridge, "load_from_unit", counting_load)
    items = [
        {"label": f"k{n}.py", "source": textwrap.dedent(HEADER) + textwrap.dedent(f"""
            @wp.kernel
            def scaled_{n}(x: wp.array(dtype=float), y: wp.array(dtype=float)):
                i = wp.tid()
                y[i] = wp.sin(x[i]) * {n + 2}.0
            """), "run": {"dims": [16], "array_shapes": {}, "host_objects": {}, "block_dim": 0, "seed": 3, "grad": True}}
        for n in range(3)
    ]
    with tempfile.TemporaryDirectory() as build_root:
        replies = generated_sources.run_sources(items, f"ws_test_run_{next(_names)}", build_root)
    assert [r["verify"]["cpu_run"] for r in replies] == ["ok"] * 3
    assert [r["verify"]["grad_check"] for r in replies] == ["ok"] * 3
    assert builds == [True], "one CPU build for the batch, with Warp's precompiled headers"
    assert loaded == ["scaled_0", "scaled_1", "scaled_2"] and fallbacks == []
    # A function the unit does not hold verbatim is not loaded from it.
    unit = warp_bridge.LaunchUnit("unused.o", "unused.meta", "void f() {}", 1)
    assert not real_load(None, unit, ["void g() {}"]) and not real_load(None, unit, [])


def test_a_builtin_warp_registers_as_not_differentiable_is_skipped_not_failed():
    """wp.tile_max has no adjoint (is_differentiable=False): the tape gives zero where finite
    differences give the argmax's one. Named as the limit, not failed; tile_sum still checks."""
    source = """
        @wp.kernel
        def block(x: wp.array(dtype=float), out: wp.array(dtype=float)):
            i = wp.tid()
            t = wp.tile_load(x, shape=16, offset=i * 16)
            wp.tile_store(out, wp.tile_{op}(t), offset=i)
        """
    plan = {"dims": [2], "block_dim": 16, "array_shapes": {"x": [32], "out": [2]}}
    reduced = grad(source.replace("{op}", "max"), **plan)
    assert reduced["verify"]["cpu_run"] == "ok"
    assert reduced["verify"]["grad_check"].startswith("skipped: a builtin Warp registers as not differentiable"), reduced["verify"]
    assert "tile_max" in reduced["verify"]["grad_check"]
    assert grad(source.replace("{op}", "sum"), **plan)["verify"]["grad_check"] == "ok"


def test_extracted_code_gets_other_inputs_before_an_input_dependent_failure_stands(monkeypatch):
    """A guessed launch (no dims in the plan) draws inputs from up to GUESSED_INPUT_DRAWS seeds
    while the failure is one inputs can cause; the record says which seed passed. Generated code
    (its launch known) gets one draw."""
    from warpsynth_worker import run_check

    seen = []

    def fake(kernel, plan, seed):
        seen.append(seed)
        return ("ok", {"input_seed": seed}) if seed == 12 else ("failed: writes nothing (launch 64)", {"input_seed": seed})

    monkeypatch.setattr(run_check, "_check_inputs", fake)
    verdict, detail = run_check.check(None, {"source": "i = wp.tid()"}, 11)
    assert (verdict, detail["input_seed"], detail["input_draws"], seen) == ("ok", 12, 2, [11, 12])
    seen.clear()
    verdict, _ = run_check.check(None, {"dims": [64]}, 11)
    assert verdict.startswith("failed: writes nothing") and seen == [11]
    seen.clear()
    monkeypatch.setattr(run_check, "_check_inputs", lambda k, p, s: seen.append(s) or ("failed: the launch raised X", {}))
    assert run_check.check(None, {"source": ""}, 11)[0].startswith("failed: the launch raised") and seen == [11]


def test_a_sum_too_large_for_the_step_to_move_is_not_a_wrong_gradient():
    # Sample 8240 of seed 21: total[0] sums terms up to 20,000 (about 4e5 in all); a step of 1e-3
    # on one value is below the sum's fp32 resolution (0.03), so the differences see no change
    # where the tape rightly gives 1. The rounding of such an output counts in the noise though it
    # did not move.
    reply = grad(
        """
        @wp.func
        def compute_weight(a: int) -> float:
            h = wp.dot(wp.vec2(float(a), 0.1), wp.vec2(5.0, 0.25))
            return h * float(a)


        @wp.kernel
        def accumulate(values: wp.array(dtype=wp.vec3), total: wp.array(dtype=wp.vec3)):
            i = wp.tid()
            beta = compute_weight(i)
            contrib = values[i] - wp.vec3(0.75) + wp.vec3(beta)
            wp.atomic_add(total, 0, contrib)
        """,
        dims=[64], array_shapes={"values": [64], "total": [16]},
    )
    assert reply["verify"]["grad_check"] == "ok", reply["verify"]["grad_check"]


def test_a_vector_mod_whose_adjoint_warp_does_not_emit_is_skipped_warp_finding_5():
    # docs/findings.md, finding 5: `%` of vectors is registered not differentiable, its adjoint
    # empty; the tape gives 0 where the derivative is 1. Seen in the code Warp generates (no
    # wp::adj_mod in the reverse pass), not in the Python.
    reply = grad(
        """
        @wp.kernel
        def k(x: wp.array(dtype=wp.vec3), y: wp.array(dtype=wp.vec3)):
            i = wp.tid()
            c = x[i]
            y[i] = c % (wp.abs(c) + wp.vec3(1.0))
        """
    )
    assert reply["verify"]["grad_check"].startswith(
        "skipped: a builtin Warp registers as not differentiable, whose adjoint passes no gradient (mod,")


# ---------------------------------------------------------------- verdicts that must not go soft (issue 30)


@wp.kernel
def _doubled(x: wp.array(dtype=float), y: wp.array(dtype=float)):
    i = wp.tid()
    y[i] = x[i] * 2.0


def _drifting_launches(monkeypatch, drift: float) -> None:
    """Each launch's outputs scaled by 1 + n * drift, n the launch's number: a kernel whose outputs
    are not the same on the same inputs (a race, a sum in another order)."""
    from warpsynth_worker import run_check

    real, calls = run_check._launch, itertools.count()

    def launch(kernel, plan, dims, inputs):
        after, written = real(kernel, plan, dims, inputs)
        scale = 1.0 + next(calls) * drift
        return {name: (a * scale).astype(a.dtype) if name in written else a for name, a in after.items()}, written

    monkeypatch.setattr(run_check, "_launch", launch)


def test_two_launches_on_the_same_inputs_must_give_the_same_outputs(monkeypatch):
    from warpsynth_worker import run_check

    _drifting_launches(monkeypatch, 1e-3)
    assert run_check.check(_doubled, _device_plan(), 3)[0] == "failed: two launches on the same inputs differ (launch 16)"


def test_atomics_may_reorder_sums_by_rounding_and_no_more(monkeypatch):
    from warpsynth_worker import run_check

    plan = _device_plan(source="wp.atomic_add(y, 0, x[i])")  # the check reads the source for atomics
    _drifting_launches(monkeypatch, 1e-3)  # a relative 1e-3: more than rounding
    assert run_check.check(_doubled, plan, 3)[0] == "failed: two launches on the same inputs differ (launch 16)"
    monkeypatch.undo()
    _drifting_launches(monkeypatch, 2e-7)  # a few fp32 roundings
    assert run_check.check(_doubled, plan, 3)[0] == "ok"


def test_a_nan_on_the_device_where_the_cpu_has_a_number_fails():
    import numpy as np

    from warpsynth_worker.run_check import compare_devices

    cpu = {"y": np.array([1.0, 2.0, 4.0], dtype=np.float32)}
    verdict, _ = compare_devices(cpu, {"y": np.array([1.0, np.nan, 4.0], dtype=np.float32)}, True, "cuda:0")
    assert verdict.startswith("failed: output y on cuda:0 differs from the CPU's"), verdict


def test_an_fp32_adjoint_off_by_5_percent_fails_grad():
    reply = grad(
        """
        @wp.func
        def square(x: float):
            return x * x

        @wp.func_grad(square)
        def adj_square(x: float, adj_ret: float):
            wp.adjoint[x] += adj_ret * 2.1 * x

        @wp.kernel
        def k(x: wp.array(dtype=float), y: wp.array(dtype=float)):
            i = wp.tid()
            y[i] = square(x[i])
        """
    )
    assert reply["verify"]["cpu_run"] == "ok"
    assert reply["verify"]["grad_check"].startswith("failed: the tape's gradient differs from finite differences")


def test_an_fp64_adjoint_off_by_1e_4_fails_grad():
    # Within fp32's tolerance (1e-2), far outside fp64's (1e-5).
    reply = grad(
        """
        @wp.func
        def square(x: wp.float64):
            return x * x

        @wp.func_grad(square)
        def adj_square(x: wp.float64, adj_ret: wp.float64):
            wp.adjoint[x] += adj_ret * wp.float64(2.0002) * x

        @wp.kernel
        def k(x: wp.array(dtype=wp.float64), y: wp.array(dtype=wp.float64)):
            i = wp.tid()
            y[i] = square(x[i])
        """
    )
    assert reply["verify"]["cpu_run"] == "ok"
    assert reply["verify"]["grad_check"].startswith("failed: the tape's gradient differs from finite differences")
