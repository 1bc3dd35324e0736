#include "generator/templates.h"

#include <algorithm>

#include "generator/family_templates.h"
#include "generator/loop_carry.h"
#include "generator/template_helpers.h"

namespace warpsynth::generator {
namespace {

using namespace template_helpers;
using model::Block;
using model::ExprKind;
using model::ExprPtr;
using model::Kind;
using model::Scalar;
using model::Type;

const Type kInt = Type::scalar_of(Scalar::kInt32);
const Type kFloat = Type::scalar_of(Scalar::kFloat32);
const Type kVec3 = Type::vector_of(3, Scalar::kFloat32);

// A scalar, vector or matrix type for the data of a map-like kernel: mostly float32 and vec3.
Type data_type(Synth& s) {
  double r = s.rng().unit();
  if (r < s.option_value("data.float32")) return kFloat;
  if (r < s.option_value("data.float32") + s.option_value("data.vec3")) return kVec3;
  return s.pick_numeric_type();
}

void maybe_struct(Synth& s) {
  if (s.rng().chance(s.config().p_struct)) s.add_struct_param("params");
}

void maybe_scalar_params(Synth& s) {
  int n = s.rng().uniform(0, 2);
  const char* names[] = {"alpha", "beta", "scale", "dt", "gain", "eps"};
  for (int i = 0; i < n; ++i) {
    Type t = s.option("params.float32") ? kFloat : s.pick_local_type();
    if (t.is_bool()) t = kInt;
    s.add_param(s.fresh(names[s.rng().uniform(0, 5)]), t);
  }
}

int body_statements(Synth& s) { return s.rng().uniform(1, s.config().max_block_statements); }

// Free statements in a template whose skeleton is most of the kernel (springs, ray casts): at
// least one, so that two kernels of the template differ in more than names.
int skeleton_statements(Synth& s) { return s.rng().uniform(1, std::max(1, s.config().max_block_statements - 1)); }

// out[i] = <expression of the output type>, the last statement of per-thread kernels.
void store_output(Synth& s, Block& body, const char* array_name) {
  const ArrayParam* out = s.array(array_name);
  s.store_consuming(body, s.load(*out), s.expr(out->type.element()));
}

// ---------------------------------------------------------------------------- templates

void map_template(Synth& s) {
  s.make_funcs();
  int n = s.config().array_length;
  s.begin_kernel(pick_name(s, {"scale_values", "apply_map", "compute_output", "update_field", "evaluate",
                               "transform_elements", "saxpy_like", "elementwise"}), {n});
  describe(s, {"Compute each element of out from the inputs at the same index.", "Element-wise map of the inputs into out."});
  s.add_array("x", array1d(data_type(s)), true);
  if (s.option("map.second_input")) s.add_array("y", array1d(data_type(s)), true);
  maybe_scalar_params(s);
  maybe_struct(s);
  s.add_output("out", array1d(data_type(s)), true);
  Block body;
  s.emit_tid(body, {"i"});
  s.local(body, "xi", s.load(*s.array("x")));
  s.statements(body, body_statements(s), 0);
  store_output(s, body, "out");
  finish(s, body);
}

void map_nd_template(Synth& s) {
  s.make_funcs();
  int g = s.config().grid_side;
  bool three = s.option("map_nd.three_dims");
  std::vector<int> dims = three ? std::vector<int>{g, g, g} : std::vector<int>{g, g};
  s.begin_kernel(pick_name(s, {"update_grid", "apply_field", "volume_map", "image_op", "grid_transform"}), dims);
  describe(s, {"Update each grid cell of result from the field value at the same cell.", "Per-cell map of field into result."});
  int ndim = static_cast<int>(dims.size());
  s.add_array("field", Type::array_of(data_type(s), ndim), true);
  maybe_scalar_params(s);
  maybe_struct(s);
  s.add_output("result", Type::array_of(data_type(s), ndim), true);
  Block body;
  s.emit_tid(body, three ? std::vector<std::string>{"i", "j", "k"} : std::vector<std::string>{"i", "j"});
  s.local(body, "value", s.load(*s.array("field")));
  s.statements(body, body_statements(s), 0);
  store_output(s, body, "result");
  finish(s, body);
}

void stencil_template(Synth& s) {
  s.make_funcs();
  int g = s.config().grid_side;
  s.begin_kernel(pick_name(s, {"diffuse", "laplacian", "blur", "smooth_field", "heat_step", "jacobi_iteration"}), {g, g});
  describe(s, {"Diffusion step: u_new from u and its 5-point Laplacian.", "Explicit update of u with a 5-point Laplacian stencil."});
  Type t = s.option("stencil.float32") ? kFloat : s.option("stencil.vector") ? Type::vector_of(s.rng().uniform(2, 3), Scalar::kFloat32) : Type::scalar_of(Scalar::kFloat64);
  s.add_array("u", Type::array_of(t, 2), true);
  s.add_output("u_new", Type::array_of(t, 2), true);
  if (s.option("stencil.diffusivity_param")) s.add_param("k", Type::scalar_of(t.scalar));
  maybe_struct(s);
  const ArrayParam& u = *s.array("u");
  Block body;
  s.emit_tid(body, {"i", "j"});
  auto i = [&] { return s.var(s.tid()[0]); };
  auto j = [&] { return s.var(s.tid()[1]); };
  std::string nx = s.local(body, "nx", s.shape(u, 0), false);
  std::string ny = s.local(body, "ny", s.shape(u, 1), false);
  auto at = [&](ExprPtr a, ExprPtr b) {
    auto e = model::make_expr(ExprKind::kIndex, t);
    e->args.push_back(model::make_var(u.name, u.type));
    e->args.push_back(std::move(a));
    e->args.push_back(std::move(b));
    return e;
  };
  auto lower = [&](ExprPtr x) { return op(s, "max", op(s, "sub", std::move(x), s.int_literal(1)), s.int_literal(0)); };
  auto upper = [&](ExprPtr x, const std::string& n) {
    return op(s, "min", op(s, "add", std::move(x), s.int_literal(1)), op(s, "sub", s.var(n), s.int_literal(1)));
  };
  std::string center = s.local(body, "center", at(i(), j()));
  std::string left = s.local(body, "left", at(lower(i()), j()));
  std::string right = s.local(body, "right", at(upper(i(), nx), j()));
  std::string down = s.local(body, "down", at(i(), lower(j())));
  std::string up = s.local(body, "up", at(i(), upper(j(), ny)));
  auto sum = op(s, "add", op(s, "add", op(s, "add", s.var(left), s.var(right)), s.var(down)), s.var(up));
  auto four = s.float_literal("4.0", Type::scalar_of(t.scalar));
  std::string lap = s.local(body, "lap", op(s, "sub", std::move(sum), op(s, "mul", s.var(center), std::move(four))));
  s.statements(body, skeleton_statements(s), 0);
  auto step = op(s, "add", s.var(center), op(s, "mul", s.var(lap), s.expr(Type::scalar_of(t.scalar), 1)));
  if (s.option("stencil.extra_term")) step = op(s, "add", std::move(step), s.expr(t, 1));
  auto target = s.load(*s.array("u_new"));
  s.store_consuming(body, std::move(target), std::move(step));
  finish(s, body);
}

void reduction_template(Synth& s) {
  s.make_funcs();
  s.begin_kernel(pick_name(s, {"reduce_sum", "accumulate", "compute_total", "sum_energy", "gather_stats"}),
                 {s.config().array_length});
  describe(s, {"Accumulate a per-element contribution into total with atomics.", "Reduce the values into total."});
  Type t = s.option("reduction.float32") ? kFloat : s.option("reduction.vec3") ? kVec3 : kInt;
  s.add_array("values", array1d(data_type(s)), true);
  maybe_scalar_params(s);
  maybe_struct(s);
  s.add_output("total", array1d(t), false, {s.config().table_length});
  const bool extremum = t.is_scalar() && s.option("reduction.min_or_max");
  if (!extremum) s.declare_accumulator("total", "add");  // else slot 1 takes min or max: no other atomics
  Block body;
  s.emit_tid(body, {"i"});
  s.local(body, "v", s.load(*s.array("values")));
  s.statements(body, body_statements(s), 0);
  std::string contrib = s.local(body, "contrib", s.consume(s.expr(t, 0), body));
  const ArrayParam& total = *s.array("total");
  s.atomic(body, total, s.int_literal(0), s.var(contrib));
  if (extremum) {
    s.atomic(body, total, s.int_literal(1), s.var(contrib), s.option("reduction.max") ? "atomic_max" : "atomic_min");
  }
  finish(s, body);
}

void histogram_template(Synth& s) {
  s.make_funcs();
  s.begin_kernel(pick_name(s, {"histogram", "bin_values", "count_cells", "build_histogram"}), {s.config().array_length});
  describe(s, {"Count samples into bins after mapping each one to [0, 1].", "Build a histogram of the samples."});
  s.add_array("samples", array1d(s.option("histogram.float32_samples") ? kFloat : kVec3), true);
  maybe_scalar_params(s);
  maybe_struct(s);
  // A weighted histogram deposits each sample's weight (mass into cells, as particle-in-cell codes
  // do): float bins, which the gradient check can differentiate; counts are ints.
  const bool weighted = s.option("histogram.weighted");
  if (weighted) s.add_array("weights", array1d(kFloat), true);
  s.add_output("bins", array1d(weighted ? kFloat : kInt), false, {s.config().table_length});
  s.declare_accumulator("bins", "add");
  const ArrayParam& bins = *s.array("bins");
  Block body;
  s.emit_tid(body, {"i"});
  s.local(body, "x", s.load(*s.array("samples")));
  s.statements(body, body_statements(s) - 1, 0);
  // A value mapped to [0, 1], then to a bin: the float is centred, scaled and clamped before it
  // becomes an int. (Clamped as it was drawn, with the bin count folded in, nearly every sample
  // landed in the last bin: --verify run saw the bins blind to the samples.)
  auto centred = op(s, "add", op(s, "mul", s.consume(s.expr(kFloat, 0), body), s.float_literal("0.25", kFloat)),
                    s.float_literal("0.5", kFloat));
  auto unit = s.call("clamp", args(std::move(centred), s.float_literal("0.0", kFloat), s.float_literal("1.0", kFloat)));
  std::string frac = s.local(body, "frac", std::move(unit));
  std::string nbins = s.local(body, "nbins", s.shape(bins, 0), false);
  auto scaled = op(s, "mul", s.var(frac), [&] {
    auto c = model::make_expr(ExprKind::kCast, kFloat);
    c->args.push_back(op(s, "sub", s.var(nbins), s.int_literal(1)));
    return c;
  }());
  auto as_int = model::make_expr(ExprKind::kCast, kInt);
  as_int->args.push_back(std::move(scaled));
  std::string bin = s.local(body, "b", std::move(as_int), false);
  s.atomic(body, bins, s.var(bin), weighted ? s.load(*s.array("weights")) : s.int_literal(1));
  finish(s, body);
}

void prefix_window_template(Synth& s) {
  s.make_funcs();
  s.begin_kernel(pick_name(s, {"window_sum", "running_mean", "prefix_window", "causal_filter", "moving_average"}),
                 {s.config().array_length});
  describe(s, {"Sum x over a trailing window ending at each index.", "Windowed running sum of x."});
  Type t = s.option("prefix_window.float32") ? kFloat : s.option("prefix_window.vec3") ? kVec3 : Type::scalar_of(Scalar::kFloat64);
  s.add_array("x", array1d(t), true);
  s.add_output("y", array1d(t), true);
  maybe_scalar_params(s);
  Block body;
  s.emit_tid(body, {"i"});
  ExprPtr zero;
  if (t.is_scalar()) {
    zero = model::make_expr(ExprKind::kCast, t);  // float(0.0): a mutable local, not a constant
    zero->args.push_back(s.float_literal("0.0", kFloat));
  } else {
    zero = s.construct_node(t);  // wp.vec3(0.0)
    zero->args.push_back(s.float_literal("0.0", Type::scalar_of(t.scalar)));
  }
  std::string acc = s.local(body, "acc", std::move(zero));
  int window = s.rng().uniform(2, s.config().max_loop_trip);
  // for k in range(max(i - W + 1, 0), i + 1): k stays in [0, i], inside x.
  model::Stmt loop;
  loop.kind = model::StmtKind::kFor;
  loop.name = s.fresh("k");
  loop.range.push_back(op(s, "max", op(s, "sub", s.var(s.tid()[0]), s.int_literal(window - 1)), s.int_literal(0)));
  loop.range.push_back(op(s, "add", s.var(s.tid()[0]), s.int_literal(1)));
  auto frozen = s.begin_loop_body({acc});
  s.push_scope();
  s.declare(loop.name, kInt, false);
  auto xk = s.load_at(*s.array("x"), s.var(loop.name));
  if (s.option("prefix_window.weights")) {
    std::string w = s.local(loop.body, "w", s.expr(Type::scalar_of(t.scalar), 1));
    xk = op(s, "mul", std::move(xk), s.var(w));
  }
  model::Stmt add;
  add.kind = model::StmtKind::kAugAssign;
  add.name = acc;
  add.op = "+=";
  add.value = std::move(xk);
  loop.body.push_back(std::move(add));
  if (s.option("prefix_window.loop_statement")) {
    size_t before = loop.body.size();
    s.statements(loop.body, 1, 1);
    // The window loop is dynamic: a statement using a carried value otherwise than by
    // accumulating it would make its gradient wrong in Warp (gen/loop_carry.h); it is left out.
    if (uses_carried_values(loop.body)) loop.body.resize(before);
  }
  s.pop_scope();
  s.end_loop_body(frozen);
  body.push_back(std::move(loop));
  s.statements(body, body_statements(s) - 1, 0);
  auto result = s.option("prefix_window.plain_sum") ? s.var(acc) : op(s, "add", s.var(acc), s.expr(t, 1));
  s.store_consuming(body, s.load(*s.array("y")), std::move(result));
  finish(s, body);
}

void particles_template(Synth& s) {
  s.make_funcs();
  s.begin_kernel(pick_name(s, {"integrate_particles", "advect", "step_particles", "apply_forces", "update_bodies"}),
                 {s.config().array_length});
  describe(s, {"Integrate particle velocities and positions over one time step.", "Semi-implicit Euler step of the particles."});
  s.add_array("positions", array1d(kVec3), true);
  s.add_array("velocities", array1d(kVec3), true);
  if (s.option("particles.inverse_mass")) s.add_array("inv_mass", array1d(kFloat), true);
  // Differentiable simulators write the new state to other arrays (warp.sim's integrators take
  // particle_q and write particle_q_new): the old state stays an input its gradient reaches.
  bool new_state = s.option("particles.new_state_arrays");
  if (new_state) {
    s.add_output("positions_new", array1d(kVec3), true);
    s.add_output("velocities_new", array1d(kVec3), true);
  }
  s.add_param("dt", kFloat);
  if (s.option("particles.gravity")) s.add_param("gravity", kVec3);
  maybe_struct(s);
  Block body;
  s.emit_tid(body, {"tid"});
  std::string p = s.local(body, "p", s.load(*s.array("positions")));
  std::string v = s.local(body, "v", s.load(*s.array("velocities")));
  std::string f = s.local(body, "f", s.expr(kVec3, 0));
  s.statements(body, body_statements(s) - 1, 0);
  auto assign = [&](const std::string& name, ExprPtr value) {
    model::Stmt st;
    st.kind = model::StmtKind::kAssign;
    st.name = name;
    st.value = std::move(value);
    body.push_back(std::move(st));
  };
  assign(v, op(s, "add", s.var(v), op(s, "mul", s.consume(s.var(f), body), s.var("dt"))));
  assign(p, op(s, "add", s.var(p), op(s, "mul", s.var(v), s.var("dt"))));
  if (s.option("particles.ground_contact")) {
    // Ground contact: a component test and component stores.
    auto below = model::make_expr(ExprKind::kCompare, Type::scalar_of(Scalar::kBool), "<");
    auto py = model::make_expr(ExprKind::kComponent, kFloat);
    py->args.push_back(s.var(p));
    py->args.push_back(s.int_literal(1));
    below->args.push_back(std::move(py));
    below->args.push_back(s.float_literal("0.0", kFloat));
    Block contact;
    auto comp = [&](const std::string& name) {
      auto c = model::make_expr(ExprKind::kComponent, kFloat);
      c->args.push_back(s.var(name));
      c->args.push_back(s.int_literal(1));
      return c;
    };
    if (new_state) {
      // The state rebuilt rather than a component overwritten in place, which Warp's default
      // lowering does not differentiate (docs/verification.md, grad).
      auto rebuilt = [&](const std::string& name, ExprPtr y) {
        auto c = [&](int k) {
          auto e = model::make_expr(ExprKind::kComponent, kFloat);
          e->args.push_back(s.var(name));
          e->args.push_back(s.int_literal(k));
          return e;
        };
        auto v3 = s.construct_node(kVec3);
        v3->args.push_back(c(0));
        v3->args.push_back(std::move(y));
        v3->args.push_back(c(2));
        model::Stmt st;
        st.kind = model::StmtKind::kAssign;
        st.name = name;
        st.value = std::move(v3);
        contact.push_back(std::move(st));
      };
      rebuilt(p, s.float_literal("0.0", kFloat));
      rebuilt(v, op(s, "mul", s.call("neg", args(comp(v)), true), s.expr(kFloat, 2)));
    } else {
      s.store(contact, comp(p), s.float_literal("0.0", kFloat));
      s.store(contact, comp(v), op(s, "mul", s.call("neg", args(comp(v)), true), s.expr(kFloat, 2)));
    }
    body.push_back(s.if_stmt(std::move(below), std::move(contact)));
  }
  s.store(body, s.load(*s.array(new_state ? "positions_new" : "positions")), s.var(p));
  s.store(body, s.load(*s.array(new_state ? "velocities_new" : "velocities")), s.var(v));
  finish(s, body);
}

void springs_template(Synth& s) {
  s.make_funcs();
  int n = s.config().array_length;
  s.begin_kernel(pick_name(s, {"eval_springs", "spring_forces", "compute_constraints", "solve_distance"}), {n});
  describe(s, {"Accumulate spring forces between particle pairs into f.", "Evaluate Hooke springs and scatter their forces."});
  s.add_array("x", array1d(kVec3), false, {n});
  s.add_array("spring_i", array1d(kInt), true);
  s.add_array("spring_j", array1d(kInt), true);
  s.add_array("rest", array1d(kFloat), true);
  s.add_param("ke", kFloat);
  if (s.option("springs.damping")) {
    s.add_array("v", array1d(kVec3), false, {n});
    s.add_param("kd", kFloat);
  }
  maybe_struct(s);
  s.add_output("f", array1d(kVec3), false, {n});
  s.declare_accumulator("f", "add");
  const ArrayParam& x = *s.array("x");
  Block body;
  s.emit_tid(body, {"tid"});
  std::string a = s.local(body, pick_name(s, {"a", "i0", "ia"}), s.clamped_index(x, s.load(*s.array("spring_i"))), false);
  std::string b = s.local(body, pick_name(s, {"b", "i1", "ib"}), s.clamped_index(x, s.load(*s.array("spring_j"))), false);
  std::string d = s.local(body, pick_name(s, {"d", "delta", "dx"}), op(s, "sub", s.load_at(x, s.var(a)), s.load_at(x, s.var(b))));
  std::string l = s.local(body, pick_name(s, {"l", "dist", "length"}), fn(s, "length", s.var(d)));
  std::string dir = s.local(body, pick_name(s, {"dir", "n", "unit"}),
                            op(s, "div", s.var(d), op(s, "add", s.var(l), s.float_literal("1.0e-6", kFloat))));
  ExprPtr stretch = op(s, "sub", s.var(l), s.load(*s.array("rest")));
  if (s.option("springs.strain")) {  // relative stretch: (l - rest) / rest
    stretch = op(s, "div", std::move(stretch), op(s, "add", s.load(*s.array("rest")), s.float_literal("1.0e-6", kFloat)));
  }
  std::string c = s.local(body, pick_name(s, {"c", "stretch", "err"}), std::move(stretch));
  ExprPtr magnitude = op(s, "mul", s.var("ke"), s.var(c));
  if (s.option("springs.cubic")) magnitude = op(s, "mul", std::move(magnitude), fn(s, "abs", s.var(c)));
  if (const ArrayParam* v = s.array("v")) {  // damping along the spring: kd * dot(v_a - v_b, dir)
    ExprPtr rel = op(s, "sub", s.load_at(*v, s.var(a)), s.load_at(*v, s.var(b)));
    magnitude = op(s, "add", std::move(magnitude), op(s, "mul", s.var("kd"), op(s, "dot", std::move(rel), s.var(dir))));
  }
  std::string fs = s.local(body, pick_name(s, {"fs", "f_mag", "magnitude"}), std::move(magnitude));
  s.statements(body, skeleton_statements(s), 0);
  std::string force = s.local(body, "force", s.consume(op(s, "mul", s.var(dir), s.var(fs)), body));
  const ArrayParam& f = *s.array("f");
  s.atomic(body, f, s.var(a), s.call("neg", args(s.var(force))), "atomic_add");
  s.atomic(body, f, s.var(b), s.var(force), s.option("springs.add") ? "atomic_add" : "atomic_sub");
  finish(s, body);
}

void rigid_transform_template(Synth& s) {
  s.make_funcs();
  s.begin_kernel(pick_name(s, {"transform_points", "apply_pose", "rotate_bodies", "update_frames", "world_points"}),
                 {s.config().array_length});
  describe(s, {"Transform points by each body pose.", "Map body-local points to world space."});
  Scalar sc = s.option("rigid_transform.float32") ? Scalar::kFloat32 : Scalar::kFloat64;
  Type v3 = Type::vector_of(3, sc);
  s.add_array("body_q", array1d(Type::transform_of(sc)), true);
  s.add_array("points", array1d(v3), true);
  if (s.option("rigid_transform.rotations")) s.add_array("rotations", array1d(Type::quat_of(sc)), true);
  maybe_struct(s);
  s.add_output("out", array1d(s.option("rigid_transform.vec3_out") ? v3 : Type::transform_of(sc)), true);
  Block body;
  s.emit_tid(body, {"i"});
  std::string X = s.local(body, "X", s.load(*s.array("body_q")));
  std::string p = s.local(body, "p", s.load(*s.array("points")));
  std::string q = s.local(body, "q", s.option("rigid_transform.rotation_of_pose") ? fn(s, "transform_get_rotation", s.var(X)) : s.expr(Type::quat_of(sc), 0));
  std::string world = s.local(body, "world", op(s, "transform_point", s.var(X), s.var(p)));
  if (s.option("rigid_transform.rotate")) s.local(body, "r", op(s, "quat_rotate", s.var(q), s.var(world)));
  s.statements(body, body_statements(s), 0);
  store_output(s, body, "out");
  finish(s, body);
}

void matrix_math_template(Synth& s) {
  s.make_funcs();
  s.begin_kernel(pick_name(s, {"solve_small", "apply_jacobian", "compute_stress", "mat_vec", "deform"}),
                 {s.config().array_length});
  describe(s, {"Apply a small per-element matrix to a vector.", "Per-element matrix-vector math."});
  int n = s.rng().uniform(2, 4);
  Scalar sc = s.option("matrix_math.float32") ? Scalar::kFloat32 : Scalar::kFloat64;
  Type m = Type::matrix_of(n, n, sc), v = Type::vector_of(n, sc);
  s.add_array("A", array1d(m), true);
  s.add_array("b", array1d(v), true);
  maybe_scalar_params(s);
  s.add_output("out", array1d(s.option("matrix_math.vector_out") ? v : m), true);
  Block body;
  s.emit_tid(body, {"i"});
  std::string M = s.local(body, "M", s.load(*s.array("A")));
  std::string x = s.local(body, "x", s.load(*s.array("b")));
  s.local(body, "Mx", op(s, "mul", s.var(M), s.var(x)));
  if (s.option("matrix_math.transpose")) s.local(body, "MT", fn(s, "transpose", s.var(M)));
  s.statements(body, body_statements(s), 0);
  store_output(s, body, "out");
  finish(s, body);
}

void ray_geometry_template(Synth& s) {
  s.make_funcs();
  s.begin_kernel(pick_name(s, {"ray_sphere", "intersect_rays", "trace_hits", "raycast_sphere"}), {s.config().array_length});
  describe(s, {"Intersect rays with a sphere and store a value computed from the hit distance.",
               "Ray-sphere intersection per thread."});
  s.add_array("origins", array1d(kVec3), true);
  s.add_array("dirs", array1d(kVec3), true);
  s.add_param("center", kVec3);
  s.add_param("radius", kFloat);
  maybe_struct(s);
  s.add_output("hits", array1d(kFloat), true);
  Block body;
  s.emit_tid(body, {"i"});
  std::string o = s.local(body, "o", s.load(*s.array("origins")));
  std::string d = s.local(body, "d", fn(s, "normalize", s.load(*s.array("dirs"))));
  std::string oc = s.local(body, "oc", op(s, "sub", s.var(o), s.var("center")));
  std::string b = s.local(body, "b", op(s, "dot", s.var(oc), s.var(d)));
  std::string c = s.local(body, "c", op(s, "sub", op(s, "dot", s.var(oc), s.var(oc)), op(s, "mul", s.var("radius"), s.var("radius"))));
  std::string disc = s.local(body, "disc", op(s, "sub", op(s, "mul", s.var(b), s.var(b)), s.var(c)));
  std::string t = s.local(body, "t", s.float_literal("-1.0", kFloat));
  auto positive = model::make_expr(ExprKind::kCompare, Type::scalar_of(Scalar::kBool), ">");
  positive->args.push_back(s.var(disc));
  positive->args.push_back(s.float_literal("0.0", kFloat));
  Block hit;
  model::Stmt set;
  set.kind = model::StmtKind::kAssign;
  set.name = t;
  set.value = op(s, "sub", s.call("neg", args(s.var(b))), fn(s, "sqrt", s.var(disc)));
  hit.push_back(std::move(set));
  if (s.option("ray_geometry.shade")) {  // the hit point, its normal and a Lambert term
    s.push_scope();
    std::string p = s.local(hit, pick_name(s, {"p", "hit_p", "x"}), op(s, "add", s.var(o), op(s, "mul", s.var(d), s.var(t))));
    std::string nrm = s.local(hit, pick_name(s, {"n", "normal", "nrm"}), fn(s, "normalize", op(s, "sub", s.var(p), s.var("center"))));
    s.statements(hit, 1, 1);
    model::Stmt shade;
    shade.kind = model::StmtKind::kAugAssign;
    shade.name = t;
    shade.op = "*=";
    shade.value = s.consume(fn(s, "abs", op(s, "dot", s.var(nrm), s.var(d))), hit, false);
    hit.push_back(std::move(shade));
    s.pop_scope();
  }
  body.push_back(s.if_stmt(std::move(positive), std::move(hit)));
  s.statements(body, skeleton_statements(s), 0);
  // the hit distance is the result, with what the free statements computed folded in
  auto result = s.var(t);
  s.store_consuming(body, s.load(*s.array("hits")), std::move(result));
  finish(s, body);
}

void random_sampling_template(Synth& s) {
  s.make_funcs();
  s.begin_kernel(pick_name(s, {"sample_points", "monte_carlo", "jitter", "scatter_samples", "random_walk"}),
                 {s.config().array_length});
  describe(s, {"Draw per-thread random samples from a seeded state.", "Monte Carlo samples, one random stream per thread."});
  s.add_param("seed", kInt);
  maybe_scalar_params(s);
  Type out_t = s.option("random_sampling.vec3_out") ? kVec3 : kFloat;
  // Samples around given points (jittered positions, perturbed values): an input of the kernel.
  if (s.option("random_sampling.around_input")) s.add_array(out_t == kVec3 ? "points" : "values", array1d(out_t), true);
  s.add_output("out", array1d(out_t), true);
  Block body;
  s.emit_tid(body, {"i"});
  std::string state = s.local(body, "state", op(s, "rand_init", s.var("seed"), s.var(s.tid()[0])));
  s.local(body, "r", fn(s, "randf", s.var(state)));
  s.statements(body, body_statements(s), 0);
  store_output(s, body, "out");
  finish(s, body);
}

void struct_params_template(Synth& s) {
  s.make_funcs();
  s.begin_kernel(pick_name(s, {"apply_material", "simulate_step", "configured_update", "shade_points"}),
                 {s.config().array_length});
  describe(s, {"Update out from x with parameters passed in a struct.", "Element-wise update driven by a parameter struct."});
  s.add_struct_param("params");
  s.add_array("x", array1d(data_type(s)), true);
  s.add_output("out", array1d(data_type(s)), true);
  Block body;
  s.emit_tid(body, {"i"});
  s.statements(body, body_statements(s), 0);
  store_output(s, body, "out");
  finish(s, body);
}

void free_form_template(Synth& s) {
  s.make_funcs();
  bool two = s.option("free_form.two_dims");
  int g = s.config().grid_side;
  std::vector<int> dims = two ? std::vector<int>{g, g} : std::vector<int>{s.config().array_length};
  s.begin_kernel(pick_name(s, {"compute", "process", "update", "kernel_fn", "evaluate_terms", "mix"}), dims);
  describe(s, {"Compute out from the inputs element by element.", "Element-wise computation of out."});
  int ndim = two ? 2 : 1;
  int inputs = s.rng().uniform(1, 3);
  const char* in_names[] = {"a", "b", "c"};
  for (int k = 0; k < inputs; ++k) s.add_array(in_names[k], Type::array_of(data_type(s), ndim), true);
  maybe_scalar_params(s);
  maybe_struct(s);
  if (s.option("free_form.accumulator")) {
    s.add_output("accum", array1d(kFloat), false, {s.config().table_length});
    s.declare_accumulator("accum", "");
  }
  s.add_output("out", Type::array_of(data_type(s), ndim), true);
  Block body;
  s.emit_tid(body, two ? std::vector<std::string>{"i", "j"} : std::vector<std::string>{"i"});
  s.statements(body, s.rng().uniform(2, s.config().max_block_statements + 2), 0);
  store_output(s, body, "out");
  finish(s, body);
}

}  // namespace

const std::vector<Template>& all_templates() {
  static const std::vector<Template> templates = {
      {"map", map_template},
      {"map_nd", map_nd_template},
      {"stencil", stencil_template},
      {"reduction", reduction_template},
      {"histogram", histogram_template},
      {"prefix_window", prefix_window_template},
      {"particles", particles_template},
      {"springs", springs_template},
      {"rigid_transform", rigid_transform_template},
      {"matrix_math", matrix_math_template},
      {"ray_geometry", ray_geometry_template},
      {"random_sampling", random_sampling_template},
      {"struct_params", struct_params_template},
      {"free_form", free_form_template},
  };
  static const std::vector<Template> all = [] {
    std::vector<Template> v = templates;
    for (const auto& t : family_templates()) v.push_back(t);
    return v;
  }();
  return all;
}

}  // namespace warpsynth::generator
