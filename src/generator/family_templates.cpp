// Templates of the API families real Warp code uses besides arrays: tiles (block-cooperative
// loads, maps, reductions, matmul; launched with wp.launch_tiled), mesh queries (closest point,
// ray cast), BVH queries, hash-grid neighbour loops (SPH-like) and volume sampling. Written after
// warp-lang 1.19.0's examples and tests (example_sph, example_mesh, test_bvh, test_tile_*). The
// builtins the catalog cannot list are called through Synth::family_call with the types written
// here; the holes (weights, per-neighbour terms, what is stored) are filled by typed synthesis.
#include "generator/family_templates.h"
#include "generator/loop_carry.h"

#include <string>

#include "generator/template_helpers.h"
#include "model/family_builtins.h"

namespace warpsynth::generator {
namespace {

using namespace template_helpers;
using model::Block;
using model::ExprKind;
using model::ExprPtr;
using model::Opaque;
using model::Scalar;
using model::Stmt;
using model::StmtKind;
using model::Type;

const Type kInt = Type::scalar_of(Scalar::kInt32);
const Type kFloat = Type::scalar_of(Scalar::kFloat32);
const Type kBool = Type::scalar_of(Scalar::kBool);
const Type kVec3 = Type::vector_of(3, Scalar::kFloat32);
const Type kId = Type::scalar_of(Scalar::kUInt64);

Stmt expr_stmt(ExprPtr call) {
  Stmt st;
  st.kind = StmtKind::kExpr;
  st.value = std::move(call);
  return st;
}

// `name op= value`; `x += x` (trivial) becomes `x += x * 2.0`.
Stmt aug(Synth& s, const std::string& name, const char* op_text, ExprPtr value) {
  if (value->kind == ExprKind::kVar && value->text == name) {
    const Type t = value->type;
    ExprPtr two = t.is_int() ? s.int_literal(2) : s.float_literal("2.0", Type::scalar_of(t.scalar));
    if (ExprPtr doubled = s.call("mul", args(std::move(value), std::move(two)))) value = std::move(doubled);
    else value = s.live_value(t);
  }
  Stmt st;
  st.kind = StmtKind::kAugAssign;
  st.name = name;
  st.op = op_text;
  st.value = std::move(value);
  return st;
}

ExprPtr field(Synth& s, const std::string& query, const char* name) {
  const Variable* v = s.find_variable(query);
  auto t = model::opaque_field(v->type, name);
  auto e = model::make_expr(ExprKind::kField, *t, name);
  e->args.push_back(s.var(query));
  return e;
}

// A zero of a float type that stays a variable in loops (`float(0.0)`, `wp.vec3(0.0)`).
ExprPtr zero(Synth& s, const Type& t) {
  if (t.is_scalar()) {
    auto c = model::make_expr(ExprKind::kCast, t);
    c->args.push_back(s.float_literal("0.0", kFloat));
    return c;
  }
  auto c = s.construct_node(t);
  c->args.push_back(s.float_literal("0.0", Type::scalar_of(t.scalar)));
  return c;
}

// ------------------------------------------------------------------ tiles

// A float -> float op for wp.tile_map: a builtin by name, or a generated @wp.func. Each is defined
// on every value a tile may hold (wp.sqrt of a tile of signed data gave NaN: --verify run).
ExprPtr tile_op(Synth& s, int helper) {
  if (helper >= 0) return Synth::func_ref(s.program().funcs[size_t(helper)].name, helper);
  // (wp.floor left out: on data in [-1, 1] it gives -1 or 0, and tile_min of that is the same -1
  // in every block.)
  return Synth::func_ref("wp." + pick_name(s, {"sin", "cos", "tanh", "abs", "atan", "exp"}));
}

void tile_rows_template(Synth& s) {
  const int tile = s.option("tile_rows.tile16") ? 16 : s.option("tile_rows.tile32") ? 32 : 64;
  const int blocks = 8;
  int helper = s.option("tile_rows.helper_func") ? s.add_helper_func({kFloat}, kFloat) : -1;
  s.begin_kernel(pick_name(s, {"tile_reduce_rows", "block_sum", "tile_map_rows", "row_norms", "blocked_reduce"}), {blocks});
  bool two = s.option("tile_rows.two_inputs");
  bool reduce = s.option("tile_rows.reduce");
  describe(s, {reduce ? "Reduce each block of x to one value with tiles." : "Map each block of x through tiles.",
                "One tile per block: load, map, store."});
  s.launch_tiled(256);
  s.add_array("x", array1d(kFloat), false, {blocks * tile});
  if (two) s.add_array("y", array1d(kFloat), false, {blocks * tile});
  bool scaled = s.option("tile_rows.scale");
  if (scaled) s.add_param("scale", kFloat);
  s.add_output("out", array1d(kFloat), false, {reduce ? blocks : blocks * tile});
  const Type tile_t = Type::opaque_of(Opaque::kTile, Scalar::kFloat32, tile);
  Block body;
  s.emit_tid(body, {"i"});
  auto offset = [&] { return op(s, "mul", s.var(s.tid()[0]), s.int_literal(tile)); };
  auto load = [&](const char* array) {
    return s.family_call("tile_load", tile_t,
                         args(s.var(array), Synth::keyword("shape", s.int_literal(tile)), Synth::keyword("offset", offset())));
  };
  std::string t = s.local(body, "t", load("x"));
  std::string value = t;
  if (two) {
    std::string u = s.local(body, "u", load("y"));
    value = s.local(body, "v", s.family_call("tile_map", tile_t,
                                              args(Synth::func_ref("wp." + pick_name(s, {"add", "mul", "sub", "max", "min"})),
                                                   s.var(t), s.var(u))));
  }
  value = s.local(body, pick_name(s, {"m", "mapped", "w"}), s.family_call("tile_map", tile_t, args(tile_op(s, helper), s.var(value))));
  if (scaled) {
    auto scaled_tile = model::make_expr(ExprKind::kBinary, tile_t, "*");
    scaled_tile->args = args(s.var(value), s.var("scale"));
    value = s.local(body, "scaled", std::move(scaled_tile));
  }
  if (reduce) {
    const char* reduction = s.option("tile_rows.sum") ? "tile_sum" : s.option("tile_rows.max") ? "tile_max" : "tile_min";
    std::string r = s.local(body, "total", s.family_call(reduction, Type::opaque_of(Opaque::kTile, Scalar::kFloat32, 1),
                                                         args(s.var(value))));
    body.push_back(expr_stmt(s.family_call("tile_store", Type::void_type(),
                                           args(s.var("out"), s.var(r), Synth::keyword("offset", s.var(s.tid()[0]))))));
  } else {
    body.push_back(expr_stmt(s.family_call("tile_store", Type::void_type(),
                                           args(s.var("out"), s.var(value), Synth::keyword("offset", offset())))));
  }
  finish(s, body);
}

void tile_gemm_template(Synth& s) {
  const int tm = s.option("tile_gemm.tm8") ? 8 : 16, tn = s.option("tile_gemm.tn8") ? 8 : 16, tk = s.option("tile_gemm.tk4") ? 4 : 8;
  const int grid = 2, k_tiles = 4;
  int helper = s.option("tile_gemm.helper_func") ? s.add_helper_func({kFloat}, kFloat) : -1;
  s.begin_kernel(pick_name(s, {"tile_gemm", "matmul_tiled", "tiled_matmul", "gemm_blocked"}), {grid, grid});
  // Without a GPU, Warp builds tile_matmul's cuBLASDx (MathDx) code at codegen time: about 20 s per
  // tile shape and worker. The kernel says so instead, and its CUDA code is Warp's own GEMM loop,
  // which is what this Python compiles to on any device.
  s.program().module_options.push_back({"enable_mathdx_gemm", "False"});
  describe(s, {"C = A @ B, one output tile per block, accumulated over K.", "Tiled matrix product."});
  s.launch_tiled(256);
  s.add_array("A", Type::array_of(kFloat, 2), false, {grid * tm, k_tiles * tk});
  s.add_array("B", Type::array_of(kFloat, 2), false, {k_tiles * tk, grid * tn});
  s.add_output("C", Type::array_of(kFloat, 2), false, {grid * tm, grid * tn});
  const Type acc_t = Type::opaque_of(Opaque::kTile, Scalar::kFloat32, tm, tn);
  Block body;
  s.emit_tid(body, {"i", "j"});
  auto pair = [&](ExprPtr a, ExprPtr b) { return Synth::int_tuple(args(std::move(a), std::move(b))); };
  auto times = [&](ExprPtr a, int n) { return op(s, "mul", std::move(a), s.int_literal(n)); };
  std::string acc = s.local(body, "acc", s.family_call("tile_zeros", acc_t,
                                                         args(Synth::keyword("shape", pair(s.int_literal(tm), s.int_literal(tn))),
                                                              Synth::keyword("dtype", Synth::func_ref("float")))));
  auto shape1 = model::make_expr(ExprKind::kShape, kInt, "", 1);
  shape1->args.push_back(s.var("A"));
  std::string count = s.local(body, "count", op(s, "floordiv", std::move(shape1), s.int_literal(tk)), false);
  Stmt loop;
  loop.kind = StmtKind::kFor;
  loop.name = s.fresh("k");
  loop.range.push_back(s.var(count));
  s.push_scope();
  s.declare(loop.name, kInt, false);
  const std::string& i = s.tid()[0];
  const std::string& j = s.tid()[1];
  std::string a = s.local(loop.body, "a", s.family_call("tile_load", Type::opaque_of(Opaque::kTile, Scalar::kFloat32, tm, tk),
      args(s.var("A"), Synth::keyword("shape", pair(s.int_literal(tm), s.int_literal(tk))),
           Synth::keyword("offset", pair(times(s.var(i), tm), times(s.var(loop.name), tk))))));
  std::string b = s.local(loop.body, "b", s.family_call("tile_load", Type::opaque_of(Opaque::kTile, Scalar::kFloat32, tk, tn),
      args(s.var("B"), Synth::keyword("shape", pair(s.int_literal(tk), s.int_literal(tn))),
           Synth::keyword("offset", pair(times(s.var(loop.name), tk), times(s.var(j), tn))))));
  loop.body.push_back(expr_stmt(s.family_call("tile_matmul", Type::void_type(), args(s.var(a), s.var(b), s.var(acc)))));
  s.pop_scope();
  body.push_back(std::move(loop));
  std::string result = acc;
  if (helper >= 0 || s.option("tile_gemm.map")) {
    result = s.local(body, "c", s.family_call("tile_map", acc_t, args(tile_op(s, helper), s.var(acc))));
  }
  if (s.option("tile_gemm.alpha")) {  // C = alpha * (A @ B)
    s.add_param("alpha", kFloat);
    auto scaled = model::make_expr(ExprKind::kBinary, acc_t, "*");
    scaled->args = args(s.var(result), s.var("alpha"));
    result = s.local(body, "scaled", std::move(scaled));
  }
  body.push_back(expr_stmt(s.family_call("tile_store", Type::void_type(),
      args(s.var("C"), s.var(result), Synth::keyword("offset", pair(times(s.var(i), tm), times(s.var(j), tn)))))));
  finish(s, body);
}

// ------------------------------------------------------------------ meshes

void mesh_query_template(Synth& s) {
  s.make_funcs();
  const int n = s.config().array_length;
  bool ray = s.option("mesh_query.ray");
  s.begin_kernel(ray ? pick_name(s, {"mesh_raycast", "trace_mesh", "cast_rays"})
                     : pick_name(s, {"mesh_closest_point", "project_to_mesh", "mesh_distance", "sdf_from_mesh"}),
                 {n});
  describe(s, {ray ? "Cast one ray per thread against the mesh and store what it hits."
                    : "Query the closest point of the mesh to each point and store a value from it.",
                ray ? "Ray cast against a triangle mesh." : "Closest-point query against a triangle mesh."});
  s.add_param("mesh", kId);
  s.host_object("mesh", "wp.Mesh(points, indices): a closed triangle mesh (e.g. a box of 12 triangles)");
  s.add_array(ray ? "origins" : "points", array1d(kVec3), true);
  if (ray) s.add_array("dirs", array1d(kVec3), true);
  s.add_param(ray ? "max_t" : "max_dist", kFloat);
  Type out_t = s.option("mesh_query.float_out") ? kFloat : kVec3;
  s.add_output("out", array1d(out_t), true);
  Block body;
  s.emit_tid(body, {"tid"});
  std::string p = s.local(body, ray ? "ro" : "p", s.load(*s.array(ray ? "origins" : "points")));
  std::string query, d;
  if (ray) {
    std::string rd = s.local(body, "rd", s.call("normalize", args(s.load(*s.array("dirs")))));
    query = s.local(body, "query", s.family_call("mesh_query_ray", Type::opaque_of(Opaque::kMeshQueryRay),
                                                   args(s.var("mesh"), s.var(p), s.var(rd), s.var("max_t"))), false);
    d = s.local(body, "t", s.var("max_t"));
    Block hit;
    s.push_scope();
    Stmt set;
    set.kind = StmtKind::kAssign;
    set.name = d;
    set.value = field(s, query, "t");
    hit.push_back(std::move(set));
    std::string pos = s.local(hit, "hit", op(s, "add", s.var(p), op(s, "mul", s.var(rd), field(s, query, "t"))));
    std::string nrm = s.local(hit, "n", field(s, query, "normal"));
    s.statements(hit, s.rng().uniform(1, 2), 1);
    (void)pos;
    (void)nrm;
    Stmt shade = aug(s, d, "+=", s.consume(s.expr(kFloat, 1), hit, false));
    hit.push_back(std::move(shade));
    s.pop_scope();
    body.push_back(s.if_stmt(field(s, query, "result"), std::move(hit)));
  } else {
    const char* kind = s.option("mesh_query.signed") ? "mesh_query_point" : s.option("mesh_query.unsigned") ? "mesh_query_point_no_sign"
                                                                                       : "mesh_query_point_sign_normal";
    bool has_sign = std::string(kind) != "mesh_query_point_no_sign";
    query = s.local(body, "query", s.family_call(kind, Type::opaque_of(Opaque::kMeshQueryPoint),
                                                   args(s.var("mesh"), s.var(p), s.var("max_dist"))), false);
    d = s.local(body, "dist", s.var("max_dist"));
    Block hit;
    s.push_scope();
    std::string cp = s.local(hit, "cp", s.call("mesh_eval_position",
                                                args(s.var("mesh"), field(s, query, "face"), field(s, query, "u"), field(s, query, "v"))));
    ExprPtr dist = s.call("length", args(op(s, "sub", s.var(p), s.var(cp))));
    if (has_sign) dist = op(s, "mul", std::move(dist), field(s, query, "sign"));
    Stmt set;
    set.kind = StmtKind::kAssign;
    set.name = d;
    set.value = std::move(dist);
    hit.push_back(std::move(set));
    if (s.option("mesh_query.face_normal")) s.local(hit, "n", s.call("mesh_eval_face_normal", args(s.var("mesh"), field(s, query, "face"))));
    s.statements(hit, s.rng().uniform(1, 2), 1);
    Stmt more = aug(s, d, "+=", s.consume(s.expr(kFloat, 1), hit, false));
    hit.push_back(std::move(more));
    s.pop_scope();
    body.push_back(s.if_stmt(field(s, query, "result"), std::move(hit)));
  }
  ExprPtr value = out_t == kFloat ? s.var(d) : op(s, "mul", s.var(p), s.var(d));
  s.store_consuming(body, s.load(*s.array("out")), std::move(value));
  finish(s, body);
}

// ------------------------------------------------------------------ BVH

void bvh_query_template(Synth& s) {
  s.make_funcs();
  const int n = s.config().array_length;
  bool ray = s.option("bvh_query.ray");
  s.begin_kernel(ray ? pick_name(s, {"bvh_ray_hits", "trace_bounds", "ray_overlaps"})
                     : pick_name(s, {"bvh_count_overlaps", "box_overlaps", "broad_phase", "query_bounds"}),
                 {n});
  describe(s, {ray ? "Walk the BVH along each ray and accumulate over the bounds it enters."
                    : "Walk the BVH for each query box and accumulate over the bounds it overlaps.",
                "BVH query loop, one query per thread."});
  s.add_param("bvh", kId);
  s.host_object("bvh", "wp.Bvh(lowers, uppers): boxes around `n` items (here the items of `values`)");
  if (ray) {
    s.add_array("starts", array1d(kVec3), true);
    s.add_array("dirs", array1d(kVec3), true);
  } else {
    s.add_array("lowers", array1d(kVec3), true);
    s.add_array("uppers", array1d(kVec3), true);
  }
  Type item_t = s.option("bvh_query.float_items") ? kFloat : kVec3;
  s.add_array("values", array1d(item_t), false, {n});
  Type acc_t = s.option("bvh_query.count") ? kInt : item_t;
  s.add_output("out", array1d(acc_t), true);
  Block body;
  s.emit_tid(body, {"tid"});
  ExprPtr q;
  if (ray) {
    q = s.family_call("bvh_query_ray", Type::opaque_of(Opaque::kBvhQuery),
                      args(s.var("bvh"), s.load(*s.array("starts")), s.call("normalize", args(s.load(*s.array("dirs"))))));
  } else {
    q = s.family_call("bvh_query_aabb", Type::opaque_of(Opaque::kBvhQuery),
                      args(s.var("bvh"), s.load(*s.array("lowers")), s.load(*s.array("uppers"))));
  }
  std::string acc = s.local(body, acc_t == kInt ? "count" : "acc", acc_t == kInt ? model::make_literal("0", kInt) : zero(s, acc_t));
  // The query and the item index it writes are out of scope after the loop: the index's last
  // value there is the query's own business (it differs between the CPU and CUDA, gpu_run found).
  s.push_scope();
  std::string query = s.local(body, "query", std::move(q), false);
  // the item index the query writes: read, never updated by the kernel
  std::string index = s.local(body, "index", model::make_literal("0", kInt), false);
  Stmt loop;
  loop.kind = StmtKind::kWhile;
  loop.value = s.family_call("bvh_query_next", kBool, args(s.var(query), s.var(index)));
  auto frozen = s.begin_loop_body({acc});
  s.push_scope();
  std::string item = s.local(loop.body, "item", s.load_at(*s.array("values"), s.var(index)));
  s.statements(loop.body, s.rng().uniform(1, 2), 1);
  if (acc_t == kInt) {
    Block counted;
    counted.push_back(aug(s, acc, "+=", s.int_literal(1)));
    // A length is never below 0.0 (and always at least 0.0): it is compared with a radius, so that
    // the count depends on the items (outputs blind to every input under --verify run), and counts
    // the items beyond it (terms folded into the length make it seldom below a radius).
    auto test = model::make_expr(ExprKind::kCompare, kBool, item_t == kFloat ? pick_name(s, {">", "<", ">="}) : pick_name(s, {">", ">="}));
    test->args = args(s.consume(item_t == kFloat ? s.var(item) : s.call("length", args(s.var(item))), loop.body, false),
                      s.float_literal(item_t == kFloat ? "0.0" : pick_name(s, {"0.5", "1.0"}), kFloat));
    loop.body.push_back(s.if_stmt(std::move(test), std::move(counted)));
  } else {
    loop.body.push_back(aug(s, acc, "+=", s.consume(s.expr(acc_t, 1), loop.body, false)));
  }
  if (acc_t != kInt && uses_carried_values(loop.body)) {
    // A query loop is dynamic: one whose body uses a carried value otherwise than by accumulating
    // it has a wrong gradient in Warp (gen/loop_carry.h). It accumulates the item alone instead.
    Block plain;
    plain.push_back(std::move(loop.body.front()));  // item = values[index]
    plain.push_back(aug(s, acc, "+=", s.var(item)));
    loop.body = std::move(plain);
  }
  s.pop_scope();
  s.end_loop_body(frozen);
  s.pop_scope();  // query, index
  body.push_back(std::move(loop));
  s.store_consuming(body, s.load(*s.array("out")), s.var(acc));
  finish(s, body);
}

// ------------------------------------------------------------------ hash grids

void hash_grid_template(Synth& s) {
  s.make_funcs();
  const int n = s.config().array_length;
  s.begin_kernel(pick_name(s, {"sph_density", "neighbor_sum", "count_neighbors", "smooth_particles", "apply_neighbors"}), {n});
  describe(s, {"Sum a kernel-weighted term over each particle's neighbours within the radius.",
                "Neighbour loop over a hash grid, SPH style."});
  s.add_param("grid", kId);
  s.host_object("grid", "wp.HashGrid(16, 16, 16), built with grid.build(x, radius) before the launch");
  s.add_array("x", array1d(kVec3), false, {n});
  s.add_param("radius", kFloat);
  if (s.option("hash_grid.mass")) s.add_param("mass", kFloat);
  Type acc_t = s.option("hash_grid.float_out") ? kFloat : kVec3;
  s.add_output("out", array1d(acc_t), false, {n});
  Block body;
  s.emit_tid(body, {"tid"});
  std::string i = s.local(body, "i", s.call("hash_grid_point_id", args(s.var("grid"), s.var("tid"))), false);
  std::string p = s.local(body, "p", s.load_at(*s.array("x"), s.var(i)));
  std::string acc = s.local(body, acc_t == kFloat ? "rho" : "f", zero(s, acc_t));
  s.push_scope();  // the query and its index, out of scope after the loop (as in the BVH loop)
  std::string query = s.local(body, "query", s.family_call("hash_grid_query", Type::opaque_of(Opaque::kHashGridQuery),
                                                             args(s.var("grid"), s.var(p), s.var("radius"))), false);
  std::string index = s.local(body, "index", model::make_literal("0", kInt), false);  // written by the query
  Stmt loop;
  loop.kind = StmtKind::kWhile;
  loop.value = s.family_call("hash_grid_query_next", kBool, args(s.var(query), s.var(index)));
  auto frozen = s.begin_loop_body({acc});
  s.push_scope();
  std::string d = s.local(loop.body, "d", op(s, "sub", s.var(p), s.load_at(*s.array("x"), s.var(index))));
  std::string r = s.local(loop.body, "r", s.call("length", args(s.var(d))));
  Block near;
  s.push_scope();
  std::string q = s.local(near, "q", op(s, "sub", s.var("radius"), s.var(r)));
  s.statements(near, s.rng().uniform(1, 2), 2);
  ExprPtr term = acc_t == kFloat ? op(s, "mul", s.var(q), s.expr(kFloat, 1))
                                 : op(s, "mul", s.var(d), op(s, "mul", s.var(q), s.expr(kFloat, 1)));
  near.push_back(aug(s, acc, "+=", s.consume(std::move(term), near, false)));
  if (uses_carried_values(near, {d, r})) {
    // As in the BVH loop: the neighbour term alone, which Warp differentiates (gen/loop_carry.h).
    Block plain;
    plain.push_back(std::move(near.front()));  // q = radius - r
    plain.push_back(aug(s, acc, "+=", acc_t == kFloat ? s.var(q) : op(s, "mul", s.var(d), s.var(q))));
    near = std::move(plain);
  }
  s.pop_scope();
  s.end_loop_body(frozen);
  auto within = model::make_expr(ExprKind::kCompare, kBool, "<");
  within->args = args(s.var(r), s.var("radius"));
  loop.body.push_back(s.if_stmt(std::move(within), std::move(near)));
  s.pop_scope();
  s.pop_scope();  // query, index
  body.push_back(std::move(loop));
  auto out_at = model::make_expr(ExprKind::kIndex, acc_t);
  out_at->args = args(s.var("out"), s.var(i));
  s.store_consuming(body, std::move(out_at), s.var(acc));
  finish(s, body);
}

// ------------------------------------------------------------------ volumes

void volume_sample_template(Synth& s) {
  s.make_funcs();
  const int n = s.config().array_length;
  s.begin_kernel(pick_name(s, {"sample_volume", "volume_sdf_collide", "sdf_values", "probe_volume"}), {n});
  describe(s, {"Sample the volume at each point (in index space) and store a value from it.",
                "Volume sampling, one point per thread."});
  s.add_param("volume", kId);
  s.host_object("volume", "a float wp.Volume, e.g. wp.Volume.load_from_numpy(sdf, bg_value=1.0)");
  s.add_array("points", array1d(kVec3), true);
  Type out_t = s.option("volume_sample.float_out") ? kFloat : kVec3;
  s.add_output("out", array1d(out_t), true);
  Block body;
  s.emit_tid(body, {"tid"});
  std::string uvw = s.local(body, "uvw", s.call("volume_world_to_index", args(s.var("volume"), s.load(*s.array("points")))));
  // wp.Volume.LINEAR: a named constant, written as a reference
  auto mode = model::make_expr(ExprKind::kFuncRef, kInt, s.option("volume_sample.linear") ? "wp.Volume.LINEAR" : "wp.Volume.CLOSEST");
  std::string f;
  std::string grad;
  if (s.option("volume_sample.gradient")) {
    grad = s.local(body, "grad", zero(s, kVec3));
    f = s.local(body, "d", s.call("volume_sample_grad_f", args(s.var("volume"), s.var(uvw), std::move(mode), s.var(grad))));
  } else {
    f = s.local(body, "f", s.call("volume_sample_f", args(s.var("volume"), s.var(uvw), std::move(mode))));
  }
  s.statements(body, s.rng().uniform(1, 2), 0);
  ExprPtr value = out_t == kFloat ? s.expr(kFloat, 1)
                                  : (!grad.empty() ? op(s, "mul", s.var(grad), s.var(f)) : s.expr(kVec3, 1));
  s.store_consuming(body, s.load(*s.array("out")), std::move(value));
  finish(s, body);
}

}  // namespace

const std::vector<Template>& family_templates() {
  static const std::vector<Template> templates = {
      {"tile_rows", tile_rows_template},   {"tile_gemm", tile_gemm_template},     {"mesh_query", mesh_query_template},
      {"bvh_query", bvh_query_template},   {"hash_grid", hash_grid_template},     {"volume_sample", volume_sample_template},
  };
  return templates;
}

}  // namespace warpsynth::generator
